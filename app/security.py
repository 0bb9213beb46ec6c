"""Who may talk to the server: Host (DNS rebinding), Origin (cross-site) and the access token.

- Host: a plain `host[:port]` naming an allowed host. Bound to loopback (the default), that
  is a loopback name or LL_ALLOWED_HOSTS; bound elsewhere, LL_ALLOWED_HOSTS or, when empty,
  any name (the token guards it). Loopback clients may always name a loopback host.
- Origin: a WebSocket handshake, or a POST/PUT/PATCH/DELETE, whose Origin is not the
  server's own (as the Host header names it) or in LL_ALLOWED_ORIGINS is refused. No Origin
  (curl, scripts) is fine.
- Token: decided by the connection, not by a setting. A client whose address is not
  loopback must carry the token: `Authorization: Bearer <token>`, `?token=<token>` (which
  also sets a cookie, so the page's own requests follow) or that cookie. `GET /api/health`
  answers anyone, saying only `{"status": "ok"}` to those without the token.

HTTP refusals are 403 (401 for the token) with `{"detail": …}`; WebSocket refusals accept the
handshake and close at once with code 4403 and a reason, so the page can say why.
"""

import hmac
import ipaddress
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, quote, unquote

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings

COOKIE = "ll_token"
TRUSTED = "logistic_lens.trusted"  # scope key: True when the client is loopback or has the token
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
DEFAULT_PORT = {"http": 80, "https": 443}
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"(?:(?P<name>{_LABEL}(?:\.{_LABEL})*)|\[(?P<ip6>[0-9a-f:.]+)\])"
                   r"(?::(?P<port>[0-9]{1,5}))?")

Origin = tuple[str, str, int]  # (scheme, host, port)


def is_loopback(host: str) -> bool:
    """'localhost' or a loopback IP: 127.0.0.0/8, ::1, ::ffff:127.x."""
    return host.lower() == "localhost" or is_loopback_ip(host)


def is_loopback_ip(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def parse_host(value: str) -> tuple[str, int | None] | None:
    """'Example.com:8000' → ('example.com', 8000); '[::1]' → ('::1', None); None if malformed."""
    match = _HOST.fullmatch(value.lower())
    if not match or len(value) > 261:
        return None
    port = int(match["port"]) if match["port"] else None
    if port is not None and port > 65535:
        return None
    if match["ip6"]:
        try:
            return str(ipaddress.IPv6Address(match["ip6"])), port
        except ValueError:
            return None
    return match["name"], port


def parse_origin(value: str) -> Origin | None:
    """'HTTP://Example.com' → ('http', 'example.com', 80); None unless scheme://host[:port]."""
    scheme, sep, rest = value.partition("://")
    scheme = scheme.lower()
    host = parse_host(rest) if sep and scheme in DEFAULT_PORT else None
    if host is None:
        return None
    return scheme, host[0], host[1] or DEFAULT_PORT[scheme]


def access_token(settings: Settings) -> str:
    """The token non-loopback clients must carry: LL_TOKEN, or a fresh random one."""
    return settings.token or secrets.token_urlsafe(24)


def token_notice(settings: Settings, token: str) -> str:
    """The startup line telling how other machines open the app."""
    host = settings.host
    if is_loopback(host) or host in ("0.0.0.0", "::", ""):
        host = "<this-machine>"
    elif ":" in host:
        host = f"[{host}]"
    shown = "<LL_TOKEN>" if settings.token else token
    return ("Logistic Lens: this machine needs no token; other machines open it with "
            f"http://{host}:{settings.port}/?token={shown}")


CLOSE_REASON_BYTES = 123  # the most a WebSocket close frame's reason may hold


def clip(text: str, limit: int = CLOSE_REASON_BYTES) -> str:
    """At most `limit` bytes of UTF-8 (by default, what a WebSocket close reason holds)."""
    return text.encode()[:limit].decode(errors="ignore")


class AccessGuard:
    """ASGI middleware applying the Host, Origin and token checks to HTTP and WebSocket."""

    def __init__(self, app: ASGIApp, settings: Settings, token: str):
        self.app, self.token = app, token.encode("utf-8", "surrogatepass")
        self.cookie = f"{COOKIE}={quote(token, safe='')}; Path=/; HttpOnly; SameSite=Strict"
        self.on_loopback = is_loopback(settings.host)
        self.allowed_hosts = {h.lower() for h in settings.allowed_hosts}
        self.any_host = not self.on_loopback and not settings.allowed_hosts
        self.origins: set[Origin] = set()
        for entry in settings.allowed_origins:
            origin = parse_origin(entry.rstrip("/"))
            if origin is None:
                raise ValueError(f"LL_ALLOWED_ORIGINS: {entry!r} is not scheme://host[:port]")
            self.origins.add(origin)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        local = is_loopback_ip(str((scope.get("client") or ("",))[0]))  # none: not loopback
        refusal = self._host_or_origin_refusal(scope, headers, local)
        if refusal:
            await self._refuse(scope, receive, send, 403, refusal)
            return
        given, from_query = self._given(scope, headers)
        valid = given is not None and hmac.compare_digest(
            given.encode("utf-8", "surrogatepass"), self.token)
        trusted = local or valid
        if not trusted and not (scope["type"] == "http" and scope["path"] == "/api/health"):
            await self._refuse(scope, receive, send, 401,
                               "an access token is required: open the address printed when the "
                               "server started (it ends in ?token=…)")
            return
        scope[TRUSTED] = trusted
        if valid and from_query and scope["type"] == "http":
            send = self._setting_cookie(send)
        await self.app(scope, receive, send)

    def _host_or_origin_refusal(self, scope: Scope, headers: Headers, local: bool) -> str:
        """Why the Host or Origin header is refused, or '' when both are fine."""
        values = headers.getlist("host")
        host = parse_host(values[0]) if len(values) == 1 else None
        if host is None:
            return f"Host header {clip(', '.join(values), 60)!r} is not a plain host[:port]"
        name = host[0]
        ok = (self.any_host or name in self.allowed_hosts
              or (is_loopback(name) and (self.on_loopback or local)))
        if not ok:
            return f"Host {clip(name, 60)!r} is not allowed (setting LL_ALLOWED_HOSTS)"
        origin = headers.get("origin")
        if origin is None or (scope["type"] == "http" and scope["method"] not in UNSAFE):
            return ""
        scheme = str(scope.get("scheme", "http")).replace("ws", "http")  # ws → http, wss → https
        own = (scheme, name, host[1] or DEFAULT_PORT.get(scheme, 0))
        parsed = parse_origin(origin)
        if parsed is not None and (parsed == own or parsed in self.origins):
            return ""
        return f"Origin {clip(origin, 60)!r} is not allowed (setting LL_ALLOWED_ORIGINS)"

    @staticmethod
    def _given(scope: Scope, headers: Headers) -> tuple[str | None, bool]:
        """The token the request carries, and whether it came in the query string."""
        auth = headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            return auth[7:].strip(), False
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if "token" in query:
            return query["token"][0], True
        cookie = cookie_parser(headers.get("cookie", "")).get(COOKIE)
        return (unquote(cookie) if cookie is not None else None), False

    def _setting_cookie(self, send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []),
                                      (b"set-cookie", self.cookie.encode("latin-1"))]
            await send(message)
        return wrapped

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, status: int,
                      detail: str) -> None:
        if scope["type"] == "websocket":
            if (await receive())["type"] == "websocket.connect":
                await send({"type": "websocket.accept"})
                await send({"type": "websocket.close", "code": 4403,
                            "reason": clip(detail)})
            return
        response: Any = JSONResponse({"detail": detail}, status_code=status)
        await response(scope, receive, send)

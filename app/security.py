"""Who may talk to the server: a Host check against DNS rebinding, and a token off loopback.

Bound to a loopback address (the default), requests must name a loopback host — a page on
another site that rebinds its DNS name to 127.0.0.1 still sends its own name and is refused.
Bound to any other address, every request must also carry the access token (as Jupyter
does): `Authorization: Bearer <token>`, `?token=<token>` (which also sets a cookie, so the
page's own requests follow), or that cookie.
"""

import hmac
import secrets
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
COOKIE = "ll_token"


def is_loopback(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")


def access_token(settings: Settings) -> str | None:
    """The token requests must carry: None on loopback, else LL_TOKEN or a fresh random one."""
    if is_loopback(settings.host):
        return None
    return settings.token or secrets.token_urlsafe(24)


def _hostname(header: str) -> str:
    """'example.com:8000' → 'example.com'; '[::1]:8000' → '::1'."""
    if header.startswith("["):
        return header[1 : header.find("]")]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class AccessGuard:
    """ASGI middleware applying the Host check and, off loopback, the token."""

    def __init__(self, app: ASGIApp, settings: Settings, token: str | None):
        self.app, self.token = app, token
        self.allowed = set(settings.allowed_hosts) | (
            LOOPBACK if is_loopback(settings.host) else set())
        self.any_host = not is_loopback(settings.host) and not settings.allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = _hostname(headers.get("host", ""))
        if not self.any_host and host not in self.allowed:
            await self._refuse(scope, receive, send, 403,
                               f"Host '{host}' is not allowed: this server answers to "
                               f"{', '.join(sorted(self.allowed))} (setting LL_ALLOWED_HOSTS)")
            return
        if self.token is None:
            await self.app(scope, receive, send)
            return
        given, from_query = self._given(scope, headers)
        if given is None or not hmac.compare_digest(given, self.token):
            await self._refuse(scope, receive, send, 401,
                               "an access token is required: open the address printed when the "
                               "server started (it ends in ?token=…)")
            return
        if from_query and scope["type"] == "http":
            send = self._setting_cookie(send)
        await self.app(scope, receive, send)

    def _given(self, scope: Scope, headers: Headers) -> tuple[str | None, bool]:
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:].strip(), False
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if "token" in query:
            return query["token"][0], True
        cookie = SimpleCookie(headers.get("cookie", ""))
        return (cookie[COOKIE].value if COOKIE in cookie else None), False

    def _setting_cookie(self, send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
                message["headers"] = [*message.get("headers", []),
                                      (b"set-cookie", cookie.encode("latin-1"))]
            await send(message)
        return wrapped

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int,
                      detail: str) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4000 + status, "reason": detail[:120]})
            return
        response: Any = JSONResponse({"detail": detail}, status_code=status)
        await response(scope, receive, send)

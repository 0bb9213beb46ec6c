"""Who may talk to the server: Host (DNS rebinding), Origin (cross-site) and the token.

Each fault test names the request that reproduced it and what the server answered before."""

import asyncio
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.conftest import LOOPBACK_CLIENT

NETWORK_CLIENT = ("203.0.113.5", 5000)  # a client on another machine
EVIL = "http://evil.example"
CSV = b"a,y\n1,0\n2,1\n3,0\n4,1\n5,0\n6,1\n"


def app_for(tmp_path: Path, **settings: Any) -> Any:
    return create_app(Settings(data_dir=tmp_path, **settings))


def local(app: Any, base_url: str = "http://127.0.0.1:8000") -> TestClient:
    return TestClient(app, base_url=base_url, client=LOOPBACK_CLIENT)


def remote(app: Any, base_url: str = "http://lab-server:8000") -> TestClient:
    return TestClient(app, base_url=base_url, client=NETWORK_CLIENT)


def close_after_accept(client: TestClient, url: str, **kwargs: Any) -> tuple[int, str]:
    """(code, reason) of the close that must be the first message after the handshake (a
    close before accepting makes the TestClient raise on connect: a real server's bare 403)."""
    url = f"ws://{client.base_url.netloc.decode()}{url}"  # (a relative one goes to testserver)
    with client.websocket_connect(url, **kwargs) as ws:
        message = ws.receive()
    assert message["type"] == "websocket.close", message
    return int(message["code"]), str(message["reason"])


# ---- Host ----------------------------------------------------------------------------------

def test_loopback_server_refuses_a_foreign_host_header(tmp_path: Path) -> None:
    with local(app_for(tmp_path)) as client:
        assert client.get("/api/health").status_code == 200
        assert client.get("/api/health", headers={"host": "localhost:8000"}).status_code == 200
        assert client.get("/api/health", headers={"host": "[::1]:8000"}).status_code == 200
        r = client.get("/api/datasets", headers={"host": "attacker.example:8000"})
        assert r.status_code == 403
        assert "Host 'attacker.example' is not allowed" in r.json()["detail"]
        assert "LL_ALLOWED_HOSTS" in r.json()["detail"]


@pytest.mark.parametrize("host", ["localhost:8000@evil", "[::1].evil.com", "localhost, evil.com",
                                  "", "local host", "localhost:99999"])
def test_a_malformed_host_header_is_refused(tmp_path: Path, host: str) -> None:
    """GET /api/datasets with `Host: localhost:8000@evil`, `[::1].evil.com` (taken for ::1)
    or `localhost:99999` was 200 on a loopback server; with `localhost, evil.com`, an empty
    Host or `local host` it was 200 off loopback (any name allowed). Now 403 both ways."""
    with local(app_for(tmp_path)) as client:
        r = client.get("/api/datasets", headers={"host": host})
        assert r.status_code == 403, (host, r.text)
        assert "not a plain host[:port]" in r.json()["detail"]
    with remote(app_for(tmp_path, host="0.0.0.0", token="s3cret")) as client:
        r = client.get("/api/datasets", headers={"host": host, "authorization": "Bearer s3cret"})
        assert r.status_code == 403, (host, r.text)


def test_two_host_headers_are_refused(tmp_path: Path) -> None:
    """GET /api/datasets with `Host: localhost` and `Host: evil.example` was 200 (only the
    first was looked at). Now 403."""
    with local(app_for(tmp_path)) as client:
        r = client.get("/api/datasets", headers=[("host", "localhost"), ("host", "evil.example")])
        assert r.status_code == 403


def test_off_loopback_any_well_formed_host_is_answered(tmp_path: Path) -> None:
    with remote(app_for(tmp_path, host="0.0.0.0", token="s3cret")) as client:
        for host in ("lab-server:8000", "10.0.0.5", "[2001:db8::1]:8000", "LAB.example.org"):
            r = client.get("/api/datasets", headers={"host": host,
                                                     "authorization": "Bearer s3cret"})
            assert r.status_code == 200, host


def test_a_loopback_client_may_name_a_loopback_host_whatever_allowed_hosts_say(
        tmp_path: Path) -> None:
    """The Dockerfile's HEALTHCHECK (GET http://127.0.0.1:8000/api/health from inside the
    container) on a server with LL_HOST=0.0.0.0 LL_ALLOWED_HOSTS=lens.example.org was 403."""
    app = app_for(tmp_path, host="0.0.0.0", allowed_hosts=["lens.example.org"])
    with local(app) as client:
        assert client.get("/api/health").status_code == 200
        assert client.get("/api/datasets", headers={"host": "other.example"}).status_code == 403
    with remote(app, "http://127.0.0.1:8000") as client:
        assert client.get("/api/health").status_code == 403  # from the network: not allowed


def test_websocket_with_a_foreign_host_is_closed_with_a_reason(tmp_path: Path) -> None:
    """WS /api/sessions/x/stream with `Host: attacker.example` was closed before the handshake
    was accepted (a bare HTTP 403 from a real server, no reason the page could show)."""
    with local(app_for(tmp_path), "http://attacker.example") as client:
        code, reason = close_after_accept(client, "/api/sessions/x/stream")
    assert code == 4403 and "attacker.example" in reason and "LL_ALLOWED_HOSTS" in reason


# ---- Origin --------------------------------------------------------------------------------

def test_a_cross_site_websocket_handshake_is_closed_with_4403(tmp_path: Path) -> None:
    """WS /api/sessions/x/stream with `Origin: http://evil.example` (cross-site WebSocket
    hijacking) reached the stream route (closed 4404, and a real session would stream)."""
    with local(app_for(tmp_path)) as client:
        code, reason = close_after_accept(client, "/api/sessions/x/stream",
                                          headers={"origin": EVIL})
    assert code == 4403 and EVIL in reason and "LL_ALLOWED_ORIGINS" in reason
    assert len(reason.encode()) <= 123


def test_origin_null_and_malformed_origins_are_refused(tmp_path: Path) -> None:
    """WS with `Origin: null` (a sandboxed iframe, a file:// page) reached the stream route."""
    with local(app_for(tmp_path)) as client:
        for origin in ("null", "http://127.0.0.1:8000@evil", "ftp://127.0.0.1:8000",
                       "é" * 200):
            code, reason = close_after_accept(client, "/api/sessions/x/stream",
                                              headers={"origin": origin.encode()})
            assert code == 4403 and len(reason.encode()) <= 123, origin


def test_same_origin_and_allowed_origins_may_open_the_stream(tmp_path: Path) -> None:
    app = app_for(tmp_path, allowed_origins=["https://Teacher.example/", "http://[::1]:3000"])
    with local(app) as client:
        for origin in ("http://127.0.0.1:8000", "HTTP://127.0.0.1:8000",
                       "https://teacher.example:443", "http://[::1]:3000"):
            code, _ = close_after_accept(client, "/api/sessions/x/stream",
                                         headers={"origin": origin})
            assert code == 4404, origin  # past the guard: the session just does not exist
        for origin in ("http://127.0.0.1:8001", "https://127.0.0.1:8000", "http://localhost:8000"):
            code, _ = close_after_accept(client, "/api/sessions/x/stream",
                                         headers={"origin": origin})
            assert code == 4403, origin
    with local(app, "http://localhost") as client:  # port 80 implied on both sides
        code, _ = close_after_accept(client, "/api/sessions/x/stream",
                                     headers={"origin": "http://localhost"})
        assert code == 4404


def test_a_malformed_allowed_origin_stops_the_start(tmp_path: Path) -> None:
    """LL_ALLOWED_ORIGINS=teacher.example (no scheme) could never match; now the app says so."""
    with pytest.raises(ValueError, match=r"LL_ALLOWED_ORIGINS: 'teacher\.example'"), \
            local(app_for(tmp_path, allowed_origins=["teacher.example"])):
        pass


def test_cross_site_writes_are_refused(tmp_path: Path) -> None:
    """POST /api/datasets (a multipart upload, which a form on any site may send) with
    `Origin: http://evil.example` was 201, the dataset stored; a body-less POST
    /api/sessions/<id>/reset was 200 and DELETE /api/datasets/<id> was 204. Now 403."""
    with local(app_for(tmp_path)) as client:
        r = client.post("/api/datasets/generate", json={"kind": "xor", "n": 40, "seed": 1})
        dataset = r.json()["id"]
        r = client.post("/api/sessions", json={"dataset_id": dataset})
        session = r.json()["id"]
        evil = {"origin": EVIL}
        refused = [
            client.post("/api/datasets", files={"file": ("x.csv", CSV)},
                        headers=evil),
            client.post(f"/api/sessions/{session}/reset", headers=evil),
            client.patch(f"/api/sessions/{session}", json={"learning_rate": 0.5}, headers=evil),
            client.delete(f"/api/datasets/{dataset}", headers=evil),
        ]
        for r in refused:
            assert r.status_code == 403, r.text
            assert EVIL in r.json()["detail"] and "LL_ALLOWED_ORIGINS" in r.json()["detail"]
        assert [d["id"] for d in client.get("/api/datasets").json()] == [dataset]
        assert client.get("/api/datasets", headers=evil).status_code == 200  # reads: no CORS
        own = {"origin": "http://127.0.0.1:8000"}
        assert client.post(f"/api/sessions/{session}/reset", headers=own).status_code == 200
        assert client.post(f"/api/sessions/{session}/reset").status_code == 200  # scripts


# ---- the token -----------------------------------------------------------------------------

def test_a_network_client_needs_the_token_whatever_ll_host_says(tmp_path: Path) -> None:
    """`uvicorn app.main:app --host 0.0.0.0` leaves LL_HOST at 127.0.0.1: GET /api/datasets
    from 203.0.113.5 with `Host: 127.0.0.1:8000` was 200 without any token. Now 401."""
    with remote(app_for(tmp_path, token="s3cret"), "http://127.0.0.1:8000") as client:
        r = client.get("/api/datasets")
        assert r.status_code == 401 and "access token" in r.json()["detail"]
        assert client.get("/api/datasets", headers={"authorization": "Bearer nope"}).status_code \
            == 401
        assert client.get("/api/datasets", headers={"authorization": "Bearer s3cret"}) \
            .status_code == 200


def test_a_client_without_an_address_needs_the_token(tmp_path: Path) -> None:
    """An ASGI request with no `client` (a server that cannot tell, e.g. a Unix socket) for
    GET /nope on a default server was served (404) without a token. Now 401."""
    app = app_for(tmp_path, token="s3cret")
    sent: list[Any] = []

    async def receive() -> Any:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/nope", "raw_path": b"/nope",
             "root_path": "", "scheme": "http", "query_string": b"", "http_version": "1.1",
             "headers": [(b"host", b"127.0.0.1:8000")], "client": None}
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 401


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_a_loopback_client_needs_no_token_wherever_the_server_is_bound(
        tmp_path: Path, address: str) -> None:
    """GET /api/datasets from 127.0.0.1 on a server with LL_HOST=0.0.0.0 was 401."""
    app = app_for(tmp_path, host="0.0.0.0", token="s3cret")
    with TestClient(app, base_url="http://lab-server:8000", client=(address, 1)) as client:
        assert client.get("/api/datasets").status_code == 200


def test_the_token_can_come_as_header_query_or_cookie(tmp_path: Path) -> None:
    with remote(app_for(tmp_path, host="0.0.0.0", token="s3cret")) as client:
        assert client.get("/api/datasets").status_code == 401
        r = client.get("/?token=s3cret")  # the printed link: sets a cookie for the page
        assert r.status_code == 200 and "ll_token=s3cret" in r.headers["set-cookie"]
        assert client.get("/api/datasets").status_code == 200  # the cookie now rides along
        assert "set-cookie" not in client.get("/?token=nope").headers


def test_a_loopback_client_gets_no_cookie_for_a_wrong_token(tmp_path: Path) -> None:
    """A loopback server had no token at all, so `GET /?token=s3cret` set no cookie; now it
    has one, and `GET /?token=nope` from 127.0.0.1 (let in anyway) is not sent it."""
    with local(app_for(tmp_path, token="s3cret")) as client:
        assert "set-cookie" not in client.get("/?token=nope").headers
        assert "ll_token=s3cret" in client.get("/?token=s3cret").headers["set-cookie"]


@pytest.mark.parametrize("given", [{"headers": {"authorization": "Bearer é".encode()}},
                                   {"params": {"token": "é"}},
                                   {"headers": {"cookie": "ll_token=é".encode()}}])
def test_a_non_ascii_token_is_a_plain_401(tmp_path: Path, given: dict[str, Any]) -> None:
    """GET /api/datasets with `Authorization: Bearer é` or `?token=%C3%A9` from the network
    was a 500 (hmac.compare_digest cannot compare non-ASCII str). Now 401."""
    app = app_for(tmp_path, host="0.0.0.0", token="s3cret")
    with remote(app) as client:
        assert client.get("/api/datasets", **given).status_code == 401


def test_a_non_ascii_ll_token_works(tmp_path: Path) -> None:
    with remote(app_for(tmp_path, host="0.0.0.0", token="clé € 1")) as client:
        assert client.get("/api/datasets", params={"token": "clé € 1"}).status_code == 200
        assert client.get("/api/datasets").status_code == 200  # its cookie, percent-encoded


def test_a_network_websocket_needs_the_token(tmp_path: Path) -> None:
    """WS /api/sessions/x/stream from the network without a token was closed 4401 before the
    handshake was accepted (a bare 403 from a real server); DESIGN.md says 4403, a reason."""
    with remote(app_for(tmp_path, host="0.0.0.0", token="s3cret")) as client:
        code, reason = close_after_accept(client, "/api/sessions/x/stream")
        assert code == 4403 and "token" in reason and len(reason.encode()) <= 123
        code, _ = close_after_accept(client, "/api/sessions/x/stream?token=s3cret")
        assert code == 4404  # past the guard: the session just does not exist


def test_a_token_is_always_made_and_printed_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A default server (LL_HOST=127.0.0.1, no LL_TOKEN) printed nothing and had no token, so
    network clients were let in unasked."""
    with remote(app_for(tmp_path, port=9000), "http://127.0.0.1:9000") as client:
        out = capsys.readouterr().out
        assert out.count("?token=") == 1 and ":9000/?token=" in out
        token = out.split("?token=")[1].split()[0]
        assert len(token) >= 24
        assert client.get("/api/datasets").status_code == 401
        assert client.get(f"/api/datasets?token={token}").status_code == 200


def test_a_token_set_in_ll_token_is_not_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with remote(app_for(tmp_path, host="10.0.0.5", token="s3cret")):
        out = capsys.readouterr().out
    assert "http://10.0.0.5:8000/?token=<LL_TOKEN>" in out and "s3cret" not in out

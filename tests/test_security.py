"""Safe by default: loopback answers only to loopback names; elsewhere a token is required."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.config import Settings
from app.main import create_app


def test_loopback_server_refuses_a_foreign_host_header(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path))
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        assert client.get("/api/health").status_code == 200
        assert client.get("/api/health", headers={"host": "localhost:8000"}).status_code == 200
        assert client.get("/api/health", headers={"host": "[::1]:8000"}).status_code == 200
        r = client.get("/api/datasets", headers={"host": "attacker.example:8000"})
        assert r.status_code == 403
        assert "Host 'attacker.example' is not allowed" in r.json()["detail"]


def test_websocket_with_a_foreign_host_is_refused(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path))
    with TestClient(app, base_url="http://attacker.example") as client, \
            pytest.raises(WebSocketDisconnect) as info, \
            client.websocket_connect("/api/sessions/x/stream") as ws:
        ws.receive_json()
    assert info.value.code == 4403


def test_off_loopback_every_request_needs_the_token(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, host="0.0.0.0", token="s3cret"))
    with TestClient(app, base_url="http://lab-server:8000") as client:
        r = client.get("/api/health")
        assert r.status_code == 401 and "access token" in r.json()["detail"]
        assert client.get("/api/health", headers={"authorization": "Bearer nope"}).status_code \
            == 401
        assert client.get("/api/health", headers={"authorization": "Bearer s3cret"}).status_code \
            == 200
        r = client.get("/?token=s3cret")  # the printed link: sets a cookie for the page
        assert r.status_code == 200 and "ll_token=s3cret" in r.headers["set-cookie"]
        assert client.get("/api/health").status_code == 200  # the cookie now rides along


def test_off_loopback_websocket_needs_the_token(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, host="0.0.0.0", token="s3cret"))
    with TestClient(app, base_url="http://lab-server:8000") as client:
        with pytest.raises(WebSocketDisconnect) as info, \
                client.websocket_connect("/api/sessions/x/stream") as ws:
            ws.receive_json()
        assert info.value.code == 4401
        with pytest.raises(WebSocketDisconnect) as info, \
                client.websocket_connect("/api/sessions/x/stream?token=s3cret") as ws:
            ws.receive_json()
        assert info.value.code == 4404  # past the guard: the session just does not exist


def test_a_token_is_generated_and_printed_when_none_is_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(Settings(data_dir=tmp_path, host="0.0.0.0", port=9000))
    with TestClient(app, base_url="http://lab-server:9000") as client:
        out = capsys.readouterr().out
        assert "http://0.0.0.0:9000/?token=" in out
        token = out.split("?token=")[1].split()[0]
        assert len(token) >= 24
        assert client.get(f"/api/health?token={token}").status_code == 200

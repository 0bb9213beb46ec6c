"""The app starts and says so: /api/health answers anyone; the version and the process that
answered (worker, pid) only to the trusted."""

import os
from pathlib import Path

from fastapi.testclient import TestClient

from app import __version__
from app.config import Settings
from app.main import create_app
from tests.conftest import LOOPBACK_CLIENT
from tests.helpers import get_json, start_server, stop

NETWORK_CLIENT = ("203.0.113.5", 5000)


def test_health_says_ok(client: TestClient) -> None:
    r = client.get("/api/health")
    assert r.status_code == 200
    # a loopback client, so trusted; the test app is one process named as `make run`'s is
    assert r.json() == {"status": "ok", "version": __version__, "worker": "main",
                        "pid": os.getpid()}


def test_home_page_renders(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert "Logistic Lens" in r.text


def test_health_answers_a_network_client_without_the_token(tmp_path: Path) -> None:
    """GET /api/health from another machine on a server with LL_HOST=0.0.0.0 (the Docker
    image) and no token was 401. Now 200 and only the status; with the token, the version."""
    app = create_app(Settings(data_dir=tmp_path, host="0.0.0.0", token="s3cret"))
    with TestClient(app, base_url="http://lab-server:8000", client=NETWORK_CLIENT) as client:
        for headers in ({}, {"authorization": "Bearer wrong"}):
            r = client.get("/api/health", headers=headers)
            assert r.status_code == 200 and r.json() == {"status": "ok"}
            assert "set-cookie" not in r.headers
        r = client.get("/api/health", headers={"authorization": "Bearer s3cret"})
        assert r.json() == {"status": "ok", "version": __version__, "worker": "main",
                            "pid": os.getpid()}
        assert client.get("/api/datasets").status_code == 401  # the rest still asks


def test_the_docker_healthcheck_is_healthy_in_token_mode(tmp_path: Path) -> None:
    """The Dockerfile's HEALTHCHECK, GET http://127.0.0.1:8000/api/health from inside the
    container (LL_HOST=0.0.0.0, token mode), got 401 and the container stayed 'unhealthy'."""
    app = create_app(Settings(data_dir=tmp_path, host="0.0.0.0"))
    with TestClient(app, base_url="http://127.0.0.1:8000", client=LOOPBACK_CLIENT) as client:
        assert client.get("/api/health").status_code == 200


def test_health_names_the_worker_and_process_of_a_real_server(tmp_path: Path) -> None:
    """A server started the way `make class` starts each of its processes (LL_WORKER=w2) says
    which one answered: its name and its own pid."""
    proc, base = start_server(tmp_path, tmp_path / "server.log", LL_WORKER="w2")
    try:
        body = get_json(base, "/api/health")
    finally:
        stop(proc)
    assert body == {"status": "ok", "version": __version__, "worker": "w2", "pid": proc.pid}

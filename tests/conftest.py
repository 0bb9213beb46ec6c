"""Shared fixtures: an app on a temporary data directory and a client for it."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from app.config import Settings
from app.main import create_app


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with the data directory in a fresh temporary folder (and the test client's
    host name, 'testserver', allowed next to the loopback names)."""
    return Settings(data_dir=tmp_path / "data", allowed_hosts=["testserver"])


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


LOOPBACK_CLIENT = ("127.0.0.1", 50000)  # TestClient's default ("testclient") is not loopback


def local_client(app: FastAPI, **kwargs: Any) -> TestClient:
    """A TestClient connecting from 127.0.0.1, so the app asks it for no token."""
    return TestClient(app, client=LOOPBACK_CLIENT, **kwargs)


def from_loopback(app: ASGIApp) -> ASGIApp:
    """`app` as reached from 127.0.0.1, for clients built elsewhere (schemathesis.from_asgi)."""
    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            scope = {**scope, "client": LOOPBACK_CLIENT}
        await app(scope, receive, send)
    return wrapped


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A loopback client whose `with` block runs the app's startup and shutdown."""
    with local_client(app) as c:
        yield c

"""Shared fixtures: an app on a temporary data directory and a client for it; the two store
backends (SQLite, and a real PostgreSQL server from tests/postgres.py) for the tests that run
against both."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from app.config import Settings
from app.data.store import Store, open_store
from app.main import create_app
from tests.postgres import drop_database, fresh_database, postgres_server  # noqa: F401


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with the data directory in a fresh temporary folder (and the test client's
    host name, 'testserver', allowed next to the loopback names)."""
    return Settings(data_dir=tmp_path / "data", allowed_hosts=["testserver"])


# Parametrize a fixture with these to run its tests on each store backend.
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    server: str = request.getfixturevalue("postgres_server")
    url = fresh_database(server)
    yield url
    drop_database(server, url)


def backend_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings on the backend `request.param` names: SQLite in tmp_path, or a fresh
    PostgreSQL database."""
    url = request.getfixturevalue("database_url") if request.param == "postgres" else None
    return Settings(data_dir=tmp_path / "data", allowed_hosts=["testserver"], database_url=url)


class Opener:
    """Opens a store on one database (an SQLite file, or a fresh PostgreSQL database) as
    often as asked: each call is a new connection, as a restarted or second process makes.
    `settings` name that database (for a child process to open it too)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.opened: list[Store] = []

    def __call__(self) -> Store:
        self.opened.append(open_store(self.settings))
        return self.opened[-1]


@pytest.fixture(params=BACKENDS)
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    settings = backend_settings(request, tmp_path)
    settings.data_dir = tmp_path / "nested" / "dir"
    opener = Opener(settings)
    yield opener
    for s in opener.opened:
        s.close()


@pytest.fixture
def store(opener: Opener) -> Store:
    """A store on each backend in turn."""
    return opener()


@contextmanager
def refusing_writes(store: Store) -> Iterator[None]:
    """The store's database refuses every write meanwhile, as a read-only one does: SQLite
    by `PRAGMA query_only`, PostgreSQL by the server (default_transaction_read_only on the
    database, the store's connections replaced so that they take it)."""
    from app.data.store_sqlite import SQLiteStore
    if isinstance(store, SQLiteStore):
        store.db.execute("PRAGMA query_only = ON")
        try:
            yield
        finally:
            store.db.execute("PRAGMA query_only = OFF")
        return
    import psycopg

    from app.data.store_pg import PostgresStore
    assert isinstance(store, PostgresStore)

    def read_only(on: bool) -> None:
        with psycopg.connect(store.url, autocommit=True,
                             options="-c default_transaction_read_only=off") as conn:
            name = conn.execute("SELECT current_database()").fetchone()
            assert name is not None
            setting = "SET default_transaction_read_only = on" if on else \
                "RESET default_transaction_read_only"
            conn.execute(f'ALTER DATABASE "{name[0]}" {setting}')  # type: ignore[arg-type]
        store.reconnect()

    read_only(True)
    try:
        yield
    finally:
        read_only(False)


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

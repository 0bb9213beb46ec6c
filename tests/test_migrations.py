"""The store's versioned schema: a store written before versions existed opens with its data
intact, every migration runs once however many processes open a store together, and a store
newer than the code is refused."""

import gzip
import json
import shutil
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from app.config import Settings
from app.data import migrations
from app.data.store import Store, StoreError
from app.data.store_sqlite import SQLiteStore
from app.main import create_app
from tests.conftest import Opener, local_client

FIXTURES = Path(__file__).resolve().parent / "fixtures"
OLD = "store-e653e17"  # written by main at e653e17, the last commit before schema versions


def _sql(opener: Opener, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """Raw SQL (`?` placeholders) on the opener's database, on a connection of its own."""
    url = opener.settings.database_url
    if url is None:
        db = sqlite3.connect(opener.settings.db_path, isolation_level=None)
        try:
            return db.execute(sql, args).fetchall()
        finally:
            db.close()
    import psycopg
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(sql.replace("?", "%s"), args)  # type: ignore[arg-type]
        return cur.fetchall() if cur.description else []


def test_migrations_are_numbered_from_one_with_both_backends() -> None:
    assert [m.version for m in migrations.MIGRATIONS] == list(range(1, migrations.LATEST + 1))
    assert all(m.sqlite and m.postgres and m.name for m in migrations.MIGRATIONS)
    assert migrations.pending(0) == list(migrations.MIGRATIONS)
    assert migrations.pending(migrations.LATEST) == []


def test_a_store_written_by_main_before_versions_opens_intact(tmp_path: Path) -> None:
    """The SQLite file main wrote at e653e17 (an uploaded dataset with non-ASCII labels, a
    generated one, a 2-3-1 session trained 25 steps; no schema_version table) opens: it is
    adopted as version 1 and migrated to the latest, and the API gives back the same
    datasets, points, session, metrics and predictions as the old code did; training goes on."""
    expected = json.loads((FIXTURES / f"{OLD}.json").read_text())
    settings = Settings(data_dir=tmp_path / "data", allowed_hosts=["testserver"])
    settings.data_dir.mkdir()
    with gzip.open(FIXTURES / f"{OLD}.sqlite3.gz") as src, settings.db_path.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    old = sqlite3.connect(settings.db_path)
    tables = {r[0] for r in old.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    old.close()
    assert tables == {"datasets", "dataset_arrays", "sessions"}  # truly the old schema

    with local_client(create_app(settings)) as c:
        store: SQLiteStore = c.app.state.store  # type: ignore[attr-defined]
        assert store.schema_version() == migrations.LATEST
        assert [r[0] for r in store.db.execute("SELECT version FROM schema_version")] == \
            [m.version for m in migrations.MIGRATIONS]
        assert c.get("/api/datasets").json() == [expected["upload"], expected["generated"]]
        for dataset_id, points in expected["points"].items():
            assert c.get(f"/api/datasets/{dataset_id}/points").json() == points
        sid = expected["session"]["id"]
        got = c.get(f"/api/sessions/{sid}").json()
        for key in ("config", "step", "epoch", "metrics", "status", "sizes", "classes"):
            assert got[key] == expected["session"][key], key
        r = c.post(f"/api/sessions/{sid}/predict", json={"points": [[0.5, -0.5], [1, 1]]})
        for got_p, want_p in zip(r.json()["probabilities"], expected["predict"]["probabilities"],
                                 strict=True):
            assert got_p == pytest.approx(want_p, rel=1e-12)
        assert c.post(f"/api/sessions/{sid}/step", json={"steps": 5}).json()["step"] == 30
        assert store.claim("another", "w1", 30) == "w1"  # the new table is there
    with local_client(create_app(settings)) as c:  # and it opens again, migrated once
        assert c.get(f"/api/sessions/{sid}").json()["step"] == 30
        assert len(c.app.state.store.db.execute(  # type: ignore[attr-defined]
            "SELECT * FROM schema_version").fetchall()) == migrations.LATEST


def test_a_store_at_version_one_gets_the_leases_table(opener: Opener) -> None:
    """A store at version 1 (its tables and data, no leases) is migrated to the latest."""
    opener().put_session("s", "d", "{}", b"kept")
    _sql(opener, "DROP TABLE leases")
    _sql(opener, "DELETE FROM schema_version WHERE version > 1")
    store = opener()
    assert store.schema_version() == migrations.LATEST
    assert store.get_session("s") == ("{}", b"kept")
    assert store.claim("s", "w1", 30) == "w1"


def test_processes_opening_one_store_together_migrate_it_once(opener: Opener) -> None:
    """Six connections open one new store at the same moment: all succeed, each migration is
    recorded once."""
    stores: list[Store] = []
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def open_one() -> None:
        start.wait()
        try:
            stores.append(opener())
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=open_one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(stores) == 6
    rows = _sql(opener, "SELECT version FROM schema_version ORDER BY version")
    assert [r[0] for r in rows] == [m.version for m in migrations.MIGRATIONS]


def test_a_store_newer_than_the_code_is_refused_untouched(opener: Opener) -> None:
    opener().put_session("s", "d", "{}", b"untouched")
    _sql(opener, "INSERT INTO schema_version VALUES (?, ?, ?)", migrations.LATEST + 1,
         "from the future", "2099-01-01T00:00:00+00:00")
    with pytest.raises(StoreError, match=f"version {migrations.LATEST + 1}, newer than"):
        opener()
    assert [bytes(r[0]) for r in _sql(opener, "SELECT state FROM sessions")] == [b"untouched"]

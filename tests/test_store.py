"""The store, on both backends (SQLite and a real PostgreSQL): round trips, persistence,
atomic writes, sessions, threads, failures; then what only one backend has."""

import io
import json
import socket
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.data.csv_parse import parse_csv
from app.data.service import create_generated
from app.data.store import Store, StoredDataset, StoreError, sort_labels
from app.data.store_sqlite import SQLiteStore
from tests.conftest import Opener, refusing_writes


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "nested" / "dir" / "db.sqlite3")
    yield s
    s.close()


def count(store: Store, sql: str, *args: Any) -> int:
    """One number by raw SQL (`?` placeholders), on either backend."""
    if isinstance(store, SQLiteStore):
        return int(store.db.execute(sql, args).fetchone()[0])
    from app.data.store_pg import PostgresStore
    assert isinstance(store, PostgresStore)
    with store.pool.connection() as conn:
        row = conn.execute(sql.replace("?", "%s"), args).fetchone()  # type: ignore[arg-type]
    assert row is not None
    return int(row[0])


def _upload() -> StoredDataset:
    return parse_csv(b"a,b,name,y\n1,2,x,yes\n3,4.5,y,no\n5,6,z,yes\n7,8,w,no\n", name="t")


def _same(a: StoredDataset, b: StoredDataset) -> None:
    assert a.info() == b.info()
    assert list(a.numeric) == list(b.numeric)
    for k in a.numeric:
        assert np.array_equal(a.numeric[k], b.numeric[k])
        assert b.numeric[k].dtype == np.float64
    assert np.array_equal(a.labels, b.labels) and a.labels.dtype.kind == b.labels.dtype.kind


def test_creates_parent_dirs_and_uses_wal(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    assert (tmp_path / "nested" / "dir" / "db.sqlite3").exists()
    assert sqlite_store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert sqlite_store.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_dataset_round_trip(store: Store) -> None:
    up = _upload()
    store.put_dataset(up)
    got = store.get_dataset(up.id)
    assert got is not None
    _same(up, got)
    gen = create_generated(store, "sine", 30, 0.1, 2)
    got = store.get_dataset(gen.id)
    assert got is not None
    _same(gen, got)
    assert got.labels.dtype == np.float64
    assert [d.id for d in store.list_datasets()] == [up.id, gen.id]
    assert store.get_dataset("missing") is None and store.get_dataset_info("missing") is None


def test_survives_reopening(opener: Opener) -> None:
    s = opener()
    ds = _upload()
    s.put_dataset(ds)
    s.put_session("s1", ds.id, '{"lr": 0.1}', b"\x00state")
    s.close()
    s = opener()
    got = s.get_dataset(ds.id)
    assert got is not None
    _same(ds, got)
    assert s.get_session("s1") == ('{"lr": 0.1}', b"\x00state")


def test_a_second_connection_sees_every_write_at_once(opener: Opener) -> None:
    """Two processes share one store: what one writes, the other reads next, with no cache
    in between (each opener() call is its own connection)."""
    a, b = opener(), opener()
    ds = _upload()
    a.put_dataset(ds)
    assert [d.id for d in b.list_datasets()] == [ds.id]
    b.put_session("s", ds.id, "{}", b"from b")
    assert a.get_session("s") == ("{}", b"from b")
    a.put_session("s", ds.id, "{}", b"from a")
    assert b.get_session("s") == ("{}", b"from a")
    assert b.delete_dataset(ds.id) and a.get_dataset(ds.id) is None and a.get_session("s") is None


def test_delete_dataset_deletes_its_sessions(store: Store) -> None:
    a, b = _upload(), _upload()
    store.put_dataset(a)
    store.put_dataset(b)
    store.put_session("s1", a.id, "{}", b"1")
    store.put_session("s2", b.id, "{}", b"2")
    assert store.session_ids_for_dataset(a.id) == ["s1"]
    assert store.delete_dataset(a.id) is True
    assert store.delete_dataset(a.id) is False
    assert store.get_dataset(a.id) is None
    assert store.list_session_ids() == ["s2"]
    assert count(store, "SELECT COUNT(*) FROM dataset_arrays WHERE dataset_id = ?", a.id) == 0
    assert count(store, "SELECT COUNT(*) FROM dataset_arrays WHERE dataset_id = ?", b.id) > 0


def test_sessions_upsert_list_delete(store: Store) -> None:
    assert store.get_session("s") is None
    store.put_session("s", "d", '{"a": 1}', b"one")
    store.put_session("s", "d", '{"a": 2}', b"two")
    store.put_session("t", "d", "{}", b"")
    assert store.get_session("s") == ('{"a": 2}', b"two")
    assert sorted(store.list_session_ids()) == ["s", "t"]
    assert store.delete_session("s") is True and store.delete_session("s") is False
    assert store.list_session_ids() == ["t"]


class _FailingConnection:
    """A connection whose bulk inserts fail, as on a full disk."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __getattr__(self, name: str) -> Any:
        return getattr(self.db, name)

    def executemany(self, *args: Any) -> Any:
        raise sqlite3.OperationalError("database or disk is full")


def test_a_failed_write_leaves_nothing_and_raises_store_error(sqlite_store: SQLiteStore) -> None:
    store, ds = sqlite_store, _upload()
    real = store.db
    store.db = _FailingConnection(real)  # type: ignore[assignment]
    with pytest.raises(StoreError, match="disk is full"):
        store.put_dataset(ds)
    store.db = real
    assert store.get_dataset(ds.id) is None
    assert real.execute("SELECT COUNT(*) FROM datasets").fetchone()[0] == 0
    store.put_dataset(ds)  # the store still works afterwards
    assert store.get_dataset(ds.id) is not None


def test_a_write_the_database_refuses_halfway_leaves_nothing(store: Store) -> None:
    """A dataset whose last array the database refuses (a trigger raising on its insert, in
    the database itself) is not stored at all, neither its metadata nor its first arrays; a
    dataset already there with that id keeps its old arrays."""
    ds = _upload()
    store.put_dataset(ds)
    _refuse_array_key(store, "numeric:huge")
    again = StoredDataset(**{k: getattr(ds, k) for k in StoredDataset.__dataclass_fields__})
    again.name = "again"
    again.numeric = {**ds.numeric, "huge": np.zeros(3)}
    fresh = _upload()
    fresh.numeric = {**fresh.numeric, "huge": np.zeros(3)}
    for refused in (again, fresh):
        with pytest.raises(StoreError, match="refused"):
            store.put_dataset(refused)
    got = store.get_dataset(ds.id)
    assert got is not None and got.name == "t"
    _same(ds, got)
    assert [d.id for d in store.list_datasets()] == [ds.id]
    assert count(store, "SELECT COUNT(*) FROM dataset_arrays WHERE dataset_id = ?", fresh.id) == 0


def _refuse_array_key(store: Store, key: str) -> None:
    if isinstance(store, SQLiteStore):
        store.db.execute(f"CREATE TRIGGER refuse BEFORE INSERT ON dataset_arrays WHEN "
                         f"NEW.key = '{key}' BEGIN SELECT RAISE(ABORT, 'refused'); END")
        return
    from app.data.store_pg import PostgresStore
    assert isinstance(store, PostgresStore)
    with store.pool.connection() as conn:
        conn.execute(f"CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "  # type: ignore[arg-type]
                     f"IF NEW.key = '{key}' THEN RAISE EXCEPTION 'refused'; END IF; "
                     f"RETURN NEW; END $$")
        conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON dataset_arrays "
                     "FOR EACH ROW EXECUTE FUNCTION refuse()")


def test_read_only_database_raises_store_error(store: Store) -> None:
    with refusing_writes(store):
        with pytest.raises(StoreError, match="read-only"):
            store.put_dataset(_upload())
        with pytest.raises(StoreError):
            store.put_session("s", "d", "{}", b"")
        with pytest.raises(StoreError):
            store.claim("s", "w1", 5)
        assert store.list_datasets() == [] and store.holder("s") is None
    store.put_session("s", "d", "{}", b"")  # writable again
    assert store.list_session_ids() == ["s"]


def test_unopenable_path_raises_store_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(StoreError, match="cannot open"):
        Store(tmp_path / "file" / "db.sqlite3")


def test_an_unreachable_server_raises_store_error_without_the_password() -> None:
    pytest.importorskip("psycopg")
    from app.data.store_pg import PostgresStore
    with socket_bound() as port:  # a port nothing answers on
        url = f"postgresql://ll:s3cret@127.0.0.1:{port}/lens?connect_timeout=2"
        with pytest.raises(StoreError, match="cannot open the database at") as e:
            PostgresStore(url, connect_seconds=2)
    assert "s3cret" not in str(e.value) and "***" in str(e.value)


@contextmanager
def socket_bound() -> Iterator[int]:
    """A loopback port that is bound but not listening: connecting to it is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


def test_threads_can_write_and_read_at_once(store: Store) -> None:
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for j in range(10):
                store.put_session(f"s{i}-{j}", "d", "{}", bytes([i, j]))
                assert store.get_session(f"s{i}-{j}") == ("{}", bytes([i, j]))
                store.list_datasets()
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(store.list_session_ids()) == 80


def test_sort_labels() -> None:
    assert sort_labels(["10", "2", "1", "2"]) == ["1", "2", "10"]
    assert sort_labels(["b", "a", "10", "2"]) == ["10", "2", "a", "b"]
    assert sort_labels(["-1", "1", "0"]) == ["-1", "0", "1"]


def test_a_store_written_before_label_codes_still_opens(tmp_path: Path) -> None:
    """Stores written before labels became codes hold them as a fixed-width numpy string blob
    (and escaped non-ASCII metadata, and no auto-vacuum): they open, the labels come back as
    codes into the classes, and a small one is converted to incremental auto-vacuum."""
    ds = parse_csv("a,b,y\n1,2,chat\n3,4,été\n5,6,chat\n7,8,été\n".encode(), name="old")
    path = tmp_path / "db.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(_OLD_SCHEMA)
    meta = json.dumps(asdict(ds.info()))  # ensure_ascii: "\u00e9t\u00e9"
    db.execute("INSERT INTO datasets VALUES (?, ?, ?)", (ds.id, meta, ds.created_at))
    old_labels = np.array(ds.target_values(), dtype=np.str_)  # what the old store saved
    blobs = [("numeric:a", ds.numeric["a"]), ("numeric:b", ds.numeric["b"]),
             ("labels", old_labels)]
    for i, (key, array) in enumerate(blobs):
        buf = io.BytesIO()
        np.save(buf, array, allow_pickle=False)
        db.execute("INSERT INTO dataset_arrays VALUES (?, ?, ?, ?)",
                   (ds.id, i, key, buf.getvalue()))
    db.close()

    s = SQLiteStore(path)
    assert s.incremental and s.db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # converted
    got = s.get_dataset(ds.id)
    assert got is not None
    assert got.classes == ["chat", "été"] and got.labels.dtype == np.int32
    assert got.labels.tolist() == [0, 1, 0, 1]
    assert got.target_values() == ["chat", "été", "chat", "été"]
    _same(ds, got)
    assert s.delete_dataset(ds.id) and s.get_dataset(ds.id) is None
    s.close()


_OLD_SCHEMA = """
CREATE TABLE datasets (id TEXT PRIMARY KEY, meta TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE dataset_arrays (
    dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    position INTEGER NOT NULL, key TEXT NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (dataset_id, position));
CREATE TABLE sessions (id TEXT PRIMARY KEY, dataset_id TEXT NOT NULL, config TEXT NOT NULL,
    state BLOB NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX sessions_by_dataset ON sessions(dataset_id);
"""


@pytest.mark.postgres
def test_connections_the_server_dropped_are_replaced(database_url: str) -> None:
    """PostgreSQL: when the server ends the store's connection (a restart, an admin's
    pg_terminate_backend), the next calls get a new one instead of failing."""
    import psycopg

    from app.data.store_pg import PostgresStore
    store = PostgresStore(database_url)
    try:
        store.put_session("s", "d", "{}", b"before")
        with store.pool.connection() as conn:
            pid = conn.info.backend_pid
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        assert store.get_session("s") == ("{}", b"before")
        store.put_session("s", "d", "{}", b"after")
        assert store.get_session("s") == ("{}", b"after")
        with store.pool.connection() as conn:
            assert conn.info.backend_pid != pid
    finally:
        store.close()

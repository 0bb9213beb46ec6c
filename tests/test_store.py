"""The SQLite store: round trips, persistence, atomic writes, sessions, threads, failures."""

import io
import json
import sqlite3
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.data.csv_parse import parse_csv
from app.data.service import create_generated
from app.data.store import Store, StoredDataset, StoreError, sort_labels


@pytest.fixture
def store(tmp_path: Path) -> Any:
    s = Store(tmp_path / "nested" / "dir" / "db.sqlite3")
    yield s
    s.close()


def _upload() -> StoredDataset:
    return parse_csv(b"a,b,name,y\n1,2,x,yes\n3,4.5,y,no\n5,6,z,yes\n7,8,w,no\n", name="t")


def _same(a: StoredDataset, b: StoredDataset) -> None:
    assert a.info() == b.info()
    assert list(a.numeric) == list(b.numeric)
    for k in a.numeric:
        assert np.array_equal(a.numeric[k], b.numeric[k])
        assert b.numeric[k].dtype == np.float64
    assert np.array_equal(a.labels, b.labels) and a.labels.dtype.kind == b.labels.dtype.kind


def test_creates_parent_dirs_and_uses_wal(store: Store, tmp_path: Path) -> None:
    assert (tmp_path / "nested" / "dir" / "db.sqlite3").exists()
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


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


def test_survives_reopening(tmp_path: Path) -> None:
    s = Store(tmp_path / "db.sqlite3")
    ds = _upload()
    s.put_dataset(ds)
    s.put_session("s1", ds.id, '{"lr": 0.1}', b"\x00state")
    s.close()
    s = Store(tmp_path / "db.sqlite3")
    got = s.get_dataset(ds.id)
    assert got is not None
    _same(ds, got)
    assert s.get_session("s1") == ('{"lr": 0.1}', b"\x00state")
    s.close()


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
    assert store.db.execute("SELECT COUNT(*) FROM dataset_arrays WHERE dataset_id = ?",
                            (a.id,)).fetchone()[0] == 0


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


def test_a_failed_write_leaves_nothing_and_raises_store_error(store: Store) -> None:
    ds = _upload()
    real = store.db
    store.db = _FailingConnection(real)  # type: ignore[assignment]
    with pytest.raises(StoreError, match="disk is full"):
        store.put_dataset(ds)
    store.db = real
    assert store.get_dataset(ds.id) is None
    assert real.execute("SELECT COUNT(*) FROM datasets").fetchone()[0] == 0
    store.put_dataset(ds)  # the store still works afterwards
    assert store.get_dataset(ds.id) is not None


def test_read_only_database_raises_store_error(store: Store) -> None:
    store.db.execute("PRAGMA query_only = ON")
    with pytest.raises(StoreError, match="read-only"):
        store.put_dataset(_upload())
    with pytest.raises(StoreError):
        store.put_session("s", "d", "{}", b"")
    assert store.list_datasets() == []


def test_unopenable_path_raises_store_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(StoreError, match="cannot open"):
        Store(tmp_path / "file" / "db.sqlite3")


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

    s = Store(path)
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

"""Persistent storage (SQLite, WAL) for datasets and sessions, behind one small interface.

The dataset model lives here too, because it is what the store keeps:

- `DatasetInfo`: the metadata of a dataset (what `GET /api/datasets/{id}` shows): `id, name,
  task ("classification" | "regression"), target, classes (sorted label strings or None),
  features (numeric non-target columns, in file order), non_features [(name, reason)],
  columns [ColumnInfo(name, kind, min, max, mean, distinct)], n_rows, dropped_rows,
  source ("upload" | "generated"), kind (generator kind or None), class_counts, created_at,
  target_reason (why that column is the target), target_candidates [TargetCandidate(name,
  task, n_classes)]: every column a session could take as its target instead`.
- `StoredDataset(DatasetInfo)`: adds the numbers.
  `numeric: dict[str, NDArray[float64]]` maps every feature column (numeric, not the target)
  to its `(n_rows,)` values, all finite; `labels: NDArray` is the target, `(n_rows,)`: for
  classification `int32` codes into `classes` (row i's label is `classes[labels[i]]`), for
  regression `float64`. Labels are never held as a fixed-width numpy string array, which
  pads every row to the longest label (two 1 000-character labels in a 73 KB file made
  81 MB); an array of label strings given to StoredDataset (a generator's, or a blob
  written by an older version of the store) is turned into codes. `target_values()` gives
  the labels (or numbers) as a list, each distinct label one shared string.
  `text: dict[str, TextColumn]` keeps the text columns other than the target that could be
  a session's target (at most `max_classes` distinct values), compactly: the sorted distinct
  values once and one small integer code per row (-1 = missing), so that a new target needs
  no new upload. A text column with more distinct values (an id, a name) is not kept; nor
  is any text column of a dataset stored before `text` existed (its `text` is empty).

The sessions code fetches a dataset with `Store.get_dataset(id) -> StoredDataset | None` and
hands it to `app.data.prepare.prepare`.

Writes are atomic (one transaction each: a crash leaves the whole dataset or nothing); arrays
are stored as `np.save` blobs (no pickle), metadata as JSON. One connection is shared behind a
`threading.Lock`, so every method may be called from any thread. Deleting a dataset also
deletes the sessions stored for it (the sessions code should drop live ones too; see
`session_ids_for_dataset`). A failed write or read (read-only or full disk, corrupt file)
raises `StoreError`, which the routes answer with 503.

A full disk must not stop a user freeing room, yet SQLite needs a little free space even to
delete (the write-ahead log grows by the pages a delete changes). So the store keeps a
reserve file next to the database (`<db>-reserve`, 1/8 of the database's size, 1 to 16 MiB)
that only deletes may use: a delete that finds the disk full removes the reserve and tries
again in the room it leaves. Deleted data gives its space back: the database uses
`auto_vacuum=INCREMENTAL` (a store made before that is converted once, with VACUUM, when it
is small and there is room), and after a delete that frees at least RECLAIM_PAGES pages, or
that needed the reserve, the free pages are cut off the end of the file
(`incremental_vacuum`, in chunks that fit the free disk) and the log is checkpointed and
truncated; then the reserve is made again as far as the disk allows (and topped up after
later writes).
"""

import io
import json
import os
import secrets
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from app.config import Settings

TargetKind = Literal["classification", "regression"]  # what the target asks for
ColumnKind = Literal["numeric", "text"]
Source = Literal["upload", "generated"]


class DatasetError(ValueError):
    """Bad input a person can fix (a file, generator arguments, features); has an HTTP status."""

    def __init__(self, message: str, status_code: int = 422):
        super().__init__(message)
        self.message = message
        self.status_code = status_code


class StoreError(RuntimeError):
    """The database could not be read or written (read-only or full disk, corrupt file)."""


@dataclass
class ColumnInfo:
    """One column as the user sees it: kind and summary statistics over the kept rows."""

    name: str
    kind: ColumnKind
    min: float | None
    max: float | None
    mean: float | None
    distinct: int

    @classmethod
    def numeric(cls, name: str, values: NDArray[np.float64]) -> "ColumnInfo":
        """A numeric column's summary over `values` (its kept rows)."""
        return cls(name, "numeric", float(values.min()), float(values.max()),
                   float(values.mean()), len(np.unique(values)))


@dataclass
class NonFeature:
    """A column that cannot be a feature, and why."""

    name: str
    reason: str


@dataclass
class TargetCandidate:
    """A column that could be a session's target, and what it would give."""

    name: str
    task: TargetKind
    n_classes: int | None  # None for regression


@dataclass
class TextColumn:
    """A text column, compactly: its sorted distinct values and each row's index into them
    (-1 where the cell is missing)."""

    values: list[str]
    codes: NDArray[np.signedinteger[Any]]


def code_dtype(n_values: int) -> type[np.signedinteger[Any]]:
    """The smallest signed integer type holding codes -1 … n_values - 1."""
    if n_values < 2**7:
        return np.int8
    return np.int16 if n_values < 2**15 else np.int32


@dataclass
class DatasetInfo:
    """A dataset's metadata (everything but the numbers)."""

    id: str
    name: str
    task: TargetKind
    target: str
    classes: list[str] | None
    features: list[str]
    non_features: list[NonFeature]
    columns: list[ColumnInfo]
    n_rows: int
    dropped_rows: int
    source: Source
    kind: str | None
    class_counts: dict[str, int] | None
    created_at: str
    target_reason: str = ""
    target_candidates: list[TargetCandidate] = field(default_factory=list)

    @property
    def n_features(self) -> int:
        return len(self.features)

    def info(self) -> "DatasetInfo":
        """The metadata alone (drops the arrays of a StoredDataset)."""
        return DatasetInfo(**{k: getattr(self, k) for k in DatasetInfo.__dataclass_fields__})


@dataclass
class StoredDataset(DatasetInfo):
    """A dataset with its numbers: feature columns and the target (class codes or values)."""

    numeric: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    labels: NDArray[Any] = field(default_factory=lambda: np.empty(0))
    text: dict[str, TextColumn] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.classes is not None and self.labels.dtype.kind in "USO":
            self.labels = label_codes(self.labels, self.classes)

    def class_codes(self) -> NDArray[np.int64]:
        """Classification: each row's index into `classes`."""
        if self.classes is None:
            raise ValueError("a regression dataset has no classes")
        return self.labels.astype(np.int64)

    def target_values(self) -> list[str] | list[float]:
        """The target per row: class labels (one string object per class), or numbers."""
        if self.classes is None:
            values: list[float] = self.labels.astype(np.float64).tolist()
            return values
        classes = self.classes
        return [classes[c] for c in self.labels.tolist()]


def label_codes(labels: Iterable[Any], classes: list[str]) -> NDArray[np.int32]:
    """Labels (strings, or anything whose str() is a class) as int32 indices into `classes`."""
    index = {c: i for i, c in enumerate(classes)}
    try:
        return np.fromiter((index[str(v)] for v in labels), dtype=np.int32)
    except KeyError as e:
        raise ValueError(f"label {str(e)[:60]} is not one of the classes") from None


def sort_labels(labels: Iterable[str]) -> list[str]:
    """Class labels in a stable order: numerically if all are integers ("2" < "10"), else text."""
    unique = sorted(set(labels))
    try:
        return sorted(unique, key=int)
    except ValueError:
        return unique


def new_id() -> str:
    """A short random id for a dataset (not from numpy: ids are not part of any experiment)."""
    return secrets.token_hex(6)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _to_blob(a: NDArray[Any]) -> bytes:
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=False)
    return buf.getvalue()


def _from_blob(b: bytes) -> NDArray[Any]:
    a: NDArray[Any] = np.load(io.BytesIO(b), allow_pickle=False)
    return a


def _meta_json(ds: DatasetInfo) -> str:
    """The metadata as JSON: non-ASCII names stay themselves (not 6-byte \\u escapes each)."""
    info = asdict(ds.info())
    text = json.dumps(info, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate somewhere: SQLite could not store it as text
        text = json.dumps(info)
    return text


def _info_from_json(text: str) -> DatasetInfo:
    d = json.loads(text)
    d["columns"] = [ColumnInfo(**c) for c in d["columns"]]
    d["non_features"] = [NonFeature(**c) for c in d["non_features"]]
    if "target_candidates" in d:
        d["target_candidates"] = [TargetCandidate(**c) for c in d["target_candidates"]]
    else:  # stored before candidates were recorded: its own target is the one known to work
        classes = d.get("classes")
        d["target_candidates"] = [TargetCandidate(d["target"], d["task"],
                                                  len(classes) if classes else None)]
    d.setdefault("target_reason", "the target chosen when the dataset was stored")
    return DatasetInfo(**d)


def _strings_blob(values: list[str]) -> NDArray[np.uint8]:
    """Strings as one uint8 array of their JSON (no fixed-width string array: no padding)."""
    text = json.dumps(values, ensure_ascii=False)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: escape it
        data = json.dumps(values).encode("ascii")
    return np.frombuffer(data, dtype=np.uint8)


def _strings_from_blob(a: NDArray[Any]) -> list[str]:
    values: list[str] = json.loads(a.astype(np.uint8).tobytes().decode("utf-8"))
    return values


_SCHEMA = """
CREATE TABLE IF NOT EXISTS datasets (
    id TEXT PRIMARY KEY,
    meta TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dataset_arrays (
    dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    key TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (dataset_id, position)
);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    dataset_id TEXT NOT NULL,
    config TEXT NOT NULL,
    state BLOB NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_dataset ON sessions(dataset_id);
"""


MIB = 1 << 20
RESERVE_MIN, RESERVE_MAX = 1 * MIB, 16 * MIB  # the deletes' reserve: 1/8 of the database
AUTOCHECKPOINT_PAGES = 128
RECLAIM_PAGES = 256  # free pages (1 MiB of 4 KiB pages) worth giving back after a delete
VACUUM_ON_OPEN_MAX = 256 * MIB  # convert an older store to incremental auto-vacuum up to this


def _disk_full(e: BaseException | None) -> bool:
    """SQLite's answer to a full disk: SQLITE_FULL, or an I/O error while writing."""
    code = getattr(e, "sqlite_errorcode", None)
    if not isinstance(code, int):
        return isinstance(e, sqlite3.Error) and "disk is full" in str(e)
    return code == sqlite3.SQLITE_FULL or code & 0xFF == sqlite3.SQLITE_IOERR


class Store:
    """Datasets and sessions in one SQLite file; thread-safe, every write one transaction."""

    def __init__(self, path: Path):
        self.path = path
        self.reserve = path.with_name(path.name + "-reserve")
        self._lock = threading.Lock()
        self._reserve_short = False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self.db.execute("PRAGMA auto_vacuum=INCREMENTAL")  # a new file: before any table
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("PRAGMA synchronous=NORMAL")
            # checkpoint every 512 KiB of log (not 4 MiB): the pages a delete's checkpoint must
            # still copy into the file stay well within the reserve
            self.db.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
            self.db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as e:
            raise StoreError(f"cannot open the database at {path}: {e}") from e
        self.incremental = self._incremental_vacuum()
        self._make_reserve()

    def close(self) -> None:
        with self._lock:
            self.db.close()

    @contextmanager
    def _write(self, top_up: bool = True) -> Iterator[sqlite3.Connection]:
        """One atomic transaction under the lock; any database failure becomes StoreError.
        Then the reserve is topped up if it is short (not for a delete, which reclaims first)."""
        with self._lock:
            try:
                self.db.execute("BEGIN IMMEDIATE")
                try:
                    yield self.db
                except BaseException:
                    if self.db.in_transaction:  # SQLite may have rolled back already (disk full)
                        self.db.execute("ROLLBACK")
                    raise
                self.db.execute("COMMIT")
            except sqlite3.Error as e:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise StoreError(f"could not save to the database ({e}); is the disk full or "
                                 "read-only?") from e
        if top_up and self._reserve_short:
            self._make_reserve()

    def _delete(self, work: Callable[[sqlite3.Connection], bool]) -> bool:
        """A write that only frees space: it works on a full disk (in the reserve's room, when
        it must), and the space it frees goes back to the disk. `work` says if it deleted."""
        released = False
        try:
            with self._write(top_up=False) as db:
                deleted = work(db)
        except StoreError as e:
            if not _disk_full(e.__cause__) or not self._release_reserve():
                raise
            released = True
            with self._write(top_up=False) as db:
                deleted = work(db)
        if deleted or released:  # the disk full or nearly: give back even a little
            self._reclaim(released or self._free_disk() < RESERVE_MIN)
        return deleted

    # Disk room: the reserve, incremental vacuum

    def _pragma(self, name: str) -> int:
        value: int = self.db.execute(f"PRAGMA {name}").fetchone()[0]
        return value

    def _incremental_vacuum(self) -> bool:
        """Whether the file can give free pages back; converts an older store once when it
        is small and the disk has room for VACUUM's copy."""
        with self._lock:
            try:
                if self._pragma("auto_vacuum") == 2:
                    return True
                size = self._pragma("page_count") * self._pragma("page_size")
                if size > VACUUM_ON_OPEN_MAX or shutil.disk_usage(self.path.parent).free < 3 * size:
                    return False
                self.db.execute("PRAGMA auto_vacuum=INCREMENTAL")
                self.db.execute("VACUUM")
                return self._pragma("auto_vacuum") == 2
            except (OSError, sqlite3.Error):
                return False

    def _reserve_target(self) -> int:
        try:
            size = self.path.stat().st_size
        except OSError:
            size = 0
        return min(RESERVE_MAX, max(RESERVE_MIN, size // 8 // MIB * MIB))

    def _make_reserve(self) -> None:
        """Make (or top up) the reserve, as far as the disk allows; best effort."""
        target = self._reserve_target()
        try:
            fd = os.open(self.reserve, os.O_WRONLY | os.O_CREAT, 0o600)
        except OSError:
            self._reserve_short = True
            return
        try:
            have = os.fstat(fd).st_size
            if have < target:
                try:
                    os.posix_fallocate(fd, 0, target)
                except OSError:  # full (or no fallocate here): fill what there is room for
                    os.lseek(fd, have, os.SEEK_SET)
                    block = bytes(64 * 1024)
                    while have < target and (written := os.write(fd, block[:target - have])):
                        have += written
            self._reserve_short = False
        except OSError:
            self._reserve_short = True
        finally:
            os.close(fd)

    def _release_reserve(self) -> bool:
        """Give the reserve's room to a delete; False when there was none."""
        try:
            size = self.reserve.stat().st_size
            self.reserve.unlink()
        except OSError:
            return False
        self._reserve_short = True
        return size > 0

    def _reclaim(self, urgent: bool) -> None:
        """Give the pages deleted rows left free back to the disk when there are enough of
        them, or when the disk is full (`urgent`); then make the reserve again.

        Cutting free pages off the end (incremental_vacuum) comes first: the checkpoint that
        then truncates the log only copies the pages still in use into the file. On a full
        disk both work in the reserve's room; each step is best effort, as pages that stay
        free are reused by the next writes anyway."""
        with self._lock:
            if urgent:  # vacuum and checkpoint need room too: the reserve's, made again below
                self._release_reserve()
            free = self._count("freelist_count")
            wanted = urgent or free >= RECLAIM_PAGES
            page = self._count("page_size") or 4096
            for _ in range(1000):
                if not (self.incremental and free and wanted):
                    break
                # moving a page logs it and its parent: keep a chunk's log within the free disk
                room = self._free_disk() // (3 * (page + 24))
                vacuumed = self._try(f"PRAGMA incremental_vacuum({max(16, room)});")
                self._try("PRAGMA wal_checkpoint(TRUNCATE)")
                before, free = free, self._count("freelist_count")
                if not vacuumed or free >= before:
                    break
            if wanted:
                self._try("PRAGMA wal_checkpoint(TRUNCATE)")
        self._make_reserve()

    def _free_disk(self) -> int:
        try:
            return shutil.disk_usage(self.path.parent).free
        except OSError:
            return 0

    def _try(self, script: str) -> bool:
        """A best-effort statement, run to its end (executescript steps a pragma through
        every row, where execute would free one page of incremental_vacuum); False if
        SQLite refuses it."""
        try:
            self.db.executescript(script)
            return True
        except sqlite3.Error:
            return False

    def _count(self, pragma: str) -> int:
        try:
            return self._pragma(pragma)
        except sqlite3.Error:
            return 0

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        with self._lock:
            try:
                return self.db.execute(sql, args).fetchall()
            except sqlite3.Error as e:
                raise StoreError(f"could not read the database ({e})") from e

    # Datasets

    def put_dataset(self, ds: StoredDataset) -> None:
        """Save a dataset (metadata and arrays) in one transaction; replaces one with its id."""
        meta = _meta_json(ds)
        blobs = [("numeric:" + k, _to_blob(v)) for k, v in ds.numeric.items()]
        blobs.append(("labels", _to_blob(ds.labels)))
        for k, t in ds.text.items():
            blobs.append(("text:" + k, _to_blob(t.codes)))
            blobs.append(("text-values:" + k, _to_blob(_strings_blob(t.values))))
        with self._write() as db:
            db.execute("DELETE FROM dataset_arrays WHERE dataset_id = ?", (ds.id,))
            db.execute("INSERT OR REPLACE INTO datasets VALUES (?, ?, ?)",
                       (ds.id, meta, ds.created_at))
            db.executemany("INSERT INTO dataset_arrays VALUES (?, ?, ?, ?)",
                           [(ds.id, i, k, b) for i, (k, b) in enumerate(blobs)])

    def get_dataset_info(self, dataset_id: str) -> DatasetInfo | None:
        rows = self._read("SELECT meta FROM datasets WHERE id = ?", (dataset_id,))
        return _info_from_json(rows[0][0]) if rows else None

    def get_dataset(self, dataset_id: str) -> StoredDataset | None:
        """The dataset with its arrays, or None when there is no such id."""
        info = self.get_dataset_info(dataset_id)
        if info is None:
            return None
        rows = self._read("SELECT key, data FROM dataset_arrays WHERE dataset_id = ? "
                          "ORDER BY position", (dataset_id,))
        arrays = {k: _from_blob(b) for k, b in rows}  # labels: codes, or (older) strings
        numeric = {k.removeprefix("numeric:"): v.astype(np.float64)
                   for k, v in arrays.items() if k.startswith("numeric:")}
        text = {k.removeprefix("text:"): TextColumn(
                    _strings_from_blob(arrays["text-values:" + k.removeprefix("text:")]), v)
                for k, v in arrays.items() if k.startswith("text:")}
        fields = {k: getattr(info, k) for k in DatasetInfo.__dataclass_fields__}
        return StoredDataset(**fields, numeric=numeric, labels=arrays["labels"], text=text)

    def list_datasets(self) -> list[DatasetInfo]:
        """Every dataset's metadata, oldest first."""
        rows = self._read("SELECT meta FROM datasets ORDER BY created_at, rowid")
        return [_info_from_json(r[0]) for r in rows]

    def delete_dataset(self, dataset_id: str) -> bool:
        """Delete a dataset and the sessions stored for it; False when there was none.
        Works on a full disk, and gives the space back (see the module's notes)."""
        def work(db: sqlite3.Connection) -> bool:
            db.execute("DELETE FROM sessions WHERE dataset_id = ?", (dataset_id,))
            db.execute("DELETE FROM dataset_arrays WHERE dataset_id = ?", (dataset_id,))
            return db.execute("DELETE FROM datasets WHERE id = ?", (dataset_id,)).rowcount > 0
        return self._delete(work)

    # Sessions (used by the sessions code)

    def put_session(self, session_id: str, dataset_id: str, config_json: str, state: bytes) -> None:
        """Insert or replace a session's config and state, atomically, stamping updated_at."""
        with self._write() as db:
            db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                       "dataset_id = excluded.dataset_id, config = excluded.config, "
                       "state = excluded.state, updated_at = excluded.updated_at",
                       (session_id, dataset_id, config_json, state, now_iso()))

    def get_session(self, session_id: str) -> tuple[str, bytes] | None:
        """(config_json, state) of a stored session, or None."""
        rows = self._read("SELECT config, state FROM sessions WHERE id = ?", (session_id,))
        return (rows[0][0], bytes(rows[0][1])) if rows else None

    def list_session_ids(self) -> list[str]:
        return [r[0] for r in self._read("SELECT id FROM sessions ORDER BY updated_at, id")]

    def session_ids_for_dataset(self, dataset_id: str) -> list[str]:
        rows = self._read("SELECT id FROM sessions WHERE dataset_id = ? ORDER BY id", (dataset_id,))
        return [r[0] for r in rows]

    def delete_session(self, session_id: str) -> bool:
        """Delete a stored session; False when there was none. Works on a full disk."""
        return self._delete(lambda db: db.execute(
            "DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount > 0)


def open_store(settings: "Settings") -> Store:
    """The store the settings name: the embedded SQLite file in the data directory."""
    return Store(settings.db_path)

"""The embedded store: one SQLite file in WAL mode, shared safely by the processes of one machine.

Every write is one `BEGIN IMMEDIATE` transaction, so writers in several processes queue on
SQLite's lock (`busy_timeout`) instead of failing; a read of several statements runs in one
read transaction (one snapshot), so another process's delete cannot land between them. Nothing
is cached in the process: every answer comes from the file. One connection is shared behind a
`threading.Lock`, so every method may be called from any thread. The schema is versioned
(app.data.migrations), migrated at open.

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

Leases use this machine's clock (`time.time()`): every process sharing the file runs on it.
"""

import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.data import migrations
from app.data.store import (
    DatasetInfo,
    Store,
    StoredDataset,
    StoreError,
    dataset_blobs,
    dataset_from_blobs,
    info_from_json,
    now_iso,
)

BUSY_TIMEOUT_SECONDS = 10.0  # how long a write waits for another process's to end
RECLAIM_BUSY_MS = 200  # how long giving space back waits for the other processes, per step

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


class SQLiteStore(Store):
    """Datasets, sessions and leases in one SQLite file; thread-safe, every write one
    transaction."""

    def __init__(self, path: Path):
        self.path = path
        self.reserve = path.with_name(path.name + "-reserve")
        self._lock = threading.Lock()
        self._reserve_short = False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None,
                                      timeout=BUSY_TIMEOUT_SECONDS)
            # other processes' writers are waited for, not failed (connect's timeout sets this)
            self.db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
            self.db.execute("PRAGMA auto_vacuum=INCREMENTAL")  # a new file: before any table
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("PRAGMA synchronous=NORMAL")
            # checkpoint every 512 KiB of log (not 4 MiB): the pages a delete's checkpoint must
            # still copy into the file stay well within the reserve
            self.db.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
            self._migrate()
        except (OSError, sqlite3.Error, ValueError) as e:
            raise StoreError(f"cannot open the database at {path}: {e}") from e
        self.incremental = self._incremental_vacuum()
        self._make_reserve()

    def _migrate(self) -> None:
        """Run the migrations this file lacks, in one transaction that no other process
        shares (BEGIN IMMEDIATE: a second process opening the store waits, then finds them
        done)."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(migrations.SCHEMA_VERSION_SQL)
            current = db.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
            for m in migrations.pending(current or 0):
                for statement in m.sqlite:
                    db.execute(statement)
                db.execute("INSERT INTO schema_version VALUES (?, ?, ?)",
                           (m.version, m.name, now_iso()))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def schema_version(self) -> int:
        version: int = self._read("SELECT MAX(version) FROM schema_version")[0][0]
        return version

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
            # best effort: wait briefly for other processes (a checkpoint that truncates waits
            # for every reader), never hold this process's other calls (lease renewals) long
            self.db.execute(f"PRAGMA busy_timeout={RECLAIM_BUSY_MS}")
            try:
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
            finally:
                self.db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
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
        with self._snapshot() as db:
            return db.execute(sql, args).fetchall()

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """Reads under the lock in one read transaction: every statement sees the same
        state, whatever other processes commit meanwhile; failures become StoreError."""
        with self._lock:
            try:
                self.db.execute("BEGIN")
                try:
                    yield self.db
                finally:
                    if self.db.in_transaction:
                        self.db.execute("COMMIT")
            except sqlite3.Error as e:
                raise StoreError(f"could not read the database ({e})") from e

    # Datasets

    def put_dataset(self, ds: StoredDataset) -> None:
        meta, blobs = dataset_blobs(ds)
        with self._write() as db:
            db.execute("DELETE FROM dataset_arrays WHERE dataset_id = ?", (ds.id,))
            db.execute("INSERT OR REPLACE INTO datasets VALUES (?, ?, ?)",
                       (ds.id, meta, ds.created_at))
            db.executemany("INSERT INTO dataset_arrays VALUES (?, ?, ?, ?)",
                           [(ds.id, i, k, b) for i, (k, b) in enumerate(blobs)])

    def get_dataset_info(self, dataset_id: str) -> DatasetInfo | None:
        rows = self._read("SELECT meta FROM datasets WHERE id = ?", (dataset_id,))
        return info_from_json(rows[0][0]) if rows else None

    def get_dataset(self, dataset_id: str) -> StoredDataset | None:
        with self._snapshot() as db:
            meta = db.execute("SELECT meta FROM datasets WHERE id = ?", (dataset_id,)).fetchone()
            if meta is None:
                return None
            rows = db.execute("SELECT key, data FROM dataset_arrays WHERE dataset_id = ? "
                              "ORDER BY position", (dataset_id,)).fetchall()
        return dataset_from_blobs(info_from_json(meta[0]), rows)

    def list_datasets(self) -> list[DatasetInfo]:
        """Every dataset's metadata, oldest first."""
        rows = self._read("SELECT meta FROM datasets ORDER BY created_at, rowid")
        return [info_from_json(r[0]) for r in rows]

    def delete_dataset(self, dataset_id: str) -> bool:
        """Works on a full disk, and gives the space back (see the module's notes)."""
        def work(db: sqlite3.Connection) -> bool:
            db.execute("DELETE FROM sessions WHERE dataset_id = ?", (dataset_id,))
            db.execute("DELETE FROM dataset_arrays WHERE dataset_id = ?", (dataset_id,))
            return db.execute("DELETE FROM datasets WHERE id = ?", (dataset_id,)).rowcount > 0
        return self._delete(work)

    # Sessions (used by the sessions code)

    def put_session(self, session_id: str, dataset_id: str, config_json: str, state: bytes) -> None:
        with self._write() as db:
            db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                       "dataset_id = excluded.dataset_id, config = excluded.config, "
                       "state = excluded.state, updated_at = excluded.updated_at",
                       (session_id, dataset_id, config_json, state, now_iso()))

    def get_session(self, session_id: str) -> tuple[str, bytes] | None:
        rows = self._read("SELECT config, state FROM sessions WHERE id = ?", (session_id,))
        return (rows[0][0], bytes(rows[0][1])) if rows else None

    def list_session_ids(self) -> list[str]:
        return [r[0] for r in self._read("SELECT id FROM sessions ORDER BY updated_at, id")]

    def session_ids_for_dataset(self, dataset_id: str) -> list[str]:
        rows = self._read("SELECT id FROM sessions WHERE dataset_id = ? ORDER BY id", (dataset_id,))
        return [r[0] for r in rows]

    def delete_session(self, session_id: str) -> bool:
        """Works on a full disk."""
        return self._delete(lambda db: db.execute(
            "DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount > 0)

    # Leases (one holder per session), by this machine's clock

    def claim(self, session_id: str, holder: str, seconds: float) -> str:
        with self._write() as db:
            now = time.time()
            db.execute(_CLAIM, (session_id, holder, now + seconds, now))
            row = db.execute("SELECT holder FROM leases WHERE session_id = ?",
                             (session_id,)).fetchone()
        won: str = row[0]
        return won

    def renew(self, holder: str, seconds: float) -> dict[str, str | None]:
        with self._write() as db:
            db.execute("UPDATE leases SET expires = ? WHERE holder = ?",
                       (time.time() + seconds, holder))
            rows = db.execute("SELECT session_id, wanted_by FROM leases WHERE holder = ?",
                              (holder,)).fetchall()
        return dict(rows)

    def want(self, session_id: str, by: str) -> None:
        with self._write() as db:
            db.execute("UPDATE leases SET wanted_by = ? WHERE session_id = ? AND holder != ?",
                       (by, session_id, by))

    def release(self, session_id: str, holder: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM leases WHERE session_id = ? AND holder = ?",
                       (session_id, holder))

    def holder(self, session_id: str) -> str | None:
        rows = self._read("SELECT holder FROM leases WHERE session_id = ? AND expires > ?",
                          (session_id, time.time()))
        return rows[0][0] if rows else None


# Take the lease when free, expired or ours; a new holder starts with no handover asked.
_CLAIM = ("INSERT INTO leases VALUES (?1, ?2, ?3, NULL) ON CONFLICT(session_id) DO UPDATE SET "
          "holder = excluded.holder, expires = excluded.expires, "
          "wanted_by = CASE WHEN leases.holder = excluded.holder THEN leases.wanted_by END "
          "WHERE leases.holder = excluded.holder OR leases.expires <= ?4")

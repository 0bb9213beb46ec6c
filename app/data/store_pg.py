"""The shared store: PostgreSQL through psycopg 3, for processes on several machines.

`LL_DATABASE_URL=postgresql://user:password@host:port/dbname` names the database (any libpq
connection string works, `?options=-csearch_path%3Dname` included). psycopg is an optional
extra (`pip install -e '.[postgres]'`); only this module imports it.

A small pool of connections (psycopg_pool) serves the threads. Each method is one
transaction (a single statement, or several in one transaction), tried once more on a fresh
connection when its connection turns out dead (the server restarted). The schema is
versioned (app.data.migrations) and migrated at open under an advisory lock, so processes
starting together migrate once. Leases expire by the server's clock (`clock_timestamp()`),
so machines whose clocks disagree still agree on who holds a session. Errors (server gone,
read-only, full disk) become StoreError (503).

Sessions and leases commit asynchronously (see `_configure`); a dataset and a claim wait for
the disk. Large values (session states, dataset arrays) are stored uncompressed (STORAGE
EXTERNAL): pglz made a 460 KiB session state's save 5× slower, for about half its size, and
SQLite does not compress them either.
"""

import re
from collections.abc import Callable
from typing import Any, LiteralString, TypeVar

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

try:
    import psycopg
    from psycopg_pool import ConnectionPool, PoolTimeout
except ImportError as e:  # pragma: no cover - the extra is part of the test install
    raise StoreError("LL_DATABASE_URL names PostgreSQL, but psycopg is not installed: "
                     "pip install -e '.[postgres]'") from e

Connection = psycopg.Connection[Any]
T = TypeVar("T")
POOL_SIZE = 8  # connections at most: the training threads plus the event loop's workers
CONNECT_SECONDS = 10.0
MIGRATION_LOCK = 0x4C4C5354  # pg_advisory_xact_lock key ("LLST") that serialises migrations


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


class PostgresStore(Store):
    """Datasets, sessions and leases in a PostgreSQL database; thread- and process-safe."""

    def __init__(self, url: str, pool_size: int = POOL_SIZE,
                 connect_seconds: float = CONNECT_SECONDS):
        self.url = url
        try:  # one direct connection first: its error names the problem (refused, no database)
            timeout = max(2, round(connect_seconds))  # libpq's least
            with psycopg.connect(url, autocommit=True, connect_timeout=timeout) as conn:
                _migrate(conn)
        except (psycopg.Error, ValueError) as e:
            raise StoreError(f"cannot open the database at {redact(url)}: {e}") from e
        self.pool_size, self.connect_seconds = pool_size, connect_seconds
        self.pool = self._open_pool()

    def _open_pool(self) -> ConnectionPool:
        pool = ConnectionPool(self.url, min_size=1, max_size=self.pool_size, open=False,
                              kwargs={"autocommit": True}, configure=_configure,
                              name="logistic-lens")
        try:
            pool.open(wait=True, timeout=self.connect_seconds)
        except PoolTimeout as e:
            pool.close()
            raise StoreError(f"cannot open the database at {redact(self.url)}: {e}") from e
        return pool

    def reconnect(self) -> None:
        """Replace every connection with a new one, which takes the database's settings as
        they are now (after an ALTER DATABASE … SET, say)."""
        old, self.pool = self.pool, self._open_pool()
        old.close()

    def close(self) -> None:
        self.pool.close()

    def _run(self, work: Callable[[Connection], T], writing: bool = True,
             atomic: bool = False) -> T:
        """`work` on a pooled connection (in one transaction when `atomic`; a single statement
        is one by itself). A connection found dead (the server restarted) is replaced and the
        work tried once more (every write here is idempotent); failures become StoreError."""
        for attempt in (1, 2):
            conn: Connection | None = None
            try:
                with self.pool.connection() as conn:
                    if not atomic:
                        return work(conn)
                    with conn.transaction():
                        return work(conn)
            except psycopg.OperationalError as e:
                if attempt == 1 and conn is not None and conn.broken:
                    continue
                raise _store_error(e, writing) from e
            except psycopg.Error as e:
                raise _store_error(e, writing) from e
            except PoolTimeout as e:
                raise StoreError(f"could not reach the database ({e})") from e
        raise AssertionError("unreachable")

    def _read(self, sql: LiteralString, args: tuple[Any, ...] = ()) -> list[Any]:
        return self._run(lambda conn: conn.execute(sql, args, binary=True).fetchall(),
                         writing=False)

    def schema_version(self) -> int:
        version: int = self._read("SELECT MAX(version) FROM schema_version")[0][0]
        return version

    # Datasets

    def put_dataset(self, ds: StoredDataset) -> None:
        meta, blobs = dataset_blobs(ds)

        def work(conn: Connection) -> None:
            conn.execute("SET LOCAL synchronous_commit = on")  # a dataset is never lost
            conn.execute("DELETE FROM dataset_arrays WHERE dataset_id = %s", (ds.id,))
            conn.execute("INSERT INTO datasets (id, meta, created_at) VALUES (%s, %s, %s) "
                         "ON CONFLICT (id) DO UPDATE SET meta = excluded.meta, "
                         "created_at = excluded.created_at", (ds.id, meta, ds.created_at))
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO dataset_arrays VALUES (%s, %s, %s, %b)",
                                [(ds.id, i, k, b) for i, (k, b) in enumerate(blobs)])
        self._run(work, atomic=True)

    def get_dataset_info(self, dataset_id: str) -> DatasetInfo | None:
        rows = self._read("SELECT meta FROM datasets WHERE id = %s", (dataset_id,))
        return info_from_json(rows[0][0]) if rows else None

    def get_dataset(self, dataset_id: str) -> StoredDataset | None:
        def work(conn: Connection) -> tuple[Any, list[Any]]:  # one snapshot: both or neither
            meta = conn.execute("SELECT meta FROM datasets WHERE id = %s", (dataset_id,),
                                binary=True).fetchone()
            rows = [] if meta is None else conn.execute(
                "SELECT key, data FROM dataset_arrays WHERE dataset_id = %s ORDER BY position",
                (dataset_id,), binary=True).fetchall()
            return meta, rows
        meta, rows = self._run(work, writing=False, atomic=True)
        return None if meta is None else dataset_from_blobs(info_from_json(meta[0]), rows)

    def list_datasets(self) -> list[DatasetInfo]:
        rows = self._read("SELECT meta FROM datasets ORDER BY created_at, seq")
        return [info_from_json(r[0]) for r in rows]

    def delete_dataset(self, dataset_id: str) -> bool:
        def work(conn: Connection) -> bool:
            conn.execute("DELETE FROM sessions WHERE dataset_id = %s", (dataset_id,))
            cur = conn.execute("DELETE FROM datasets WHERE id = %s", (dataset_id,))  # cascades
            return cur.rowcount > 0
        return self._run(work, atomic=True)

    # Sessions

    def put_session(self, session_id: str, dataset_id: str, config_json: str, state: bytes) -> None:
        self._run(lambda conn: conn.execute(
            "INSERT INTO sessions VALUES (%s, %s, %s, %b, %s) ON CONFLICT (id) DO UPDATE SET "
            "dataset_id = excluded.dataset_id, config = excluded.config, "
            "state = excluded.state, updated_at = excluded.updated_at",
            (session_id, dataset_id, config_json, state, now_iso())))

    def get_session(self, session_id: str) -> tuple[str, bytes] | None:
        rows = self._read("SELECT config, state FROM sessions WHERE id = %s", (session_id,))
        return (rows[0][0], bytes(rows[0][1])) if rows else None

    def list_session_ids(self) -> list[str]:
        return [r[0] for r in self._read("SELECT id FROM sessions ORDER BY updated_at, id")]

    def session_ids_for_dataset(self, dataset_id: str) -> list[str]:
        rows = self._read("SELECT id FROM sessions WHERE dataset_id = %s ORDER BY id",
                          (dataset_id,))
        return [r[0] for r in rows]

    def delete_session(self, session_id: str) -> bool:
        return self._run(lambda conn: conn.execute(
            "DELETE FROM sessions WHERE id = %s", (session_id,)).rowcount > 0)

    # Leases, by the server's clock

    def claim(self, session_id: str, holder: str, seconds: float) -> str:
        def work(conn: Connection) -> str:
            conn.execute("SET LOCAL synchronous_commit = on")  # never two holders after a crash
            conn.execute(_CLAIM, (session_id, holder, seconds))
            # the upsert locked the row, taken or not: this reads it as the attempt left it
            row = conn.execute("SELECT holder FROM leases WHERE session_id = %s",
                               (session_id,)).fetchone()
            assert row is not None  # the upsert made the row if there was none
            won: str = row[0]
            return won
        return self._run(work, atomic=True)

    def renew(self, holder: str, seconds: float) -> dict[str, str | None]:
        return dict(self._run(lambda conn: conn.execute(
            "UPDATE leases SET expires = clock_timestamp() + make_interval(secs => %s) "
            "WHERE holder = %s RETURNING session_id, wanted_by", (seconds, holder)).fetchall()))

    def want(self, session_id: str, by: str) -> None:
        self._run(lambda conn: conn.execute(
            "UPDATE leases SET wanted_by = %s WHERE session_id = %s AND holder <> %s",
            (by, session_id, by)))

    def release(self, session_id: str, holder: str) -> None:
        self._run(lambda conn: conn.execute(
            "DELETE FROM leases WHERE session_id = %s AND holder = %s", (session_id, holder)))

    def holder(self, session_id: str) -> str | None:
        rows = self._read("SELECT holder FROM leases WHERE session_id = %s "
                          "AND expires > clock_timestamp()", (session_id,))
        return rows[0][0] if rows else None


def _configure(conn: Connection) -> None:
    """Each new connection: commits return before their WAL is flushed (synchronous_commit
    off), except where a method asks for more. SQLite's WAL with synchronous=NORMAL is as
    durable: nothing is lost when the app dies, a crash of the machine may lose the last
    moment's saves (PostgreSQL: at most 3 × wal_writer_delay, 0.6 s), never consistency."""
    conn.execute("SET synchronous_commit = off")


def _store_error(e: psycopg.Error, writing: bool) -> StoreError:
    if writing:
        return StoreError(f"could not save to the database ({e}); is the server reachable, "
                          "its disk full, or the database read-only?")
    return StoreError(f"could not read the database ({e})")


def _migrate(conn: Connection) -> None:
    """Run the migrations the database lacks, one process at a time (an advisory lock)."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute(migrations.SCHEMA_VERSION_SQL)
        row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
        for m in migrations.pending(row[0] if row and row[0] else 0):
            for statement in m.postgres:
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version VALUES (%s, %s, %s)",
                         (m.version, m.name, now_iso()))


# Take the lease when free, expired or ours; a new holder starts with no handover asked.
_CLAIM = ("INSERT INTO leases VALUES (%s, %s, clock_timestamp() + make_interval(secs => %s), "
          "NULL) ON CONFLICT (session_id) DO UPDATE SET holder = excluded.holder, "
          "expires = excluded.expires, "
          "wanted_by = CASE WHEN leases.holder = excluded.holder THEN leases.wanted_by END "
          "WHERE leases.holder = excluded.holder OR leases.expires <= clock_timestamp()")

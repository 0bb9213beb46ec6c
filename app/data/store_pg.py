"""The shared store: PostgreSQL through psycopg 3, for processes on several machines.

`LL_DATABASE_URL=postgresql://user:password@host:port/dbname` names the database (any libpq
connection string works, `?options=-csearch_path%3Dname` included). psycopg is an optional
extra (`pip install -e '.[postgres]'`); only this module imports it. A small pool of
connections (psycopg_pool) serves the threads; each method is one transaction. The schema is
versioned (app.data.migrations) and migrated at open under an advisory lock, so processes
starting together migrate once. Leases expire by the server's clock (`clock_timestamp()`),
so machines whose clocks disagree still agree on who holds a session. Errors (server gone,
read-only, full disk) become StoreError (503), and a connection found broken is replaced.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
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

try:
    import psycopg
    from psycopg_pool import ConnectionPool
except ImportError as e:  # pragma: no cover - the extra is part of the test install
    raise StoreError("LL_DATABASE_URL names PostgreSQL, but psycopg is not installed: "
                     "pip install -e '.[postgres]'") from e

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
        self.pool = ConnectionPool(url, min_size=1, max_size=pool_size, open=False,
                                   kwargs={"autocommit": True},
                                   check=ConnectionPool.check_connection,
                                   name="logistic-lens")
        try:
            self.pool.open(wait=True, timeout=connect_seconds)
        except Exception as e:  # psycopg_pool.PoolTimeout
            self.pool.close()
            raise StoreError(f"cannot open the database at {redact(url)}: {e}") from e

    def close(self) -> None:
        self.pool.close()

    @contextmanager
    def _transaction(self, writing: bool = True) -> Iterator[psycopg.Connection[Any]]:
        """One transaction on a pooled connection; database failures become StoreError."""
        try:
            with self.pool.connection() as conn, conn.transaction():
                yield conn
        except psycopg.Error as e:
            if writing:
                raise StoreError(f"could not save to the database ({e}); is the server "
                                 "reachable, its disk full, or the database read-only?") from e
            raise StoreError(f"could not read the database ({e})") from e
        except StoreError:
            raise
        except Exception as e:  # psycopg_pool.PoolTimeout: no connection to be had
            if type(e).__module__.startswith("psycopg_pool"):
                raise StoreError(f"could not reach the database ({e})") from e
            raise

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        with self._transaction(writing=False) as conn:
            return conn.execute(sql, args, binary=True).fetchall()

    def schema_version(self) -> int:
        version: int = self._read("SELECT MAX(version) FROM schema_version")[0][0]
        return version

    # Datasets

    def put_dataset(self, ds: StoredDataset) -> None:
        meta, blobs = dataset_blobs(ds)
        with self._transaction() as conn:
            conn.execute("DELETE FROM dataset_arrays WHERE dataset_id = %s", (ds.id,))
            conn.execute("INSERT INTO datasets (id, meta, created_at) VALUES (%s, %s, %s) "
                         "ON CONFLICT (id) DO UPDATE SET meta = excluded.meta, "
                         "created_at = excluded.created_at", (ds.id, meta, ds.created_at))
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO dataset_arrays VALUES (%s, %s, %s, %b)",
                                [(ds.id, i, k, b) for i, (k, b) in enumerate(blobs)])

    def get_dataset_info(self, dataset_id: str) -> DatasetInfo | None:
        rows = self._read("SELECT meta FROM datasets WHERE id = %s", (dataset_id,))
        return info_from_json(rows[0][0]) if rows else None

    def get_dataset(self, dataset_id: str) -> StoredDataset | None:
        with self._transaction(writing=False) as conn:
            meta = conn.execute("SELECT meta FROM datasets WHERE id = %s", (dataset_id,),
                                binary=True).fetchone()
            if meta is None:
                return None
            rows = conn.execute("SELECT key, data FROM dataset_arrays WHERE dataset_id = %s "
                                "ORDER BY position", (dataset_id,), binary=True).fetchall()
        return dataset_from_blobs(info_from_json(meta[0]), rows)

    def list_datasets(self) -> list[DatasetInfo]:
        rows = self._read("SELECT meta FROM datasets ORDER BY created_at, seq")
        return [info_from_json(r[0]) for r in rows]

    def delete_dataset(self, dataset_id: str) -> bool:
        with self._transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE dataset_id = %s", (dataset_id,))
            cur = conn.execute("DELETE FROM datasets WHERE id = %s", (dataset_id,))  # cascades
            return cur.rowcount > 0

    # Sessions

    def put_session(self, session_id: str, dataset_id: str, config_json: str, state: bytes) -> None:
        with self._transaction() as conn:
            conn.execute("INSERT INTO sessions VALUES (%s, %s, %s, %b, %s) ON CONFLICT (id) DO "
                         "UPDATE SET dataset_id = excluded.dataset_id, config = excluded.config, "
                         "state = excluded.state, updated_at = excluded.updated_at",
                         (session_id, dataset_id, config_json, state, now_iso()))

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
        with self._transaction() as conn:
            return conn.execute("DELETE FROM sessions WHERE id = %s",
                                (session_id,)).rowcount > 0

    # Leases, by the server's clock

    def claim(self, session_id: str, holder: str, seconds: float) -> str:
        with self._transaction() as conn:
            conn.execute(_CLAIM, (session_id, holder, seconds))
            # the upsert locked the row, taken or not: this reads its state after the attempt
            row = conn.execute("SELECT holder FROM leases WHERE session_id = %s",
                               (session_id,)).fetchone()
        assert row is not None  # the upsert made the row if there was none
        won: str = row[0]
        return won

    def renew(self, holder: str, seconds: float) -> dict[str, str | None]:
        with self._transaction() as conn:
            rows = conn.execute("UPDATE leases SET expires = clock_timestamp() + "
                                "make_interval(secs => %s) WHERE holder = %s "
                                "RETURNING session_id, wanted_by", (seconds, holder)).fetchall()
        return dict(rows)

    def want(self, session_id: str, by: str) -> None:
        with self._transaction() as conn:
            conn.execute("UPDATE leases SET wanted_by = %s WHERE session_id = %s "
                         "AND holder <> %s", (by, session_id, by))

    def release(self, session_id: str, holder: str) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM leases WHERE session_id = %s AND holder = %s",
                         (session_id, holder))

    def holder(self, session_id: str) -> str | None:
        rows = self._read("SELECT holder FROM leases WHERE session_id = %s "
                          "AND expires > clock_timestamp()", (session_id,))
        return rows[0][0] if rows else None


def _migrate(conn: "psycopg.Connection[Any]") -> None:
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

"""The store's schema, as numbered migrations, one list for both backends.

A store records every migration it has run in `schema_version` (version, name, applied_at);
opening a store runs the ones it lacks, in order, in one transaction that only one process at
a time may hold (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock), so processes opening
one store together never run a migration twice. A store whose version is newer than this code
knows is refused (StoreError), never written.

Migration 1 is the schema as it was before versions existed, written with IF NOT EXISTS: a
store made by that code (its tables there, no `schema_version`) is adopted as version 1 and
goes on from there. Add a migration by appending to MIGRATIONS; never change a released one.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    """One step of the schema: the statements each backend runs, in order."""

    version: int
    name: str
    sqlite: tuple[str, ...]
    postgres: tuple[str, ...]


SCHEMA_VERSION_SQL = ("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                      "name TEXT NOT NULL, applied_at TEXT NOT NULL)")

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "datasets and sessions", sqlite=(
        "CREATE TABLE IF NOT EXISTS datasets (id TEXT PRIMARY KEY, meta TEXT NOT NULL, "
        "created_at TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS dataset_arrays ("
        "dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE, "
        "position INTEGER NOT NULL, key TEXT NOT NULL, data BLOB NOT NULL, "
        "PRIMARY KEY (dataset_id, position))",
        "CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, dataset_id TEXT NOT NULL, "
        "config TEXT NOT NULL, state BLOB NOT NULL, updated_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS sessions_by_dataset ON sessions(dataset_id)",
    ), postgres=(
        # seq keeps the insertion order that SQLite's rowid gives list_datasets
        "CREATE TABLE IF NOT EXISTS datasets (id TEXT PRIMARY KEY, meta TEXT NOT NULL, "
        "created_at TEXT NOT NULL, seq BIGINT GENERATED ALWAYS AS IDENTITY)",
        "CREATE TABLE IF NOT EXISTS dataset_arrays ("
        "dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE, "
        "position INTEGER NOT NULL, key TEXT NOT NULL, data BYTEA NOT NULL, "
        "PRIMARY KEY (dataset_id, position))",
        "CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, dataset_id TEXT NOT NULL, "
        "config TEXT NOT NULL, state BYTEA NOT NULL, updated_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS sessions_by_dataset ON sessions(dataset_id)",
        # blobs uncompressed: pglz made a 460 KiB session state's save 5x slower
        "ALTER TABLE dataset_arrays ALTER COLUMN data SET STORAGE EXTERNAL",
        "ALTER TABLE sessions ALTER COLUMN state SET STORAGE EXTERNAL",
    )),
    Migration(2, "session leases", sqlite=(
        # expires: seconds since the epoch by the one machine's clock
        "CREATE TABLE leases (session_id TEXT PRIMARY KEY, holder TEXT NOT NULL, "
        "expires REAL NOT NULL, wanted_by TEXT)",
        "CREATE INDEX leases_by_holder ON leases(holder)",
    ), postgres=(
        # expires: by the database server's clock, so machines with skewed clocks agree
        "CREATE TABLE leases (session_id TEXT PRIMARY KEY, holder TEXT NOT NULL, "
        "expires TIMESTAMPTZ NOT NULL, wanted_by TEXT)",
        "CREATE INDEX leases_by_holder ON leases(holder)",
    )),
)

LATEST = MIGRATIONS[-1].version


def pending(current: int) -> list[Migration]:
    """The migrations a store at version `current` still needs, in order; refuses a store
    newer than this code."""
    if current > LATEST:
        raise ValueError(f"the store's schema is version {current}, newer than this app's "
                         f"{LATEST}: run a newer version of the app")
    return [m for m in MIGRATIONS if m.version > current]

"""The store's two backends side by side: a session's save and load, and the lease calls.

`python -m tests.bench store`. The state saved is a real one: a 2-8-8-1 session on xor
trained through the API (its packed checkpoints and history, as the registry saves it), put
and read back under 50 session ids, as 50 sessions streaming save theirs. Each operation is
timed round-robin on both backends (common.measure); the table gives medians, and the ratio
is PostgreSQL's rate over SQLite's (issue #16's target for the whole load: ≥ 0.9).

PostgreSQL: LL_TEST_DATABASE_URL when set (a database is made in it and dropped), else a
throwaway cluster from Debian's binaries as the tests make (tests/postgres.py) but with
PostgreSQL's default settings (fsync and synchronous commit on: each save is on disk when it
returns, where SQLite's WAL with synchronous=NORMAL syncs at checkpoints); without either
the PostgreSQL column says so.
"""

import os
import tempfile
from pathlib import Path

from app.config import Settings
from app.data.store import Store, open_store
from app.main import create_app
from tests.bench.common import Case, environment, fmt_time, markdown_table, measure, print_lines
from tests.conftest import local_client
from tests.postgres import ENV_URL, Cluster, drop_database, find_binaries, fresh_database

SESSIONS = 50
TRAIN_STEPS = 2000


def session_blob(data_dir: Path) -> tuple[str, str, bytes]:
    """(dataset_id, config_json, state) of a real trained session, as the app saved it."""
    settings = Settings(data_dir=data_dir, allowed_hosts=["testserver"])
    with local_client(create_app(settings)) as c:
        ds = c.post("/api/datasets/generate", json={"kind": "xor", "n": 400, "seed": 1}).json()
        sid = c.post("/api/sessions", json={"dataset_id": ds["id"],
                                            "hidden_layers": [8, 8]}).json()["id"]
        c.post(f"/api/sessions/{sid}/step", json={"steps": TRAIN_STEPS})
    store = open_store(settings)
    saved = store.get_session(sid)
    store.close()
    assert saved is not None
    return ds["id"], saved[0], saved[1]


def cases(name: str, store: Store, dataset_id: str, config: str, state: bytes) -> list[Case]:
    """Save and load of SESSIONS sessions, and a claim + renew round, on one store."""
    ids = [f"bench-{i}" for i in range(SESSIONS)]

    def save() -> None:
        for sid in ids:
            store.put_session(sid, dataset_id, config, state)

    def load() -> None:
        for sid in ids:
            store.get_session(sid)

    def lease() -> None:
        for sid in ids:
            store.claim(sid, "bench", 5.0)
        store.renew("bench", 5.0)

    return [Case(f"{name} put_session", save, SESSIONS, repeats=9),
            Case(f"{name} get_session", load, SESSIONS, repeats=9),
            Case(f"{name} claim (+ renew)", lease, SESSIONS + 1, repeats=9)]


def compare(sqlite: Store, postgres: Store | None, blob: tuple[str, str, bytes]) -> list[str]:
    """The markdown lines comparing the two stores on the same session blob."""
    rows: list[list[str]] = []
    lite = cases("SQLite", sqlite, *blob)
    pg = cases("PostgreSQL", postgres, *blob) if postgres else []
    measure(lite + pg)
    for i, case in enumerate(lite):
        other = pg[i] if pg else None
        rows.append([case.name.removeprefix("SQLite "), fmt_time(case.median),
                     fmt_time(other.median) if other else "not run",
                     f"{case.median / other.median:.2f}×" if other else "-"])
    return [markdown_table(["per session", "SQLite median", "PostgreSQL median",
                            "PostgreSQL rate / SQLite"], rows)]


def main() -> None:
    lines = [f"## Store: SQLite vs PostgreSQL ({SESSIONS} sessions, state of a 2-8-8-1 "
             f"session after {TRAIN_STEPS} steps)", ""]
    with tempfile.TemporaryDirectory() as tmp:
        blob = session_blob(Path(tmp) / "blob")
        lines.append(f"state blob: {len(blob[2]) / 1024:.0f} KiB, config "
                     f"{len(blob[1])} B")
        sqlite = open_store(Settings(data_dir=Path(tmp) / "sqlite"))
        cluster, url = None, None
        server = os.environ.get(ENV_URL)
        if not server and (bin_dir := find_binaries()) is not None:
            cluster = Cluster(bin_dir, durable=True)
            try:
                cluster.start()
                server = cluster.url
            except (RuntimeError, OSError) as e:
                lines.append(f"PostgreSQL not run: the throwaway cluster did not start ({e})")
        try:
            postgres = None
            if server:
                url = fresh_database(server)
                postgres = open_store(Settings(data_dir=Path(tmp) / "unused",
                                               database_url=url))
            elif cluster is None:
                lines.append(f"PostgreSQL not run: no initdb/pg_ctl and no {ENV_URL}")
            lines += compare(sqlite, postgres, blob)
            if postgres:
                postgres.close()
        finally:
            sqlite.close()
            if server and url:
                drop_database(server, url)
            if cluster:
                cluster.stop()
    lines += ["", *environment()]
    print_lines(lines)


if __name__ == "__main__":
    main()

"""A real PostgreSQL server for the tests: a throwaway cluster, or LL_TEST_DATABASE_URL.

`postgres_server` (session-scoped) yields an admin URL: LL_TEST_DATABASE_URL when it is set
(a server you run; each test makes and drops its own database in it), else a cluster made
once for the whole run with Debian's binaries (`initdb`, `pg_ctl` from
/usr/lib/postgresql/*/bin or PATH) in a temporary directory on a free loopback port, run as
user `postgres` when the tests run as root (PostgreSQL refuses root), stopped and removed at
the end. Without the binaries the PostgreSQL tests skip loudly; under CI=true they fail.

`fresh_database(server)` makes an empty database (CREATE DATABASE from template0, a few
tens of ms) and returns its URL, so every test starts clean and independent.
"""

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ENV_URL = "LL_TEST_DATABASE_URL"
USER = "ll"


def find_binaries() -> Path | None:
    """The directory holding initdb and pg_ctl (the newest Debian version first), or None."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                      key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    for bin_dir in [*reversed(versions)]:
        if (bin_dir / "initdb").exists() and (bin_dir / "pg_ctl").exists():
            return bin_dir
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb and shutil.which("pg_ctl") else None


def missing(reason: str) -> None:
    """Skip loudly, or fail under CI=true (CI installs PostgreSQL: it must run there)."""
    message = f"*** POSTGRESQL TESTS NOT RUN: {reason} ***"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _as_owner(command: list[str]) -> list[str]:
    """Run as `postgres` when we are root (PostgreSQL refuses to run as root)."""
    if os.geteuid() != 0:
        return command
    if shutil.which("runuser") is None:
        missing("running as root and no runuser(1) to start PostgreSQL as user postgres")
    return ["runuser", "-u", "postgres", "--", *command]


class Cluster:
    """A throwaway PostgreSQL cluster in a temporary directory."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="ll-pg-"))
        self.port = _free_port()
        self.url = f"postgresql://{USER}@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        data = self.dir / "data"
        self._run([str(self.bin / "initdb"), "-D", str(data), "-U", USER, "--auth=trust",
                   "--no-sync", "-E", "UTF8", "--locale=C"])
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run([str(self.bin / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                   str(self.dir / "log"), "-w", "start"])

    def stop(self) -> None:
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate",
                   "-w", "stop"], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    def _run(self, command: list[str], check: bool = True) -> None:
        proc = subprocess.run(_as_owner(command), capture_output=True, text=True, timeout=120)
        if check and proc.returncode != 0:
            log = self.dir / "log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{command[0]} failed: {proc.stderr[-2000:]}{tail}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """An admin URL of a running PostgreSQL server (see the module's notes)."""
    url = os.environ.get(ENV_URL)
    if url:
        yield url
        return
    try:
        import psycopg  # noqa: F401
    except ImportError:
        missing("psycopg is not installed (pip install -e '.[postgres]')")
    bin_dir = find_binaries()
    if bin_dir is None:
        missing("no initdb/pg_ctl found (apt-get install postgresql), "
                f"and {ENV_URL} is not set")
        return
    cluster = Cluster(bin_dir)
    try:
        cluster.start()
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
        cluster.stop()
        missing(f"could not start a throwaway cluster: {e}")
    try:
        yield cluster.url
    finally:
        cluster.stop()


def with_database(url: str, name: str) -> str:
    """`url` naming database `name` instead (the query string, if any, kept)."""
    import psycopg.conninfo
    return psycopg.conninfo.make_conninfo(url, dbname=name)


def fresh_database(server: str) -> str:
    """A new empty database on the server; its URL."""
    import psycopg
    name = "ll_test_" + secrets.token_hex(6)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')  # type: ignore[arg-type]
    return with_database(server, name)


def drop_database(server: str, url: str) -> None:
    """Drop a database fresh_database made (closing whatever is still connected to it)."""
    import psycopg
    import psycopg.conninfo
    name = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]

"""A real PostgreSQL server for the tests: a throwaway cluster, or LL_TEST_DATABASE_URL.

`postgres_server` (session-scoped) yields the URL of a database for the tests:
LL_TEST_DATABASE_URL when it is set (a database of a server you run, which the tests may
create schemas in and ALTER), else a database `lens` in a cluster made once for the whole run
with Debian's binaries (`initdb`, `pg_ctl` from /usr/lib/postgresql/*/bin or PATH) in a
temporary directory on a free loopback port, run as user `postgres` when the tests run as root
(PostgreSQL refuses root), stopped and removed at the end. Without the binaries the
PostgreSQL tests skip loudly; under CI=true they fail.

`fresh_database(server)` makes an empty schema in that database and returns a URL whose
search_path is that schema, so every test starts from an empty store of its own (a schema
takes milliseconds where CREATE DATABASE took 0.15-3 s on this machine); `drop_database`
drops it again.
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
    """A throwaway PostgreSQL cluster in a temporary directory (`durable`: PostgreSQL's own
    defaults, fsync on, for benchmarks; else fsync off, for quick tests)."""

    def __init__(self, bin_dir: Path, durable: bool = False):
        self.bin, self.durable = bin_dir, durable
        self.dir = Path(tempfile.mkdtemp(prefix="ll-pg-"))
        self.port = _free_port()
        self.admin_url = f"postgresql://{USER}@127.0.0.1:{self.port}/postgres"
        self.url = f"postgresql://{USER}@127.0.0.1:{self.port}/lens"

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        data = self.dir / "data"
        self._run([str(self.bin / "initdb"), "-D", str(data), "-U", USER, "--auth=trust",
                   "--no-sync", "-E", "UTF8", "--locale=C"])
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        if not self.durable:  # tests: nothing need survive a crash of the machine
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run([str(self.bin / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                   str(self.dir / "log"), "-w", "start"])
        import psycopg
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute("CREATE DATABASE lens")

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
    """The URL of the tests' database on a running server (see the module's notes)."""
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
    except Exception as e:  # no user postgres, initdb refused, the port taken meanwhile…
        cluster.stop()
        missing(f"could not start a throwaway cluster: {e}")
    try:
        yield cluster.url
    finally:
        cluster.stop()


def fresh_database(server: str) -> str:
    """A new empty schema in the server's test database; a URL whose search_path is it."""
    import psycopg
    import psycopg.conninfo
    name = "ll_test_" + secrets.token_hex(6)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')  # type: ignore[arg-type]
    return psycopg.conninfo.make_conninfo(server, options=f"-csearch_path={name}")


def drop_database(server: str, url: str) -> None:
    """Drop a schema fresh_database made, with everything in it."""
    import psycopg
    import psycopg.conninfo
    options = psycopg.conninfo.conninfo_to_dict(url)["options"]
    assert isinstance(options, str)
    name = options.removeprefix("-csearch_path=")
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')  # type: ignore[arg-type]

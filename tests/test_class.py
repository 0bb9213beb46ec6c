"""`make class` for real: `python -m app.cluster` with 2 app processes behind Debian's HAProxy,
on free loopback ports, in a temp data dir. Which process answered is HAProxy's own word: it
sets `X-LL-Worker` (for clients on this machine) to the server it chose, and the servers are
named as the processes' LL_WORKER.

Skipped loudly without haproxy, except under CI=true, where that is a failure.
"""

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app.cluster.proxy import check, find_haproxy
from app.config import ROOT
from tests.helpers import free_port, make_dataset, make_session, wait_until

TOKEN = "class-test-token"
WORKERS = ("w1", "w2")
HEADER = "x-ll-worker"
MAX_SESSIONS = 40  # created until each worker holds MIN_EACH (the hash spreads them unevenly)
MIN_EACH = 2

pytestmark = pytest.mark.slow


@dataclass
class Running:
    base: str
    launcher: subprocess.Popen[bytes]
    log: Path
    config: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def children(self) -> dict[str, int]:
        """The launcher's children by name (w1, w2, proxy) → pid, read from /proc."""
        found = {}
        for entry in Path("/proc").iterdir():
            try:
                stat = (entry / "stat").read_text()
                cmd = (entry / "cmdline").read_bytes().split(b"\0")
            except (OSError, ValueError):
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) != self.launcher.pid:
                continue
            if b"uvicorn" in cmd:
                port = int(cmd[cmd.index(b"--port") + 1])
                name = re.search(rf"(w\d+) 127\.0\.0\.1:{port} ", self.text())
                found[name.group(1) if name else f"port {port}"] = int(entry.name)
            elif cmd and cmd[0].endswith(b"haproxy"):
                found["proxy"] = int(entry.name)
        return found


def haproxy_or_skip() -> str:
    path = find_haproxy()
    if path is None:
        message = ("\n\n*** make class TESTS NOT RUN: no haproxy found. Install it with "
                   "`apt-get install -y haproxy`. ***\n")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    haproxy_or_skip()
    data = tmp_path_factory.mktemp("class-data")
    log = data / "class.log"
    port = free_port()
    env = {**os.environ, "LL_DATA_DIR": str(data), "LL_TOKEN": TOKEN}
    with log.open("wb") as out:
        launcher = subprocess.Popen(
            [sys.executable, "-m", "app.cluster", "--workers", "2", "--host", "127.0.0.1",
             "--port", str(port)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    run = Running(f"http://127.0.0.1:{port}", launcher, log, Path())

    def announced() -> bool:
        assert launcher.poll() is None, f"the launcher exited: {run.text()[-3000:]}"
        return "Ctrl-C stops the class." in run.text()

    try:
        wait_until(announced, 90, "make class announcing its URL")
        config = re.search(r"proxy config: (\S+)", run.text())
        assert config, run.text()
        run.config = Path(config.group(1))
        yield run
    finally:
        children = run.children()
        launcher.send_signal(signal.SIGTERM)
        try:
            code = launcher.wait(40)
        except subprocess.TimeoutExpired:
            launcher.kill()
            for pid in run.children().values():
                os.kill(pid, signal.SIGKILL)
            raise
    # the launcher stopped every process it started, and said so
    assert code == 0, run.text()[-3000:]
    assert "class | stopped" in run.text()
    left = [name for name, pid in children.items() if Path(f"/proc/{pid}").exists()]
    assert not left, f"still running after the launcher stopped: {left}"
    assert not run.config.exists(), "the generated config was not cleaned up"


def served_by(r: httpx.Response) -> str:
    assert r.is_success, r.text
    return r.headers[HEADER]


def test_haproxy_accepts_the_generated_config(running: Running) -> None:
    haproxy = haproxy_or_skip()
    assert check(haproxy, running.config) == ""
    text = running.config.read_text()
    assert "balance hash path,field(4,/)" in text and "hash-type consistent" in text


def test_the_page_and_health_answer_through_the_proxy(running: Running) -> None:
    page = httpx.get(running.base + "/", timeout=10)
    assert page.status_code == 200 and "Logistic Lens" in page.text
    seen: set[str] = set()
    for _ in range(40):  # a fresh connection each time: each request is balanced on its own
        r = httpx.get(running.base + "/api/health", timeout=10)
        body = r.json()
        assert body["status"] == "ok" and body["worker"] == served_by(r)  # HAProxy = the app
        seen.add(body["worker"])
        if seen == set(WORKERS):
            break
    assert seen == set(WORKERS), "the rest (leastconn) goes to every process"


def test_every_request_of_a_session_lands_on_its_worker(running: Running) -> None:
    """GET, PATCH, POST step, history and the stream of one session reach one process;
    different sessions spread over both."""
    by_worker: dict[str, list[str]] = {w: [] for w in WORKERS}
    with httpx.Client(base_url=running.base, timeout=30) as api:
        dataset = make_dataset(api)
        for _ in range(MAX_SESSIONS):
            if min(len(s) for s in by_worker.values()) >= MIN_EACH:
                break
            sid = make_session(api, dataset)
            by_worker[served_by(api.get(f"/api/sessions/{sid}"))].append(sid)
        assert min(len(s) for s in by_worker.values()) >= MIN_EACH, by_worker
        for worker, sessions in by_worker.items():
            for sid in sessions:
                answers = [
                    api.get(f"/api/sessions/{sid}"),
                    api.patch(f"/api/sessions/{sid}", json={"learning_rate": 0.05}),
                    api.post(f"/api/sessions/{sid}/step", json={"steps": 3}),
                    api.get(f"/api/sessions/{sid}/history"),
                    api.get(f"/api/sessions/{sid}"),
                ]
                assert [served_by(r) for r in answers] == [worker] * len(answers), sid
                assert answers[-1].json()["step"] == 3  # the steps stayed in that process
                assert stream_worker(running.base, sid) == (worker, 3)


def stream_worker(base: str, sid: str) -> tuple[str, int]:
    """Open the session's stream through the proxy: (the worker that answered the handshake,
    the step of the init message)."""
    from websockets.asyncio.client import connect

    async def go() -> tuple[str, int]:
        url = base.replace("http://", "ws://") + f"/api/sessions/{sid}/stream"
        async with connect(url, open_timeout=20, max_size=None) as ws:
            init = json.loads(await asyncio.wait_for(ws.recv(), 20))
            assert ws.response is not None and init["type"] == "init", init.get("type")
            return ws.response.headers[HEADER], int(init["session"]["step"])

    return asyncio.run(go())


def non_loopback_address() -> str | None:
    """An IPv4 address of this machine off loopback (packets from it to 127.0.0.1 stay on lo)."""
    try:
        out = subprocess.run(["ip", "-o", "-4", "addr", "show", "scope", "global"],
                             capture_output=True, text=True, timeout=5).stdout
    except OSError:
        return None
    match = re.search(r"inet (\d+\.\d+\.\d+\.\d+)/", out)
    return match.group(1) if match else None


def test_a_client_off_loopback_still_needs_the_token(running: Running) -> None:
    """Behind the proxy every connection to the app comes from 127.0.0.1; the app must still
    see the client's own address. A client connecting from this machine's non-loopback address
    (to the proxy on 127.0.0.1) is asked for the token, whatever X-Forwarded-For it claims."""
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address to connect from")
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(base_url=running.base, transport=transport, timeout=10) as remote:
        assert remote.get("/api/datasets").status_code == 401
        for claimed in ("127.0.0.1", f"{address}, 127.0.0.1"):
            r = remote.get("/api/datasets", headers={"x-forwarded-for": claimed})
            assert r.status_code == 401, claimed
        health = remote.get("/api/health")
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        assert HEADER not in health.headers  # nor does the proxy name the process
        r = remote.get("/api/datasets", headers={"authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 200
    assert httpx.get(running.base + "/api/datasets", timeout=10).status_code == 200  # loopback


def test_a_worker_that_dies_is_restarted(running: Running) -> None:
    """SIGKILL w2: its sessions answer from w1 meanwhile (the store has them), then w2 runs
    again (a new pid) and gets its sessions back."""
    with httpx.Client(base_url=running.base, timeout=30) as api:
        dataset = make_dataset(api)
        sid = None
        for _ in range(MAX_SESSIONS):
            candidate = make_session(api, dataset)
            if served_by(api.get(f"/api/sessions/{candidate}")) == "w2":
                sid = candidate
                break
        assert sid is not None, "no session hashed to w2"
        old = running.children()["w2"]
        os.kill(old, signal.SIGKILL)

        def answered_by(worker: str) -> bool:
            """A request caught by the kill fails once (HAProxy retries only what was never
            sent: a replayed POST /step would train twice); the next one is answered."""
            try:
                r = api.get(f"/api/sessions/{sid}")
            except httpx.TransportError:
                return False
            return r.status_code == 200 and r.headers.get(HEADER) == worker

        wait_until(lambda: answered_by("w1"), 30, "w2's session answering from w1")
        wait_until(lambda: running.children().get("w2") not in (None, old), 30,
                   "the launcher starting w2 again")
        wait_until(lambda: answered_by("w2"), 60, "HAProxy sending the session back to w2")
    assert "w2 exited (code -9)" in running.text()
    new = httpx.get(running.base + f"/api/sessions/{sid}", timeout=10)
    assert new.headers[HEADER] == "w2"

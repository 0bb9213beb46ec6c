"""Run a class: N app processes on free loopback ports, HAProxy in front, all kept running.

Each process is `uvicorn app.main:app` on 127.0.0.1 with its own LL_WORKER (w1…wN) and the
same store (LL_DATA_DIR, or LL_DATABASE_URL when set). uvicorn believes X-Forwarded-For only
from 127.0.0.1, where the proxy is, so the app still sees (and asks the token of) every other
machine. One process that dies is started again on its port (HAProxy's health checks mark it
down meanwhile and send its sessions elsewhere); SIGINT or SIGTERM stops the proxy, then every
process (each saves its sessions), and the launcher exits.
"""

import contextlib
import ctypes
import functools
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from app.cluster import proxy
from app.config import ROOT
from app.security import is_loopback
from app.ws_protocol import UVICORN_ARGS

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 20.0
POLL_S = 0.2
RESTART_BACKOFF_S = (0.5, 1.0, 2.0, 5.0, 10.0)  # after a quick death, wait longer each time
STABLE_S = 30.0  # a process that ran this long starts again at once when it dies
ANY_ADDRESS = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "*": "127.0.0.1", "::": "::1"}

_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


class ClassError(RuntimeError):
    """The class could not start (a process or the proxy would not come up)."""


def _die_with_launcher() -> None:
    """In a child before exec: get SIGTERM if the launcher dies without stopping it."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def free_ports(n: int) -> list[int]:
    """n distinct free TCP ports on 127.0.0.1 (held together while chosen)."""
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def url_host(host: str) -> str:
    """The address a client on this machine connects to for a server bound to `host`."""
    host = ANY_ADDRESS.get(host, host)
    return f"[{host}]" if ":" in host else host


def answers(url: str) -> bool:
    """True when GET `url` answers 200 within a second."""
    try:
        with urllib.request.urlopen(url, timeout=1.0) as r:
            return bool(r.status == 200)
    except OSError:
        return False


@dataclass
class Child:
    """One child process (an app worker or the proxy) and what restarting it needs."""

    name: str
    argv: list[str]
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    quick_deaths: int = 0
    next_start: float = 0.0
    readers: list[threading.Thread] = field(default_factory=list)

    def start(self, out: IO[str]) -> None:
        self.proc = subprocess.Popen(
            self.argv, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True,  # a terminal's Ctrl-C reaches the launcher alone
            preexec_fn=_die_with_launcher)
        self.started = time.monotonic()
        reader = threading.Thread(target=_prefix_lines, args=(self.proc.stdout, self.name, out),
                                  daemon=True)
        reader.start()
        self.readers.append(reader)

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive:
            assert self.proc is not None
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(sig)

    def wait(self, deadline: float) -> None:
        """Wait until it exits or `deadline` (monotonic); then kill it."""
        if self.proc is None:
            return
        try:
            self.proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for reader in self.readers:
            reader.join(1.0)


def _prefix_lines(stream: IO[bytes] | None, name: str, out: IO[str]) -> None:
    """Copy a child's output to `out`, each line led by the child's name."""
    if stream is None:
        return
    for raw in stream:
        out.write(f"{name:>5} | {raw.decode(errors='replace').rstrip()}\n")
        out.flush()


@dataclass
class Worker:
    """An app process of the class: its name (LL_WORKER, HAProxy's server name) and port."""

    name: str
    port: int
    child: Child


class ClassRoom:
    """N app processes and HAProxy in front of them, on HOST:PORT."""

    def __init__(self, workers: int, host: str, port: int, haproxy: str,
                 data_dir: Path, log_level: str = "warning",
                 environ: dict[str, str] | None = None, out: IO[str] | None = None):
        if workers < 1:
            raise ValueError(f"WORKERS must be at least 1, got {workers}")
        self.host, self.port, self.haproxy = host, port, haproxy
        self.out = out or sys.stdout
        self.stopping = self.signalled = False
        env = dict(os.environ if environ is None else environ)
        env.update(LL_DATA_DIR=str(data_dir.resolve()), LL_HOST=host, LL_PORT=str(port))
        # one token for every process (each would draw its own)
        self.token_given = bool(env.get("LL_TOKEN"))
        self.token = env["LL_TOKEN"] = env.get("LL_TOKEN") or secrets.token_urlsafe(24)
        self.workers = []
        for i, wport in enumerate(free_ports(workers), start=1):
            name = f"w{i}"
            argv = [sys.executable, "-m", "uvicorn", "app.main:app", *UVICORN_ARGS, "--host",
                    "127.0.0.1", "--port", str(wport), "--proxy-headers",
                    "--forwarded-allow-ips", "127.0.0.1", "--log-level", log_level]
            self.workers.append(Worker(name, wport, Child(name, argv, {**env, "LL_WORKER": name})))
        self.config_dir = Path(tempfile.mkdtemp(prefix="logistic-lens-class-"))
        self.config = self.config_dir / "haproxy.cfg"
        self.proxy = Child("proxy", [haproxy, "-db", "-f", str(self.config)], env)

    @property
    def url(self) -> str:
        return f"http://{url_host(self.host)}:{self.port}"

    # ---- start ----------------------------------------------------------------------------
    def start(self) -> None:
        """Every process answering, then the proxy answering: or ClassError and all stopped."""
        try:
            first, *rest = self.workers
            first.child.start(self.out)  # the first creates the store; the others open it
            self._wait_healthy([first])
            for w in rest:
                w.child.start(self.out)
            self._wait_healthy(rest)
            servers = [proxy.Server(w.name, f"127.0.0.1:{w.port}") for w in self.workers]
            self.config.write_text(proxy.render(proxy.bind_address(self.host, self.port),
                                                servers))
            problem = proxy.check(self.haproxy, self.config)
            if problem:
                raise ClassError(f"HAProxy refused the generated config {self.config}:\n"
                                 f"{problem}")
            self.proxy.start(self.out)
            self._wait(lambda: answers(f"{self.url}/api/health"), [self.proxy],
                       f"HAProxy answering on {self.url}")
        except BaseException:
            self.stop()
            raise

    def _wait_healthy(self, workers: list[Worker]) -> None:
        for w in workers:
            self._wait(functools.partial(answers, f"http://127.0.0.1:{w.port}/api/health"),
                       [w.child], f"{w.name} answering on 127.0.0.1:{w.port}")

    def _wait(self, ready: Callable[[], bool], children: list[Child], what: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not ready():
            for c in children:
                if not c.alive:
                    code = c.proc.returncode if c.proc else None
                    raise ClassError(f"{c.name} exited (code {code}) before {what}; its output "
                                     "is above")
            if self.stopping:
                raise ClassError(f"stopped before {what}")
            if time.monotonic() > deadline:
                raise ClassError(f"{what}: not within {START_TIMEOUT_S:g} s")
            time.sleep(POLL_S)

    def announce(self) -> None:
        lines = [f"Logistic Lens class: {len(self.workers)} processes behind HAProxy at "
                 f"{self.url}/",
                 "  processes: " + ", ".join(f"{w.name} 127.0.0.1:{w.port} (pid "
                                            f"{w.child.proc.pid if w.child.proc else '?'})"
                                            for w in self.workers),
                 f"  proxy config: {self.config}"]
        if not is_loopback(self.host):
            shown = "<LL_TOKEN>" if self.token_given else self.token
            lines.append(f"  other machines open http://<this-machine>:{self.port}/?token="
                         f"{shown} (this machine needs no token)")
        lines.append("  Ctrl-C stops the class.")
        self.out.write("\n".join(lines) + "\n")
        self.out.flush()

    # ---- keep running ---------------------------------------------------------------------
    def supervise(self) -> int:
        """Restart dead workers until stopped; 0 after a stop, 1 if the proxy died."""
        while not self.stopping:
            if not self.proxy.alive:
                code = self.proxy.proc.returncode if self.proxy.proc else None
                self.say(f"HAProxy exited (code {code}): stopping the class")
                self.stop()
                return 1
            now = time.monotonic()
            for w in self.workers:
                self._tend(w, now)
            time.sleep(POLL_S)
        return 0

    def _tend(self, w: Worker, now: float) -> None:
        c = w.child
        if c.alive or self.stopping:
            return
        if c.next_start == 0.0:  # just found dead: schedule its restart
            quick = now - c.started < STABLE_S
            c.quick_deaths = c.quick_deaths + 1 if quick else 0
            delay = RESTART_BACKOFF_S[min(c.quick_deaths, len(RESTART_BACKOFF_S)) - 1] \
                if c.quick_deaths else 0.0
            code = c.proc.returncode if c.proc else None
            self.say(f"{w.name} exited (code {code}); HAProxy sends its sessions to the others "
                     f"meanwhile; starting it again on port {w.port} in {delay:g} s")
            c.next_start = now + delay
        if now >= c.next_start:
            c.next_start = 0.0
            c.start(self.out)

    def say(self, text: str) -> None:
        self.out.write(f"class | {text}\n")
        self.out.flush()

    # ---- stop -----------------------------------------------------------------------------
    def request_stop(self, signum: int = signal.SIGTERM, frame: object = None) -> None:
        """A signal handler: stop at the next supervision tick."""
        self.stopping = self.signalled = True

    def stop(self) -> None:
        """Stop the proxy, then every worker (SIGTERM: each saves its sessions); kill what
        hangs past STOP_TIMEOUT_S. Safe to call twice."""
        self.stopping = True
        self.proxy.signal(signal.SIGTERM)
        self.proxy.wait(time.monotonic() + 5.0)
        for w in self.workers:
            w.child.signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for w in self.workers:
            w.child.wait(deadline)
        for path in (self.config, self.config_dir):
            with contextlib.suppress(OSError):
                path.unlink() if path.is_file() else path.rmdir()


"""What many tests need: datasets and sessions made over the API, polling, and the real server
in a process of its own."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from app.config import ROOT
from app.ws_protocol import UVICORN_ARGS

GENERATE = {"noise": 0.1, "seed": 1}
Api = httpx.Client | TestClient


def make_dataset(api: Api, kind: str = "xor", n: int = 200) -> str:
    r = api.post("/api/datasets/generate", json={"kind": kind, "n": n, **GENERATE})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def make_session(api: Api, dataset_id: str, **config: Any) -> str:
    r = api.post("/api/sessions", json={"dataset_id": dataset_id, "hidden_layers": [4], **config})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def get_json(base: str, path: str) -> Any:
    """GET `path` of a real server at `base`, asserting a 2xx; the JSON body."""
    r = httpx.get(base + path, timeout=10)
    assert r.is_success, r.text
    return r.json()


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll `check` until it holds; returns the seconds it took."""
    t0 = time.monotonic()
    while not check():
        if time.monotonic() - t0 > timeout:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.02)
    return time.monotonic() - t0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(data_dir: Path, log: Path, port: int | None = None,
                 **env: str) -> tuple[subprocess.Popen[bytes], str]:
    """`python -m uvicorn app.main:app`, as `make run` serves it, on a loopback port (a free
    one unless given), with extra LL_* settings in `env`; returns the process and its base
    URL once /api/health answers."""
    port = port or free_port()
    environ = {**os.environ, "LL_DATA_DIR": str(data_dir), "LL_HOST": "127.0.0.1",
               "LL_PORT": str(port), **env}
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", *UVICORN_ARGS, "--host",
             "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        assert proc.poll() is None, f"the server exited: {log.read_text()[-2000:]}"
        try:
            return httpx.get(f"{base}/api/health", timeout=0.5).status_code == 200
        except httpx.TransportError:
            return False

    wait_until(healthy, 30, "the server answering /api/health")
    return proc, base


@contextmanager
def server(data_dir: Path, log: Path, **env: str) -> Iterator[str]:
    """A real server for the `with` block (stopped with SIGTERM, or killed if it hangs)."""
    proc, base = start_server(data_dir, log, **env)
    try:
        yield base
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

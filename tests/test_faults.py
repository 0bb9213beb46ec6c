"""Faults (issue 7 §5): a killed server, a store that cannot write, rude WebSocket clients,
and many short-lived sessions.

- A server killed with SIGKILL mid-training comes back on the same data directory with every
  dataset, and every session restored from its last save (made every few seconds while it
  plays) or a later one.
- A store that refuses writes (read-only, full) answers 503 with a message naming the
  problem, while live sessions keep training and streaming in memory.
- WebSocket clients that vanish without a close frame, never read, or send garbage leave no
  task, thread or player behind, and a client that never reads costs bounded memory.
- A thousand create/step/delete cycles leave the Python heap where it started.

The memory and leak figures are printed (`pytest -s` shows them). Nothing here asserts on
how fast anything is, nor sleeps to let something happen: the tests wait for conditions
(`wait_until`, with generous timeouts that only bound a broken run). The timings these
behaviours have (the age of the save a kill leaves, the frame rate beside a client that never
reads) are measured by `make bench` (tests/bench/bench_play.py).
"""

import asyncio
import base64
import contextlib
import gc
import io
import json
import logging
import os
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import numpy as np
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as ws_connect_sync

from app.config import Settings
from app.main import create_app
from app.ws_protocol import Protocol
from tests.conftest import local_client
from tests.helpers import GENERATE, free_port, make_dataset, make_session, start_server, wait_until
from tests.test_stream import receive as stream_receive

T = TypeVar("T")


# ---- 1. SIGKILL mid-training, restart on the same data directory ----------------------------
Seen = dict[str, list[tuple[float, int]]]  # per session: (time.monotonic(), step) of each frame


async def play_and_watch(base: str, session_ids: list[str], proc: subprocess.Popen[bytes],
                         until: Callable[[Seen], bool], timeout: float = 120) -> tuple[Seen, float]:
    """Play every session over its stream, record (time, step) of each frame until
    `until(records)` holds (asked every 50 ms), then SIGKILL the server; returns the records
    and the moment of the kill."""
    seen: Seen = {sid: [] for sid in session_ids}
    url = base.replace("http://", "ws://")

    async def watch(sid: str) -> None:
        with contextlib.suppress(ConnectionClosed, OSError):
            async with ws_connect(f"{url}/api/sessions/{sid}/stream", max_size=None) as ws:
                assert json.loads(await ws.recv())["type"] == "init"
                await ws.send(json.dumps({"type": "play"}))
                async for raw in ws:
                    msg = json.loads(raw)
                    if msg["type"] == "frame":
                        seen[sid].append((time.monotonic(), msg["step"]))

    watchers = [asyncio.create_task(watch(sid)) for sid in session_ids]
    deadline = time.monotonic() + timeout
    while not until(seen):
        if time.monotonic() > deadline or any(w.done() for w in watchers):
            raise AssertionError(f"not there within {timeout} s (or a stream ended): frames "
                                 f"{ {sid: len(f) for sid, f in seen.items()} }")
        await asyncio.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    killed_at = time.monotonic()
    await asyncio.wait_for(asyncio.gather(*watchers), 10)
    return seen, killed_at


def saved_steps(db: Path) -> dict[str, int]:
    """The step of every session in the store's SQLite file, read as another process would
    (read-only; the server writes in WAL mode, so this never blocks it). The step is in the
    JSON document persist.dump stores beside the arrays."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True,
                                                timeout=5)) as con:
            rows = con.execute("SELECT id, state FROM sessions").fetchall()
    except sqlite3.Error:  # not created yet, or busy: ask again next time
        return {}
    steps = {}
    for sid, blob in rows:
        with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
            steps[sid] = int(json.loads(str(npz["__meta__"]))["trainer"]["step"])
    return steps


def test_sigkill_mid_training_loses_no_dataset_and_no_save(tmp_path: Path) -> None:
    """Two sessions play over WebSockets, saved every second while they play. Once the store
    holds two saves of each made while playing (read from its file), the server is killed with
    SIGKILL and restarted on the same directory. Every dataset must be there as it was, and
    each session must come back paused from its last save seen before the kill or a later one
    (a committed save survives the kill), then train on. (How old the save is at the kill,
    with the default 5 s interval: `make bench`, tests/bench/bench_play.py.)"""
    data_dir, log = tmp_path / "data", tmp_path / "server.log"
    db = Settings(data_dir=data_dir).db_path
    proc, base = start_server(data_dir, log, LL_SAVE_INTERVAL_SECONDS="1")
    try:
        with httpx.Client(base_url=base, timeout=30) as api:
            datasets = [make_dataset(api, "xor"), make_dataset(api, "circle", n=300)]
            sessions = [make_session(api, datasets[0]),
                        make_session(api, datasets[1], hidden_layers=[6, 3])]
            before = {d: (api.get(f"/api/datasets/{d}").json(),
                          api.get(f"/api/datasets/{d}/points").json()) for d in datasets}
        saves: dict[str, list[int]] = {sid: [] for sid in sessions}  # steps saved while playing

        def saved_twice(_: Seen) -> bool:
            for sid, step in saved_steps(db).items():
                if sid in saves and step > 0 and step not in saves[sid]:
                    saves[sid].append(step)
            return all(len(steps) >= 2 for steps in saves.values())

        seen, _ = asyncio.run(play_and_watch(base, sessions, proc, saved_twice))
        assert proc.wait(30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    proc, base = start_server(data_dir, log)
    try:
        with httpx.Client(base_url=base, timeout=30) as api:
            assert sorted(d["id"] for d in api.get("/api/datasets").json()) == sorted(datasets)
            for d, (info, points) in before.items():
                assert api.get(f"/api/datasets/{d}").json() == info
                assert api.get(f"/api/datasets/{d}/points").json() == points
            for sid in sessions:
                streamed = [step for _, step in seen[sid]]
                restored = api.get(f"/api/sessions/{sid}").json()
                step = restored["step"]
                print(f"\nsession {sid}: saved at steps {saves[sid]} while playing, streamed up "
                      f"to step {max(streamed, default=0)}, restored at step {step}")
                assert saves[sid] == sorted(saves[sid]), "saves go forward while playing"
                assert max(streamed, default=0) > 0, "the stream showed it training"
                assert restored["status"] == "paused"
                assert step >= saves[sid][-1], "a save the store held was lost in the kill"
                after = api.post(f"/api/sessions/{sid}/step", json={"steps": 10})
                assert after.status_code == 200, after.text
                assert after.json()["step"] == step + 10
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


# ---- 2. a store that cannot write ------------------------------------------------------------
# Tests run as root, and root ignores permission bits (CAP_DAC_OVERRIDE): chmod 0444 on the
# file and 0555 on the directory would not stop a single write. Mounting a read-only or a
# tiny tmpfs needs CAP_SYS_ADMIN, which the test machine lacks; and chmod would not reach a
# connection that is already open anyway. So the app's own SQLite connection is told to
# refuse writes the way SQLite itself refuses them:
#   PRAGMA query_only=1          → SQLITE_READONLY, "attempt to write a readonly database"
#                                  (the error a read-only file or directory gives);
#   PRAGMA max_page_count=<now>  → SQLITE_FULL, "database or disk is full" (the error of a full
#                                  disk) as soon as a write needs a new page.
# Everything from the failing statement up (Store, registry, routes, player) is the real path.

def store_db(app: FastAPI) -> sqlite3.Connection:
    db: sqlite3.Connection = app.state.store.db
    return db


def read_only(app: FastAPI, on: bool) -> None:
    with app.state.store._lock:  # between two of the store's own statements
        store_db(app).execute(f"PRAGMA query_only={int(on)}")


def disk_full(app: FastAPI) -> None:
    with app.state.store._lock:
        db = store_db(app)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count={pages}")


@pytest.fixture
def fault_app(tmp_path: Path) -> FastAPI:
    return create_app(Settings(data_dir=tmp_path / "data", allowed_hosts=["testserver"],
                               save_interval_seconds=0.2))


def receive(ws: Any, kind: str, limit: int = 500) -> dict[str, Any]:
    """The stream tests' helper, looking further ahead (rude clients provoke many replies)."""
    return stream_receive(ws, kind, limit)


def test_read_only_store_refuses_writes_and_training_goes_on(fault_app: FastAPI) -> None:
    with local_client(fault_app) as client:
        ds, spare = make_dataset(client), make_dataset(client, "circle")
        playing, stepping = make_session(client, ds), make_session(client, ds)
        registry = fault_app.state.registry
        with client.websocket_connect(f"/api/sessions/{playing}/stream") as ws:
            receive(ws, "init")
            read_only(fault_app, True)
            ws.send_json({"type": "play"})
            # the stream goes on, and says why the session is not being saved
            error = receive(ws, "error")
            assert "could not save the session" in error["detail"]
            assert "readonly" in error["detail"] and "read-only" in error["detail"]
            first = later = receive(ws, "frame")["step"]
            for _ in range(1000):  # until a later frame (~2 a tick at full speed)
                if later > first:
                    break
                later = receive(ws, "frame")["step"]
            assert later > first > 0

            # REST training of another live session goes on too
            r = client.post(f"/api/sessions/{stepping}/step", json={"steps": 25})
            assert r.status_code == 200 and r.json()["step"] == 25

            # writes answer 503 with the cause, and leave nothing half-made behind
            live = set(registry.live)
            for method, url, body in [
                ("POST", "/api/datasets/generate", {"kind": "xor", "n": 100, **GENERATE}),
                ("POST", "/api/sessions", {"dataset_id": ds}),
                ("DELETE", f"/api/datasets/{spare}", None),
            ]:
                r = client.request(method, url, json=body)
                assert r.status_code == 503, (url, r.text)
                assert "read-only" in r.json()["detail"], r.text
            assert set(registry.live) == live, "a session that could not be saved stays in memory"
            assert [d["id"] for d in client.get("/api/datasets").json()] == [ds, spare]

            # writable again: pausing saves the step the stream reached
            read_only(fault_app, False)
            ws.send_json({"type": "pause"})
            frame = receive(ws, "frame")
            while frame["status"] != "paused":
                frame = receive(ws, "frame")
        saved = fault_app.state.store.get_session(playing)
        assert saved is not None
        step = client.get(f"/api/sessions/{playing}").json()["step"]
        assert step >= frame["step"] > later
        assert not registry.live[playing].dirty


def test_full_disk_refuses_new_data_and_training_goes_on(fault_app: FastAPI) -> None:
    with local_client(fault_app) as client:
        ds = make_dataset(client)
        sid = make_session(client, ds)
        disk_full(fault_app)
        r = client.post("/api/datasets/generate", json={"kind": "xor", "n": 2000, **GENERATE})
        assert r.status_code == 503
        assert "disk full" in r.json()["detail"]
        assert [d["id"] for d in client.get("/api/datasets").json()] == [ds]
        r = client.post(f"/api/sessions/{sid}/step", json={"steps": 50})
        assert r.status_code == 200 and r.json()["step"] == 50
        with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
            receive(ws, "init")
            ws.send_json({"type": "step", "steps": 5})
            while receive(ws, "frame")["step"] != 55:
                pass


def test_full_disk_message_names_the_cause(fault_app: FastAPI) -> None:
    with local_client(fault_app) as client:
        make_dataset(client)
        disk_full(fault_app)
        r = client.post("/api/datasets/generate", json={"kind": "xor", "n": 2000, **GENERATE})
        assert "database or disk is full" in r.json()["detail"], r.text


def test_a_failed_save_does_not_stop_idle_sessions_leaving_memory(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The sweeper saves idle sessions before dropping them; while the store refuses writes
    they stay in memory, and once it writes again they are saved and leave."""
    app = create_app(Settings(data_dir=tmp_path / "data", allowed_hosts=["testserver"],
                              idle_seconds=0.3))
    with local_client(app) as client:
        sid = make_session(client, make_dataset(client))
        read_only(app, True)
        client.post(f"/api/sessions/{sid}/step", json={"steps": 7})

        def failed_sweeps() -> int:
            return sum(f"could not save idle session {sid}" in r.getMessage()
                       for r in list(caplog.records))

        wait_until(lambda: failed_sweeps() >= 3, 30, "three sweeps failing to save the session")
        assert sid in app.state.registry.live, "an unsaved session must not leave memory"
        read_only(app, False)
        wait_until(lambda: sid not in app.state.registry.live, 30, "the idle session leaving")
        assert client.get(f"/api/sessions/{sid}").json()["step"] == 7


def test_a_deleted_session_stays_deleted_while_a_client_watches(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client))
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        receive(ws, "init")
        assert client.delete(f"/api/sessions/{sid}").status_code == 204
        ws.send_json({"type": "step", "steps": 5})
        assert "was deleted" in receive(ws, "error")["detail"]
        ws.send_json({"type": "pause"})  # a pause would save: it must not bring it back
        assert "was deleted" in receive(ws, "error")["detail"]
        assert client.get(f"/api/sessions/{sid}").status_code == 404
    # the client left and its player is gone, with no save waiting to be flushed: its pause
    # did not save the session back either
    app = client.app
    wait_until(lambda: sid not in app.state.players.by_id  # type: ignore[attr-defined]
               and not app.state.registry.has_changes,  # type: ignore[attr-defined]
               30, "the player leaving and the pending saves flushed")
    assert client.get(f"/api/sessions/{sid}").status_code == 404


# ---- 3. rude WebSocket clients ----------------------------------------------------------------
class LiveServer:
    """The app under a real uvicorn, in a thread of this process, so its state can be read."""

    def __init__(self, settings: Settings):
        self.app = create_app(settings)
        self.port = settings.port
        self.base = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_config=None, ws=Protocol))
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_until_complete,
                                       args=(self.server.serve(),), name="live-server")

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        wait_until(lambda: self.server.started, 60, "uvicorn starting")
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.loop.close()

    def on_loop(self, fn: Callable[[], T]) -> T:
        """`fn()` run on the server's event loop (where its state is safe to read)."""
        async def call() -> T:
            return fn()
        return asyncio.run_coroutine_threadsafe(call(), self.loop).result(30)

    def tasks(self) -> int:
        """Tasks on the server's loop (minus the one asking)."""
        return self.on_loop(lambda: len(asyncio.all_tasks())) - 1

    def players(self) -> int:
        return self.on_loop(lambda: len(self.app.state.players.by_id))

    def busy(self) -> int:
        return self.on_loop(lambda: len(self.app.state.registry.busy))

    def handlers(self) -> int:
        """Connections whose ASGI handler is still running (uvicorn's `run_asgi` tasks)."""
        return self.on_loop(lambda: sum("run_asgi" in t.get_coro().__qualname__  # type: ignore[union-attr]
                                        for t in asyncio.all_tasks()))


def threads() -> tuple[int, int]:
    """(threads other than the event loop's worker pool, worker-pool threads)."""
    names = [t.name for t in threading.enumerate()]
    pool = sum(n.startswith("asyncio_") for n in names)
    return len(names) - pool, pool


@pytest.fixture
def live(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> Iterator[LiveServer]:
    """A live server; the test fails if it logs an error (a crashed handler, a task whose
    exception nobody retrieved)."""
    settings = Settings(data_dir=tmp_path / "data", port=free_port())
    with LiveServer(settings) as server:
        yield server
        gc.collect()  # a forgotten failed task reports itself when collected
        records = caplog.get_records("setup") + caplog.get_records("call") + caplog.records
        errors = [f"{r.name}: {r.getMessage()} {r.exc_info[1] if r.exc_info else ''!r}"
                  for r in records if r.levelno >= logging.ERROR
                  and not r.getMessage().startswith("Invalid UTF-8")]  # uvicorn on the client
        assert not errors, "the server logged errors:\n" + "\n".join(errors)


def raw_ws(port: int, path: str, rcvbuf: int | None = None) -> socket.socket:
    """A WebSocket opened by hand (so it can be dropped without a close frame)."""
    sock = socket.socket()
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(5)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                 f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                 "Sec-WebSocket-Version: 13\r\n\r\n".encode())
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        head += sock.recv(1)  # one byte at a time: the frames after the head stay unread
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


def ws_frame(payload: bytes, opcode: int = 0x1) -> bytes:
    """One client frame (masked with a zero key, which leaves the payload as it is)."""
    n = len(payload)
    if n < 126:
        size = bytes([0x80 | n])
    elif n < 1 << 16:
        size = bytes([0x80 | 126]) + n.to_bytes(2, "big")
    else:
        size = bytes([0x80 | 127]) + n.to_bytes(8, "big")
    return bytes([0x80 | opcode]) + size + b"\0\0\0\0" + payload


def recv_exactly(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        assert chunk, "the server closed the connection"
        data += chunk
    return data


def read_message(sock: socket.socket) -> dict[str, Any]:
    """One unfragmented text message from the server (its frames are not masked)."""
    head = recv_exactly(sock, 2)
    n = head[1] & 0x7F
    if n >= 126:
        n = int.from_bytes(recv_exactly(sock, 2 if n == 126 else 8), "big")
    message: dict[str, Any] = json.loads(recv_exactly(sock, n))
    return message


def drop(sock: socket.socket, reset: bool) -> None:
    """Close the TCP connection without a WebSocket close frame: RST or FIN."""
    if reset:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


PLAY = ws_frame(b'{"type": "play"}')
FRAMES_BESIDE_A_STALLED_CLIENT = 150


def settle(live: LiveServer, tasks: int) -> float:
    """Wait until no player, no busy session and no extra task is left; returns the time."""
    return wait_until(lambda: live.players() == 0 and live.busy() == 0 and live.tasks() <= tasks,
                      30, "players, busy sessions and tasks back to the baseline")


def warm_up(live: LiveServer, sid: str) -> tuple[int, tuple[int, int]]:
    """One well-behaved client, so lazily made tasks and threads exist; then the baseline."""
    url = live.base.replace("http://", "ws://")
    with ws_connect_sync(f"{url}/api/sessions/{sid}/stream", max_size=None) as ws:
        ws.recv()
        ws.send(json.dumps({"type": "play"}))
        for _ in range(5):
            ws.recv()
    # its handler done too (it pauses and saves after the player is gone)
    wait_until(lambda: live.players() == 0 and live.handlers() == 0, 30,
               "the warm-up player and its connection's handler finishing")
    return live.tasks(), threads()


def test_clients_that_vanish_leave_nothing_behind(live: LiveServer) -> None:
    with httpx.Client(base_url=live.base) as api:
        # big enough that building `init` takes a while: the early leavers are gone by then
        sids = [make_session(api, make_dataset(api, n=5000)) for _ in range(2)]
        tasks0, threads0 = warm_up(live, sids[0])
        path = "/api/sessions/{}/stream"
        socks: list[tuple[socket.socket, bool]] = []
        for i in range(20):
            sid = sids[i % 2]
            if i % 5 == 0:  # gone in the middle of the handshake
                s = socket.create_connection(("127.0.0.1", live.port))
                s.sendall(f"GET {path.format(sid)} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
                drop(s, reset=i % 2 == 0)
                continue
            s = raw_ws(live.port, path.format(sid))
            if i % 5 == 1:  # gone before reading the init message
                drop(s, reset=True)
                continue
            s.sendall(PLAY)
            socks.append((s, i % 2 == 0))
        wait_until(lambda: live.busy() == 2, 30, "both sessions playing")

        def steps() -> list[int]:
            return [api.get(f"/api/sessions/{sid}").json()["step"] for sid in sids]

        wait_until(lambda: min(steps()) > 0, 30, "both sessions training")
        for s, reset in socks:
            drop(s, reset)
        took = settle(live, tasks0)  # no player and no busy session left: nothing trains
        after = [api.get(f"/api/sessions/{sid}").json() for sid in sids]
        assert steps() == [s["step"] for s in after], "training stops when the last client is gone"
    assert all(s["status"] == "paused" for s in after)
    tasks1, threads1 = live.tasks(), threads()
    print(f"\n20 vanishing clients: tasks {tasks0} → {tasks1}, threads (other, pool) "
          f"{threads0} → {threads1}, settled in {took:.2f} s")
    assert tasks1 <= tasks0
    assert threads1[0] == threads0[0]
    assert threads1[1] <= min(32, (os.cpu_count() or 1) + 4)  # the loop's default pool


def test_a_client_that_never_reads_costs_bounded_memory(live: LiveServer) -> None:
    """A client sends play and then never reads, for 150 frames (~5 s) of full-speed
    streaming; the server must drop frames for it (not queue them), and another client must
    still get its frames."""
    with httpx.Client(base_url=live.base) as api:
        sid = make_session(api, make_dataset(api), hidden_layers=[8, 8])
        tasks0, _ = warm_up(live, sid)
        gc.collect()
        stalled: socket.socket | None = None
        tracemalloc.start()
        try:
            base_mem = tracemalloc.get_traced_memory()[0]
            stalled = raw_ws(live.port, f"/api/sessions/{sid}/stream", rcvbuf=4096)
            stalled.sendall(PLAY)
            url = live.base.replace("http://", "ws://")
            samples: list[int] = []
            frames, t0 = 0, time.monotonic()
            with ws_connect_sync(f"{url}/api/sessions/{sid}/stream", max_size=None) as ws:
                step0 = api.get(f"/api/sessions/{sid}").json()["step"]
                frame_size = 0
                while frames < FRAMES_BESIDE_A_STALLED_CLIENT:
                    # a client stalled would hold this one back: no frame within the timeout
                    msg = ws.recv(timeout=30)
                    frames += 1
                    frame_size = max(frame_size, len(msg))
                    if frames % 15 == 0:
                        samples.append(tracemalloc.get_traced_memory()[0] - base_mem)
                step1 = api.get(f"/api/sessions/{sid}").json()["step"]
            elapsed = time.monotonic() - t0
            peak = tracemalloc.get_traced_memory()[1] - base_mem
        finally:
            # Training stops before tracing does: on Python < 3.12, tracemalloc.stop() races
            # numpy freeing arrays in another thread and can crash the process (CPython
            # gh-128679, fixed in 3.12 and 3.13 only).
            try:
                if stalled is not None:
                    drop(stalled, reset=True)
                settle(live, tasks0)
                worker = getattr(live.app.state.players, "executor", None)
                if worker is not None:  # the tick it was training when paused is over
                    worker.submit(int).result(5)
            finally:
                tracemalloc.stop()
    early = max(samples[: len(samples) // 3])
    late = max(samples[-len(samples) // 3:])
    print(f"\nnever-reading client, {elapsed:.1f} s at full speed: {step1 - step0} steps, "
          f"the other client got {frames} frames of ≤ {frame_size / 1024:.0f} KiB; "
          f"heap +{early / 2**20:.2f} MiB in the first third, +{late / 2**20:.2f} MiB in the "
          f"last, peak +{peak / 2**20:.2f} MiB")
    assert step1 - step0 > 100, "the session trains on"  # at least a step a frame
    assert late - early < 2 * 2**20, "memory grows while a client does not read"
    assert peak < 20 * 2**20


def test_garbage_gets_errors_and_the_stream_stays_open(live: LiveServer) -> None:
    with httpx.Client(base_url=live.base) as api:
        sid = make_session(api, make_dataset(api))
        tasks0, _ = warm_up(live, sid)
        step0 = api.get(f"/api/sessions/{sid}").json()["step"]
    url = live.base.replace("http://", "ws://") + f"/api/sessions/{sid}/stream"
    garbage: list[tuple[str | bytes, str]] = [
        (b"\x00\xff binary", "binary"),
        ("x" * 1_000_000, "over the limit"),
        ("{not json", "bad control message"),
        ('{"type": "dance"}', "type"),
        ("[1, 2, 3]", "bad control message"),
        ("null", "bad control message"),
        ('"play"', "bad control message"),
        ("[" * 2000 + "]" * 2000, "bad control message"),
        ('{"type": "step", "steps": 1e400}', "steps"),
        ('{"type": "play", "speed": -1}', "speed"),
        ('{"type": "play", "extra": 1}', "extra"),
    ]
    with ws_connect_sync(url, max_size=None) as ws:
        assert json.loads(ws.recv())["type"] == "init"

        def next_of(kind: str) -> dict[str, Any]:
            while True:
                msg: dict[str, Any] = json.loads(ws.recv(timeout=5))
                if msg["type"] == kind:
                    return msg

        for bad, words in garbage:
            ws.send(bad)
            detail = next_of("error")["detail"]
            assert words in detail, (bad[:40], detail)
        # a flood of garbage, not read: the replies waiting for this client stay few
        for _ in range(2000):
            ws.send("{")
        watchers = live.on_loop(lambda: list(live.app.state.players.by_id[sid].watchers))
        assert all(len(w.replies) <= 16 for w in watchers)
        ws.send(json.dumps({"type": "step", "steps": 3}))
        while next_of("frame")["step"] != step0 + 3:
            pass
    # invalid UTF-8 in a text frame, and a frame over uvicorn's 16 MiB: uvicorn closes the
    # connection itself (1007, 1009). Sent once the stream is idle: should the handler be
    # sending at that moment, uvicorn answers that send with a RuntimeError (not a disconnect),
    # which is logged as a crash of the handler (nothing leaks).
    for frame in (ws_frame(b"\xff\xfe", opcode=0x1), ws_frame(b"x" * (17 << 20))):
        s = raw_ws(live.port, f"/api/sessions/{sid}/stream")
        assert [read_message(s)["type"] for _ in range(2)] == ["init", "frame"]
        with contextlib.suppress(OSError):
            s.sendall(frame)
        drop(s, reset=False)
    settle(live, tasks0)
    with httpx.Client(base_url=live.base) as api:
        assert api.get(f"/api/sessions/{sid}").json()["step"] == step0 + 3


# ---- 4. a thousand short-lived sessions ---------------------------------------------------------
def test_a_thousand_create_step_delete_cycles_leave_memory_where_it_was(tmp_path: Path) -> None:
    """1000 sessions created, stepped and deleted over REST, in process (httpx on the ASGI app,
    lifespan running). Python objects are counted over all 1000 cycles (allocated blocks, gc
    objects); tracemalloc, which slows each cycle about fivefold, weighs the last 200 in bytes."""
    app = create_app(Settings(data_dir=tmp_path / "data", allowed_hosts=["testserver"]))
    figures = asyncio.run(create_step_delete(app, cycles=1000, traced=200))
    print(f"\n1000 create/step/delete cycles: {figures['seconds']:.1f} s; allocated blocks "
          f"{figures['blocks'][0]} → {figures['blocks'][1]}, gc objects {figures['objects'][0]} → "
          f"{figures['objects'][1]}; traced heap over the last 200 "
          f"{figures['traced'][0] / 1024:.0f} → {figures['traced'][1] / 1024:.0f} KiB "
          f"(peak +{figures['peak'] / 1024:.0f} KiB; {figures['server'] / 1024:+.1f} KiB "
          f"outside the client's URL caches); RSS {figures['rss'][0] / 2**20:.0f} → "
          f"{figures['rss'][1] / 2**20:.0f} MiB\n{figures['top']}")
    blocks, objects, traced = (b - a for a, b in
                               (figures["blocks"], figures["objects"], figures["traced"]))
    assert objects < 500, f"{objects} more gc objects after 1000 cycles"
    assert blocks < 2000, f"{blocks} more allocated blocks after 1000 cycles"
    assert traced < 256 * 1024, f"the heap grew by {traced} bytes in 200 cycles:\n{figures['top']}"
    assert figures["server"] < 32 * 1024, f"the app kept {figures['server']} bytes in 200 cycles"


# Bounded caches on the client's side that every new URL (a new session id) refreshes: entries
# made before tracing get replaced by traced ones, which reads as growth up to their size
# (urllib.parse and httpx keep 128 URLs, re 512 patterns). And the import system's own caches:
# httpx's ASGI transport runs `import sniffio` on every request, which fails where sniffio is
# not installed and goes through the finders each time (setuptools' _distutils_hack among
# them); what they keep depends on the directories on sys.path, not on the sessions.
CLIENT_CACHES = [tracemalloc.Filter(False, pattern) for pattern in
                 ("*/urllib/parse.py", "*/re/__init__.py", "*/httpx/*", "<string>",
                  "<frozen importlib._bootstrap*>", "*/_distutils_hack/*")]


async def create_step_delete(app: FastAPI, cycles: int, traced: int) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), \
            httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
        r = await api.post("/api/datasets/generate", json={"kind": "xor", "n": 200, **GENERATE})
        ds = r.json()["id"]

        async def cycle() -> None:
            r = await api.post("/api/sessions", json={"dataset_id": ds, "hidden_layers": [4]})
            assert r.status_code == 201, r.text
            sid = r.json()["id"]
            r = await api.post(f"/api/sessions/{sid}/step", json={"steps": 5})
            assert r.status_code == 200 and r.json()["step"] == 5, r.text
            assert (await api.delete(f"/api/sessions/{sid}")).status_code == 204

        def settled() -> None:
            """Write what the requests changed now, as the flusher does within
            durable_seconds: until then it holds the changed (here: deleted) sessions, as many
            as the last half second made, which would read as growth (or shrinkage)."""
            app.state.registry.flush()
            gc.collect()

        for _ in range(30):  # warm caches, pools and lazily built objects
            await cycle()
        settled()
        t0, rss0 = time.monotonic(), rss()
        blocks0, objects0 = sys.getallocatedblocks(), len(gc.get_objects())
        for _ in range(cycles - traced):
            await cycle()
        settled()
        tracemalloc.start()  # started and stopped while no other thread runs numpy (see above)
        try:
            before, mem0 = tracemalloc.take_snapshot(), tracemalloc.get_traced_memory()[0]
            for _ in range(traced):
                await cycle()
            settled()
            mem1, peak = tracemalloc.get_traced_memory()
            after = tracemalloc.take_snapshot()
        finally:
            tracemalloc.stop()
        top = "\n".join(str(s) for s in after.compare_to(before, "lineno")[:5])
        server = [s.size_diff for s in after.filter_traces(CLIENT_CACHES).compare_to(
            before.filter_traces(CLIENT_CACHES), "filename")]
        del before, after
        settled()
        blocks1, objects1 = sys.getallocatedblocks(), len(gc.get_objects())
        assert app.state.registry.live == {} and app.state.players.by_id == {}
        assert app.state.store.list_session_ids() == []
    return {"seconds": time.monotonic() - t0, "blocks": (blocks0, blocks1),
            "objects": (objects0, objects1), "traced": (mem0, mem1), "peak": peak - mem0,
            "server": sum(server),
            "rss": (rss0, rss()), "top": top}


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

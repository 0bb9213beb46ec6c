# What this measures (a benchmark that reports; it asserts nothing and never fails on a target):
#
# The session built the way the app builds it: create_app(Settings(data_dir=tmp)) under a
# TestClient, POST /api/datasets/generate {"kind": "spiral", "n": 500, "noise": 0.1, "seed": 1},
# POST /api/sessions {hidden_layers [8, 8], tanh, test_fraction 0} (defaults otherwise: adam,
# lr 0.03, full batch), then app.state.registry.get(id).
#
# 1. Frame: the binary frame of the page's default view (tests/bench/common.py PAGE_VIEW, as
#    static/js/view-spec.js gives it: the 100x100 output map, every neuron at 24x24, no hidden
#    points), framing.frames_for from a fresh read (no cache) — median per call — and its parts
#    timed alone, round-robin with it: the grids' forward pass, the quantising, the hidden
#    points, the metrics, framing.pack of a built message. Beside it: the same frame with the
#    parameters unmoved (the cache's case), the hidden space pane's frame (every neuron at 64²
#    and the points) and main's frame, JSON of every map at 100²/64² (json.dumps, as before).
#    Target <= 0.5 ms.
#    Bytes on the wire: JSON of every map vs binary of the page's view, 2-8-8-1 and 6x32
#    (targets <= 30 kB and <= 200 kB).
# 2. End to end over a real WebSocket on 127.0.0.1: uvicorn app.main:app in a subprocess (free
#    port, LL_DATA_DIR in a temp folder). Clients (the `websockets` package) connect to
#    /api/sessions/{id}/stream, one sends {"type": "play"} (as fast as possible); after 1 s of
#    warm-up, frames are counted over a window and the session's step is read by GET before and
#    after it: frames/s per client and training steps/s while streaming. Compared with the same
#    config trained without streaming, measured in the same run: Trainer.step(n) in this process
#    (the engine alone: the target's reference), session.train(n) in this process (with history
#    recording) and POST /step on the server (server side, no stream). Cases: 1 client; 4 clients
#    on one session; 10 sessions, one client each, with GET /api/health latency (p50/p99) probed
#    from a separate process during the window and, for reference, with the server idle.
#    Clients open ?format=binary, ask for permessage-deflate and send the page's view, as the
#    page does in a browser. Targets: one session >= 30 frames/s and >= 90% of standalone;
#    10 sessions >= 28 frames/s each and their sum >= 60% of one standalone. A frame rate is
#    met within one frame over the window (the counting's resolution: a steady 30 frames/s
#    shows 299 or 300 frames in 10 s).
# 3. Memory after 1,000,000 steps, for 2-8-8-1 and 6x32 (tanh, the same data): the history's
#    size (metrics + checkpoints, a deep size: array bytes + Python objects), the growth of
#    tracemalloc's traced memory over the run, and len(persist.dump(session)). The history keeps
#    only what its thinning keeps, which depends on the step numbers alone, not on the weights;
#    a million real steps would take minutes (the 6x32 one, an hour), so the run trains the first
#    steps for real and then replaces trainer.step by a counter (step_count and epoch advance,
#    no arithmetic): session.train, the thinning, the metrics evaluations and trainer.state()
#    checkpoints all run as they would. Target: <= ~10 MB per session.
#
# The machine is shared and noisy: the load average is printed with the environment.
"""Session benchmark: frame build time, WebSocket frames/s and steps/s, memory per session."""

import asyncio
import contextlib
import gc
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from app.config import Settings
from app.main import create_app
from app.schemas.sessions import ViewControl
from app.training import frames, framing, persist
from app.training.session import TrainingSession
from app.ws_protocol import UVICORN_ARGS
from tests.bench.common import (
    COMPRESSION,
    HIDDEN_PANE_VIEW,
    PAGE_VIEW,
    Case,
    environment,
    fmt_time,
    frame_step,
    load_average,
    markdown_table,
    measure,
    message_kind,
)

DATASET = {"kind": "spiral", "n": 500, "noise": 0.1, "seed": 1}
HIDDEN = [8, 8]
BIG = [32] * 6
ACTIVATION = "tanh"

FRAME_CALLS, FRAME_REPEATS = 40, 9
BIG_FRAME_CALLS, BIG_FRAME_REPEATS = 2, 5
TARGET_FRAME_S = 0.5e-3
TARGET_BYTES = {"2-8-8-1": 30e3, "2-32x6-1": 200e3}

STANDALONE_STEPS, STANDALONE_REPEATS = 1000, 3
REST_STEPS = 4000
PRETRAIN = 5000  # steps before the baselines are timed (the stream's run starts at 0)
WARMUP_S = 1.0
WINDOW_1, WINDOW_4, WINDOW_10 = 10.0, 5.0, 6.0
N_WATCHERS, N_SESSIONS = 4, 10
HEALTH_INTERVAL_S = 0.02
TARGET_FPS = 30.0
TARGET_KEEP = 0.9  # steps/s while streaming / standalone (one session)
TARGET_FPS_10, TARGET_KEEP_10 = 28.0, 0.6  # 10 sessions: fps each; their sum / standalone

LATE_STEP = 300_000  # a session far into its run, for the tick diagnostic
TICK_SECONDS = 1.5
THREADS = (1, 2, 10)
THREAD_SECONDS, THREAD_CHUNK = 1.5, 50

MILLION = 1_000_000
REAL_PREFIX = {"2-8-8-1": 3000, "2-32x6-1": 300}  # steps trained for real before the counter
TARGET_MEMORY = 10e6

HEALTH_PROBE = """
import http.client, json, sys, time
host, port = sys.argv[1], int(sys.argv[2])
seconds, interval = float(sys.argv[3]), float(sys.argv[4])
conn = http.client.HTTPConnection(host, port, timeout=5)
lat, errors, end = [], 0, time.monotonic() + seconds
while time.monotonic() < end:
    t = time.perf_counter()
    try:
        conn.request("GET", "/api/health")
        r = conn.getresponse()
        r.read()
        lat.append(time.perf_counter() - t)
    except Exception:
        errors += 1
        conn.close()
        conn = http.client.HTTPConnection(host, port, timeout=5)
    time.sleep(max(0.0, interval - (time.perf_counter() - t)))
print(json.dumps({"latencies": lat, "errors": errors}))
"""


# ---- building sessions the way the app does -------------------------------------------------
def session_body(dataset_id: str, hidden: list[int]) -> dict[str, Any]:
    return {"dataset_id": dataset_id, "hidden_layers": hidden, "activation": ACTIVATION,
            "test_fraction": 0}


@contextlib.contextmanager
def in_process_app() -> Iterator[Any]:
    """A TestClient over create_app(Settings(data_dir=tmp)), its lifespan running, connecting
    from 127.0.0.1 with a loopback Host header (so the app asks it for no token)."""
    from tests.conftest import local_client

    with tempfile.TemporaryDirectory() as tmp, local_client(
        create_app(Settings(data_dir=Path(tmp))), base_url="http://127.0.0.1"
    ) as client:
        yield client


def new_session(client: Any, dataset_id: str, hidden: list[int]) -> TrainingSession:
    r = client.post("/api/sessions", json=session_body(dataset_id, hidden))
    r.raise_for_status()
    session: TrainingSession = client.app.state.registry.get(r.json()["id"])
    return session


def name_of(hidden: list[int]) -> str:
    if len(set(hidden)) == 1 and len(hidden) > 2:
        return f"2-{hidden[0]}x{len(hidden)}-1"
    return "-".join(map(str, [2, *hidden, 1]))


# ---- 1. the frame -----------------------------------------------------------------------------
def repeat(fn: Callable[[], object], calls: int) -> Callable[[], None]:
    def run() -> None:
        for _ in range(calls):
            fn()

    return run


def page_view(spec: dict[str, Any] = PAGE_VIEW) -> framing.View:
    return framing.View.of(ViewControl(**spec))


def frame_cases(s: TrainingSession, calls: int, repeats: int, label: str) -> list[Case]:
    """The page's binary frame and its parts, each repeated `calls` times per sample, from a
    fresh read of the session every time (no cache: as if every parameter moved); beside it
    the JSON frame of every map (what main sent every client) and the binary frame again
    with the parameters unmoved (the cache's case: a paused session, a second watcher)."""
    view = page_view()
    page: list[tuple[framing.View, framing.Format]] = [(view, "binary")]
    every_map: list[tuple[framing.View, framing.Format]] = [(framing.DEFAULT_VIEW, "json")]
    hidden_pane: list[tuple[framing.View, framing.Format]] = [(page_view(HIDDEN_PANE_VIEW),
                                                               "binary")]
    out_grid, small = s.grid(view.output), s.grid(view.neuron_size)
    acts, thumbs = frames.evaluate(s.net, out_grid), frames.evaluate(s.net, small)
    build = framing.Build(s)
    message, payload = build.message(view, "binary")
    cache = framing.MapCache()
    framing.frames_for(s, page, cache)

    def grids() -> None:
        framing.Build(s).forward([view.output, view.neuron_size])

    def quantise() -> None:
        frames.quantise_columns(s.output_in_units(acts[-1]), s.net.output.name)
        frames.quantise_columns(np.hstack(thumbs[:-1]), s.config.activation)

    parts = [
        (f"grid forward (one pass over the {view.output}² and {view.neuron_size}² points)",
         grids),
        ("quantising (quantise_columns: the output map, then every neuron's)", quantise),
        ("hidden points, the hidden pane only (forward on the points + quantising)",
         lambda: framing.Build(s).hidden_points()),
        ("metrics (evaluate → Metrics → dict)", lambda: s.evaluate().as_metrics().model_dump()),
        ("header + payload (framing.pack of a built message)",
         lambda: framing.pack(message, payload)),
    ]
    whole = Case(f"{label}: binary frame, the page's view (frames_for)",
                 repeat(lambda: framing.frames_for(s, page), calls), calls, repeats)
    return [whole] + [Case(f"{label}:   {n}", repeat(f, calls), calls, repeats)
                      for n, f in parts] + [
        Case(f"{label}: binary frame, the page's view, parameters unmoved (cached maps)",
             repeat(lambda: framing.frames_for(s, page, cache), calls), calls, repeats),
        Case(f"{label}: binary frame, the hidden space's pane (neurons at "
             f"{HIDDEN_PANE_VIEW['neuron_size']}², the points)",
             repeat(lambda: framing.frames_for(s, hidden_pane), calls), calls, repeats),
        Case(f"{label}: JSON frame, every map at 100²/64² (main's frame)",
             repeat(lambda: framing.frames_for(s, every_map), calls), calls, repeats),
    ]


def frame_sizes(s: TrainingSession) -> tuple[int, int]:
    """Bytes on the wire: the JSON frame of every map, the binary frame of the page's view."""
    view = page_view()
    keys: list[tuple[framing.View, framing.Format]] = [(framing.DEFAULT_VIEW, "json"),
                                                       (view, "binary")]
    built = framing.frames_for(s, keys)
    return len(built[keys[0]]), len(built[keys[1]])


# ---- 3. memory ----------------------------------------------------------------------------------
def deep_size(obj: Any, seen: set[int] | None = None) -> int:
    """Bytes held by obj and everything it references (arrays: header + buffer), each once."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        size = sys.getsizeof(obj)  # includes the buffer when the array owns it
        return size + (deep_size(obj.base, seen) if obj.base is not None else 0)
    size = sys.getsizeof(obj)
    if isinstance(obj, dict):
        size += sum(deep_size(k, seen) + deep_size(v, seen) for k, v in obj.items())
    elif isinstance(obj, list | tuple | set | frozenset):
        size += sum(deep_size(v, seen) for v in obj)
    elif hasattr(obj, "__dict__"):
        size += deep_size(vars(obj), seen)
    return size


def array_bytes(obj: Any) -> int:
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    if isinstance(obj, dict):
        return sum(array_bytes(v) for v in obj.values())
    if isinstance(obj, list | tuple):
        return sum(array_bytes(v) for v in obj)
    return 0


def counting_step(s: TrainingSession) -> None:
    """Replace s.trainer.step by a counter: steps and epochs advance, the weights do not."""
    trainer = s.trainer
    full_batch = trainer.full_batch

    def step(n: int = 1, between: Callable[[], None] | None = None) -> None:
        for i in range(n):  # as Trainer.step: `between` after each step but the last
            if i > 0 and between is not None:
                between()
            trainer.step_count += 1
            if full_batch:
                trainer.epoch += 1

    trainer.step = step  # type: ignore[method-assign]


def memory_rows(client: Any, dataset_id: str) -> list[list[str]]:
    rows = []
    for hidden in (HIDDEN, BIG):
        label = name_of(hidden)
        gc.collect()
        tracemalloc.start()
        start = time.perf_counter()
        s = new_session(client, dataset_id, hidden)
        created = tracemalloc.get_traced_memory()[0]
        prefix = REAL_PREFIX[label]
        s.train(prefix)
        counting_step(s)
        done = prefix
        while done < MILLION:
            done += s.train(min(100_000, MILLION - done))
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - created
        tracemalloc.stop()
        h = s.history
        hist = deep_size(h)
        ck_arrays = array_bytes(h.checkpoints.items)
        blob = len(persist.dump(s))
        seconds = time.perf_counter() - start
        rows.append([
            f"{label} ({s.net.params.size:,} params), step {s.step_count:,}",
            f"{len(h.metrics.steps)} (stride {h.metrics.stride})",
            f"{len(h.checkpoints.steps)} (stride {h.checkpoints.stride}, cap "
            f"{h.checkpoints.cap})",
            mb(ck_arrays), mb(hist), mb(grown), mb(blob), f"<= {mb(TARGET_MEMORY)}",
            "yes" if max(hist, grown, blob) <= TARGET_MEMORY * 1.05 else "NO",
            f"{seconds:.1f} s",
        ])
    return rows


def mb(n: float) -> str:
    return f"{n / 1e6:.2f} MB"


# ---- 2. the stream ------------------------------------------------------------------------------
def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` so far (every thread), -1 where unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return -1.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def server() -> Iterator[tuple[str, int]]:
    """uvicorn app.main:app in a subprocess on 127.0.0.1, as `make run` serves it, data in a
    temp folder: (URL, pid)."""
    import httpx

    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "LL_DATA_DIR": tmp, "LL_HOST": "127.0.0.1", "LL_PORT": str(port)}
        log = open(Path(tmp) / "server.log", "wb")  # noqa: SIM115 - closed below
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", *UVICORN_ARGS, "--host",
             "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise RuntimeError("server did not start: "
                                       + (Path(tmp) / "server.log").read_text()[-2000:])
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(base + "/api/health", timeout=1).status_code == 200:
                        break
                time.sleep(0.1)
            yield base, proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


def health_probe(base: str, seconds: float) -> subprocess.Popen[bytes]:
    host, port = base.removeprefix("http://").split(":")
    return subprocess.Popen(
        [sys.executable, "-c", HEALTH_PROBE, host, port, str(seconds), str(HEALTH_INTERVAL_S)],
        stdout=subprocess.PIPE,
    )


def probe_result(proc: subprocess.Popen[bytes], seconds: float) -> dict[str, Any]:
    out, _ = proc.communicate(timeout=seconds + 15)
    result: dict[str, Any] = json.loads(out)
    return result


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


async def stream_case(base: str, pid: int, session_ids: list[str], per_session: int,
                      window: float, probe: bool = False) -> dict[str, Any]:
    """Watch `session_ids` (`per_session` clients each), play them all, count over `window`."""
    import httpx
    from websockets.asyncio.client import connect

    ws_base = base.replace("http://", "ws://")
    counting = {"on": False}
    counts: list[int] = []
    sizes: list[int] = []
    ready = asyncio.Event()
    stop = asyncio.Event()
    n_clients = len(session_ids) * per_session
    connected = {"n": 0}

    async def client(k: int, sid: str, leader: bool) -> None:
        async with connect(f"{ws_base}/api/sessions/{sid}/stream?format=binary",
                           max_size=None, compression=COMPRESSION, open_timeout=10) as ws:
            await ws.recv()  # init
            await ws.recv()  # the first frame
            await ws.send(json.dumps(PAGE_VIEW))  # as the page: binary, its default view
            connected["n"] += 1
            if connected["n"] == n_clients:
                ready.set()
            await ready.wait()
            if leader:
                await ws.send(json.dumps({"type": "play"}))
            recv = asyncio.ensure_future(ws.recv())
            while not stop.is_set():
                done, _ = await asyncio.wait({recv}, timeout=0.1)
                if not done:
                    continue
                msg = recv.result()
                recv = asyncio.ensure_future(ws.recv())
                if counting["on"] and message_kind(msg) == "frame" and frame_step(msg) is not None:
                    counts[k] += 1
                    sizes[k] += len(msg)
            recv.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await recv
            if leader:
                await ws.send(json.dumps({"type": "pause"}))

    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        async def steps() -> list[int]:
            rs = await asyncio.gather(*(http.get(f"/api/sessions/{sid}") for sid in session_ids))
            return [r.json()["step"] for r in rs]

        tasks = []
        for sid in session_ids:
            for j in range(per_session):
                counts.append(0)
                sizes.append(0)
                tasks.append(asyncio.create_task(client(len(counts) - 1, sid, j == 0)))
        await asyncio.wait_for(ready.wait(), 30)
        await asyncio.sleep(WARMUP_S)
        prober = health_probe(base, window) if probe else None
        before = await steps()
        cpu0, mine0 = cpu_seconds(pid), time.process_time()
        t0 = time.perf_counter()
        counting["on"] = True
        await asyncio.sleep(window)
        counting["on"] = False
        t1 = time.perf_counter()
        cpu1, mine1 = cpu_seconds(pid), time.process_time()
        after = await steps()
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 30)
    elapsed = t1 - t0
    result: dict[str, Any] = {
        "fps": [c / elapsed for c in counts],
        "window": elapsed,
        "frame_bytes": sum(sizes) / max(1, sum(counts)),
        "steps_per_s": [(a - b) / elapsed for a, b in zip(after, before, strict=True)],
        "server_cpu": (cpu1 - cpu0) / elapsed if cpu0 >= 0 and cpu1 >= 0 else None,
        "client_cpu": (mine1 - mine0) / elapsed,
    }
    if prober is not None:
        result["health"] = await asyncio.to_thread(probe_result, prober, window)
    return result


def rest_steps_per_s(base: str, session_id: str) -> float:
    import httpx

    with httpx.Client(base_url=base, timeout=60) as http:
        http.post(f"/api/sessions/{session_id}/step", json={"steps": PRETRAIN}).raise_for_status()
        t = time.perf_counter()
        r = http.post(f"/api/sessions/{session_id}/step", json={"steps": REST_STEPS})
        elapsed = time.perf_counter() - t
        r.raise_for_status()
        return (r.json()["step"] - PRETRAIN) / elapsed


def stream_rows(standalone: Callable[[], float], session_train: Callable[[], float]
                ) -> tuple[list[list[str]], list[str]]:
    """Run the server and the three stream cases; table rows and notes."""
    import httpx

    baseline: list[float] = []
    in_session: list[float] = []
    notes: list[str] = []
    rows: list[list[str]] = []
    with server() as (base, pid):
        with httpx.Client(base_url=base, timeout=30) as http:
            dataset = http.post("/api/datasets/generate", json=DATASET).json()["id"]

            def create() -> str:
                r = http.post("/api/sessions", json=session_body(dataset, HIDDEN))
                r.raise_for_status()
                sid: str = r.json()["id"]
                return sid

            rest_sid = create()
            one = create()
            many = [create() for _ in range(N_SESSIONS)]
        idle_probe = health_probe(base, 2.0)
        idle = probe_result(idle_probe, 2.0)
        rest = rest_steps_per_s(base, rest_sid)

        def sample() -> None:
            baseline.append(standalone())
            in_session.append(session_train())

        sample()
        r1 = asyncio.run(stream_case(base, pid, [one], 1, WINDOW_1))
        sample()
        r4 = asyncio.run(stream_case(base, pid, [one], N_WATCHERS, WINDOW_4))
        sample()
        r10 = asyncio.run(stream_case(base, pid, many, 1, WINDOW_10, probe=True))
        sample()
    ref = statistics.median(baseline)
    notes.append(
        f"standalone steps/s (engine Trainer.step, in this process, {len(baseline)} samples "
        f"between the cases): median {ref:,.0f}, range {min(baseline):,.0f}–{max(baseline):,.0f}; "
        f"session.train in this process: median {statistics.median(in_session):,.0f}; "
        f"POST /step on the server (no stream): {rest:,.0f}"
    )

    def row(label: str, r: dict[str, Any]) -> list[str]:
        fps = r["fps"]
        sps = r["steps_per_s"]
        keep = statistics.median(sps) / ref
        fps_txt = (f"{fps[0]:.1f}" if len(fps) == 1 else
                   f"median {statistics.median(fps):.1f}, min {min(fps):.1f}")
        sps_txt = (f"{sps[0]:,.0f}" if len(sps) == 1 else
                   f"median {statistics.median(sps):,.0f}, min {min(sps):,.0f}")
        # with 10 sessions sharing the CPUs, the comparable figure is their sum
        if len(sps) > 1:
            keep = sum(sps) / ref
            sps_txt += f", sum {sum(sps):,.0f}"
        many = len(sps) > 1
        # a stream of exactly 30 frames/s shows 30·window ± 1 frames in a window: one frame is
        # the counting's resolution (300 frames in 10.002 s are 29.99 frames/s)
        resolution = 1 / r["window"]
        met_fps = "yes" if min(fps) >= (TARGET_FPS_10 if many else TARGET_FPS) - resolution \
            else "NO"
        met_keep = "yes" if keep >= (TARGET_KEEP_10 if many else TARGET_KEEP) else "NO"
        cpu = "?" if r["server_cpu"] is None else f"{r['server_cpu']:.0%}"
        return [label, fps_txt, f"{r['frame_bytes'] / 1e3:.0f} kB", sps_txt,
                f"{keep:.0%} of {ref:,.0f}", f"{cpu} / {r['client_cpu']:.0%}",
                f"fps {met_fps}, steps {met_keep}"]

    rows.append(row(f"1 client, 1 session ({WINDOW_1:g} s)", r1))
    rows.append(row(f"{N_WATCHERS} clients, 1 session ({WINDOW_4:g} s)", r4))
    rows.append(row(f"{N_SESSIONS} sessions × 1 client ({WINDOW_10:g} s; steps/s: sum vs 1 "
                    "standalone)", r10))
    h10, hidle = r10["health"], idle
    notes.append(
        f"GET /api/health latency, server idle: p50 {fmt_time(percentile(hidle['latencies'], 50))}"
        f", p99 {fmt_time(percentile(hidle['latencies'], 99))} ({len(hidle['latencies'])} "
        f"requests); during {N_SESSIONS} streaming sessions: p50 "
        f"{fmt_time(percentile(h10['latencies'], 50))}, p99 "
        f"{fmt_time(percentile(h10['latencies'], 99))}, max "
        f"{fmt_time(max(h10['latencies'], default=float('nan')))} ({len(h10['latencies'])} "
        f"requests, {h10['errors']} errors)"
    )
    return rows, notes


# ---- 2b. diagnostics: the play loop's tick, and training threads sharing the GIL --------------
def tick_rows(client: Any, dataset_id: str) -> list[list[str]]:
    """What Player._run does per tick at full speed, in this process without the event loop:
    session.train(max_steps, deadline=now + period), then json.dumps(frame_message(s)); on a
    fresh session and on one far into its run (history strides large, chunks of 256 steps)."""
    settings = client.app.state.settings
    period = 1.0 / settings.frame_rate
    rows = []
    s = new_session(client, dataset_id, HIDDEN)
    s.train(PRETRAIN)
    for label, at in (("step ~5k", 0), (f"step ~{LATE_STEP // 1000}k", LATE_STEP)):
        if at:
            counting_step(s)
            s.train(at - s.step_count)
            del s.trainer.step  # back to real training (the weights are those of step ~5k)
        overshoot, ticks, chunk = [], [], []
        stop = time.perf_counter() + TICK_SECONDS
        while time.perf_counter() < stop:
            t = time.monotonic()
            done = s.train(settings.max_steps_per_request, t + period)
            t1 = time.monotonic()
            framing.frames_for(s, [(page_view(), "binary")])
            overshoot.append(t1 - t - period)
            ticks.append(time.monotonic() - t)
            chunk.append(done)
        h = s.history
        tick = statistics.median(ticks)
        rows.append([
            f"{label} (metrics stride {h.metrics.stride}, checkpoint stride "
            f"{h.checkpoints.stride})",
            f"{s._chunk(10**9, None)[0]}", fmt_time(statistics.median(overshoot)),
            fmt_time(max(overshoot)), fmt_time(tick), f"{1 / tick:.1f}",
        ])
    return rows


def thread_rows(client: Any, dataset_id: str) -> list[list[str]]:
    """Total Trainer.step rate of k sessions trained by k threads at once (as asyncio.to_thread
    does for k playing sessions), and by one thread taking them in turn."""
    sessions = [new_session(client, dataset_id, HIDDEN) for _ in range(max(THREADS))]
    rows = []

    def total_rate(k: int, one_thread: bool) -> float:
        counts = [0] * k
        stop = time.monotonic() + THREAD_SECONDS

        def run(i: int) -> None:
            while time.monotonic() < stop:
                sessions[i].trainer.step(THREAD_CHUNK)
                counts[i] += THREAD_CHUNK

        def turns() -> None:
            while time.monotonic() < stop:
                for i in range(k):
                    sessions[i].trainer.step(THREAD_CHUNK)
                    counts[i] += THREAD_CHUNK

        start = time.perf_counter()
        threads = ([threading.Thread(target=turns)] if one_thread else
                   [threading.Thread(target=run, args=(i,)) for i in range(k)])
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return sum(counts) / (time.perf_counter() - start)

    single = total_rate(1, False)
    rows.append(["1 session, 1 thread", f"{single:,.0f}", "100%"])
    for k in THREADS[1:]:
        rate = total_rate(k, False)
        rows.append([f"{k} sessions, {k} threads", f"{rate:,.0f}", f"{rate / single:.0%}"])
    rate = total_rate(max(THREADS), True)
    rows.append([f"{max(THREADS)} sessions, 1 thread in turn ({THREAD_CHUNK} steps each)",
                 f"{rate:,.0f}", f"{rate / single:.0%}"])
    return rows


# ---- main ---------------------------------------------------------------------------------------
def main() -> None:
    start = time.perf_counter()
    print(f"2-8-8-1 {ACTIVATION}/sigmoid, spiral n=500 noise=0.1 seed=1, test_fraction 0, adam "
          "lr 0.03, full batch; output map 100², neuron maps 64²")
    for line in environment():
        print(line)
    print(load_average(), flush=True)

    with in_process_app() as client:
        r = client.post("/api/datasets/generate", json=DATASET)
        r.raise_for_status()
        dataset_id = r.json()["id"]

        # 1. frame
        s = new_session(client, dataset_id, HIDDEN)
        s.train(PRETRAIN)
        big = new_session(client, dataset_id, BIG)
        big.train(50)
        small_cases = frame_cases(s, FRAME_CALLS, FRAME_REPEATS, "2-8-8-1")
        big_cases = frame_cases(big, BIG_FRAME_CALLS, BIG_FRAME_REPEATS, "2-32x6-1")
        measure([*small_cases, *big_cases])
        small_json, small_bin = frame_sizes(s)
        big_json, big_bin = frame_sizes(big)

        frame_table = []
        for cases in (small_cases, big_cases):
            whole = cases[0]
            for case in cases:
                is_whole = case is whole
                target = f"< {fmt_time(TARGET_FRAME_S)}" if is_whole and cases is small_cases \
                    else "—"
                met = ("yes" if case.median < TARGET_FRAME_S else "NO") if target != "—" else "—"
                frame_table.append([case.name, fmt_time(case.median), fmt_time(case.min),
                                    "100%" if is_whole else f"{case.median / whole.median:.0%}",
                                    target, met])
        print(f"\n### 1. One frame (median of {FRAME_REPEATS}x{FRAME_CALLS} calls; 6x32: "
              f"{BIG_FRAME_REPEATS}x{BIG_FRAME_CALLS})\n")
        print(markdown_table(["part", "median", "min", "of frame", "target", "met"],
                             frame_table), flush=True)
        size_rows = [[label, f"{j / 1e3:.0f} kB", f"{b / 1e3:.1f} kB",
                      f"<= {TARGET_BYTES[label] / 1e3:.0f} kB",
                      "yes" if b <= TARGET_BYTES[label] else "NO"]
                     for label, j, b in (("2-8-8-1", small_json, small_bin),
                                         ("2-32x6-1", big_json, big_bin))]
        print(f"\nFrame bytes on the wire (the page's view: {PAGE_VIEW})\n")
        print(markdown_table(["network", "JSON, every map (main's frame)",
                              "binary, the page's view", "target", "met"], size_rows))

        # baselines for 2.
        base_s = new_session(client, dataset_id, HIDDEN)
        base_s.trainer.step(PRETRAIN)
        train_s = new_session(client, dataset_id, HIDDEN)
        train_s.train(PRETRAIN)

        def standalone() -> float:
            best = []
            for _ in range(STANDALONE_REPEATS):
                t = time.perf_counter()
                base_s.trainer.step(STANDALONE_STEPS)
                best.append(STANDALONE_STEPS / (time.perf_counter() - t))
            return statistics.median(best)

        def session_train() -> float:
            t = time.perf_counter()
            n = train_s.train(STANDALONE_STEPS)
            return n / (time.perf_counter() - t)

        # 2. stream
        rows, notes = stream_rows(standalone, session_train)
        print(f"\n### 2. Over a WebSocket on 127.0.0.1 (uvicorn subprocess; play at full speed, "
              f"{WARMUP_S:g} s warm-up, then counted)\n")
        print(markdown_table(["case", "frames/s per client", "frame size", "steps/s (streaming)",
                              "vs standalone", "CPU server / clients",
                              f"targets (>= {TARGET_FPS:g} fps, one frame counted; "
                              f">= {TARGET_KEEP:.0%})"], rows))
        for note in notes:
            print(note)
        sys.stdout.flush()

        # 2b. diagnostics
        print("\n### 2b. Diagnostics, in this process: the play loop's tick at full speed "
              f"(train until now + 1/{client.app.state.settings.frame_rate:g} s, then build and "
              "serialise a frame)\n")
        print(markdown_table(["session", "steps per chunk now", "deadline overshoot (median)",
                              "overshoot (max)", "tick (median)", "frames/s it allows"],
                             tick_rows(client, dataset_id)))
        print(f"\nTraining threads sharing one interpreter (Trainer.step, chunks of "
              f"{THREAD_CHUNK}, {THREAD_SECONDS:g} s each)\n")
        print(markdown_table(["case", "total steps/s", "vs 1 thread"],
                             thread_rows(client, dataset_id)))
        sys.stdout.flush()

        # 3. memory
        mem = memory_rows(client, dataset_id)
    print("\n### 3. Memory per session after 1,000,000 steps (real training for the first "
          f"{REAL_PREFIX['2-8-8-1']:,} / {REAL_PREFIX['2-32x6-1']:,} steps, then a step counter)\n")
    print(markdown_table(["session", "metrics kept", "checkpoints kept", "checkpoint arrays",
                          "history (deep size)", "tracemalloc growth", "persist.dump blob",
                          "target", "met", "took"], mem))
    print(f"\n{load_average()} (at the end)")
    print(f"\ntotal {time.perf_counter() - start:.1f} s", flush=True)


if __name__ == "__main__":
    main()

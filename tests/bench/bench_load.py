# What this measures (a benchmark that reports; it asserts nothing and never fails on a target):
#
# Issue 7 §4 "Load": fifty sessions at once, each with one WebSocket client streaming at full
# training speed for 30 seconds, against a real server: uvicorn app.main:app in a subprocess on
# 127.0.0.1 (bench_session.server: free port, data in a temp folder).
#
# The sessions are a mix the page would create, on 300-point datasets (xor, spiral, circle;
# noise 0.1, seed 1, the page's default 20 % test split): 2-8-8-1 tanh (most) and 2-4-1 sigmoid
# (every fifth), full batch or minibatches of 16 or 32 (Adam, lr 0.03). All 50 clients
# connect (each reads its `init`), then each sends {"type": "play"} (speed omitted: as fast as
# the server goes). After WARMUP_S the WINDOW_S window is counted, then every client closes
# (the server pauses and saves each session) and the server stops.
#
# Measured, all from outside the server:
# - per client: frames over the window (frames/s), and the worst 5-second window (sliding in
#   0.5 s steps; every client must stay >= 5 frames/s throughout), the longest gap between two
#   frames, frame size; errors: exceptions, closes before the end, `error` messages;
# - training steps/s per session from the `step` of its first and last frame in the window
#   (read off the frame's first bytes, no JSON parse), and their sum;
# - GET /api/health latency every ~100 ms from a separate process (bench_session's probe
#   script), from the moment play is sent to the end of the window: p50/p99/max and errors;
# - server memory: VmRSS from /proc/<pid>/status every 0.25 s (peak), and VmHWM at the end;
# - CPU over the window: the server (user+system, every thread; 200 % = both cores), this
#   process (the clients), and the whole machine (/proc/stat: the machine is shared, so this
#   says how much was left for us); the load average before and after;
# - the server's log (warnings and up): lines with Traceback/ERROR/Exception count as errors.
#
# Clients open ?format=binary, ask for permessage-deflate (common.COMPRESSION) and send the
# page's view (common.PAGE_VIEW), as the page does in a browser.
# Targets (issue 13): /api/health p99 < 100 ms; every client >= 10 frames/s over the window and
# in its worst 5 s; every session >= 100 steps/s; server RSS < 1 GB; no errors.
"""Load benchmark: 50 sessions streaming at full speed at once; health latency, fps, memory."""

import asyncio
import contextlib
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.bench.bench_session import (
    HEALTH_PROBE,
    cpu_seconds,
    percentile,
    probe_result,
    server,
)
from tests.bench.common import (
    COMPRESSION,
    PAGE_VIEW,
    environment,
    fmt_time,
    frame_step,
    markdown_table,
    message_kind,
)

N_SESSIONS = 50
KINDS = ("xor", "spiral", "circle")
N_POINTS, NOISE, SEED = 300, 0.1, 1
WARMUP_S = 2.0
WINDOW_S = 30.0
SLIDE_S, SLIDE_STEP_S = 5.0, 0.5
HEALTH_EVERY_S = 0.1
RSS_EVERY_S = 0.25
CONNECT_TIMEOUT_S = 30.0

TARGET_HEALTH_P99 = 0.100
TARGET_FPS = 10.0
TARGET_STEPS = 100.0  # per session: 50 × 100 = 5 000 steps/s, most of the engine's one core
TARGET_RSS = 1e9



# ---- the sessions -------------------------------------------------------------------------------
def session_mix(datasets: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    """N_SESSIONS (label, SessionConfig body): mostly 2-8-8-1 tanh, every fifth 2-4-1 sigmoid;
    every fourth on minibatches of 32, every seventh of 16, the rest full batch."""
    mix = []
    for i in range(N_SESSIONS):
        kind = KINDS[i % len(KINDS)]
        small = i % 5 == 4
        hidden, activation = ([4], "sigmoid") if small else ([8, 8], "tanh")
        batch = 32 if i % 4 == 1 else 16 if i % 7 == 3 else None
        body = {"dataset_id": datasets[kind], "hidden_layers": hidden, "activation": activation,
                "batch_size": batch, "seed": i}
        shape = "2-4-1" if small else "2-8-8-1"
        label = f"{shape}, {'full batch' if batch is None else f'batch {batch}'}"
        mix.append((label, body))
    return mix


# ---- one client ---------------------------------------------------------------------------------
@dataclass
class Client:
    session_id: str
    label: str
    frames: list[float] = field(default_factory=list)  # arrival times (perf_counter)
    steps: list[tuple[float, int]] = field(default_factory=list)  # (time, step) per frame
    sizes: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    closed_early: str | None = None


async def run_client(c: Client, ws_base: str, connected: list[Any], ready: asyncio.Event,
                     stop: asyncio.Event) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    try:
        async with connect(f"{ws_base}/api/sessions/{c.session_id}/stream?format=binary",
                           max_size=None, compression=COMPRESSION, open_timeout=CONNECT_TIMEOUT_S,
                           ping_interval=None) as ws:
            await ws.recv()  # init
            await ws.send(json.dumps(PAGE_VIEW))  # as the page: binary, its default view
            connected.append(ws)
            await ready.wait()
            await ws.send(json.dumps({"type": "play"}))
            try:
                async for msg in ws:
                    now = time.perf_counter()
                    kind = message_kind(msg)
                    if kind == "frame":
                        c.frames.append(now)
                        c.sizes.append(len(msg))
                        step = frame_step(msg)
                        if step is not None:
                            c.steps.append((now, step))
                    elif kind == "error":
                        c.errors.append(str(msg[:200]))
            except ConnectionClosed as err:
                if not stop.is_set():
                    c.closed_early = f"closed: {err}"
            if not stop.is_set() and c.closed_early is None:
                c.closed_early = f"closed by the server ({ws.close_code} {ws.close_reason})"
    except Exception as err:  # every failure is a counted error
        c.errors.append(f"{type(err).__name__}: {err}")


# ---- measures of the server process -------------------------------------------------------------
def proc_status(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM (bytes) and Threads of `pid`, from /proc/<pid>/status."""
    out: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) * 1024
            elif key == "Threads":
                out[key] = int(value)
    except OSError:
        pass
    return out


def machine_cpu() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs so far, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def server_log(pid: int) -> str:
    """The server's stdout/stderr file (bench_session.server writes it in its temp folder)."""
    try:
        return Path(os.readlink(f"/proc/{pid}/fd/1")).read_text(errors="replace")
    except OSError:
        return ""


def start_health_probe(base: str, seconds: float) -> subprocess.Popen[bytes]:
    host, port = base.removeprefix("http://").split(":")
    return subprocess.Popen(
        [sys.executable, "-c", HEALTH_PROBE, host, port, str(seconds), str(HEALTH_EVERY_S)],
        stdout=subprocess.PIPE,
    )


# ---- the run ------------------------------------------------------------------------------------
async def load_case(base: str, pid: int, mix: list[tuple[str, str]]) -> dict[str, Any]:
    """Connect one client per (label, session id), play them all, measure over WINDOW_S."""
    ws_base = base.replace("http://", "ws://")
    clients = [Client(sid, label) for label, sid in mix]
    connected: list[Any] = []
    ready, stop = asyncio.Event(), asyncio.Event()
    rss: list[int] = []
    threads: list[int] = []

    async def sample_rss() -> None:
        while True:
            st = proc_status(pid)
            if "VmRSS" in st:
                rss.append(st["VmRSS"])
                threads.append(st.get("Threads", 0))
            await asyncio.sleep(RSS_EVERY_S)

    sampler = asyncio.create_task(sample_rss())
    t_connect = time.perf_counter()
    tasks = [asyncio.create_task(run_client(c, ws_base, connected, ready, stop)) for c in clients]
    deadline = time.monotonic() + CONNECT_TIMEOUT_S
    while len(connected) + sum(bool(c.errors) for c in clients) < len(clients):
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    connect_s = time.perf_counter() - t_connect
    prober = start_health_probe(base, WARMUP_S + WINDOW_S)
    ready.set()  # every client sends play
    await asyncio.sleep(WARMUP_S)
    cpu0, mine0, machine0 = cpu_seconds(pid), time.process_time(), machine_cpu()
    t0 = time.perf_counter()
    await asyncio.sleep(WINDOW_S)
    t1 = time.perf_counter()
    cpu1, mine1, machine1 = cpu_seconds(pid), time.process_time(), machine_cpu()
    stop.set()
    hwm = proc_status(pid).get("VmHWM", 0)
    t_close = time.perf_counter()
    for ws in connected:
        with contextlib.suppress(Exception):
            await ws.close()
    await asyncio.wait_for(asyncio.gather(*tasks), 30)
    close_s = time.perf_counter() - t_close
    sampler.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sampler
    health = await asyncio.to_thread(probe_result, prober, WARMUP_S + WINDOW_S)
    elapsed = t1 - t0
    busy, total = machine1[0] - machine0[0], machine1[1] - machine0[1]
    return {
        "clients": clients, "t0": t0, "t1": t1, "elapsed": elapsed, "connected": len(connected),
        "connect_s": connect_s, "close_s": close_s, "health": health,
        "rss_peak": max(rss, default=0), "hwm": hwm, "threads": max(threads, default=0),
        "server_cpu": (cpu1 - cpu0) / elapsed if min(cpu0, cpu1) >= 0 else None,
        "client_cpu": (mine1 - mine0) / elapsed,
        "machine_cpu": busy / total * (os.cpu_count() or 1) if total else None,
    }


# ---- figures per client -------------------------------------------------------------------------
def client_figures(c: Client, t0: float, t1: float) -> dict[str, float]:
    times = [t for t in c.frames if t0 <= t < t1]
    fps = len(times) / (t1 - t0)
    worst = float("inf")
    start = t0
    while start + SLIDE_S <= t1 + 1e-9:
        n = sum(1 for t in times if start <= t < start + SLIDE_S)
        worst = min(worst, n / SLIDE_S)
        start += SLIDE_STEP_S
    edges = [t0, *times, t1]
    gap = max(b - a for a, b in itertools.pairwise(edges))
    steps = [(t, s) for t, s in c.steps if t0 <= t < t1]
    sps = ((steps[-1][1] - steps[0][1]) / (steps[-1][0] - steps[0][0])
           if len(steps) >= 2 and steps[-1][0] > steps[0][0] else 0.0)
    size = statistics.median(c.sizes) if c.sizes else 0.0
    return {"fps": fps, "worst": worst, "gap": gap, "sps": sps, "size": size}


def yes(ok: bool) -> str:
    return "yes" if ok else "NO"


def report(r: dict[str, Any], log: str, load_before: tuple[float, ...]) -> None:
    clients: list[Client] = r["clients"]
    figs = [client_figures(c, r["t0"], r["t1"]) for c in clients]
    fps = [f["fps"] for f in figs]
    worst = [f["worst"] for f in figs]
    gaps = [f["gap"] for f in figs]
    sps = [f["sps"] for f in figs]
    lat = r["health"]["latencies"]
    p50, p99 = percentile(lat, 50), percentile(lat, 99)
    lat_max = max(lat, default=float("nan"))
    over = sum(1 for x in lat if x >= TARGET_HEALTH_P99)
    log_errors = [line for line in log.splitlines()
                  if any(w in line for w in ("Traceback", "ERROR", "Exception"))]
    client_errors = sum(len(c.errors) for c in clients)
    early = sum(1 for c in clients if c.closed_early)
    n_errors = client_errors + early + r["health"]["errors"] + len(log_errors)
    n_errors += len(clients) - r["connected"] if r["connected"] < len(clients) else 0
    lo_fps = sum(1 for f in worst if f < TARGET_FPS)

    def cpu(x: float | None) -> str:
        return "?" if x is None else f"{x:.0%}"

    rows = [
        ["GET /api/health latency (every ~100 ms, play + warm-up + window)",
         f"p50 {fmt_time(p50)}, p99 {fmt_time(p99)}, max {fmt_time(lat_max)} ({len(lat)} "
         f"requests, {over} >= 100 ms)", f"p99 < {fmt_time(TARGET_HEALTH_P99)}",
         yes(p99 < TARGET_HEALTH_P99)],
        [f"frames/s per client over {r['elapsed']:.0f} s",
         f"min {min(fps):.1f}, median {statistics.median(fps):.1f}, max {max(fps):.1f}",
         f">= {TARGET_FPS:g}", yes(min(fps) >= TARGET_FPS)],
        [f"frames/s per client, worst {SLIDE_S:g} s window",
         f"min {min(worst):.1f}, median {statistics.median(worst):.1f} ({lo_fps} clients "
         f"under {TARGET_FPS:g})", f">= {TARGET_FPS:g} throughout", yes(lo_fps == 0)],
        ["longest gap between two frames, per client",
         f"median {fmt_time(statistics.median(gaps))}, max {fmt_time(max(gaps))}", "—", "—"],
        ["server memory (VmRSS peak, sampled / VmHWM)",
         f"{r['rss_peak'] / 1e6:.0f} MB / {r['hwm'] / 1e6:.0f} MB ({r['threads']} threads)",
         f"< {TARGET_RSS / 1e9:g} GB", yes(max(r["rss_peak"], r["hwm"]) < TARGET_RSS)],
        ["errors (client exceptions, early closes, error messages, health errors, server log)",
         f"{n_errors} ({client_errors}, {early}, —, {r['health']['errors']}, {len(log_errors)})",
         "0", yes(n_errors == 0)],
        ["training steps/s, all sessions", f"sum {sum(sps):,.0f}; per session median "
         f"{statistics.median(sps):,.0f}, min {min(sps):,.0f}",
         f">= {TARGET_STEPS:g} per session", yes(min(sps) >= TARGET_STEPS)],
        ["CPU: server / clients (this process) / whole machine (2 cores = 200%)",
         f"{cpu(r['server_cpu'])} / {cpu(r['client_cpu'])} / {cpu(r['machine_cpu'])}", "—",
         "—"],
    ]
    print(f"\n### {len(clients)} sessions × 1 client, play at full speed, {r['elapsed']:.0f} s "
          f"counted after {WARMUP_S:g} s\n")
    print(markdown_table(["measure", "value", "target", "met"], rows))
    frame_kb = statistics.median(f["size"] for f in figs) / 1e3
    print(f"\nconnect + init of {len(clients)} clients {r['connect_s']:.1f} s; closing (the "
          f"server pauses and saves each) {r['close_s']:.1f} s; frame size median "
          f"{frame_kb:.0f} kB; received {sum(fps) * frame_kb / 1e3:.1f} MB/s in all")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in load_before)}; after: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    groups: dict[str, list[dict[str, float]]] = {}
    for c, f in zip(clients, figs, strict=True):
        groups.setdefault(c.label, []).append(f)
    group_rows = [[label, str(len(fs)),
                   f"{statistics.median(f['fps'] for f in fs):.1f}",
                   f"{min(f['worst'] for f in fs):.1f}",
                   f"{statistics.median(f['sps'] for f in fs):,.0f}",
                   f"{statistics.median(f['size'] for f in fs) / 1e3:.0f} kB"]
                  for label, fs in sorted(groups.items())]
    print("\nBy kind of session\n")
    print(markdown_table(["session", "clients", "fps (median)", "worst 5 s fps (min)",
                          "steps/s (median)", "frame"], group_rows))
    problems = [f"{c.session_id}: {e}" for c in clients for e in c.errors]
    problems += [f"{c.session_id}: {c.closed_early}" for c in clients if c.closed_early]
    for line in (problems + log_errors)[:10]:
        print(f"error: {line}")


def main() -> None:
    import httpx

    start = time.perf_counter()
    for line in environment():
        print(line)
    load_before = os.getloadavg()
    print(f"load average: {' '.join(f'{x:.2f}' for x in load_before)}", flush=True)
    with server() as (base, pid):
        with httpx.Client(base_url=base, timeout=30) as http:
            datasets = {}
            for kind in KINDS:
                r = http.post("/api/datasets/generate",
                              json={"kind": kind, "n": N_POINTS, "noise": NOISE, "seed": SEED})
                r.raise_for_status()
                datasets[kind] = r.json()["id"]
            mix = []
            for label, body in session_mix(datasets):
                r = http.post("/api/sessions", json=body)
                r.raise_for_status()
                mix.append((label, r.json()["id"]))
        print(f"{N_SESSIONS} sessions created in {time.perf_counter() - start:.1f} s "
              f"(server RSS {proc_status(pid).get('VmRSS', 0) / 1e6:.0f} MB)", flush=True)
        result = asyncio.run(load_case(base, pid, mix))
        log = server_log(pid)
    report(result, log, load_before)
    print(f"\ntotal {time.perf_counter() - start:.1f} s", flush=True)


if __name__ == "__main__":
    main()

# What this measures (a benchmark that reports; it asserts nothing and never fails on a target):
#
# Issue 14 §1: the timeline scrubs at single-step resolution, the maps following the thumb at
# >= 15 updates a second. The page keeps one `peek` in flight and sends the latest position
# when the answer comes (static/js/history-nav.js), so the updates per second are one over a
# peek's round trip. Against a real server (uvicorn in a subprocess, bench_session.server), a
# 2-8-8-1 session on the page's default data is trained by REST to STEPS steps; then a client
# on the page's stream (binary, the page's view) sends peeks at random steps, one after the
# answer to the last, for WINDOW_S seconds, in two ways: anywhere in the run (the worst case:
# each peek replays from its own checkpoint) and near the step before (a drag: the thumb
# moves a little each time, the replay cache helps). Printed: answers per second, and the
# round trip's median and p95.
"""Scrub benchmark: peeks answered per second while the timeline is dragged."""

import asyncio
import json
import random
import statistics
import time

from tests.bench.bench_session import server
from tests.bench.common import PAGE_VIEW, frame_header, load_average, markdown_table

STEPS = 20_000
WINDOW_S = 4.0
DATASET = {"kind": "circle", "n": 300, "noise": 0.1, "seed": 0}
CONFIG = {"hidden_layers": [8, 8], "activation": "tanh", "test_fraction": 0.2}


async def scrub(base: str, sid: str, near: bool) -> list[float]:
    """Round trips (seconds) of peeks sent one after the other's answer."""
    from websockets.asyncio.client import connect

    url = base.replace("http://", "ws://") + f"/api/sessions/{sid}/stream?format=binary"
    rng, trips = random.Random(1), []
    async with connect(url, max_size=None, compression=None) as ws:
        await ws.recv()  # init
        await ws.send(json.dumps(PAGE_VIEW))
        step = STEPS // 2
        end = time.perf_counter() + WINDOW_S
        while time.perf_counter() < end:
            step = (max(0, min(STEPS - 1, step + rng.randint(-40, 40))) if near
                    else rng.randrange(STEPS))
            began = time.perf_counter()
            await ws.send(json.dumps({"type": "peek", "step": step}))
            while True:  # frames are binary; the answer is the frame marked peek
                msg = await ws.recv()
                if isinstance(msg, bytes) and frame_header(msg).get("peek"):
                    break
            trips.append(time.perf_counter() - began)
    return trips


def main() -> None:
    import httpx

    print("## Scrubbing the timeline: peeks answered per second (2-8-8-1, a 20 000-step run)\n")
    print(load_average() + " (before)\n")
    rows = []
    with server() as (base, _pid):
        api = httpx.Client(base_url=base, timeout=60)
        ds = api.post("/api/datasets/generate", json=DATASET).json()["id"]
        sid = api.post("/api/sessions", json={"dataset_id": ds, **CONFIG}).json()["id"]
        api.post(f"/api/sessions/{sid}/step", json={"steps": STEPS}).raise_for_status()
        for near, label in ((False, "anywhere in the run"), (True, "a drag (±40 steps)")):
            trips = asyncio.run(scrub(base, sid, near))
            p95 = sorted(trips)[int(0.95 * (len(trips) - 1))]
            rows.append([label, f"{len(trips) / sum(trips):.1f}",
                         f"{statistics.median(trips) * 1e3:.1f} ms", f"{p95 * 1e3:.1f} ms",
                         "yes" if len(trips) / sum(trips) >= 15 else "NO"])
    print(markdown_table(["peeks at", "updates/s", "round trip median", "p95",
                          ">= 15/s"], rows))
    print("\n" + load_average() + " (after)\n")

# What this measures (a benchmark that reports; it asserts nothing and never fails on a target):
#
# Issue 14 §3 "A live link for a class": one session played at full speed by its owner's
# client, watched by W clients that opened the stream with ?role=watch (the page's binary
# format and its default view, as the page does), against a real server (uvicorn in a
# subprocess, bench_session.server). Rounds alternate W = 1 and W = 30, ROUNDS each, in one run:
# frames/s per watcher (median and the slowest), the owner's training steps/s (GET before and
# after the window), and the server's CPU. The watchers share the session's frames: a frame is
# built once per view and format and sent to each, so 30 watchers should cost sends, not
# training.
"""Watch benchmark: one session, 1 or 30 watchers: frames/s per watcher, the owner's steps/s."""

import asyncio
import contextlib
import json
import statistics
import time
from typing import Any

from tests.bench.bench_session import DATASET, HIDDEN, cpu_seconds, server, session_body
from tests.bench.common import (
    COMPRESSION,
    PAGE_VIEW,
    environment,
    frame_step,
    load_average,
    markdown_table,
    message_kind,
    print_lines,
)

WATCHERS = (1, 30)
ROUNDS = 3
WARMUP_S, WINDOW_S = 1.0, 5.0


async def watch_round(base: str, pid: int, sid: str, watchers: int) -> dict[str, Any]:
    """The owner plays `sid`; `watchers` clients watch it; count over the window."""
    import httpx
    from websockets.asyncio.client import connect

    ws_base = base.replace("http://", "ws://") + f"/api/sessions/{sid}/stream?format=binary"
    counts = [0] * watchers
    counting, stop, ready = {"on": False}, asyncio.Event(), asyncio.Event()
    joined = {"n": 0}

    async def client(k: int | None) -> None:
        url = ws_base if k is None else ws_base + "&role=watch"
        async with connect(url, max_size=None, compression=COMPRESSION, open_timeout=30) as ws:
            await ws.recv()  # init
            await ws.send(json.dumps(PAGE_VIEW))
            joined["n"] += 1
            if joined["n"] == watchers + 1:
                ready.set()
            await ready.wait()
            if k is None:
                await ws.send(json.dumps({"type": "play"}))
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    msg = await asyncio.wait_for(ws.recv(), 0.1)
                    if (k is not None and counting["on"] and message_kind(msg) == "frame"
                            and frame_step(msg) is not None):
                        counts[k] += 1
            if k is None:
                await ws.send(json.dumps({"type": "pause"}))

    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        tasks = [asyncio.create_task(client(None))]
        tasks += [asyncio.create_task(client(k)) for k in range(watchers)]
        await asyncio.wait_for(ready.wait(), 60)
        await asyncio.sleep(WARMUP_S)
        before = (await http.get(f"/api/sessions/{sid}")).json()["step"]
        cpu0, t0 = cpu_seconds(pid), time.perf_counter()
        counting["on"] = True
        await asyncio.sleep(WINDOW_S)
        counting["on"] = False
        cpu1, t1 = cpu_seconds(pid), time.perf_counter()
        after = (await http.get(f"/api/sessions/{sid}")).json()["step"]
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 60)
    elapsed = t1 - t0
    return {"fps": [c / elapsed for c in counts], "steps": (after - before) / elapsed,
            "cpu": (cpu1 - cpu0) / elapsed}


def main() -> None:
    import httpx

    print("## One session watched by 1 and by 30 clients (?role=watch)\n")
    print_lines(environment())
    print(load_average() + " (before)\n")
    results: dict[int, list[dict[str, Any]]] = {w: [] for w in WATCHERS}
    with server() as (base, pid):
        api = httpx.Client(base_url=base, timeout=30)
        dataset = api.post("/api/datasets/generate", json=DATASET).json()["id"]
        for _ in range(ROUNDS):
            for w in WATCHERS:  # a fresh session per round: every round starts at step 0
                sid = api.post("/api/sessions", json=session_body(dataset, HIDDEN)).json()["id"]
                results[w].append(asyncio.run(watch_round(base, pid, sid, w)))
    rows = []
    for w in WATCHERS:
        rs = results[w]
        fps = [statistics.median(r["fps"]) for r in rs]
        slowest = [min(r["fps"]) for r in rs]
        steps = [r["steps"] for r in rs]
        rows.append([str(w), f"{statistics.median(fps):.1f}", f"{statistics.median(slowest):.1f}",
                     f"{statistics.median(steps):.0f}",
                     f"{statistics.median(r['cpu'] for r in rs) * 100:.0f} %"])
    one, many = (statistics.median(r["steps"] for r in results[w]) for w in WATCHERS)
    print(markdown_table(["watchers", "frames/s per watcher (median)", "slowest watcher",
                          "owner's steps/s", "server CPU"], rows))
    print(f"\n30 watchers vs 1: the owner's training at {many / one:.0%} "
          f"(medians of {ROUNDS} alternating rounds of {WINDOW_S:.0f} s)")
    print(load_average() + " (after)\n")

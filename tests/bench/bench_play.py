"""Playing over a real stream: how fast a paced session goes, the frames a client gets beside
one that never reads, and how old the save is that a SIGKILL leaves.

These are the timings the pass/fail tests used to assert (tests/test_stream.py,
tests/test_faults.py); the tests now check the behaviour by counts and order, and the
numbers are reported here, against a real server: uvicorn app.main:app in a subprocess on
127.0.0.1. Each case counts frames (not seconds):

1. Paced play: a 2-4-1 session on xor (200 points) played at 60 steps/s; after
   PACED_WARMUP frames, PACED_FRAMES frames are counted: steps/s (target 60 ± 10 %),
   frames/s (the server's 30), and the time from `play` to the first frame at step 30
   (≈ 0.5 s; the test used to require 0.3–3 s).
2. A client that never reads: a 2-8-8-1 session played at full speed by a client that sends
   `play` and then never reads (4 KiB receive buffer), while another client counts
   STALLED_FRAMES frames; the same count by that client playing alone, for reference.
   Target (what the test asserted): > 5 frames/s beside the stalled client.
3. SIGKILL: two sessions (2-4-1 on xor, 2-6-3-1 on circle) play with the default 5 s save
   interval until each has streamed KILL_FRAMES frames (~7 s), then the server is killed
   and restarted on the same directory. Per session: the restored step, how long before the
   kill a frame first showed it (the age of the save; target ≤ 5 s + 0.5 s of slack), and
   the step streamed 5.5 s before the kill (the restored step must be at least that).
"""

import asyncio
import contextlib
import json
import signal
import tempfile
import time
from pathlib import Path

from tests.bench.bench_session import server
from tests.bench.common import environment, frame_header, load_average, markdown_table, print_lines

SPEED = 60.0
PACED_WARMUP, PACED_FRAMES = 15, 90
STALLED_FRAMES = 150
KILL_FRAMES = 210
SAVE_INTERVAL_S, SLACK_S = 5.0, 0.5


def ws_url(base: str, sid: str) -> str:
    return base.replace("http://", "ws://") + f"/api/sessions/{sid}/stream?format=binary"


def yes(ok: bool) -> str:
    return "yes" if ok else "NO"


# ---- 1. paced play -----------------------------------------------------------------------------
def paced(base: str) -> list[list[str]]:
    import httpx
    from websockets.sync.client import connect

    from tests.helpers import make_dataset, make_session

    with httpx.Client(base_url=base, timeout=30) as api:
        sid = make_session(api, make_dataset(api))
    frames: list[tuple[float, int]] = []  # (time, step) of each running frame
    with connect(ws_url(base, sid), max_size=None) as ws:
        ws.recv()  # init
        ws.recv()  # the first frame (step 0)
        t_play = time.perf_counter()
        ws.send(json.dumps({"type": "play", "speed": SPEED}))
        while len(frames) < PACED_WARMUP + PACED_FRAMES + 1:
            msg = frame_header(ws.recv(timeout=30))
            if msg["type"] == "frame" and msg["status"] == "running":
                frames.append((time.perf_counter(), msg["step"]))
        ws.send(json.dumps({"type": "pause"}))
    to_30 = next(t for t, step in frames if step >= 30) - t_play
    (t0, s0), (t1, s1) = frames[PACED_WARMUP], frames[-1]
    rate, fps = (s1 - s0) / (t1 - t0), PACED_FRAMES / (t1 - t0)
    return [
        [f"paced play at {SPEED:g} steps/s: steps/s", f"{rate:.1f} ({s1 - s0} steps over "
         f"{t1 - t0:.2f} s)", f"{SPEED:g} ± 10 %", yes(abs(rate - SPEED) <= 0.1 * SPEED)],
        ["paced play: frames/s", f"{fps:.1f}", "30", yes(fps >= 29)],
        ["paced play: from `play` to the frame at step 30", f"{to_30:.2f} s", "≈ 0.5 s "
         "(0.3–3 s)", yes(0.3 < to_30 < 3.0)],
    ]


# ---- 2. a client that never reads --------------------------------------------------------------
def read_frames(base: str, sid: str, n: int, play: bool) -> tuple[float, float]:
    """Count `n` messages on a new stream client (sending `play` first if asked): (frames/s,
    the session's steps/s over them)."""
    import httpx
    from websockets.sync.client import connect

    with httpx.Client(base_url=base, timeout=30) as api, \
            connect(ws_url(base, sid), max_size=None) as ws:
        ws.recv()  # init
        if play:
            ws.send(json.dumps({"type": "play"}))
        step0 = api.get(f"/api/sessions/{sid}").json()["step"]
        t0 = time.perf_counter()
        for _ in range(n):
            ws.recv(timeout=30)
        t1 = time.perf_counter()
        step1 = api.get(f"/api/sessions/{sid}").json()["step"]
    return n / (t1 - t0), (step1 - step0) / (t1 - t0)


def wait_paused(base: str, sid: str) -> None:
    import httpx

    with httpx.Client(base_url=base, timeout=30) as api:
        deadline = time.monotonic() + 60
        while api.get(f"/api/sessions/{sid}").json()["status"] != "paused":
            if time.monotonic() > deadline:
                raise RuntimeError("the session did not pause once its clients left")
            time.sleep(0.05)


def stalled(base: str) -> list[list[str]]:
    import httpx

    from tests.helpers import make_dataset, make_session
    from tests.test_faults import PLAY, drop, raw_ws

    port = int(base.rsplit(":", 1)[1])
    with httpx.Client(base_url=base, timeout=30) as api:
        sid = make_session(api, make_dataset(api), hidden_layers=[8, 8])
    alone_fps, alone_steps = read_frames(base, sid, STALLED_FRAMES, play=True)
    wait_paused(base, sid)
    sock = raw_ws(port, f"/api/sessions/{sid}/stream", rcvbuf=4096)
    try:
        sock.sendall(PLAY)
        fps, steps = read_frames(base, sid, STALLED_FRAMES, play=False)
    finally:
        drop(sock, reset=True)
    wait_paused(base, sid)
    return [
        ["frames/s of a client playing alone (2-8-8-1, full speed)",
         f"{alone_fps:.1f} ({alone_steps:,.0f} steps/s)", "—", "—"],
        ["frames/s of a client beside one that never reads",
         f"{fps:.1f} ({steps:,.0f} steps/s)", "> 5", yes(fps > 5)],
    ]


# ---- 3. SIGKILL: the age of the save it leaves -------------------------------------------------
def kill_and_restart() -> list[list[str]]:
    import httpx

    from tests.helpers import make_dataset, make_session, start_server
    from tests.test_faults import Seen, play_and_watch

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        data_dir, log = Path(tmp) / "data", Path(tmp) / "server.log"
        proc, base = start_server(data_dir, log,
                                  LL_SAVE_INTERVAL_SECONDS=str(SAVE_INTERVAL_S))
        try:
            with httpx.Client(base_url=base, timeout=30) as api:
                sessions = [make_session(api, make_dataset(api, "xor")),
                            make_session(api, make_dataset(api, "circle", n=300),
                                         hidden_layers=[6, 3])]

            def enough(seen: Seen) -> bool:
                return all(len(frames) >= KILL_FRAMES for frames in seen.values())

            seen, killed_at = asyncio.run(play_and_watch(base, sessions, proc, enough))
            proc.wait(30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        proc, base = start_server(data_dir, log)
        try:
            with httpx.Client(base_url=base, timeout=30) as api:
                for sid in sessions:
                    frames = seen[sid]
                    step = api.get(f"/api/sessions/{sid}").json()["step"]
                    shown_at = min((t for t, s in frames if s >= step), default=killed_at)
                    age = killed_at - shown_at
                    before = max((s for t, s in frames if t <= killed_at - SAVE_INTERVAL_S
                                  - SLACK_S), default=0)
                    played = killed_at - frames[0][0]
                    rows.append([
                        f"SIGKILL after {played:.1f} s of play: session {sid[:6]}…",
                        f"restored step {step} (streamed up to {frames[-1][1]}); a frame showed "
                        f"it {age:.2f} s before the kill; step {SAVE_INTERVAL_S + SLACK_S:g} s "
                        f"before: {before}",
                        f"≤ {SAVE_INTERVAL_S + SLACK_S:g} s old, ≥ that step",
                        yes(age <= SAVE_INTERVAL_S + SLACK_S and step >= before)])
        finally:
            proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(Exception):
                proc.wait(30)
    return rows


def main() -> None:
    print_lines([*environment(), load_average()])
    rows: list[list[str]] = []
    with server() as (base, _pid):
        rows += paced(base)
        rows += stalled(base)
    rows += kill_and_restart()
    print()
    print(markdown_table(["measure", "value", "target", "met"], rows))
    print(f"\n{load_average()} (at the end)")

"""Handover latency (issue #16 §3): a request that lands on the process not holding the
session, until it is served.

Two real app processes (uvicorn subprocesses, LL_WORKER a and b) share one data directory
(SQLite in WAL mode) with the default lease (LL_LEASE_SECONDS=5: the keeper renews, and so
sees a request, every 0.25 s). One session is created on a; then GET /api/sessions/{id} goes
to the other process in turn, HANDOVERS times: each is a handover (the holder's keeper sees
the request at its next renewal, saves, releases; the asking process restores). The
requests start at random points of the keeper's period. Target: median ≤ 1 s.

Alongside: the hot path in one process, `SessionRegistry.get` of a session it holds (a dict
lookup and a clock read for the lease), in µs per call.

Runnable alone: `python -m tests.bench.bench_handover`.
"""

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from app.config import Settings
from app.data.service import create_generated
from app.data.store import open_store
from app.schemas.sessions import SessionConfig
from app.training.registry import SessionRegistry
from tests.bench.common import load_average, markdown_table, print_lines
from tests.helpers import make_dataset, make_session, start_server, stop

HANDOVERS = 20
TARGET_S = 1.0


def handover_seconds(handovers: int = HANDOVERS) -> list[float]:
    """Seconds from a request on the non-holder until it is answered, one per handover."""
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        a = start_server(data, Path(tmp) / "a.log", LL_WORKER="a")
        try:
            b = start_server(data, Path(tmp) / "b.log", LL_WORKER="b")
            try:
                with httpx.Client(base_url=a[1], timeout=30) as api:
                    sid = make_session(api, make_dataset(api))
                    api.post(f"/api/sessions/{sid}/step", json={"steps": 100})
                bases, seconds = [b[1], a[1]], []
                for i in range(handovers):
                    time.sleep(float(rng.uniform(0.1, 0.6)))  # a random phase of the keeper
                    t0 = time.perf_counter()
                    r = httpx.get(f"{bases[i % 2]}/api/sessions/{sid}", timeout=30)
                    took = time.perf_counter() - t0
                    if r.status_code != 200:
                        raise RuntimeError(f"handover {i}: {r.status_code} {r.text}")
                    seconds.append(took)
                return seconds
            finally:
                stop(b[0])
        finally:
            stop(a[0])


def hot_get_microseconds(calls: int = 200_000) -> float:
    """µs per `registry.get` of a session this process holds (median of 5 runs)."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        store = open_store(settings)
        try:
            registry = SessionRegistry(store, settings)
            ds = create_generated(store, "xor", 100, 0.1, 1)
            sid = registry.create(SessionConfig(dataset_id=ds.id, hidden_layers=[3])).id
            runs = []
            for _ in range(5):
                t0 = time.perf_counter()
                for _ in range(calls):
                    registry.get(sid)
                runs.append((time.perf_counter() - t0) / calls * 1e6)
            registry.save_all()
            return statistics.median(runs)
        finally:
            store.close()


def run() -> dict[str, Any]:
    """The figures: handover median, p95 and max (s), and the hot path (µs per get)."""
    seconds = handover_seconds()
    return {"handovers": len(seconds), "median_s": statistics.median(seconds),
            "p95_s": float(np.percentile(seconds, 95)), "max_s": max(seconds),
            "min_s": min(seconds), "hot_get_us": hot_get_microseconds()}


def main() -> None:
    figures = run()
    print_lines([load_average()])
    rows = [
        ["handover: median", f"{figures['median_s']:.3f} s", f"≤ {TARGET_S:g} s"],
        ["handover: p95", f"{figures['p95_s']:.3f} s", ""],
        ["handover: min / max", f"{figures['min_s']:.3f} / {figures['max_s']:.3f} s", ""],
        ["registry.get, held (hot path)", f"{figures['hot_get_us']:.2f} µs", ""],
    ]
    print(markdown_table([f"figure ({figures['handovers']} handovers, lease 5 s)", "measured",
                          "target"], rows))
    print_lines([load_average()])


if __name__ == "__main__":
    main()

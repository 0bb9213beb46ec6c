"""History benchmark: replay to random past steps, memory of the history, save time, after a
1 000 000-step run of 2-8-8-1 and of 2-32x6-1 (tanh, xor 300 rows, full batch, Adam).

How the million steps are built: training a million real steps takes minutes (6×32: ~20),
so each run trains REAL steps for real, then records the steps up to 1 000 000 as training
would (`fake_history`: every metric and checkpoint the thinning asks for, each a fresh
object, the weights those of the last real step) — the history then has exactly the
structure (checkpoint positions, strides, thinning, sizes) of a real million-step run.
Every replay below trains for real from a checkpoint: a
replay's cost is the distance to the checkpoint at or before the target times a step, so the
figures are those of a real run (the weights a replay reaches are not compared here;
tests/test_any_step.py does that).

`python -m tests.bench history`; prints markdown tables; `run()` returns the rows.
"""

import gc
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from app.config import Settings
from app.main import create_app
from app.training import persist
from app.training.session import Evaluation, TrainingSession
from tests.bench.bench_session import deep_size
from tests.bench.common import environment, load_average, markdown_table, print_lines

MILLION = 1_000_000
REAL = {"2-8-8-1": 5000, "2-32x6-1": 600}
NETS = {"2-8-8-1": [8, 8], "2-32x6-1": [32] * 6}
TARGETS = {"2-8-8-1": 60, "2-32x6-1": 6}  # random past steps replayed to (6×32: ~1 min each)
MEMORY_BUDGET = 10_000_000


def fake_history(s: TrainingSession, last: int) -> None:
    """Record steps up to `last` as training would (the metrics and checkpoints the thinning
    wants, each a fresh object), the weights staying those of the real steps."""
    t = s.trainer
    e = s.history.metrics.items[-1]
    for step in range(t.step_count + 1, last + 1):
        t.step_count = step
        if t.full_batch:
            t.epoch += 1
        if s._wants_metrics(step):
            s.history.metrics.add(step, Evaluation(**e.__dict__))
        c = s.history.checkpoints
        if c.wants(step) and (step % c.stride == 0 or step % s.near_every == 0):
            c.add(step, s.state())


def replay_times(s: TrainingSession, targets: list[int]) -> list[float]:
    """Seconds for `at_step(t)` (restore the nearest checkpoint ≤ t, replay, come back), with
    the replay cache cleared each time (a scrub that jumps far each time: the worst case)."""
    out = []
    for t in targets:
        s._near.clear()
        began = time.perf_counter()
        with s.at_step(t):
            pass
        out.append(time.perf_counter() - began)
    return out


def one_run(client: Any, dataset_id: str, label: str) -> list[str]:
    r = client.post("/api/sessions", json={"dataset_id": dataset_id, "hidden_layers": NETS[label],
                                           "activation": "tanh", "test_fraction": 0.2})
    r.raise_for_status()
    s: TrainingSession = client.app.state.registry.get(r.json()["id"])
    began = time.perf_counter()
    s.train(REAL[label])
    per_step = (time.perf_counter() - began) / REAL[label]
    fake_history(s, MILLION)
    gc.collect()
    rng = random.Random(0)
    targets = [rng.randrange(0, MILLION) for _ in range(TARGETS[label])]
    times = replay_times(s, targets)
    p95 = sorted(times)[max(0, int(0.95 * len(times)) - 1)]
    h = s.history
    memory = deep_size(h)
    saves = []
    for _ in range(5):
        s.dirty = True
        t0 = time.perf_counter()
        blob = persist.dump(s)
        client.app.state.registry.save(s)
        saves.append(time.perf_counter() - t0)
    gaps = [b - a for a, b in zip(h.checkpoints.steps, h.checkpoints.steps[1:], strict=False)]
    return [
        f"{label} ({s.net.params.size:,} params)", f"{per_step * 1e6:.0f} µs",
        f"{len(h.checkpoints.steps)} (grid {h.checkpoints.stride}, max gap {max(gaps)})",
        f"{statistics.median(times) * 1e3:.0f} / {p95 * 1e3:.0f} / {max(times) * 1e3:.0f} ms"
        f" ({len(times)} steps)",
        f"{len(h.metrics.steps)}", f"{memory / 1e6:.2f} MB", f"{len(blob) / 1e6:.2f} MB",
        f"{statistics.median(saves) * 1e3:.0f} ms",
        "yes" if memory <= MEMORY_BUDGET and len(blob) <= MEMORY_BUDGET else "NO",
    ]


HEADERS = ["run, step 1 000 000", "a real step", "checkpoints", "replay median / p95 / max",
           "metrics kept", "history in memory", "saved blob", "save (dump + store)", "≤ 10 MB"]


def run(show: bool = False) -> list[list[str]]:
    """Both runs' rows (see the module docstring); with `show`, each printed when done."""
    with tempfile.TemporaryDirectory() as tmp:
        from tests.conftest import local_client
        with local_client(create_app(Settings(data_dir=Path(tmp))),
                          base_url="http://127.0.0.1") as client:
            r = client.post("/api/datasets/generate",
                            json={"kind": "xor", "n": 300, "noise": 0.1, "seed": 1})
            r.raise_for_status()
            rows = []
            for label in NETS:
                rows.append(one_run(client, r.json()["id"], label))
                if show:
                    print(markdown_table(HEADERS, rows[-1:]), flush=True)
            return rows


def main() -> None:
    print_lines(environment())
    rows = run(show=True)
    print(markdown_table(HEADERS, rows))
    print(f"\nrandom target steps per run, replay cache cleared each time; load "
          f"{load_average()}")


if __name__ == "__main__":
    main()

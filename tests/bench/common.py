"""Helpers shared by the benchmarks: interleaved repeats, medians, a markdown table, the machine.

The machine is noisy, so a number is never one run: each case is timed several times and
reported by its median (and its min, the least-disturbed run). Cases that are compared are
measured round-robin in the same process — one sample of each, then the next round — so a
burst of noise hits all of them alike instead of whichever happened to run then.
"""

import gc
import json
import os
import platform
import re
import statistics
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.schemas.sessions import NEURON_GRID, OUTPUT_GRID
from app.vocabulary import PANES


@dataclass
class Case:
    """Something to time: `run()` does `ops` operations (steps, epochs, calls) per sample."""

    name: str
    run: Callable[[], object]
    ops: int
    repeats: int = 7
    warmup: int = 1  # untimed calls of run() before the first sample
    samples: list[float] = field(default_factory=list)  # seconds per operation, one per sample
    faults: list[int] = field(default_factory=list)  # minor page faults during each sample

    @property
    def median(self) -> float:
        """Median seconds per operation."""
        return statistics.median(self.samples)

    @property
    def min(self) -> float:
        """Fastest sample, seconds per operation."""
        return min(self.samples)

    @property
    def rate(self) -> float:
        """Operations per second at the median."""
        return 1.0 / self.median

    @property
    def faults_per_op(self) -> float | None:
        """Mean minor page faults per operation (fresh memory touched), None where unknown."""
        if not self.faults or min(self.faults) < 0:
            return None
        return sum(self.faults) / (len(self.faults) * self.ops)


def minor_faults() -> int:
    """Minor page faults of this process so far (every thread), or -1 where unknown.

    A fresh page costs a fault on first touch, so a loop that allocates large arrays (which
    glibc may hand out as newly mmapped memory every time) shows it here and in its time.
    """
    try:
        import resource
    except ImportError:  # not on Unix
        return -1
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def time_once(fn: Callable[[], object]) -> tuple[float, int]:
    """Wall time (s) and minor page faults of one call of fn, the garbage collector paused."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        faults = minor_faults()
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
        return elapsed, (minor_faults() - faults if faults >= 0 else -1)
    finally:
        if enabled:
            gc.enable()


def measure(cases: Sequence[Case]) -> None:
    """Warm every case up, then sample them round-robin until each has its `repeats`."""
    for case in cases:
        for _ in range(case.warmup):
            case.run()
    for round_ in range(max((c.repeats for c in cases), default=0)):
        for case in cases:
            if round_ < case.repeats:
                seconds, faults = time_once(case.run)
                case.samples.append(seconds / case.ops)
                case.faults.append(faults)


def fmt_time(seconds: float) -> str:
    """A duration with a unit that keeps 3 significant digits readable."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def fmt_rate(per_second: float, unit: str) -> str:
    return f"{per_second:,.0f} {unit}/s"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured markdown table, columns padded so it also reads as plain text."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def environment() -> list[str]:
    """What the numbers depend on: Python, numpy, the BLAS and its threads, the CPU count.

    threadpoolctl is used when installed (not required). OPENBLAS_* variables are only read:
    a benchmark must measure the machine as it is set up, not change it.
    """
    lines = [
        f"python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} CPUs",
        f"numpy {np.__version__}",
    ]
    blas_env = {k: v for k, v in sorted(os.environ.items()) if k.startswith(("OPENBLAS", "OMP_"))}
    lines.append(f"env: {blas_env or 'no OPENBLAS_*/OMP_* variables set'}")
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        lines.append("threadpoolctl not installed: no BLAS thread-pool info")
    else:
        for pool in threadpool_info():
            keys = ("user_api", "internal_api", "version", "num_threads", "architecture")
            desc = ", ".join(f"{k}={pool[k]}" for k in keys if pool.get(k) is not None)
            lines.append(f"threadpool: {desc} ({os.path.basename(pool.get('filepath', '?'))})")
    return lines


def print_lines(lines: Sequence[str]) -> None:
    for text in lines:
        print(text)
    sys.stdout.flush()


# ---- the stream as the page uses it --------------------------------------------------------------
def page_view_for(pane: str, card_open: bool = False) -> dict[str, Any]:
    """The view control the page sends for `pane` (with a card open or not) on 2-D data:
    static/js/view-spec.js's own answer, asked of Node, so the benchmarks never keep a copy
    of it. The output map's size is the server's default (the page does not set it)."""
    shown = json.dumps({"cardOpen": card_open, "pane": pane})
    info = json.dumps({"oneD": False, "g": NEURON_GRID})
    script = ("import { viewSpec } from './static/js/view-spec.js';"
              f"console.log(JSON.stringify(viewSpec({shown}, {info})));")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = subprocess.run(["node", "--input-type=module", "-e", script], cwd=root, check=True,
                         capture_output=True, text=True, timeout=60).stdout
    return {"type": "view", "output": OUTPUT_GRID, **json.loads(out)}


# The page's first view (the output map's pane, no card open): the output map at 100², every
# neuron's thumbnail at 24² (drawn at ~48 px), no hidden points. The hidden space's pane asks
# for every neuron at full size and the points in the last hidden layer's space.
PAGE_VIEW = page_view_for(next(iter(PANES)))  # the first pane is the default (vocabulary)
HIDDEN_PANE_VIEW = page_view_for("hidden")
# What a browser asks of a WebSocket: permessage-deflate, so the server compresses every frame
# for every client (app.ws_protocol, zlib level 1). The benches' clients ask for it too.
COMPRESSION = "deflate"
_STEP = re.compile(rb'"step": ?(\d+)')
_TYPE = re.compile(rb'^\{"type": ?"(\w+)"')


def message_kind(msg: str | bytes) -> str:
    """'frame' for a binary message or a JSON frame, else the JSON message's type ('?')."""
    if isinstance(msg, bytes):
        return "frame"
    m = _TYPE.match(msg[:40].encode())
    return m.group(1).decode() if m else "?"


def frame_step(msg: str | bytes) -> int | None:
    """The step of a frame, JSON or binary, read off its first bytes (no full parse)."""
    head = msg[4:200] if isinstance(msg, bytes) else msg[:200].encode()
    m = _STEP.search(head)
    return int(m.group(1)) if m else None


def load_average() -> str:
    return "load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def frame_header(msg: str | bytes) -> dict[str, Any]:
    """A JSON message, or a binary frame's header (the README's layout)."""
    if isinstance(msg, str):
        text: dict[str, Any] = json.loads(msg)
        return text
    (n,) = struct.unpack_from("<I", msg)
    head: dict[str, Any] = json.loads(msg[4:4 + n])
    return head

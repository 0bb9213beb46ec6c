"""A run's record, bounded however long the run goes (the API's view of it is
`app.schemas.sessions.History`, built by `app.training.payloads.history`).

Items are keyed by step. The recent ones are kept at full resolution and older ones thinned
geometrically by age: an item `age` steps old is kept if its step is a multiple of the
largest power of two ≤ age / `window` — so each doubling of age keeps about `window` items —
until that spacing reaches `stride`: then only the grid (multiples of `stride`) remains.
The grid's stride doubles (dropping every other grid item) when it holds more than `cap`.
Pinned items (a weight edit's checkpoint, which a replay must not step over) always stay.

Checkpoints are exact training states; `events` are the hyperparameter changes, each at the
step it was made, so that replaying from a checkpoint retraces the run exactly.
"""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Thinned:
    """Items keyed by ascending step: full resolution for the latest `window` steps, thinned
    geometrically with age down to the grid of multiples of `stride` (at most `cap`)."""

    cap: int
    stride: int = 1
    steps: list[int] = field(default_factory=list)
    items: list[Any] = field(default_factory=list)
    window: int = 0  # 0: the grid only
    pinned: set[int] = field(default_factory=set)
    limit: int = 0  # thin when more than this are held (saved, so a reloaded run thins alike)
    settled: int = field(default=0, compare=False)  # items before this index are the grid

    def wants(self, step: int) -> bool:
        """Would `step` be kept? (lets callers skip computing what would be dropped)"""
        return (not self.steps or step > self.steps[-1]) and (
            self.window > 0 or step % self.stride == 0)

    def add(self, step: int, item: Any, pinned: bool = False) -> None:
        """Keep `item` at `step` (later than every step held, or the latest: it replaces)."""
        if self._put(step, item, pinned):
            self._thin()

    def extend(self, steps: list[int], items: list[Any]) -> None:
        """`add` each (step, item) in order, thinning once at the end (the same items stay:
        an item the thinning drops is never kept again later)."""
        for step, item in zip(steps, items, strict=True):
            self._put(step, item)
        self._thin()

    def _put(self, step: int, item: Any, pinned: bool = False) -> bool:
        """`add` without the thinning; whether anything was kept."""
        if self.steps and step == self.steps[-1]:
            self.items[-1] = item
        elif self.steps and step < self.steps[-1]:
            raise ValueError(f"step {step} comes before the latest, {self.steps[-1]}")
        elif not (pinned or self.wants(step)):
            return False
        else:
            self.steps.append(step)
            self.items.append(item)
        if pinned:
            self.pinned.add(step)
        return True

    def keeps(self, step: int, now: int) -> bool:
        """Whether an item at `step` is still kept when the latest step is `now`."""
        if step % self.stride == 0 or step in self.pinned:
            return True
        if not self.window:
            return False
        age = now - step
        if age < 2 * self.window:
            return True
        spacing = 1 << ((age // self.window).bit_length() - 1)
        return spacing < self.stride and step % spacing == 0

    def next_kept(self, step: int, horizon: int, every: int = 1) -> int:
        """The first step after `step`, on multiples of `every` near `horizon`, whose item
        would still be kept once the latest step is `horizon`: training on to a known end
        need not make what the thinning would drop by then."""
        s = step + 1
        age = horizon - s
        if not self.window:
            spacing = self.stride
        elif age < 2 * self.window:
            spacing = every
        else:
            spacing = max(every, min(self.stride, 1 << ((age // self.window).bit_length() - 1)))
        return -(-s // spacing) * spacing

    def _thin(self) -> None:
        """Drop what `keeps` no longer keeps and coarsen a full grid, once every
        `max(8, window)` additions and only over the items young enough to change (older
        ones are the grid and stay), so an addition costs O(1) on average."""
        if len(self.steps) <= self.limit:
            return
        now = self.steps[-1]
        while now // self.stride + 1 > self.cap:  # the grid holds every multiple up to now
            self.stride *= 2
            self.settled = 0
        lo = self.settled
        keep = [i for i in range(lo, len(self.steps)) if self.keeps(self.steps[i], now)]
        self.steps[lo:], self.items[lo:] = ([self.steps[i] for i in keep],
                                            [self.items[i] for i in keep])
        self.settled = bisect_left(self.steps, now - 2 * self.window * self.stride)
        self.limit = len(self.steps) + max(8, self.window, (len(self.steps) - self.settled) // 2)

    def truncate(self, step: int) -> None:
        """Forget everything after `step` (after a rewind)."""
        n = bisect_right(self.steps, step)
        del self.steps[n:], self.items[n:]
        self.pinned = {s for s in self.pinned if s <= step}
        self.settled = min(self.settled, n)
        self.limit = min(self.limit, len(self.steps) + max(8, self.window))

    def at(self, step: int) -> Any:
        i = bisect_right(self.steps, step) - 1
        if i < 0 or self.steps[i] != step:
            raise KeyError(step)
        return self.items[i]

    def floor(self, step: int) -> tuple[int, Any] | None:
        """The latest (step, item) at or before `step`, if any."""
        i = bisect_right(self.steps, step) - 1
        return None if i < 0 else (self.steps[i], self.items[i])


@dataclass
class Record:
    """Metrics per recorded step, the checkpoints a replay starts from, and the
    hyperparameter changes (step, every hyperparameter after the change) a replay applies."""

    metrics: Thinned = field(default_factory=lambda: Thinned(cap=1000))
    checkpoints: Thinned = field(default_factory=lambda: Thinned(cap=40))
    events: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def truncate(self, step: int) -> None:
        self.metrics.truncate(step)
        self.checkpoints.truncate(step)
        self.events = [e for e in self.events if e[0] <= step]

    def events_between(self, first: int, last: int) -> list[tuple[int, dict[str, Any]]]:
        """The changes made at steps first…last (both included), in the order made."""
        return [e for e in self.events if first <= e[0] <= last]


History = Record  # the old name, still imported by app/training/persist.py

"""A run's record, bounded however long the run goes (the API's view of it is
`app.schemas.sessions.History`, built by `app.training.payloads.history`).

Metrics are kept for every step at first; when `cap` records are held, the stride doubles and
every other record is dropped, so a million steps still fit in a few hundred rows. Checkpoints
(exact trainer states that `rewind` returns to) are thinned the same way with a smaller cap.
The latest step is always reported, whatever the stride.
"""

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Thinned:
    """Items keyed by step, keeping steps that are multiples of a stride that doubles when full."""

    cap: int
    stride: int = 1
    steps: list[int] = field(default_factory=list)
    items: list[Any] = field(default_factory=list)

    def wants(self, step: int) -> bool:
        """Would `step` be kept? (lets callers skip computing what would be dropped)"""
        return step % self.stride == 0 and (not self.steps or step > self.steps[-1])

    def add(self, step: int, item: Any) -> None:
        if not self.wants(step):
            return
        self.steps.append(step)
        self.items.append(item)
        if len(self.steps) > self.cap:
            self.stride *= 2
            keep = [i for i, s in enumerate(self.steps) if s % self.stride == 0]
            self.steps = [self.steps[i] for i in keep]
            self.items = [self.items[i] for i in keep]

    def truncate(self, step: int) -> None:
        """Forget everything after `step` (after a rewind)."""
        n = sum(1 for s in self.steps if s <= step)
        del self.steps[n:], self.items[n:]

    def at(self, step: int) -> Any:
        return self.items[self.steps.index(step)]


@dataclass
class Record:
    """Metrics per recorded step and the checkpoints a session can rewind to."""

    metrics: Thinned = field(default_factory=lambda: Thinned(cap=1000))
    checkpoints: Thinned = field(default_factory=lambda: Thinned(cap=40))

    def truncate(self, step: int) -> None:
        self.metrics.truncate(step)
        self.checkpoints.truncate(step)


History = Record  # the old name, still imported by app/training/persist.py

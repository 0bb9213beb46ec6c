"""The training loop: minibatches reshuffled every epoch, one update per step.

A Trainer owns the network, the optimizer and the rng; it is the engine's whole notion of
"training state", so a checkpoint is `Trainer.state()` and replay is `load_state`.
"""

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.nn.network import Forward, Network, empty_forward
from app.nn.optimizers import SGD, make_optimizer
from app.nn.plan import FullBatchPlan

Array = NDArray[Any]


class Diverged(ArithmeticError):
    """A step produced NaN or inf parameters. The parameters are put back as they were before
    that step (the optimizer's state is not); recover with a checkpoint or a reset."""


class Trainer:
    """Trains `net` on (X, Y) with `optimizer`; `batch_size=None` is full batch."""

    def __init__(
        self, net: Network, X: Array, Y: Array, rng: np.random.Generator,
        optimizer: str = "adam", learning_rate: float = 0.03,
        batch_size: int | None = None, l1: float = 0.0, l2: float = 0.0,
    ):
        self.net, self.X, self.Y, self.rng = net, X, Y, rng
        self.XT, self.YT = np.ascontiguousarray(X.T), np.ascontiguousarray(Y.T)  # (D, N), (K, N)
        self.l1, self.l2 = l1, l2
        self.optimizer: SGD = make_optimizer(optimizer, net.params.size, learning_rate)
        self.batch_size = batch_size
        self.step_count = 0
        self.epoch = 0
        self._pos = 0  # index of the next row in the current epoch's permutation
        self._perm: NDArray[np.intp] | None = None
        self._epoch_rng_state: Mapping[str, Any] = rng.bit_generator.state
        self._before = np.empty_like(net.params)  # the parameters before the current update
        self._all = empty_forward(net.sizes, self.n)  # every row's forward pass…
        self._all_at = np.full_like(net.params, np.nan)  # …at these parameters
        self._plan: FullBatchPlan | None = None  # full-batch steps, laid out at the first

    @property
    def n(self) -> int:
        return len(self.X)

    @property
    def full_batch(self) -> bool:
        return self.batch_size is None or self.batch_size >= self.n

    @property
    def steps_per_epoch(self) -> int:
        return 1 if self.full_batch else math.ceil(self.n / self.batch_size)  # type: ignore[operator]

    def set_optimizer(self, name: str, learning_rate: float) -> None:
        """Switch optimizer (fresh state) or just its learning rate, keeping the weights."""
        if name != self.optimizer.name:
            t = self.optimizer.t
            self.optimizer = make_optimizer(name, self.net.params.size, learning_rate)
            self.optimizer.t = t if name != "adam" else 0
        self.optimizer.learning_rate = learning_rate

    def reset_optimizer(self) -> None:
        """Forget the optimizer's running state (after a divergence or a hand edit)."""
        self.optimizer = make_optimizer(
            self.optimizer.name, self.net.params.size, self.optimizer.learning_rate)

    def set_batch_size(self, batch_size: int | None) -> None:
        """Change the batch size; the current epoch restarts its shuffle at the next step."""
        if batch_size != self.batch_size:
            self.batch_size = batch_size
            self._perm, self._pos = None, 0

    def _batch(self) -> tuple[Array, Array]:
        """The next step's rows, transposed: XT (D, B), YT (K, B)."""
        if self.full_batch:
            self.epoch += 1
            return self.XT, self.YT
        if self._perm is None:  # a new epoch: reshuffle
            self._epoch_rng_state = self.rng.bit_generator.state
            self._perm = self.rng.permutation(self.n)
            self._pos = 0
        idx = self._perm[self._pos : self._pos + self.batch_size]  # type: ignore[operator]
        self._pos += len(idx)
        if self._pos >= self.n:
            self.epoch += 1
            self._perm, self._pos = None, 0
        return self.XT.take(idx, axis=1), self.YT.take(idx, axis=1)

    def forward_all(self, changed: bool = False) -> Forward:
        """The forward pass of every training row at the current parameters.

        Kept until the parameters change (`changed`: the caller knows they did): a full-batch
        step at the same parameters (the one after an evaluation) reuses it."""
        if changed or not self._forward_is_current():
            (self._plan or self._make_plan()).forward()  # net.forward's calls, laid out
            np.copyto(self._all_at, self.net.params)
        return self._all

    def _forward_is_current(self) -> bool:
        """Whether the kept forward pass was made at the very bits of the parameters now (a
        byte compare: five times quicker than np.array_equal on a small network, and exact)."""
        return self._all_at.tobytes() == self.net.params.tobytes()

    def step(self, n: int = 1, between: Callable[[], None] | None = None) -> None:
        """Run n updates: forward, backward, update. Raises Diverged on NaN/inf.

        `between` is called after each update but the last, at the new state: a caller that
        records many steps runs them in one call (on the full batch, `forward_all` is then
        the next step's pass, already made)."""
        if self.full_batch:
            self._full_steps(n, between)
            return
        net, opt = self.net, self.optimizer
        before = self._before  # the parameters the forward pass saw
        for i in range(n):
            if i > 0 and between is not None:
                between()
            XT, YT = self._batch()
            # forward
            fwd = net.forward(XT.T, scratch=True)
            np.copyto(before, net.params)
            # backward
            grad = net.backward(fwd, YT.T, self.l1, self.l2)
            # update
            opt.update(net.params, grad)
            self.step_count += 1
            if not math.isfinite(float(np.add.reduce(net.params))):
                np.copyto(net.params, before)
                raise Diverged(f"parameters became NaN or inf at step {self.step_count}")

    def _full_steps(self, n: int, between: Callable[[], None] | None = None) -> None:
        """`step` on the full batch, through the plan: the same calls, the same bits."""
        plan = self._plan or self._make_plan()
        net, opt, params, before = self.net, self.optimizer, self.net.params, self._all_at
        for i in range(n):
            if i > 0 or not self._forward_is_current():  # `forward_all`, unless still valid
                plan.forward()
                np.copyto(before, params)
                if i > 0 and between is not None:
                    between()
            self.epoch += 1
            plan.backward(self.l1, self.l2)
            opt.update(params, net.grad)
            self.step_count += 1
            if not math.isfinite(float(np.add.reduce(params))):
                np.copyto(params, before)
                raise Diverged(f"parameters became NaN or inf at step {self.step_count}")

    def _make_plan(self) -> FullBatchPlan:
        self._plan = FullBatchPlan(self.net, self.XT, self.YT, self._all)
        return self._plan

    def state(self) -> dict[str, Any]:
        """A checkpoint: parameters, optimizer state, rng and position in the epoch."""
        return {
            "params": self.net.params.copy(),
            "optimizer": self.optimizer.name,
            "learning_rate": self.optimizer.learning_rate,
            "optimizer_state": self.optimizer.state(),
            "step": self.step_count,
            "epoch": self.epoch,
            "pos": self._pos,
            "in_epoch": self._perm is not None and not self.full_batch,
            "epoch_rng_state": self._epoch_rng_state,
            "rng_state": self.rng.bit_generator.state,
        }

    def load_state(self, state: dict[str, Any]) -> None:
        """Return exactly to a checkpoint taken by `state()`."""
        self.net.params[...] = state["params"]
        self.set_optimizer(state["optimizer"], state["learning_rate"])
        self.optimizer.load_state(state["optimizer_state"])
        self.step_count, self.epoch, self._pos = state["step"], state["epoch"], state["pos"]
        if state["in_epoch"]:
            self.rng.bit_generator.state = state["epoch_rng_state"]
            self._epoch_rng_state = state["epoch_rng_state"]
            self._perm = self.rng.permutation(self.n)  # regenerates the same permutation
        else:
            self._perm = None
        self.rng.bit_generator.state = state["rng_state"]

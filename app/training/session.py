"""A training session: prepared data + network + trainer + history, guarded by one lock.

The session speaks in the dataset's own units (raw features in, class labels or target units
out); the engine below it sees only standardized arrays.
"""

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.data.prepare import Prepared
from app.nn import Network, Trainer
from app.nn.losses import OUTPUT_FOR_TASK
from app.nn.network import Forward, forward_stack
from app.nn.trainer import Diverged
from app.schemas.sessions import Hyperparameters, Metrics, SessionConfig, Status
from app.training.frames import Grid, make_grid
from app.training.history import Record, Thinned

Array = NDArray[Any]
Targets = tuple[Array, Array | None]  # YT (K, N) and each row's label (None: regression)
CHECKPOINT_BUDGET_BYTES = 6_000_000
PENDING_VALUES = 1 << 16  # per stacked activation array: test rows × widest layer × steps


class SessionError(ValueError):
    """A request the session cannot honour as asked (answered with `status_code`)."""

    def __init__(self, message: str, status_code: int = 409):
        super().__init__(message)
        self.status_code = status_code


@dataclass
class Evaluation:
    """Metrics in the target's own units (regression loss scaled back by the target's std²)."""

    train_loss: float | None
    test_loss: float | None
    train_accuracy: float | None
    test_accuracy: float | None

    def as_metrics(self) -> Metrics:
        return Metrics(**{k: _finite(v) for k, v in self.__dict__.items()})


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


class TrainingSession:
    """One run: `config` applied to `data`, trained step by step, rewindable to checkpoints."""

    def __init__(self, session_id: str, config: SessionConfig, data: Prepared, target: str):
        self.id, self.config, self.data, self.target_name = session_id, config, data, target
        self.lock = threading.RLock()
        self._status = Status.READY
        self.message: str | None = None
        self.last_used = time.monotonic()
        self.dirty = True  # changed since the last save
        self.deleted = False  # once deleted, never saved again (a watcher may still hold it)
        self._grids: dict[int, Grid] = {}
        self._step_seconds = 1e-4  # recent seconds per training step (paces deadlines)
        n_out = len(data.classes) if data.task == "multiclass" and data.classes else 1
        self.sizes = [data.X_train.shape[1], *config.hidden_layers, n_out]
        self.net = Network(self.sizes, config.activation, OUTPUT_FOR_TASK[data.task])
        self.Y_train = self.net.output.targets(data.y_train, n_out)
        self.Y_test = self.net.output.targets(data.y_test, n_out)
        self._train_targets = self._targets(self.Y_train)
        self._test_targets = self._targets(self.Y_test)
        self.init_seed = config.seed
        self.trainer = self._new_trainer(self.init_seed)
        self._pending: list[tuple[int, float, float | None, Array]] = []  # see _record
        self._pending_cap = max(1, min(64, PENDING_VALUES // (max(self.sizes[1:])
                                                              * max(1, len(data.X_test)))))
        self.history = self._new_history()
        self._record()

    # ---- construction -------------------------------------------------------------------
    def _new_trainer(self, seed: int) -> Trainer:
        rng = np.random.default_rng(seed)
        self.net.init(rng, self.config.init, self.config.init_value)
        c = self.config
        return Trainer(self.net, self.data.X_train, self.Y_train, rng,
                       c.optimizer, c.learning_rate, c.batch_size, c.l1, c.l2)

    def _new_history(self) -> Record:
        per_checkpoint = 8 * self.net.params.size * 3 + 2048
        cap = max(8, min(40, CHECKPOINT_BUDGET_BYTES // per_checkpoint))
        return Record(metrics=Thinned(cap=1000), checkpoints=Thinned(cap=cap))

    # ---- status: every move goes through `status`'s setter, checked against Status ----------
    @property
    def status(self) -> Status:
        return self._status

    @status.setter
    def status(self, new: Status | str) -> None:
        """Move to `new` (a Status or its value); a move Status does not allow is a 409."""
        new = Status(new)
        if not self._status.can_become(new):
            raise SessionError(f"a {self._status} session cannot become {new}")
        self._status = new

    def start_running(self) -> None:
        """Being played from now on (a diverged session must be reset or rewound first)."""
        if self._status is Status.DIVERGED:
            raise SessionError("the session diverged; reset or rewind before playing")
        self.status = Status.RUNNING

    def stop_running(self) -> None:
        """No longer played: a running session becomes paused (any other stays as it is)."""
        if self._status is Status.RUNNING:
            self.status = Status.PAUSED

    def _diverge(self, why: str) -> None:
        self.status, self.message = Status.DIVERGED, why

    def _recover(self) -> None:
        """Finite parameters again (rewind, hand edit): a diverged session is paused."""
        if self._status is Status.DIVERGED:
            self.status, self.message = Status.PAUSED, None

    # ---- what it is now -----------------------------------------------------------------
    @property
    def step_count(self) -> int:
        return self.trainer.step_count

    def evaluate(self) -> Evaluation:
        """Loss and accuracy on the training and test rows at the current parameters."""
        with self.lock, np.errstate(all="ignore"):
            train = self._score(self.trainer.forward_all(), self._train_targets)
            test = self._score_tests(self.net.params[None])[0]
            return Evaluation(train[0], test[0], train[1], test[1])

    def _targets(self, Y: Array) -> Targets:
        """Y (N, K) as `_score` compares with it."""
        YT = np.ascontiguousarray(Y.T)
        if self.data.task == "regression":
            return YT, None
        return YT, (YT[0] > 0.5) if self.data.task == "binary" else YT.argmax(axis=0)

    def _score(self, fwd: Forward, targets: Targets) -> tuple[float, float | None]:
        """Mean data loss (in the target's units) and accuracy of a forward pass."""
        YT, labels = targets
        loss = self.net.output.loss(fwd.ZT[-1], YT)
        if labels is None:
            return loss * self.data.y_std**2, None
        P = fwd.AT[-1]  # (K, N)
        hit = (P[0] > 0.5) == labels if self.data.task == "binary" else P.argmax(axis=0) == labels
        return loss, np.count_nonzero(hit) / hit.size

    # ---- training -----------------------------------------------------------------------
    def _record(self, flush: bool = True) -> None:
        """Log metrics and a checkpoint at the current step, when the thinning wants them.

        The train metrics come from the forward pass the next step reuses; the test rows are
        scored later for many steps in one stacked pass (`_flush`; `train` flushes before it
        returns, so readers never see a pending step)."""
        step = self.trainer.step_count
        if self.history.metrics.wants(step):
            train = self._score(self.trainer.forward_all(), self._train_targets)
            self._pending.append((step, *train, self.net.params.copy()))
            if flush or len(self._pending) >= self._pending_cap:
                self._flush()
        if self.history.checkpoints.wants(step):
            self.history.checkpoints.add(step, self.trainer.state())

    def _flush(self) -> None:
        """Score the test rows at every pending step's parameters and add their metrics."""
        if not self._pending:
            return
        steps, losses, accuracies, params = zip(*self._pending, strict=True)
        self._pending.clear()
        tests = self._score_tests(np.stack(params))
        for step, loss, accuracy, (test_loss, test_accuracy) in zip(
                steps, losses, accuracies, tests, strict=True):
            self.history.metrics.add(step, Evaluation(loss, test_loss, accuracy, test_accuracy))

    def _score_tests(self, params: Array) -> list[tuple[float | None, float | None]]:
        """Test loss and accuracy at each row of `params` (P, n_params), in one stacked pass."""
        if not len(self.data.X_test):
            return [(None, None)] * len(params)
        with np.errstate(all="ignore"):
            fwd = forward_stack(self.net, params, self.data.X_test)
            YT, labels = self._test_targets
            losses = self.net.output.losses(fwd.ZT[-1], YT)
        if labels is None:
            return [(float(loss) * self.data.y_std**2, None) for loss in losses]
        P = fwd.AT[-1]  # (P, K, M)
        binary = self.data.task == "binary"
        hit = (P[:, 0] > 0.5) == labels if binary else P.argmax(axis=1) == labels
        hits = np.count_nonzero(hit, axis=1)
        return [(float(loss), int(h) / labels.size) for loss, h in zip(losses, hits, strict=True)]

    def train(self, steps: int, deadline: float | None = None) -> int:
        """Run up to `steps` updates (stopping at `deadline`, a time.monotonic() value).

        Returns the number of steps done. Divergence sets status 'diverged' and stops.
        """
        with self.lock:
            if self._status is Status.DIVERGED:
                raise SessionError(
                    f"the session diverged ({self.message}); reset it or rewind to a checkpoint"
                )
            start = self.trainer.step_count
            if self._status is Status.READY:
                self.status = Status.PAUSED
            self.dirty = True
            self.last_used = time.monotonic()
            with np.errstate(all="ignore"):
                try:
                    self._train(steps, deadline)
                finally:
                    self._flush()
            return self.trainer.step_count - start

    def _train(self, steps: int, deadline: float | None) -> None:
        """`train`'s loop: chunks of steps between history records (the lock held)."""
        end = self.trainer.step_count + steps
        while (remaining := end - self.trainer.step_count) > 0:
            chunk = self._chunk(remaining, deadline)
            began = time.monotonic()
            try:
                self.trainer.step(chunk)
            except Diverged as err:
                self._diverge(f"{err}; try a smaller learning rate")
                return
            now = time.monotonic()
            self._step_seconds = 0.8 * self._step_seconds + 0.2 * (now - began) / chunk
            self._record(flush=False)
            if deadline is not None and now >= deadline:
                return

    def _chunk(self, remaining: int, deadline: float | None) -> int:
        """Steps to run before the next history record is due, or the deadline (at least 1)."""
        step = self.trainer.step_count
        nxt = min(_next_multiple(step, self.history.metrics.stride),
                  _next_multiple(step, self.history.checkpoints.stride))
        chunk = min(remaining, nxt - step, 256)
        if deadline is not None:  # what fits before the deadline at the recent pace
            chunk = min(chunk, int((deadline - time.monotonic()) / self._step_seconds))
        return max(1, chunk)

    def steps_for_epochs(self, epochs: int) -> int:
        return epochs * self.trainer.steps_per_epoch

    def set_hyperparameters(self, h: Hyperparameters) -> None:
        """Change learning rate, regularisation, batch size or optimizer; weights untouched."""
        with self.lock:
            updates = h.model_dump(exclude_none=True)
            full_batch = updates.pop("full_batch", None)
            if full_batch:
                updates["batch_size"] = None
            self.config = self.config.model_copy(update=updates)
            c = self.config
            self.trainer.set_optimizer(c.optimizer, c.learning_rate)
            self.trainer.set_batch_size(c.batch_size)
            self.trainer.l1, self.trainer.l2 = c.l1, c.l2
            self.dirty = True

    def reset(self, seed: int | None = None) -> None:
        """New initial weights (the config's seed unless one is given); history restarts.

        The train/test split stays the one the config's seed made."""
        with self.lock:
            self.init_seed = self.config.seed if seed is None else seed
            self.trainer = self._new_trainer(self.init_seed)
            self.history = self._new_history()
            self.stop_running()  # a reset while played starts over, paused first
            self.status, self.message, self.dirty = Status.READY, None, True
            self._record()

    def rewind(self, step: int) -> None:
        """Return exactly to the checkpoint at `step`: weights, optimizer state and rng."""
        with self.lock:
            self.trainer.load_state(self._checkpoint(step))
            self.history.truncate(step)
            self._recover()
            self.message, self.dirty = None, True

    def set_parameters(self, layers: list[tuple[list[list[float]], list[float]]]) -> None:
        """Replace every weight and bias (hand edits); training continues from them."""
        with self.lock:
            if len(layers) != self.net.n_layers:
                raise SessionError(f"{len(layers)} layers given; this network has "
                                   f"{self.net.n_layers} weight layers (sizes {self.sizes})", 422)
            new = []
            for l, (weights, bias) in enumerate(layers):
                try:
                    W = np.asarray(weights, dtype=np.float64)
                    b = np.asarray(bias, dtype=np.float64)
                except ValueError:  # ragged rows
                    raise SessionError(f"layer {l}: every row of weights needs "
                                       f"{self.net.W[l].shape[1]} values", 422) from None
                if W.shape != self.net.W[l].shape or b.shape != self.net.b[l].shape:
                    raise SessionError(
                        f"layer {l}: weights must be {list(self.net.W[l].shape)} (in×out) and "
                        f"bias [{self.net.b[l].size}], got {list(W.shape)} and {list(b.shape)}",
                        422)
                if not (np.isfinite(W).all() and np.isfinite(b).all()):
                    raise SessionError(f"layer {l}: every weight and bias must be finite", 422)
                new.append((W, b))
            for l, (W, b) in enumerate(new):
                self.net.W[l][...], self.net.b[l][...] = W, b
            if self._status is Status.DIVERGED:  # its optimizer state is not finite any more
                self.trainer.reset_optimizer()
                self._recover()
            self.dirty = True

    def _checkpoint(self, step: int) -> dict[str, Any]:
        if step not in self.history.checkpoints.steps:
            near = self.history.checkpoints.steps
            raise SessionError(
                f"no checkpoint at step {step}; the latest checkpoints are at steps {near[-12:]}"
                " (see history.checkpoints)", 422)
        state: dict[str, Any] = self.history.checkpoints.at(step)
        return state

    @contextmanager
    def at_step(self, step: int | None) -> Iterator[None]:
        """Temporarily show the network as it was at checkpoint `step` (None: as it is now).

        Everything read inside the block (maps, metrics, weights, step) is of that step; the
        session's real state comes back on exit, exactly."""
        with self.lock:
            if step is None or step == self.step_count:
                yield
                return
            checkpoint = self._checkpoint(step)
            now = self.trainer.state()
            self.trainer.load_state(checkpoint)
            try:
                yield
            finally:
                self.trainer.load_state(now)

    # ---- reading the network ------------------------------------------------------------
    def forward_raw(self, raw: Array) -> Forward:
        """Forward pass from raw feature rows (the dataset's units)."""
        with np.errstate(all="ignore"):
            return self.net.forward(self.data.inputs_from_raw(raw))

    def output_in_units(self, out: Array) -> Array:
        """Network output → probabilities, or regression values in the target's units."""
        if self.data.task == "regression":
            return out * self.data.y_std + self.data.y_mean
        return out

    def grid(self, size: int) -> Grid:
        """The map grid of `size` cells per side (cached: it depends only on the data)."""
        if size not in self._grids:
            if len(self._grids) > 4:
                self._grids.clear()
            self._grids[size] = make_grid(self.data, size)
        return self._grids[size]

    def layers(self) -> list[dict[str, Any]]:
        acts = [self.config.activation] * (self.net.n_layers - 1) + [self.net.output.name]
        return [{"weights": W.tolist(), "bias": b.tolist(), "activation": a}
                for W, b, a in zip(self.net.W, self.net.b, acts, strict=True)]


def _next_multiple(step: int, stride: int) -> int:
    return (step // stride + 1) * stride

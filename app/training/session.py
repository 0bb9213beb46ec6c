"""A training session: prepared data + network + trainer + history, guarded by one lock.

The session speaks in the dataset's own units (raw features in, class labels or target units
out); the engine below it sees only standardized arrays.
"""

import copy
import math
import threading
import time
from collections.abc import Iterator, Sequence
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
REPLAY_SECONDS = 0.1  # checkpoints are spaced so that replaying to any step takes about this
RECENT_CHECKPOINTS = 8  # at most, per doubling of age (fewer for a large network)
RECENT_METRICS = 32  # the latest 64 steps' metrics are all kept, then 32 per doubling
FAR = 1 << 62  # a play tick's records are those kept long after it (`train(tail=False)`)
CHEAP_METRICS = 1 << 16  # parameters × test rows up to which metrics are scored every step
CHECKPOINT_EVERY = 4  # near now at least (a state every step costs ~15% of a small net's step)
CHECKPOINT_BYTES_PER_STEP = 4096  # near now, a larger network's states are further apart
NEAR_STATES = 4  # replayed states a session remembers (scrubbing goes on from them)
HYPERPARAMETERS = ("learning_rate", "l1", "l2", "batch_size", "optimizer")
RECORDED_CALL_SECONDS = 0.002  # a trainer call that records between its steps: about this long
PENDING_VALUES = 1 << 16  # per stacked array: steps × (test rows × widest layer, or train
#                           rows × outputs)


class Pending:
    """Recorded steps waiting to be scored: their steps, and copies of their output
    pre-activations Z, activations P and parameters in buffers made once, so that a flush
    scores them as stacks as they lie (no copies of its own)."""

    def __init__(self, cap: int):
        self.cap = cap
        self.steps: list[int] = []
        self._buffers: tuple[Array, Array, Array] | None = None

    @property
    def full(self) -> bool:
        return len(self.steps) >= self.cap

    def add(self, step: int, Z: Array, P: Array, params: Array) -> None:
        """Keep a step (Z and P have one shape, and a session's parameters another, for good)."""
        if self._buffers is None or self._buffers[0].shape[1:] != Z.shape:
            self._buffers = (np.empty((self.cap, *Z.shape)), np.empty((self.cap, *P.shape)),
                             np.empty((self.cap, *params.shape)))
        Zs, Ps, ps = self._buffers
        i = len(self.steps)
        Zs[i], Ps[i], ps[i] = Z, P, params  # plain copies: 0.4 µs each, np.copyto 0.6-1
        self.steps.append(step)

    def take(self) -> tuple[list[int], Array, Array, Array]:
        """The waiting steps and their (n, …) stacks, no longer waiting: views that hold until
        the next `add`."""
        assert self._buffers is not None
        steps, self.steps, n = self.steps, [], len(self.steps)
        Z, P, params = self._buffers
        return steps, Z[:n], P[:n], params[:n]

    def clear(self) -> None:
        self.steps = []

    def __len__(self) -> int:
        return len(self.steps)


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
        n_out = len(data.classes) if data.task == "multiclass" and data.classes else 1
        self.sizes = [data.X_train.shape[1], *config.hidden_layers, n_out]
        self.net = Network(self.sizes, config.activation, OUTPUT_FOR_TASK[data.task])
        self.Y_train = self.net.output.targets(data.y_train, n_out)
        self.Y_test = self.net.output.targets(data.y_test, n_out)
        self._train_targets = self._targets(self.Y_train)
        self._test_targets = self._targets(self.Y_test)
        self.init_seed = config.seed
        self.trainer = self._new_trainer(self.init_seed)
        # recent seconds per training step (paces deadlines), and per step of the calls that
        # record between steps; until measured, the estimate from the network's size
        self._step_seconds = self._recorded_seconds = self._estimated_step_seconds()
        self._until: int | None = None  # the step records are kept for, if not a call's end
        self._sparse_since: int | None = None  # first step a play tick left sparse (`settle`)
        stacked = max(max(self.sizes[1:]) * len(data.X_test), n_out * len(data.X_train), 1)
        self._pending = Pending(max(1, min(64, PENDING_VALUES // stacked)))  # see _record
        state_bytes = 8 * 3 * self.net.params.size  # parameters and an optimizer's two moments
        self.near_every = 1 << max(CHECKPOINT_EVERY.bit_length() - 1,
                                   (state_bytes // CHECKPOINT_BYTES_PER_STEP).bit_length())
        self.history = self._new_history()
        self._near: dict[int, dict[str, Any]] = {}  # step → state replayed to lately
        self._record()

    # ---- construction -------------------------------------------------------------------
    def _new_trainer(self, seed: int) -> Trainer:
        rng = np.random.default_rng(seed)
        self.net.init(rng, self.config.init, self.config.init_value)
        c = self.config
        return Trainer(self.net, self.data.X_train, self.Y_train, rng,
                       c.optimizer, c.learning_rate, c.batch_size, c.l1, c.l2)

    def _new_history(self) -> Record:
        """Metrics: every one of the latest steps, older ones thinned. Checkpoints: dense near
        now, thinned with age down to a grid spaced `replay_steps()` apart (a power of two;
        the spacing doubles once `cap` checkpoints fill the budget)."""
        per_checkpoint = 8 * self.net.params.size * 3 + 2048
        count = CHECKPOINT_BUDGET_BYTES // per_checkpoint
        stride = 1 << (self.replay_steps().bit_length() - 1)
        levels = stride.bit_length()  # recent checkpoints: `window` per doubling of age
        window = max(1, min(RECENT_CHECKPOINTS, count // (4 * levels)))
        return Record(metrics=Thinned(cap=1000, window=RECENT_METRICS),
                      checkpoints=Thinned(cap=max(8, count - 2 * window * levels),
                                          stride=stride, window=window))

    def replay_steps(self) -> int:
        """Steps replayed in about REPLAY_SECONDS: a step's cost estimated from the network's
        size and the batch (measured on a 2-core machine: 2-8-8-1 on 240 rows ~100 µs, 6×32
        ~1 ms), so the spacing is the same for the same config on any machine."""
        return max(1, int(REPLAY_SECONDS / self._estimated_step_seconds()))

    def _estimated_step_seconds(self) -> float:
        rows = self.trainer.n if self.trainer.full_batch else self.trainer.batch_size
        return 30e-6 * self.net.n_layers + 1e-9 * self.net.params.size * (rows or 1)

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

    @property
    def history(self) -> Record:
        """The run's record, with every step trained so far scored (see `_record`)."""
        with self.lock:
            self._flush()
            return self._history

    @history.setter
    def history(self, history: Record) -> None:
        with self.lock:
            self._history, self._sparse_since = history, None
            self._pending.clear()

    @property
    def sparse_tail(self) -> bool:
        """Whether play ticks left the latest steps' records sparse (see `settle`)."""
        return self._sparse_since is not None

    @property
    def checkpoint_steps(self) -> list[int]:
        """The steps of the stored checkpoints (as `history` lists them), without scoring the
        pending steps' metrics: a frame reads this at every tick."""
        with self.lock:
            return list(self._history.checkpoints.steps)

    def evaluate(self) -> Evaluation:
        """Loss and accuracy on the training and test rows at the current parameters."""
        with self.lock, np.errstate(all="ignore"):
            fwd = self.trainer.forward_all()
            train = self._scores(fwd.ZT[-1][None], fwd.AT[-1][None], self._train_targets)[0]
            test = self._score_tests(self.net.params[None])[0]
            return Evaluation(train[0], test[0], train[1], test[1])

    def _targets(self, Y: Array) -> Targets:
        """Y (N, K) as `_scores` compares with it."""
        YT = np.ascontiguousarray(Y.T)
        if self.data.task == "regression":
            return YT, None
        return YT, (YT[0] > 0.5) if self.data.task == "binary" else YT.argmax(axis=0)

    def _scores(self, Z: Array, P: Array, targets: Targets) -> list[tuple[float, float | None]]:
        """Mean data loss (in the target's units) and accuracy of each forward pass in a stack:
        output pre-activations Z and activations P (S, K, N). Each pass's numbers have the
        bits it has alone (S = 1), so a step scored in a stack or by `evaluate` agrees."""
        YT, labels = targets
        losses = self.net.output.losses(Z, YT)
        if labels is None:
            return [(float(loss) * self.data.y_std**2, None) for loss in losses]
        binary = self.data.task == "binary"
        hit = (P[:, 0] > 0.5) == labels if binary else P.argmax(axis=1) == labels
        hits = np.count_nonzero(hit, axis=1)
        return [(float(loss), int(h) / labels.size) for loss, h in zip(losses, hits, strict=True)]

    # ---- training -----------------------------------------------------------------------
    def _record(self, horizon: int | None = None) -> None:
        """Log metrics and a checkpoint at the current step, when the thinning wants them
        (and, training on to step `horizon` if given, would still keep them there).

        The train metrics come from the forward pass the next step reuses. A recorded step
        waits in `_pending` (the step, copies of that pass's output pre-activations and
        activations, and of the parameters), and many steps are scored at once (`_flush`):
        the train rows from the kept outputs, the test rows in one stacked pass, when
        `_pending` is full or someone reads `history`. Readers never see a pending
        step, and a step pays three copies, not a scoring of its own."""
        step = self.trainer.step_count
        now = horizon is None  # what the thinning wants now, whatever comes after
        end = step if horizon is None else horizon
        if self._wants_metrics(step) and (now or self._history.metrics.keeps(step, end)):
            fwd = self.trainer.forward_all()
            self._pending.add(step, fwd.ZT[-1], fwd.AT[-1], self.net.params)
            if self._pending.full:
                self._flush()
        c = self._history.checkpoints
        if c.wants(step) and (step % c.stride == 0 or now or (
                step % self.near_every == 0 and c.keeps(step, end))):
            c.add(step, self.state())

    def _wants_metrics(self, step: int) -> bool:
        """Whether to record `step`'s metrics: every step where that is cheap, else the grid."""
        if self._pending.steps and step <= self._pending.steps[-1]:
            return False
        m = self._history.metrics
        if step % m.stride and not self._cheap_metrics():
            return False
        return m.wants(step)

    def _cheap_metrics(self) -> bool:
        """Whether scoring every step costs little: full batch (the step reuses the train
        rows' pass) on a small network (the test pass of 6×32 would add ~25% a step)."""
        return self.trainer.full_batch and \
            self.net.params.size * max(1, len(self.data.X_test)) <= CHEAP_METRICS

    def _flush(self) -> None:
        """Score every pending step (train rows from its kept outputs, test rows in one
        stacked pass at the steps' parameters) and add their metrics."""
        if not self._pending.steps:
            return
        steps, Z, P, params = self._pending.take()
        with np.errstate(all="ignore"):
            trains = self._scores(Z, P, self._train_targets)
        tests = self._score_tests(params)
        self._history.metrics.extend(steps, [
            Evaluation(loss, test_loss, accuracy, test_accuracy)
            for (loss, accuracy), (test_loss, test_accuracy) in zip(trains, tests, strict=True)])

    def _score_tests(self, params: Array) -> Sequence[tuple[float | None, float | None]]:
        """Test loss and accuracy at each row of `params` (P, n_params), in one stacked pass."""
        if not len(self.data.X_test):
            return [(None, None)] * len(params)
        with np.errstate(all="ignore"):
            fwd = forward_stack(self.net, params, self.data.X_test)
            return self._scores(fwd.ZT[-1], fwd.AT[-1], self._test_targets)

    def train(self, steps: int, deadline: float | None = None, tail: bool = True) -> int:
        """Run up to `steps` updates (stopping at `deadline`, a time.monotonic() value).

        Returns the number of steps done. Divergence sets status 'diverged' and stops.
        `tail=False` (a play tick, with more to follow) records only what the history keeps
        for good, not the latest steps at full resolution: the next tick would thin them
        away. `settle` records them when play stops.
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
            if not tail and self._sparse_since is None:
                self._sparse_since = start
            self._until = None if tail else FAR
            with np.errstate(all="ignore"):
                try:
                    self._train(steps, deadline)
                finally:
                    self._until = None
                    if self._history.checkpoints.wants(self.step_count):  # where it stopped
                        self._history.checkpoints.add(self.step_count, self.state())
            return self.trainer.step_count - start

    def _train(self, steps: int, deadline: float | None) -> None:
        """`train`'s loop: chunks of steps between history records (the lock held)."""
        end = self.trainer.step_count + steps
        while (remaining := end - self.trainer.step_count) > 0:
            chunk, every_step = self._chunk(remaining, deadline)
            between = None
            if every_step:
                horizon = self._horizon(end, deadline)
                between = lambda h=horizon: self._record(h)  # noqa: E731
            began = time.monotonic()
            try:
                self.trainer.step(chunk, between)
            except Diverged as err:
                self._diverge(f"{err}; try a smaller learning rate")
                return
            now = time.monotonic()
            pace = (now - began) / chunk
            self._step_seconds = 0.8 * self._step_seconds + 0.2 * pace
            if every_step:
                self._recorded_seconds = 0.8 * self._recorded_seconds + 0.2 * pace
            self._record(horizon=self._horizon(end, deadline))
            if deadline is not None and now >= deadline:
                return

    def _horizon(self, end: int, deadline: float | None) -> int:
        """Where this training call will stop: its last step, or sooner at the deadline at
        the recent pace (what would be thinned away by then is not recorded)."""
        if self._until is not None:
            return self._until
        if deadline is None:
            return end
        left = int((deadline - time.monotonic()) / self._step_seconds)
        return min(end, self.trainer.step_count + max(0, left))

    def _chunk(self, remaining: int, deadline: float | None) -> tuple[int, bool]:
        """Steps to run before the next history record is due, or the deadline (at least 1),
        and whether a record is due after every step: then the trainer runs up to 16 steps
        (about RECORDED_CALL_SECONDS) in one call and `_record` runs between them. Records
        that training on to its end would thin away are not due."""
        step = self.trainer.step_count
        m, c = self._history.metrics, self._history.checkpoints
        horizon = self._horizon(step + remaining, deadline)
        metrics = (m.next_kept(step, horizon) if m.window and self._cheap_metrics()
                   else _next_multiple(step, m.stride))
        nxt = min(metrics, _next_multiple(step, c.stride),
                  c.next_kept(step, horizon, self.near_every) if c.window
                  else _next_multiple(step, c.stride))
        every_step = nxt == step + 1
        if every_step:  # at most RECORDED_CALL_SECONDS of them: the deadline is checked after
            pace = max(self._recorded_seconds, self._step_seconds)  # never the quicker
            chunk = min(remaining, 16, int(RECORDED_CALL_SECONDS / pace))
        else:
            pace, chunk = self._step_seconds, min(remaining, nxt - step, 256)
        if deadline is not None:  # what fits before the deadline at the recent pace
            chunk = min(chunk, int((deadline - time.monotonic()) / pace))
        return max(1, chunk), every_step

    def settle(self) -> bool:
        """Record the latest steps at full resolution, as one training call to now would have,
        after play ticks (`train(tail=False)`) left them sparse: replay from the checkpoint
        before them, making the run's hyperparameter changes at their steps. Training is
        deterministic, so the replay ends on the same parameters; should it not, the history
        is left as it was. Never across a weight edit (a replay cannot make one), and never
        longer than two replays' worth (`replay_steps`): a large network late in its run,
        whose checkpoints lie far apart, keeps the thinner tail. Returns whether anything
        was recorded."""
        with self.lock:
            since, self._sparse_since = self._sparse_since, None
            now, c, m = self.step_count, self._history.checkpoints, self._history.metrics
            if since is None or self._status is Status.DIVERGED:
                return False
            edited = max((p for p in c.pinned if p <= now), default=0)
            first = max(since, now - 2 * m.window, edited)
            base = c.floor(first)
            if first >= now or base is None or now - base[0] > 2 * (self.replay_steps() +
                                                                     m.window):
                return False
            self._flush()
            end, config, status, message = self.state(), self.config, self._status, self.message
            kept = (copy.copy(m), copy.copy(c))
            for t in kept:
                t.steps, t.items, t.pinned = t.steps[:], t.items[:], set(t.pinned)
            m.truncate(base[0])
            c.truncate(base[0])
            self.load_state(base[1])
            self._until, retraced = now, False
            try:
                with np.errstate(all="ignore"):
                    for at, hyper in self._history.events_between(base[0], now):
                        if at > self.step_count:
                            self._train(at - self.step_count, None)
                        self._apply(hyper)
                        self.config = self.config.model_copy(update=hyper)
                    if now > self.step_count:
                        self._train(now - self.step_count, None)
                self._flush()
                retraced = self.step_count == now and np.array_equal(self.net.params,
                                                                     end["params"])
                if retraced and c.wants(now):  # where it stopped, as `train` keeps it
                    c.add(now, end)
            finally:
                self._until = None
                if not retraced:  # never seen: the run stays as it was
                    self._history.metrics, self._history.checkpoints = kept
                    self._pending.clear()
                self.load_state(end)
                self.config = config
                if self.status is Status.DIVERGED:  # the replay's own divergence undone;
                    self._status, self.message = status, message  # a pause made meanwhile
                    # (from the event loop, which does not wait for this lock) stands
                self.dirty = True
            return retraced

    def steps_for_epochs(self, epochs: int) -> int:
        return epochs * self.trainer.steps_per_epoch

    def set_hyperparameters(self, h: Hyperparameters) -> None:
        """Change learning rate, regularisation, batch size or optimizer; weights untouched.
        The change is recorded at this step, so replaying the run makes it again here."""
        with self.lock:
            updates = h.model_dump(exclude_none=True)
            full_batch = updates.pop("full_batch", None)
            if full_batch:
                updates["batch_size"] = None
            self.config = self.config.model_copy(update=updates)
            hyper = self.hyperparameters()
            self._apply(hyper)
            self._history.events.append((self.step_count, hyper))
            self.dirty = True

    def hyperparameters(self) -> dict[str, Any]:
        """The hyperparameters in force (the config's), as the history records them."""
        return {k: getattr(self.config, k) for k in HYPERPARAMETERS}

    def _apply(self, hyper: dict[str, Any]) -> None:
        """Give the trainer these hyperparameters (weights untouched)."""
        self.trainer.set_optimizer(hyper["optimizer"], hyper["learning_rate"])
        self.trainer.set_batch_size(hyper["batch_size"])
        self.trainer.l1, self.trainer.l2 = hyper["l1"], hyper["l2"]

    def reset(self, seed: int | None = None) -> None:
        """New initial weights (the config's seed unless one is given); history restarts.

        The train/test split stays the one the config's seed made."""
        with self.lock:
            self.init_seed = self.config.seed if seed is None else seed
            self.trainer = self._new_trainer(self.init_seed)
            self.history = self._new_history()
            self._near.clear()
            self.stop_running()  # a reset while played starts over, paused first
            self.status, self.message, self.dirty = Status.READY, None, True
            self._record()

    # ---- any past step: the nearest checkpoint at or before it, replayed ------------------
    def state(self) -> dict[str, Any]:
        """The whole training state: the trainer's checkpoint and the hyperparameters."""
        return {**self.trainer.state(), "hyper": self.hyperparameters()}

    def load_state(self, state: dict[str, Any]) -> None:
        """Return exactly to `state` (a checkpoint of `state()`; an old one without
        hyperparameters keeps the current l1, l2 and batch size)."""
        hyper = state.get("hyper") or {**self.hyperparameters(), "optimizer": state["optimizer"],
                                       "learning_rate": state["learning_rate"]}
        self.config = self.config.model_copy(update=hyper)
        self.trainer.set_batch_size(hyper["batch_size"])
        self.trainer.l1, self.trainer.l2 = hyper["l1"], hyper["l2"]
        self.trainer.load_state(state)

    def check_step(self, step: int) -> None:
        """A 422 naming the range unless 0 ≤ `step` ≤ now."""
        if not 0 <= step <= self.step_count:
            raise SessionError(
                f"no checkpoint at step {step}: this run is at step {self.step_count}, and "
                f"rewind, peek, snapshot and fork take any step from 0 to {self.step_count}", 422)

    def _replay_to(self, step: int) -> None:
        """Put the trainer exactly as it was at `step` (≤ now): restore the nearest
        checkpoint (or recently replayed state) at or before it, then train forward making
        the recorded hyperparameter changes at their steps."""
        base = self._history.checkpoints.floor(step)
        assert base is not None, "a history always holds step 0's checkpoint"
        near = max((s for s in self._near if base[0] < s <= step), default=None)
        start, state = (near, self._near[near]) if near is not None else base
        self.load_state(state)
        with np.errstate(all="ignore"):
            try:
                for at, hyper in self._history.events_between(start, step):
                    if at > self.step_count:
                        self.trainer.step(at - self.step_count)
                    self._apply(hyper)
                    self.config = self.config.model_copy(update=hyper)
                if step > self.step_count:
                    self.trainer.step(step - self.step_count)
            except Diverged:  # the run diverged here too: it went no further
                pass
        if step != start:
            self._remember(step)

    def _remember(self, step: int) -> None:
        """Keep the state just replayed to, for the next replay near it."""
        if len(self._near) >= NEAR_STATES:
            del self._near[min(self._near, key=lambda s: abs(s - step))]
        self._near[step] = self.state()

    def _forget_after(self, step: int) -> None:
        """Replayed states later than `step` no longer hold (a rewind, an edit at `step`)."""
        for s in [s for s in self._near if s > step]:
            del self._near[s]

    def rewind(self, step: int) -> None:
        """Return exactly to any past `step`: weights, optimizer state, rng and the
        hyperparameters then in force; what came after is forgotten."""
        with self.lock:
            self.check_step(step)
            self._replay_to(step)
            self.history.truncate(step)
            if self._sparse_since is not None and self._sparse_since >= step:
                self._sparse_since = None
            self._forget_after(step)
            self.history.checkpoints.add(step, self.state())
            self._recover()
            self.message, self.dirty = None, True

    @contextmanager
    def at_step(self, step: int | None) -> Iterator[None]:
        """Temporarily show the network as it was at any past `step` (None: as it is now).

        Everything read inside the block (maps, metrics, weights, step) is of that step; the
        session's real state comes back on exit, exactly."""
        with self.lock:
            if step is None or step == self.step_count:
                yield
                return
            self.check_step(step)
            now, config = self.state(), self.config
            try:
                self._replay_to(step)
                yield
            finally:
                self.load_state(now)
                self.config = config

    def copy_at(self, step: int | None, into: "TrainingSession") -> None:
        """Make `into` (built from the same config) this run as it was at `step` (None: now):
        its state, its history up to then, its seed and status (a fork)."""
        with self.lock:
            step = self.step_count if step is None else step
            self.check_step(step)
            with self.at_step(step):
                state, config = self.state(), self.config
            history = copy.deepcopy(self.history)
            status = self.status if step == self.step_count else Status.PAUSED
        history.truncate(step)
        with into.lock:
            into.config, into.init_seed, into.history = config, self.init_seed, history
            into.load_state(state)
            into.history.checkpoints.add(step, into.state())
            into._near.clear()
            into._status = Status.READY if step == 0 else Status(
                Status.PAUSED if status is Status.RUNNING else status)
            into.message = self.message if into._status is Status.DIVERGED else None
            into.dirty = True

    def set_parameters(self, layers: list[tuple[list[list[float]], list[float]]]) -> None:
        """Replace every weight and bias (hand edits); training continues from them. The new
        state is a checkpoint kept for good (a replay starts from it, never steps over it)."""
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
            self._forget_after(self.step_count - 1)
            self.history.checkpoints.add(self.step_count, self.state(), pinned=True)
            self.dirty = True

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

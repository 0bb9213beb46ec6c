"""Plays a session for its watchers: trains between frames in a worker thread, fans frames out.

Frames go out at a steady rate (settings.frame_rate) whatever the training speed: each tick
trains as many steps as the speed asks (or, at full speed, as many as fit in the tick), then
builds one frame per distinct view and format its watchers asked for (app.training.framing),
each serialised once. A watcher holds only the latest frame, so a slow client gets fewer
frames and never an unbounded queue; a tick builds nothing for a watcher still sending the
last one, and nothing at all when no watcher is ready.

Frames take at most FRAME_SHARE of the worker: with many sessions playing the tick stretches
(fewer frames per second) so that training keeps the rest, shared so that every session
trains about as many steps as the others (a slice of time in proportion to what its steps
cost), but none weighs more than HEAVY times the median session (a network 20 times the
others' size slows nobody else much).
"""

import asyncio
import contextlib
import logging
import random
import statistics
import time
from collections import deque
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from app.schemas.sessions import (
    Control,
    Hyperparameters,
    PauseControl,
    PeekControl,
    PlayControl,
    ResetControl,
    RewindControl,
    SetControl,
    SetParametersControl,
    Status,
    StepControl,
    ViewControl,
)
from app.schemas.stream import Role, ShareControl
from app.training.framing import DEFAULT_VIEW, Format, MapCache, View, dumps, frames_for
from app.training.payloads import history_message
from app.training.registry import SessionRegistry
from app.training.session import SessionError, TrainingSession
from app.training.worker import Worker

log = logging.getLogger(__name__)
Send = Callable[[str | bytes], Awaitable[None]]
Close = Callable[[int, str], Awaitable[None]]
Frames = dict[tuple[View, Format], str | bytes]
MARGIN = 0.0007  # seconds kept free in each tick for the hop to and from the worker (2 ms
#                  left 10 sessions 4,110-4,232 steps/s in all, 0.7 ms 5,315-5,735, at 30 fps)
FRAME_SHARE = 0.4  # at most this much of the worker's time builds frames
HEAVY = 2.0  # a session's slice weighs at most this many times the median session's
MIN_BUDGET = 0.0002  # seconds a playing session trains at least per tick
ALONE = 0.001  # a job the worker starts within this many seconds had the worker to itself
NOTHING, FRAME, HISTORY = 0, 1, 2  # what a control changed (HISTORY: a new frame as well)
MOVED = 1012, "moved to another process: reconnect"  # the close a handover gives watchers


class Watcher:
    """One client's mailbox: the latest frame plus a short queue of replies (errors, init),
    and what its frames are: the maps it draws (`view`) and their `format`."""

    def __init__(self, send: Send, fmt: Format = "json", close: Close | None = None,
                 role: Role = "own"):
        self.send, self.format, self.close, self.role = send, fmt, close, role
        self.view = DEFAULT_VIEW
        self.latest: str | bytes | None = None
        self.sending = False
        self.replies: deque[str | bytes] = deque(maxlen=16)
        self.wake = asyncio.Event()

    @property
    def key(self) -> tuple[View, Format]:
        return self.view, self.format

    @property
    def ready(self) -> bool:
        """Whether a new frame would go out now (not behind a frame still unsent)."""
        return self.latest is None and not self.sending

    def offer(self, frame: str | bytes) -> None:
        self.latest = frame
        self.wake.set()

    def reply(self, message: dict[str, Any] | str | bytes) -> None:
        """Queue a message (a dict is sent as JSON text)."""
        self.replies.append(message if isinstance(message, str | bytes)
                            else dumps(message))
        self.wake.set()

    async def pump(self) -> None:
        """Send whatever is waiting, forever (cancelled when the client leaves)."""
        while True:
            await self.wake.wait()
            self.wake.clear()
            self.sending = True
            try:
                while self.replies:
                    await self.send(self.replies.popleft())
                if self.latest is not None:
                    frame, self.latest = self.latest, None
                    await self.send(frame)
            finally:
                self.sending = False


class Player:
    """Runs the play loop of one session and publishes its frames."""

    def __init__(self, session: TrainingSession, registry: SessionRegistry, executor: Executor,
                 rest: "RequestTrainer", playing: "set[Player]"):
        self.session, self.registry, self.executor, self.rest = session, registry, executor, rest
        self.settings = registry.settings
        self._playing = playing  # every player of this process that is playing, this one too
        self._frame_cost = 0.002  # seconds a tick's frames take; a running estimate
        self._overrun = 0.0  # seconds training runs past its budget (a step, a history record)
        self._cost = StepCost()  # what its steps cost in a tick, recording included
        self.cache = MapCache()  # the last maps, for frames of an unchanged look
        self.watchers: set[Watcher] = set()
        self.speed: float | None = None  # steps per second; None = as fast as possible
        self._task: asyncio.Task[None] | None = None
        self._saving: asyncio.Task[None] | None = None  # the periodic save, in the background
        self.moved = False  # handed over to another process: nothing more may change here
        self.allow_control = False  # the owner lets watchers (role "watch") control it

    @property
    def playing(self) -> bool:
        return self._task is not None and not self._task.done()

    def play(self, speed: float | None) -> None:
        self.speed = speed
        if not self.playing:
            self.session.start_running()
            self._playing.add(self)
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def pause(self) -> None:
        """Stop training, then save (pause is one of the moments a session is written)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        try:
            await self._settle()  # before it says paused: a reader then sees it settled
        finally:  # paused even if this is cancelled (the settling runs on regardless)
            if self._task is None:  # unless someone pressed play again meanwhile
                self.session.stop_running()
                self._playing.discard(self)
        if not self.moved:  # after a handover the store is the new holder's to write
            await self._save()

    async def _settle(self) -> None:
        """Once play stops: the latest steps' records at full resolution (the ticks left them
        sparse; `TrainingSession.settle`), on the worker thread."""
        if not self.session.sparse_tail:
            return
        settling = asyncio.get_running_loop().run_in_executor(self.executor, self.session.settle)
        try:  # shielded: a pause given up on (its stream's handler cancelled) settles all the same
            await asyncio.shield(settling)
        except Exception:  # the run and its sparse history stand as they were
            log.exception("could not settle the history of session %s", self.session.id)

    def _save_soon(self) -> None:
        """Save in the background (the play loop does not wait for the store), one at a time."""
        if self._saving is None or self._saving.done():
            self._saving = asyncio.get_running_loop().create_task(self._save_now())

    async def _save(self) -> None:
        """Save now, after any background save still running (so the newest state lands last)."""
        if self._saving is not None:
            await asyncio.wait({self._saving})
            self._saving = None
        await self._save_now()

    async def _save_now(self) -> None:
        try:
            await asyncio.to_thread(self.registry.save, self.session)
        except Exception as err:  # the in-memory run goes on; watchers learn why saving failed
            log.warning("could not save session %s: %s", self.session.id, err)
            self.broadcast_reply({"type": "error", "detail": f"could not save the session: {err}"})

    async def _run(self) -> None:
        period = 1.0 / self.settings.frame_rate
        loop = asyncio.get_running_loop()
        # the first periodic save at a random point of the interval: sessions that start
        # together do not all save at once ever after
        last_save = time.monotonic() - random.random() * self.settings.save_interval_seconds
        carry, next_tick = 0.0, time.monotonic()
        while True:
            # Many sessions playing share one worker: stretch the tick so that every
            # session's frames take at most FRAME_SHARE of it, then share the rest out in
            # equal numbers of steps.
            playing = tuple(self._playing) or (self,)
            cost = sum(p._frame_cost for p in playing)
            tick = max(period, cost / FRAME_SHARE)
            share = (tick - cost - MARGIN) * _slice(self, playing)
            budget = max(MIN_BUDGET, share - self._overrun)
            # a steady clock: a tick that began late ends on time (see _advance); one that
            # began more than a tick late starts the clock afresh (never catch up)
            now = time.monotonic()
            next_tick = max(next_tick + tick, now)
            due = next_tick - self._frame_cost - MARGIN  # when training should end
            if self.speed is None:
                steps = self.settings.max_steps_per_request
            else:
                carry += self.speed * tick
                steps = int(carry)
                carry -= steps
            watchers = tuple(self.watchers)  # who is ready is asked once training is done
            try:
                frames = await loop.run_in_executor(self.executor, self._advance, steps, budget,
                                                    watchers, due, now)
            except Exception as err:  # never a silent stop: watchers are told, training pauses
                log.exception("session %s stopped playing", self.session.id)
                self.broadcast_reply({"type": "error", "detail": f"training stopped: {err}"})
                self.session.stop_running()
                frames = {}
            self.publish(frames)
            if self.session.status is not Status.RUNNING:  # diverged, or stopped by an error
                self._task = None
                self._playing.discard(self)
                await self._settle()
                await self._save()
                await self.send_history()
                return
            if time.monotonic() - last_save >= self.settings.save_interval_seconds:
                last_save = time.monotonic()
                self._save_soon()
            await asyncio.sleep(max(0.0, next_tick - time.monotonic()))

    def _advance(self, steps: int, budget: float, watchers: tuple[Watcher, ...],
                 due: float = float("inf"), asked: float = 0.0) -> Frames:
        """Worker thread: train for at most `budget` seconds, then build the frames of the
        `watchers` ready by then (none if nothing moved). Keeps a running estimate of what a
        tick's frames cost. A job started at once (asked at `asked`) has the worker to itself:
        its training also ends by `due`, so that a tick that began late (the last sleep
        overslept, the sends took a little longer) still ends on time: late ticks otherwise
        add up until one frame is lost. A job that waited for others' takes its budget whole
        (the worker's turns set the pace, and frames never come before steps), and so does
        one whose clock starts afresh (`due` already past)."""
        if steps <= 0:
            return {}
        began = time.monotonic()
        deadline = began + budget
        if began - asked < ALONE and due > began + MIN_BUDGET:
            deadline = min(deadline, due)
        trained = self.session.train(steps, deadline, tail=False)  # more ticks follow
        took = time.monotonic() - began
        self._cost.add(took, trained)
        # what training took past its deadline comes off the next budget, so that a tick
        # stays a tick (and the frame rate steady) however long the last step or record ran
        over = max(0.0, began + took - deadline)
        self._overrun = 0.8 * self._overrun + 0.2 * min(over, 0.05)
        # Asked now, not when the tick began: a frame published at the end of the last tick
        # has had the whole of this one to go out (asked before training, a send that took
        # the moment's sleep and a little more cost the watcher a frame)
        wanted = {w.key for w in watchers if w.ready}
        if not wanted:  # nobody would get a frame now: build none
            return {}
        start = time.monotonic()
        frames = self.frames(wanted)
        # one slow frame (a pause, the CPU taken away) moves the estimate by at most 20 %:
        # the tick adds up every playing session's estimate
        spent = min(time.monotonic() - start, 2 * self._frame_cost)
        self._frame_cost = 0.8 * self._frame_cost + 0.2 * spent
        return frames

    def frames(self, wanted: set[tuple[View, Format]] | None = None) -> Frames:
        """One frame per distinct view and format (default: every watcher's) of the session
        as it is now."""
        keys = {w.key for w in self.watchers} if wanted is None else wanted
        return frames_for(self.session, keys, self.cache) if keys else {}

    def publish(self, frames: Frames) -> None:
        for watcher in self.watchers:
            frame = frames.get(watcher.key)
            if frame is not None:
                watcher.offer(frame)

    def may_control(self, watcher: Watcher) -> bool:
        """Whether `watcher`'s controls are carried out: the owner's always, a watcher's
        while the owner allows it."""
        return watcher.role == "own" or self.allow_control

    @property
    def audience(self) -> int:
        """How many watch (role "watch")."""
        return sum(w.role == "watch" for w in self.watchers)

    def share(self, msg: ShareControl) -> None:
        """The owner's share message: who may control, and a session for watchers to follow."""
        if msg.allow_control is not None:
            self.allow_control = msg.allow_control
            self.announce()
        if msg.follow is not None:
            moved = {"type": "moved", "session": msg.follow, "hash": msg.hash}
            for watcher in self.watchers:
                if watcher.role == "watch":
                    watcher.reply(moved)

    def announce(self) -> None:
        """Tell everyone how many watch and whether they may control."""
        self.broadcast_reply({"type": "watchers", "count": self.audience,
                              "allow_control": self.allow_control})

    def broadcast_reply(self, message: dict[str, Any]) -> None:
        for watcher in self.watchers:
            watcher.reply(message)

    async def control(self, batch: list[Control], watcher: Watcher) -> None:
        """Carry out a burst of control messages in order, then send one frame (and one
        history message, if the history changed): a burst costs about one frame, not one
        each. Of several peeks only the last is answered, and only if nothing changed after
        it. Refusals go back to `watcher` as errors."""
        changed, peek, viewed = NOTHING, None, False
        for msg in batch:
            if isinstance(msg, PeekControl):
                peek = msg
                continue
            peek = None
            if isinstance(msg, ViewControl):  # checked by the stream against the network
                watcher.view, viewed = View.of(msg), True
                continue
            try:
                changed = max(changed, await self._apply(msg))
            except SessionError as err:
                watcher.reply({"type": "error", "detail": str(err)})
        if changed:
            self.registry.save_soon(self.session)
            await self.refresh(history=changed == HISTORY)
        elif viewed and not self.playing:  # its new view now (playing: the next tick's)
            frames = await asyncio.to_thread(self.frames, {watcher.key})
            watcher.offer(frames[watcher.key])
        if peek is not None:
            try:
                frames = await asyncio.to_thread(frames_for, self.session, {watcher.key},
                                                 None, peek.step)
                watcher.reply(frames[watcher.key])
            except SessionError as err:
                watcher.reply({"type": "error", "detail": str(err)})

    async def _apply(self, msg: Control) -> int:
        """One control message; what it changed of what watchers see (NOTHING, FRAME or
        HISTORY)."""
        s = self.session
        if s.deleted:
            raise SessionError("this session was deleted; create a new one", 404)
        if self.moved:
            raise SessionError("this session moved to another process; reconnect", 409)
        if isinstance(msg, PlayControl):
            per_step = s.trainer.steps_per_epoch if msg.unit == "epochs" else 1
            self.play(None if msg.speed is None else msg.speed * per_step)
            return NOTHING
        if isinstance(msg, SetControl):
            s.set_hyperparameters(Hyperparameters(**msg.model_dump(exclude={"type"})))
            return FRAME
        if isinstance(msg, PauseControl):
            await self.pause()
        elif isinstance(msg, StepControl):
            await self.rest.train(s, msg.steps)
        elif isinstance(msg, ResetControl):
            await self.pause()
            s.reset(msg.seed)
        elif isinstance(msg, RewindControl):
            await self.pause()
            s.rewind(msg.step)
        elif isinstance(msg, SetParametersControl):  # as REST PUT /parameters
            s.set_parameters([(layer.weights, layer.bias) for layer in msg.layers])
        return HISTORY

    async def refresh(self, history: bool = False) -> None:
        """Send every watcher a frame of the current state (after a control changed it), and
        with `history` the history message first."""
        if history:
            await self.send_history()
        if self.watchers:
            self.publish(await asyncio.to_thread(self.frames))

    async def send_history(self) -> None:
        """Send every watcher the history, as GET /history answers it."""
        if self.watchers:
            self.broadcast_reply(await asyncio.to_thread(history_message, self.session))


class StepCost:
    """Seconds a session's step takes in a tick: the recent ticks' training time over their
    steps (each tick weighing RECENT), so that a tick the interpreter lock or the CPU was
    taken from counts for its length, not as an outlier ratio (a running mean of each tick's
    time per step rose tenfold after one stalled tick, and with it the session's slice)."""

    RECENT = 0.1  # the latest tick's weight: about ten ticks' worth

    def __init__(self) -> None:
        self.took = self.trained = 0.0

    def add(self, took: float, trained: int) -> None:
        if trained:
            self.took += self.RECENT * (took - self.took)
            self.trained += self.RECENT * (trained - self.trained)

    @property
    def value(self) -> float | None:
        return self.took / self.trained if self.trained else None


def _slice(player: Player, playing: tuple[Player, ...]) -> float:
    """`player`'s part of the training time of a tick shared by `playing`: in proportion to
    what its steps cost (the same number of steps each), but weighing at most HEAVY times
    the median session. A session not measured yet counts as the median one."""
    known = [c for p in playing if (c := p._cost.value) is not None]
    if not known:
        return 1.0 / len(playing)
    typical = statistics.median(known)
    cap = HEAVY * typical

    def weight(p: Player) -> float:
        cost = p._cost.value
        return typical if cost is None else min(cost, cap)

    return weight(player) / sum(weight(p) for p in playing)


class RequestTrainer:
    """Trains for requests (REST `step`, the stream's `step`) on a bounded pool of its own, so
    long requests never fill the event loop's default pool that streams and pages wait on."""

    def __init__(self, threads: int, seconds: float):
        self.threads, self.seconds = threads, seconds
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="lens-request")
        self.running = 0  # only touched on the event loop

    async def train(self, session: TrainingSession, steps: int) -> None:
        """Train `steps` (at most `seconds` of work); 429 when every thread is busy."""
        if self.running >= self.threads:
            raise SessionError(
                f"the server is already training {self.running} step requests at once "
                f"(LL_REST_TRAINING_THREADS={self.threads}); try again when one has answered", 429)
        self.running += 1
        try:
            deadline = time.monotonic() + self.seconds
            await asyncio.get_running_loop().run_in_executor(
                self.pool, session.train, steps, deadline)
        finally:
            self.running -= 1


class Players:
    """The players of this process, one per watched or playing session.

    All play loops train and build frames on one worker thread, taking turns: threads that
    train side by side only fight over the interpreter lock (measured: 10 threads reach 43 %
    of one thread's steps per second, one thread taking turns 103 %). That thread hands its
    results back in batches (`app.training.worker`), so the event loop seldom takes the
    interpreter lock from it."""

    def __init__(self, registry: SessionRegistry):
        self.registry = registry
        self.by_id: dict[str, Player] = {}  # the players of watched sessions
        self.playing: set[Player] = set()  # the players playing (each adds and removes itself)
        registry.users = self
        self.executor = Worker("lens-train")
        settings = registry.settings
        self.rest = RequestTrainer(settings.rest_training_threads,
                                   settings.max_seconds_per_request)

    def of(self, session: TrainingSession) -> Player:
        player = self.by_id.get(session.id)
        if player is None or player.session is not session:
            player = self.by_id[session.id] = Player(session, self.registry, self.executor,
                                                     self.rest, self.playing)
        return player

    # ---- which sessions are in use: the registry asks (from any thread) ------------------
    @property
    def busy(self) -> frozenset[str]:
        """The sessions being played (never evicted)."""
        return frozenset(p.session.id for p in tuple(self.playing))

    @property
    def watched(self) -> frozenset[str]:
        """The sessions with a stream client (never evicted)."""
        return frozenset(sid for sid, p in tuple(self.by_id.items()) if p.watchers)

    def in_use(self, session_id: str) -> bool:
        """Played or watched: such a session stays in memory."""
        return session_id in self.busy or session_id in self.watched

    def watch(self, session: TrainingSession, send: Send, fmt: Format = "json",
              close: Close | None = None, role: Role = "own") -> tuple[Player, Watcher]:
        player = self.of(session)
        watcher = Watcher(send, fmt, close, role)
        player.watchers.add(watcher)
        if role == "watch" or player.audience:  # no news while nobody watches
            player.announce()
        return player, watcher

    async def unwatch(self, player: Player, watcher: Watcher) -> None:
        """Forget a watcher; when the last one leaves, training pauses."""
        player.watchers.discard(watcher)
        if watcher.role == "watch":
            player.announce()
        if not player.watchers:
            if self.by_id.get(player.session.id) is player:  # before waiting: a client that
                del self.by_id[player.session.id]  # comes meanwhile gets a fresh player
            await player.pause()

    async def stop(self, session_id: str, reason: str | None = None) -> None:
        """Pause a session's player (before it is deleted or reset from REST); with a
        `reason`, its watchers are told it as an error."""
        player = self.by_id.get(session_id)
        if player is not None:
            await player.pause()
            if reason:
                player.broadcast_reply({"type": "error", "detail": reason})

    async def hand_over(self, session_id: str) -> None:
        """Let another process take the session: stop training here (the last frame goes
        out), close every stream watcher with 1012 (the page reconnects, and lands on the new
        holder) and forget the player. Controls still arriving are refused. The caller saves
        the session and releases its lease."""
        player = self.by_id.pop(session_id, None)
        if player is None:
            return
        await player.pause()
        player.moved = True
        for watcher in tuple(player.watchers):
            watcher.wake.set()
            if watcher.close is not None:
                with contextlib.suppress(Exception):  # already gone: nothing to close
                    await watcher.close(*MOVED)

    async def pause_all(self) -> None:
        """Pause every player and stop the worker thread (at shutdown)."""
        for player in list(self.by_id.values()):
            await player.pause()
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.rest.pool.shutdown(wait=True, cancel_futures=True)

    async def changed(self, session: TrainingSession, history: bool = True) -> None:
        """A request changed `session`: show its watchers (a frame, and with `history` the
        history message), and make it durable soon."""
        self.registry.save_soon(session)
        player = self.by_id.get(session.id)
        if player is not None:
            await player.refresh(history)

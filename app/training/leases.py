"""Session leases: which process trains a session.

A session trains in one process at a time, the holder of its lease in the store (a row with
holder and expiry, by the database's clock). `Leases` is this process's side of it: its
holder name, the leases it holds and until when each is safe to use without asking the store
again (a monotonic deadline short of the store's expiry, so the hot path never asks).
`LeaseKeeper` renews them every `lease_seconds / 5` (at most HANDOVER_CHECK_SECONDS) and
hands a session over when another process asks for it: pause its player (watchers are closed
with 1012 and reconnect), save it, drop it from memory, release the lease.

A process that dies loses its leases when they expire; on one machine sooner: a holder
whose process is gone (same machine, no such pid) is released by whoever asks next.
"""

import asyncio
import contextlib
import hashlib
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from app.config import Settings
from app.data.store import Store, StoreError
from app.training.session import SessionError

if TYPE_CHECKING:  # the keeper drives both; neither imports this module's keeper
    from app.training.player import Players
    from app.training.registry import SessionRegistry

log = logging.getLogger(__name__)
SAFE_SHARE = 0.8  # a lease is used locally for this share of its length after a renewal
HANDOVER_WAIT_SECONDS = 2.0  # a request waits this long for another process to let go
POLL_SECONDS = 0.05  # how often a waiting request asks the store again
HANDOVER_CHECK_SECONDS = 0.25  # the keeper renews (and so sees requests) at least this often


def _machine() -> str:
    """A short name for this machine and pid namespace: two holders with the same one see
    each other's pids."""
    parts = [socket.gethostname()]
    for path in ("/proc/sys/kernel/random/boot_id", "/proc/self/ns/pid"):
        with contextlib.suppress(OSError):
            parts.append(Path(path).read_text().strip() if "boot" in path
                         else os.readlink(path))
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:8]


MACHINE = _machine()


def holder_name(worker: str) -> str:
    """`worker:pid:tag@machine`: unique per process (and per app within one process)."""
    return f"{worker}:{os.getpid()}:{secrets.token_hex(2)}@{MACHINE}"


def is_dead(holder: str) -> bool:
    """Whether `holder` is a process of this machine that no longer runs (never guesses:
    a holder elsewhere, or of unknown form, is alive until its lease expires)."""
    name, _, machine = holder.rpartition("@")
    parts = name.split(":")
    if machine != MACHINE or len(parts) < 3 or not parts[-2].isdigit():
        return False
    pid = int(parts[-2])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # someone else's process: alive
        return False
    return False


class Leases:
    """The session leases this process holds, and until when each is safe to use."""

    def __init__(self, store: Store, settings: Settings):
        self.store, self.seconds = store, settings.lease_seconds
        self.holder = holder_name(settings.worker)
        self.until: dict[str, float] = {}  # session id → monotonic time it is safe until
        self._unrecorded: set[str] = set()  # served while the store refused to record them
        # one lease operation at a time: what renew answers and what _until holds agree
        self._lock = threading.Lock()

    def holds(self, session_id: str) -> bool:
        """Whether the lease is ours and safe to use now (no store call: the hot path)."""
        return self.until.get(session_id, 0.0) > time.monotonic()

    @property
    def held(self) -> frozenset[str]:
        return frozenset(self.until)

    def claim(self, session_id: str) -> str:
        """One attempt at the lease; the holder after it (ours: recorded here). When the
        store refuses writes (a full disk) and nobody else holds it, it is served anyway:
        then nobody else can take it either."""
        with self._lock:
            began = time.monotonic()
            try:
                holder = self.store.claim(session_id, self.holder, self.seconds)
            except StoreError as err:
                other = self.store.holder(session_id)  # a read: works on a full disk
                if other is not None and other != self.holder and not is_dead(other):
                    return other
                log.warning("session %s served without a recorded lease: %s", session_id, err)
                self._unrecorded.add(session_id)
                holder = self.holder
            if holder == self.holder:
                self.until[session_id] = began + self.seconds * SAFE_SHARE
            return holder

    def take(self, session_id: str, leaving: Callable[[], bool]) -> None:
        """Hold the lease, asking its holder to hand it over and waiting (at most
        HANDOVER_WAIT_SECONDS) until it lets go; `leaving`: this process is still handing
        it away. 503 when the wait runs out."""
        self.take_all([session_id], lambda _: leaving())

    def take_all(self, session_ids: list[str], leaving: Callable[[str], bool]) -> None:
        """`take` for several sessions at once (their holders hand them over side by side);
        on a 503 the ones taken so far stay held."""
        deadline = time.monotonic() + HANDOVER_WAIT_SECONDS
        waiting = {session_id: self.holder for session_id in session_ids}
        while True:
            for session_id in list(waiting):
                if leaving(session_id):
                    continue
                holder = waiting[session_id] = self.claim(session_id)
                if holder == self.holder:
                    del waiting[session_id]
                    continue
                with contextlib.suppress(StoreError):
                    if is_dead(holder):  # its process is gone: no need to wait for expiry
                        self.store.release(session_id, holder)
                    else:
                        self.store.want(session_id, self.holder)
            if not waiting:
                return
            if time.monotonic() >= deadline:
                session_id, holder = next(iter(waiting.items()))
                raise SessionError(self._held_elsewhere(session_id, holder), 503)
            time.sleep(POLL_SECONDS)

    def _held_elsewhere(self, session_id: str, holder: str) -> str:
        if holder == self.holder:
            return (f"session '{session_id}' is being handed over to another process; "
                    "try again in a moment")
        return (f"session '{session_id}' is held by another process ({holder}), which did "
                f"not hand it over within {HANDOVER_WAIT_SECONDS:g} s; try again (a process "
                f"that died lets go within {self.seconds:g} s)")

    def renew(self) -> tuple[dict[str, str], set[str]]:
        """Renew every lease of this process: ({session: who wants it} for the ones another
        process asked for, the ones no longer ours). Without leases, the store is not asked."""
        with self._lock:
            if not self.until:
                return {}, set()
            began = time.monotonic()
            listed = self.store.renew(self.holder, self.seconds)
            until = began + self.seconds * SAFE_SHARE
            lost = set()
            for session_id in list(self.until):
                if session_id in listed:
                    self.until[session_id] = until
                    self._unrecorded.discard(session_id)
                elif session_id in self._unrecorded and self._record(session_id):
                    self.until[session_id] = until
                else:
                    del self.until[session_id]
                    lost.add(session_id)
            for session_id in listed:  # recorded but not held here (a failed restore)
                if session_id not in self.until:
                    self._release_quietly(session_id)
        wanted = {s: by for s, by in listed.items()
                  if by and by != self.holder and s in self.until}
        return wanted, lost

    def _record(self, session_id: str) -> bool:
        """Record a lease served while the store refused writes; whether it is ours now."""
        with contextlib.suppress(StoreError):
            if self.store.claim(session_id, self.holder, self.seconds) == self.holder:
                self._unrecorded.discard(session_id)
                return True
        return False

    def release(self, session_id: str) -> None:
        """Let go of the lease (best effort: a lease the store cannot drop expires). Under
        the lock: a claim of this process never lands between forgetting it and the store
        dropping it."""
        with self._lock:
            self.until.pop(session_id, None)
            self._unrecorded.discard(session_id)
            self._release_quietly(session_id)

    def _release_quietly(self, session_id: str) -> None:
        try:
            self.store.release(session_id, self.holder)
        except StoreError as err:
            log.warning("could not release the lease of session %s: %s", session_id, err)

    def release_all(self) -> None:
        for session_id in list(self.until):
            self.release(session_id)


class LeaseKeeper:
    """Renews this process's leases and hands sessions over when another process asks."""

    def __init__(self, registry: "SessionRegistry", players: "Players", settings: Settings):
        self.registry, self.players = registry, players
        self.period = min(settings.lease_seconds / 5, HANDOVER_CHECK_SECONDS)
        self._renewer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lens-lease")
        self._savers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lens-handover")
        self._handing: dict[str, asyncio.Task[None]] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop renewing (handovers under way finish first)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._handing:
            await asyncio.wait(set(self._handing.values()))
        self._renewer.shutdown(wait=True)
        self._savers.shutdown(wait=True)

    async def _run(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:  # never a silent stop: the next tick tries again
                log.exception("the lease keeper's tick failed")
            await asyncio.sleep(self.period)

    async def tick(self) -> None:
        """Renew; start a handover for each session wanted elsewhere; stop the players of
        sessions no longer ours (lost leases, and streams that joined a session just as it
        was handed over)."""
        loop = asyncio.get_running_loop()
        try:
            wanted = await loop.run_in_executor(self._renewer, self.registry.renew_leases)
        except StoreError as err:  # the leases stay usable until their safe time runs out
            log.warning("could not renew the session leases: %s", err)
            wanted = {}
        for session_id, by in wanted.items():
            if session_id not in self._handing:
                log.info("handing session %s over to %s", session_id, by)
                task = loop.create_task(self._hand_over(session_id))
                self._handing[session_id] = task
        for session_id, player in list(self.players.by_id.items()):
            if self.registry.retired(player.session):
                await self.players.hand_over(session_id)

    async def _hand_over(self, session_id: str) -> None:
        """Stop the session's player and streams, then save, drop and release it."""
        try:
            session = self.registry.begin_handover(session_id)
            if session is None:
                return
            try:
                await self.players.hand_over(session_id)
                await asyncio.get_running_loop().run_in_executor(
                    self._savers, self.registry.finish_handover, session)
            except Exception:
                log.exception("could not hand session %s over; it stays here", session_id)
                self.registry.cancel_handover(session_id)
        finally:
            self._handing.pop(session_id, None)

"""The live sessions of this process: create, find (restoring from the store), save, evict.

Each live session is held by a lease (app.training.leases): a session trains in one process
at a time. A session not in memory is claimed first; when another process holds it, that
process is asked to hand it over and the request waits until it has. A session let go of
(handed over, evicted, its lease lost) is retired: that object is never saved again, and a
request that changed it after it was let go is told so (503) instead of answered as if kept.
"""

import logging
import secrets
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from app.config import Settings
from app.data.prepare import prepare, with_target
from app.data.store import Store, StoreError
from app.schemas.sessions import SessionConfig
from app.training import persist
from app.training.leases import Leases
from app.training.session import SessionError, TrainingSession

log = logging.getLogger(__name__)
SETTLE_SECONDS = 0.05  # a handover lets a request that just got the session reach its lock
MAX_SETTLE_SECONDS = 0.25


class SessionNotFound(SessionError):
    def __init__(self, session_id: str):
        super().__init__(f"no session with id '{session_id}'", 404)


class SessionMoved(SessionError):
    def __init__(self, session_id: str):
        super().__init__(
            f"session '{session_id}' was handed over (or saved and let go) by this process "
            "while this request ran, so this change was not kept; send it again", 503)


class Users(Protocol):
    """Who says which sessions are in use (the players); the registry only asks."""

    @property
    def busy(self) -> frozenset[str]: ...

    @property
    def watched(self) -> frozenset[str]: ...

    def in_use(self, session_id: str) -> bool: ...


class NoUsers:
    """Before any player exists: nothing is in use."""

    busy = watched = frozenset[str]()

    def in_use(self, session_id: str) -> bool:
        return False


class SessionRegistry:
    """Holds at most `settings.max_live_sessions` sessions in memory; the rest live in the store."""

    def __init__(self, store: Store, settings: Settings):
        self.store, self.settings = store, settings
        self.leases = Leases(store, settings)
        self._lease_until = self.leases.until  # read by get, per request
        self.live: dict[str, TrainingSession] = {}
        self.users: Users = NoUsers()  # the players set themselves here
        self._changed: dict[str, TrainingSession] = {}  # to save at the next flush
        self._lock = threading.Lock()
        self._leaving: set[str] = set()  # being handed over: get waits
        self._opening: dict[str, int] = {}  # claimed, being restored (or deleted)
        self._held_for: dict[str, set[str]] = {}  # dataset → sessions held for its delete
        self._retired: weakref.WeakSet[TrainingSession] = weakref.WeakSet()
        self._saving: weakref.WeakKeyDictionary[TrainingSession, threading.Lock] = \
            weakref.WeakKeyDictionary()  # one save of a session at a time, in order

    # ---- lifecycle ----------------------------------------------------------------------
    def create(self, config: SessionConfig) -> TrainingSession:
        """Validate `config` against the limits and its dataset, build and store the session."""
        self._check_limits(config)
        session = self._build(secrets.token_hex(8), config)
        self.leases.take(session.id, lambda: False)
        try:
            self._admit(session)
            self.save(session)
        except Exception:  # refused (the store cannot write): keep no session nobody can name
            with self._lock:
                self.live.pop(session.id, None)
            self.leases.release(session.id)
            raise
        return session

    def _check_limits(self, config: SessionConfig) -> None:
        s = self.settings
        if len(config.hidden_layers) > s.max_hidden_layers:
            raise SessionError(f"at most {s.max_hidden_layers} hidden layers are allowed, "
                               f"got {len(config.hidden_layers)}", 422)
        if config.hidden_layers and max(config.hidden_layers) > s.max_neurons:
            raise SessionError(f"at most {s.max_neurons} neurons per hidden layer are allowed, "
                               f"got {max(config.hidden_layers)}", 422)

    def _build(self, session_id: str, config: SessionConfig) -> TrainingSession:
        dataset = self.store.get_dataset(config.dataset_id)
        if dataset is None:
            raise SessionError(f"no dataset with id '{config.dataset_id}'", 422)
        # the session's target: the config's column (a view of the same rows) or the dataset's
        dataset = with_target(dataset, config.target, self.settings.max_classes)
        if config.target is None:  # say which column it is, in the config the session shows
            config = config.model_copy(update={"target": dataset.target})
        data = prepare(dataset, config.features, list(config.transforms or []) or None,
                       config.view_features, config.test_fraction, config.seed)
        return TrainingSession(session_id, config, data, dataset.target)

    def _admit(self, session: TrainingSession) -> None:
        while True:
            with self._lock:
                if not self.leases.holds(session.id):  # handed over meanwhile (by a request
                    raise SessionError(  # of this process that took it first): not ours
                        f"session '{session.id}' moved to another process while this "
                        "request was loading it; try again", 503)
                if len(self.live) < self.settings.max_live_sessions:
                    self.live[session.id] = session
                    return
                idle = [s for s in self.live.values() if not self.in_use(s.id)]
                if not idle:
                    raise SessionError(
                        f"the server already trains {len(self.live)} sessions at once "
                        f"(limit LL_MAX_LIVE_SESSIONS={self.settings.max_live_sessions}); "
                        "pause or delete one first", 429)
                oldest = min(idle, key=lambda s: s.last_used)
            self.save(oldest)  # outside the lock: a save may wait for the store
            self._let_go(oldest)

    def get(self, session_id: str) -> TrainingSession:
        """The session, from memory or restored from its last save (taking its lease, from
        another process if need be)."""
        now = time.monotonic()
        session = self.live.get(session_id)
        if (session is None or session_id in self._leaving
                or self._lease_until.get(session_id, 0.0) <= now):  # Leases.holds, inlined
            session = self._open(session_id)
            now = time.monotonic()
        session.last_used = now
        return session

    def _open(self, session_id: str) -> TrainingSession:
        """get's slow path: a session whose lease must be confirmed, or taken first."""
        session = self.live.get(session_id)
        if session is not None and session_id not in self._leaving:
            if self._confirm(session_id) and self.live.get(session_id) is session:
                return session
            self._let_go(session, release=False)  # not ours: this copy may be stale
        with self._taking(session_id):
            try:
                return self._restore(session_id)
            except Exception:
                if session_id not in self.live:
                    self.leases.release(session_id)
                raise

    def _confirm(self, session_id: str) -> bool:
        """Whether the lease of a session in memory is still ours, asking the store (which
        renews every lease; one gone elsewhere is retired)."""
        try:
            self.renew_leases()
        except StoreError:  # the store refuses writes: ours unless someone else holds it
            return self.leases.claim(session_id) == self.leases.holder
        return self.leases.holds(session_id)

    @contextmanager
    def _taking(self, session_id: str) -> Iterator[None]:
        """Hold the lease for the block (taken from another process if need be; see
        Leases.take); meanwhile the keeper does not release it as held for nothing."""
        with self._lock:
            self._opening[session_id] = self._opening.get(session_id, 0) + 1
        try:
            self.leases.take(session_id, lambda: session_id in self._leaving)
            yield
        finally:
            with self._lock:
                self._opening[session_id] -= 1
                if not self._opening[session_id]:
                    del self._opening[session_id]

    def _restore(self, session_id: str) -> TrainingSession:
        session = self.live.get(session_id)
        if session is not None:  # restored meanwhile by another request
            return session
        saved = self.store.get_session(session_id)
        if saved is None:
            raise SessionNotFound(session_id)
        config_json, blob = saved
        session = self._build(session_id, SessionConfig.model_validate_json(config_json))
        persist.load(session, blob)
        with self._lock:
            if session_id in self.live:  # restored concurrently: keep the first
                return self.live[session_id]
        self._admit(session)
        return session

    def in_use(self, session_id: str) -> bool:
        """Played or watched (the players know): such a session stays in memory."""
        return self.users.in_use(session_id)

    @property
    def busy(self) -> frozenset[str]:
        """The sessions being played, as the players report them."""
        return self.users.busy

    @property
    def watched(self) -> frozenset[str]:
        """The sessions with a stream client, as the players report them."""
        return self.users.watched

    def delete(self, session_id: str) -> None:
        """Delete a session everywhere; a client still holding it cannot save it back. A
        session another process holds is taken first, so that it cannot save it back."""
        with self._lock:
            session = self.live.pop(session_id, None)
            self._changed.pop(session_id, None)
        if session is not None:
            session.deleted = True
            self._delete_stored(session_id, session)
            return
        with self._taking(session_id):
            self._delete_stored(session_id, session)

    def _delete_stored(self, session_id: str, session: TrainingSession | None) -> None:
        try:
            if not self.store.delete_session(session_id) and session is None:
                raise SessionNotFound(session_id)
        finally:
            self.leases.release(session_id)

    def live_ids_of(self, dataset_id: str) -> list[str]:
        """The sessions in memory that train on `dataset_id`."""
        return [s.id for s in list(self.live.values()) if s.config.dataset_id == dataset_id]

    def hold_sessions_of(self, dataset_id: str) -> None:
        """Before a dataset is deleted: take the lease of each of its stored sessions that
        another process holds (they hand over side by side), so that none can save one back
        after the delete; `forget_dataset` releases them. 503 if a holder does not let go."""
        stored = self.store.session_ids_for_dataset(dataset_id)
        ids = [s for s in stored if s not in self.live]
        with self._lock:
            self._held_for.setdefault(dataset_id, set()).update(ids)
        try:
            self.leases.take_all(ids, lambda session_id: session_id in self._leaving)
        except Exception:  # the delete will not happen: let go of what was taken
            with self._lock:
                self._held_for.pop(dataset_id, None)
            for session_id in ids:
                if session_id not in self.live and session_id not in self._opening:
                    self.leases.release(session_id)
            raise

    def forget_dataset(self, dataset_id: str) -> None:
        """Drop the live sessions of a deleted dataset (the store already dropped its copies)
        and release their leases (and those `hold_sessions_of` took)."""
        with self._lock:
            gone = self.live_ids_of(dataset_id)
            for session_id in gone:
                self.live.pop(session_id).deleted = True
                self._changed.pop(session_id, None)
            gone += self._held_for.pop(dataset_id, ())
        for session_id in gone:
            self.leases.release(session_id)

    # ---- letting go: handover, lost leases, eviction ------------------------------------
    def retired(self, session: TrainingSession) -> bool:
        """Whether this process let go of `session` (that object is never saved again)."""
        return session in self._retired

    def _let_go(self, session: TrainingSession, release: bool = True) -> None:
        """Drop `session` from memory and retire it (then release its lease)."""
        with self._lock:
            self._retired.add(session)
            if self.live.get(session.id) is session:
                del self.live[session.id]
            if self._changed.get(session.id) is session:
                del self._changed[session.id]
        if release:
            self.leases.release(session.id)

    def renew_leases(self) -> dict[str, str]:
        """Renew this process's leases (the keeper does, every tick); a session whose lease
        is no longer ours is dropped without saving. {session: who wants it} for sessions
        another process asked for."""
        wanted, lost = self.leases.renew()
        for session_id in lost:
            session = self.live.get(session_id)
            if session is not None:
                log.warning("session %s: its lease went to another process; dropped here "
                            "without saving", session_id)
                self._let_go(session, release=False)
        deleting = set().union(*self._held_for.values()) if self._held_for else set()
        for session_id in list(wanted):
            if session_id in self.live:
                continue
            del wanted[session_id]  # nothing here to hand over
            if session_id not in self._opening and session_id not in deleting:
                self.leases.release(session_id)  # held for nothing (a failed restore)
        return wanted

    def begin_handover(self, session_id: str) -> TrainingSession | None:
        """Start handing a session over: from now on `get` waits. None if not in memory."""
        with self._lock:
            session = self.live.get(session_id)
            if session is not None:
                self._leaving.add(session_id)
            return session

    def finish_handover(self, session: TrainingSession) -> None:
        """Save the session, drop it from memory and release its lease (a worker thread:
        waits for a request still training it)."""
        settle_until = time.monotonic() + MAX_SETTLE_SECONDS
        while (time.monotonic() - session.last_used < SETTLE_SECONDS
               and time.monotonic() < settle_until):
            time.sleep(SETTLE_SECONDS / 2)
        try:
            with self._save_lock(session), session.lock:
                self._write(session)
                self._let_go(session, release=False)
            self.leases.release(session.id)
        finally:
            with self._lock:
                self._leaving.discard(session.id)

    def cancel_handover(self, session_id: str) -> None:
        """A handover that failed (the save): the session stays here, `get` serves it."""
        with self._lock:
            self._leaving.discard(session_id)

    # ---- persistence --------------------------------------------------------------------
    def _save_lock(self, session: TrainingSession) -> threading.Lock:
        with self._lock:
            return self._saving.setdefault(session, threading.Lock())

    def save(self, session: TrainingSession) -> None:
        """Write the session's config and state to the store (if it changed since last time).
        A retired session is not written (it is another process's to write, or gone)."""
        if session in self._retired:
            return
        with self._save_lock(session):
            self._write(session)

    def _write(self, session: TrainingSession) -> None:
        """save's body (the session's save lock held)."""
        if session in self._retired:
            return
        if not self.leases.holds(session.id) and not self._confirm(session.id):
            if session not in self._retired:  # the lease went elsewhere: not ours to write
                log.warning("session %s: not saved, its lease is another process's",
                            session.id)
                self._let_go(session, release=False)
            return
        with session.lock:
            if not session.dirty or session.deleted:
                return
            blob = persist.dump(session)
            config = session.config.model_dump_json()
            session.dirty = False
        try:
            self.store.put_session(session.id, session.config.dataset_id, config, blob)
        except Exception:
            session.dirty = True
            raise
        if session.deleted:  # deleted while this save was on its way: undo it
            self.store.delete_session(session.id)

    def save_soon(self, session: TrainingSession) -> None:
        """Have the next `flush` (at most `durable_seconds` away) write `session`. A session
        this process let go of meanwhile is a 503 if it changed after its last save (the
        change is lost); one whose change that save took along is fine."""
        if session in self._retired:
            if session.dirty:
                raise SessionMoved(session.id)
            return
        with self._lock:
            self._changed[session.id] = session

    @property
    def has_changes(self) -> bool:
        return bool(self._changed)

    def flush(self) -> None:
        """Save every session changed by a request since the last flush. One that cannot be
        saved (the store refuses writes) is tried again at the next flush."""
        with self._lock:
            changed, self._changed = self._changed, {}
        for session in changed.values():
            try:
                self.save(session)
            except Exception as err:
                log.warning("could not save session %s: %s", session.id, err)
                with self._lock:
                    if session not in self._retired:
                        self._changed.setdefault(session.id, session)

    def save_all(self) -> None:
        """Save every live session and release every lease (at shutdown)."""
        for session in list(self.live.values()):
            try:
                self.save(session)
            except Exception:  # keep saving the others; the error is logged
                log.exception("could not save session %s", session.id)
        self.leases.release_all()

    def evict_idle(self) -> int:
        """Save and drop sessions unused for `idle_seconds`; returns how many left memory."""
        cutoff = time.monotonic() - self.settings.idle_seconds
        gone = 0
        for session in list(self.live.values()):
            if not self.in_use(session.id) and session.last_used < cutoff:
                try:
                    self.save(session)
                except Exception:  # keep it in memory, and keep sweeping the others
                    log.exception("could not save idle session %s; it stays in memory",
                                  session.id)
                    continue
                self._let_go(session)
                gone += 1
        return gone

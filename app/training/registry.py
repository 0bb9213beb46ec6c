"""The live sessions of this process: create, find (restoring from the store), save, evict."""

import logging
import secrets
import threading
import time
from typing import Protocol

from app.config import Settings
from app.data.prepare import prepare, with_target
from app.data.store import Store
from app.schemas.sessions import SessionConfig
from app.training import persist
from app.training.session import SessionError, TrainingSession

log = logging.getLogger(__name__)


class SessionNotFound(SessionError):
    def __init__(self, session_id: str):
        super().__init__(f"no session with id '{session_id}'", 404)


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
        self.live: dict[str, TrainingSession] = {}
        self.users: Users = NoUsers()  # the players set themselves here
        self._changed: dict[str, TrainingSession] = {}  # to save at the next flush
        self._lock = threading.Lock()

    # ---- lifecycle ----------------------------------------------------------------------
    def create(self, config: SessionConfig) -> TrainingSession:
        """Validate `config` against the limits and its dataset, build and store the session."""
        self._check_limits(config)
        session = self._build(secrets.token_hex(8), config)
        self._admit(session)
        try:
            self.save(session)
        except Exception:  # refused (the store cannot write): keep no session nobody can name
            with self._lock:
                self.live.pop(session.id, None)
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
        with self._lock:
            while len(self.live) >= self.settings.max_live_sessions:
                idle = [s for s in self.live.values() if not self.in_use(s.id)]
                if not idle:
                    raise SessionError(
                        f"the server already trains {len(self.live)} sessions at once "
                        f"(limit LL_MAX_LIVE_SESSIONS={self.settings.max_live_sessions}); "
                        "pause or delete one first", 429)
                oldest = min(idle, key=lambda s: s.last_used)
                self.save(oldest)
                del self.live[oldest.id]
            self.live[session.id] = session

    def get(self, session_id: str) -> TrainingSession:
        """The session, from memory or restored from its last save."""
        session = self.live.get(session_id)
        if session is None:
            session = self._restore(session_id)
        session.last_used = time.monotonic()
        return session

    def _restore(self, session_id: str) -> TrainingSession:
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
        """Delete a session everywhere; a client still holding it cannot save it back."""
        with self._lock:
            session = self.live.pop(session_id, None)
            self._changed.pop(session_id, None)
        if session is not None:
            session.deleted = True
        if not self.store.delete_session(session_id) and session is None:
            raise SessionNotFound(session_id)

    def live_ids_of(self, dataset_id: str) -> list[str]:
        """The sessions in memory that train on `dataset_id`."""
        return [s.id for s in list(self.live.values()) if s.config.dataset_id == dataset_id]

    def forget_dataset(self, dataset_id: str) -> None:
        """Drop the live sessions of a deleted dataset (the store already dropped its copies)."""
        with self._lock:
            for session_id in self.live_ids_of(dataset_id):
                self.live.pop(session_id).deleted = True
                self._changed.pop(session_id, None)

    # ---- persistence --------------------------------------------------------------------
    def save(self, session: TrainingSession) -> None:
        """Write the session's config and state to the store (if it changed since last time)."""
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
        """Have the next `flush` (at most `durable_seconds` away) write `session`."""
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
                    self._changed.setdefault(session.id, session)

    def save_all(self) -> None:
        for session in list(self.live.values()):
            try:
                self.save(session)
            except Exception:  # keep saving the others; the error is logged
                log.exception("could not save session %s", session.id)

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
                with self._lock:
                    self.live.pop(session.id, None)
                gone += 1
        return gone

"""Session leases (issue #16 §3) between two registries, each with its own connection to one
store, as two processes have (a real SQLite file, and a real PostgreSQL database): handover
on request, a holder that does not answer, a lease lost, a dead holder, delete, and the hot
path that never asks the store. Between real server processes: tests/test_handover.py."""

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from app.config import Settings
from app.data.service import create_generated
from app.data.store import Store, StoreError, open_store
from app.schemas.sessions import SessionConfig
from app.training.leases import HANDOVER_WAIT_SECONDS, MACHINE, holder_name, is_dead
from app.training.registry import SessionMoved, SessionRegistry
from app.training.session import SessionError, TrainingSession
from tests.conftest import BACKENDS, backend_settings


@pytest.fixture(params=BACKENDS)
def base(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings naming one store: an SQLite file, or a fresh PostgreSQL database."""
    return backend_settings(request, tmp_path)


@pytest.fixture
def stores() -> Iterator[list[Store]]:
    opened: list[Store] = []
    yield opened
    for store in opened:
        store.close()


def registry(base: Settings, stores: list[Store], worker: str,
             lease_seconds: float = 5.0) -> SessionRegistry:
    """A registry of its own (a process) on the one store, with its own connection."""
    settings = base.model_copy(update={"worker": worker, "lease_seconds": lease_seconds})
    store = open_store(settings)
    stores.append(store)
    return SessionRegistry(store, settings)


def new_session(reg: SessionRegistry) -> TrainingSession:
    ds = create_generated(reg.store, "xor", 100, 0.1, 1)
    return reg.create(SessionConfig(dataset_id=ds.id, hidden_layers=[3]))


def hand_over_when_asked(reg: SessionRegistry, timeout: float = 10.0) -> str:
    """What the lease keeper does, by hand: renew until someone wants a session, then save,
    drop and release it; who wanted it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        wanted = reg.renew_leases()
        for session_id, by in wanted.items():
            session = reg.begin_handover(session_id)
            assert session is not None
            reg.finish_handover(session)
            return by
        time.sleep(0.02)
    raise AssertionError("nobody asked for a handover")


def test_a_session_moves_to_the_process_that_asks_at_its_last_state(
        base: Settings, stores: list[Store]) -> None:
    a, b = registry(base, stores, "a"), registry(base, stores, "b")
    session = new_session(a)
    session.train(37)
    got: list[TrainingSession] = []
    asking = threading.Thread(target=lambda: got.append(b.get(session.id)))
    asking.start()
    assert hand_over_when_asked(a) == b.leases.holder
    asking.join(10)
    assert got, "b did not get the session"
    moved = got[0]
    assert moved.step_count == 37
    assert np.array_equal(moved.net.params, session.net.params)
    assert a.store.holder(session.id) == b.leases.holder
    assert session.id not in a.live and a.retired(session)
    # the copy a let go of is never written again, and a change to it is refused
    session.train(5)
    a.save(session)
    assert b.store.get_session(session.id) is not None
    with pytest.raises(SessionMoved) as refused:
        a.save_soon(session)
    assert refused.value.status_code == 503
    # and back again: a asks, b lets go
    back: list[TrainingSession] = []
    asking = threading.Thread(target=lambda: back.append(a.get(session.id)))
    asking.start()
    assert hand_over_when_asked(b) == a.leases.holder
    asking.join(10)
    assert back and back[0].step_count == 37 and back[0] is not session


def test_a_holder_that_does_not_let_go_is_a_503_naming_it(
        base: Settings, stores: list[Store]) -> None:
    a, b = registry(base, stores, "a"), registry(base, stores, "b")
    session = new_session(a)
    t0 = time.monotonic()
    with pytest.raises(SessionError) as refused:
        b.get(session.id)
    assert time.monotonic() - t0 >= HANDOVER_WAIT_SECONDS
    assert refused.value.status_code == 503
    assert a.leases.holder in str(refused.value) and "another process" in str(refused.value)
    assert a.renew_leases() == {session.id: b.leases.holder}  # a was asked
    assert session.id not in b.live


def test_a_lost_lease_drops_the_session_without_saving_it(
        base: Settings, stores: list[Store]) -> None:
    """a stalls past its lease; b takes the session and trains it; a's stale copy neither
    trains on in the store nor overwrites b's save, and a's next get serves b's state."""
    a = registry(base, stores, "a", lease_seconds=0.3)
    b = registry(base, stores, "b")  # b's own lease outlasts its slowest restore
    session = new_session(a)
    session.train(10)
    a.save(session)
    time.sleep(0.35)  # a stalls: nobody renews its lease
    taken = b.get(session.id)
    taken.train(20)
    b.save(taken)
    session.train(100)  # a, waking up, still has its copy in memory
    a.save(session)  # not a's to write any more: the lease says so
    assert session.id not in a.live and a.retired(session)
    b.leases.release(session.id)
    again = a.get(session.id)
    assert again.step_count == 30 and again is not session


def test_renewing_reports_losses_and_requests(base: Settings, stores: list[Store]) -> None:
    a = registry(base, stores, "a", lease_seconds=0.3)
    b = registry(base, stores, "b", lease_seconds=0.3)
    one, two = new_session(a), new_session(a)
    assert a.renew_leases() == {}
    b.store.want(one.id, b.leases.holder)
    assert a.renew_leases() == {one.id: b.leases.holder}
    time.sleep(0.35)
    assert b.store.claim(two.id, b.leases.holder, 5.0) == b.leases.holder
    a.renew_leases()
    assert two.id not in a.live and a.retired(two)
    assert one.id in a.live and not a.retired(one)


def test_a_dead_holder_on_this_machine_is_released_at_once(
        base: Settings, stores: list[Store]) -> None:
    """A holder whose process is gone (this machine, no such pid) need not be waited out:
    the first request releases it. One elsewhere (another machine) is waited for until its
    lease expires, never less."""
    a = registry(base, stores, "a")
    session = new_session(a)
    a.leases.release(session.id)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead = f"w9:{gone.stdout.strip()}:beef@{MACHINE}"
    assert is_dead(dead)
    assert a.store.claim(session.id, dead, 60.0) == dead
    t0 = time.monotonic()
    assert a.get(session.id).id == session.id
    assert time.monotonic() - t0 < HANDOVER_WAIT_SECONDS  # not the 60 s of its lease
    a.leases.release(session.id)
    a.live.clear()
    elsewhere = "w9:1:beef@0therbox"
    assert not is_dead(elsewhere)
    lease = 1.0
    assert a.store.claim(session.id, elsewhere, lease) == elsewhere
    t0 = time.monotonic()
    assert a.get(session.id).id == session.id
    assert time.monotonic() - t0 >= lease * 0.9  # it waited for the expiry


def test_holder_names_are_unique_and_say_whose_they_are() -> None:
    names = {holder_name("w1") for _ in range(20)}
    assert len(names) == 20
    assert all(n.startswith("w1:") and n.endswith("@" + MACHINE) for n in names)
    assert not is_dead(holder_name("w1"))  # this very process
    assert not is_dead("main")  # a name of unknown form: alive until its lease expires


def test_a_held_session_is_served_without_asking_the_store(
        tmp_path: Path, stores: list[Store]) -> None:
    """The hot path: get of a session in memory whose lease is fresh makes no store call
    (here: it works with the store's connection closed)."""
    a = registry(Settings(data_dir=tmp_path / "data"), stores, "a")
    session = new_session(a)
    a.store.close()
    for _ in range(3):
        assert a.get(session.id) is session
    with pytest.raises((StoreError, sqlite3.Error)):  # one not in memory needs the store
        a.get("0123456789abcdef")
    stores.remove(a.store)


def test_delete_takes_the_lease_first_so_the_holder_cannot_save_it_back(
        base: Settings, stores: list[Store]) -> None:
    a, b = registry(base, stores, "a"), registry(base, stores, "b")
    session = new_session(a)
    deleting = threading.Thread(target=b.delete, args=(session.id,))
    deleting.start()
    hand_over_when_asked(a)
    deleting.join(10)
    assert b.store.get_session(session.id) is None
    session.train(3)
    a.save(session)  # a's old copy: retired, not written back
    assert b.store.get_session(session.id) is None
    assert b.store.holder(session.id) is None


def test_deleting_a_dataset_takes_its_sessions_first(base: Settings, stores: list[Store]) -> None:
    """b deletes the dataset of a session a holds: b takes the session's lease first (a
    hands over), so a's copy cannot save the session back after the delete."""
    a, b = registry(base, stores, "a"), registry(base, stores, "b")
    session = new_session(a)
    taking = threading.Thread(target=b.hold_sessions_of, args=(session.config.dataset_id,))
    taking.start()
    hand_over_when_asked(a)
    taking.join(10)
    assert b.store.holder(session.id) == b.leases.holder
    assert b.store.delete_dataset(session.config.dataset_id)
    b.forget_dataset(session.config.dataset_id)
    session.train(3)
    a.save(session)
    assert b.store.get_session(session.id) is None
    assert b.store.holder(session.id) is None


def test_a_request_that_took_the_lease_before_a_handover_does_not_load_a_copy_after_it(
        base: Settings, stores: list[Store]) -> None:
    """Two requests of b take the session's lease; the first loads it and b hands it over to
    a; the second, loading only now, must not bring a copy back into b without the lease
    (two processes would train it): it is a 503, and a keeps the session."""
    a, b = registry(base, stores, "a"), registry(base, stores, "b")
    session = new_session(b)
    with b._taking(session.id):  # the second request, between its claim and its load
        got: list[TrainingSession] = []
        asking = threading.Thread(target=lambda: got.append(a.get(session.id)))
        asking.start()
        hand_over_when_asked(b)
        asking.join(10)
        assert got and session.id not in b.live
        with pytest.raises(SessionError) as refused:
            b._restore(session.id)
        assert refused.value.status_code == 503
    assert session.id not in b.live
    assert a.store.holder(session.id) == a.leases.holder


def test_a_change_the_handover_saved_is_kept_and_one_after_it_is_refused(
        base: Settings, stores: list[Store]) -> None:
    """A request whose change was made before the handover's save is answered as kept
    (it is: a retry would train twice); one made after it gets 503."""
    a, b = registry(base, stores, "a"), registry(base, stores, "b")
    session = new_session(a)
    session.train(4)  # a request trained, and has not yet said so
    asking = threading.Thread(target=b.get, args=(session.id,))
    asking.start()
    hand_over_when_asked(a)
    asking.join(10)
    a.save_soon(session)  # its change went along with the handover: no error
    assert b.get(session.id).step_count == 4
    session.train(1)
    with pytest.raises(SessionMoved):
        a.save_soon(session)

"""Play ticks record sparsely; when play stops, `settle` records the latest steps in full, as
one training call to that step would have (the same steps, the same numbers, bit for bit)."""

import threading
import time

import numpy as np
from fastapi.testclient import TestClient

from app.schemas.sessions import Hyperparameters
from app.training.session import RECENT_METRICS, TrainingSession
from tests.helpers import make_dataset, make_session, wait_until

TAIL = 2 * RECENT_METRICS  # the latest steps a history holds at every step


def session(client: TestClient, **config: object) -> TrainingSession:
    sid = make_session(client, make_dataset(client, "xor"), hidden_layers=[5, 3],
                       test_fraction=0.25, **config)
    s: TrainingSession = client.app.state.registry.get(sid)  # type: ignore[attr-defined]
    return s


def ticks(s: TrainingSession, n: int, steps: int = 25) -> None:
    """`n` play ticks of `steps` each (as Player._advance trains, but counted, not timed: the
    records a tick keeps do not depend on its deadline)."""
    for _ in range(n):
        s.train(steps, tail=False)


def metrics(s: TrainingSession) -> dict[int, tuple[float, float | None]]:
    m = s.history.metrics
    return {step: (e.train_loss, e.test_loss) for step, e in zip(m.steps, m.items, strict=True)}


def test_play_ticks_leave_the_tail_sparse_and_settling_records_it_as_one_call_would(
        client: TestClient) -> None:
    played, dense = session(client), session(client)
    played.train(3000)
    ticks(played, 20)
    played.set_hyperparameters(Hyperparameters(learning_rate=0.05))
    ticks(played, 20)
    now = played.step_count
    change = played.history.events[-1][0]
    assert now > change + TAIL and played.sparse_tail
    assert not set(range(now - TAIL + 1, now + 1)) <= set(metrics(played))  # sparse

    assert played.settle() and not played.sparse_tail
    dense.train(change)  # the same run in two dense calls, the change between them
    dense.set_hyperparameters(Hyperparameters(learning_rate=0.05))
    dense.train(now - change)
    assert played.net.params.tobytes() == dense.net.params.tobytes()
    got, want = metrics(played), metrics(dense)
    assert set(range(now - TAIL + 1, now + 1)) <= set(got)
    assert {k: got[k] for k in got if k > now - TAIL} == {k: want[k] for k in want
                                                          if k > now - TAIL}
    assert all(got[k] == want[k] for k in got if k in want)  # older ones: the same numbers
    assert played.history.checkpoints.steps[-1] == now
    played.train(10)  # and the run goes on exactly as before
    dense.train(10)
    assert played.net.params.tobytes() == dense.net.params.tobytes()


def test_settling_never_replays_across_a_weight_edit(client: TestClient) -> None:
    s = session(client)
    s.train(2000)
    ticks(s, 10)
    layers = [(W.tolist(), (b + 0.1).tolist()) for W, b in zip(s.net.W, s.net.b, strict=True)]
    s.set_parameters(layers)
    edit = s.step_count
    s.train(10, tail=False)
    params = s.net.params.copy()
    assert s.settle()
    assert s.net.params.tobytes() == params.tobytes()
    steps = set(metrics(s))
    assert set(range(edit + 1, s.step_count + 1)) <= steps
    assert not set(range(s.step_count - TAIL + 1, edit)) <= steps  # before the edit: sparse


def test_a_replay_that_would_not_retrace_the_run_changes_nothing(client: TestClient) -> None:
    s = session(client)
    s.train(2000)
    ticks(s, 10)
    c = s.history.checkpoints
    base = max(step for step in c.steps if step <= s.step_count - TAIL)
    c.at(base)["params"][0] += 1.0  # a corrupt checkpoint: the replay goes elsewhere
    before = (list(c.steps), metrics(s), s.net.params.copy(), s.step_count)
    assert not s.settle()
    assert (list(s.history.checkpoints.steps), metrics(s)) == before[:2]
    assert s.net.params.tobytes() == before[2].tobytes() and s.step_count == before[3]


def test_a_paused_stream_has_the_latest_steps_in_full(client: TestClient) -> None:
    """Once the session says it is paused, its history is settled (a slow settle included)."""
    sid = make_session(client, make_dataset(client, "xor"), hidden_layers=[4])
    s: TrainingSession = client.app.state.registry.get(sid)  # type: ignore[attr-defined]
    settle = s.settle

    def slow_settle() -> bool:
        time.sleep(0.5)  # as on a busy machine
        return settle()

    s.settle = slow_settle  # type: ignore[method-assign]
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        ws.receive_json()
        ws.send_json({"type": "play"})
        wait_until(lambda: client.get(f"/api/sessions/{sid}").json()["step"] > 3000, 60,
                   "3000 steps played")
        ws.send_json({"type": "pause"})
        wait_until(lambda: client.get(f"/api/sessions/{sid}").json()["status"] == "paused", 30,
                   "the session pausing")
    history = client.get(f"/api/sessions/{sid}/history").json()
    now = client.get(f"/api/sessions/{sid}").json()["step"]
    assert set(range(now - TAIL + 1, now + 1)) <= set(history["steps"])
    assert not s.sparse_tail and np.isfinite(s.net.params).all()


def test_settling_never_replays_longer_than_two_replays(client: TestClient) -> None:
    """Where the checkpoints lie far apart (a large network late in its run), pausing does not
    replay for seconds: the tail stays as the ticks left it."""
    s = session(client)
    s.train(2000)
    ticks(s, 10)
    s.replay_steps = lambda: 1  # type: ignore[method-assign]  # as if each step took 0.1 s
    before = (list(s.history.checkpoints.steps), metrics(s))
    assert not s.settle() and not s.sparse_tail
    assert (list(s.history.checkpoints.steps), metrics(s)) == before


def test_play_pressed_while_a_pause_settles_keeps_playing(client: TestClient) -> None:
    """A second tab presses play while the first one's pause is still settling: it plays."""
    sid = make_session(client, make_dataset(client, "xor"), hidden_layers=[4])
    s: TrainingSession = client.app.state.registry.get(sid)  # type: ignore[attr-defined]
    settle, settling = s.settle, threading.Event()

    def slow_settle() -> bool:
        settling.set()
        time.sleep(1.0)  # the play below arrives meanwhile
        return settle()

    s.settle = slow_settle  # type: ignore[method-assign]
    url = f"/api/sessions/{sid}/stream"
    with client.websocket_connect(url) as a, client.websocket_connect(url) as b:
        a.receive_json()
        b.receive_json()
        a.send_json({"type": "play"})
        wait_until(lambda: s.step_count > 1000, 60, "1000 steps played")
        a.send_json({"type": "pause"})
        assert settling.wait(30)
        b.send_json({"type": "play"})
        step = s.step_count
        wait_until(lambda: s.step_count > step + 1000, 60, "training on after the pause")
        assert s.status.value == "running"
        a.send_json({"type": "pause"})
        wait_until(lambda: s.status.value == "paused", 30, "the session pausing")


def test_a_stream_closed_while_its_pause_settles_leaves_the_session_paused(
        client: TestClient) -> None:
    """The last tab closes and the server gives up on its handler while the pause is still
    replaying the tail: the session ends paused, not 'running' with nothing to train it (the
    replay used to put back the status it began with, over the pause)."""
    sid = make_session(client, make_dataset(client, "xor"), hidden_layers=[4])
    s: TrainingSession = client.app.state.registry.get(sid)  # type: ignore[attr-defined]
    train, settle = s._train, s.settle
    settling, replaying = threading.Event(), threading.Event()

    def settle_watched() -> bool:
        settling.set()
        try:
            return settle()
        finally:
            settling.clear()

    def slow_replay(steps: int, deadline: float | None) -> None:
        if settling.is_set():  # the pause is cancelled meanwhile
            replaying.set()
            time.sleep(0.5)
        train(steps, deadline)

    s.settle, s._train = settle_watched, slow_replay  # type: ignore[method-assign]
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        ws.receive_json()
        ws.send_json({"type": "play"})
        wait_until(lambda: s.step_count > 1000, 60, "1000 steps played")
        ws.close()  # the tab closes: its handler pauses the session
        assert replaying.wait(30)
    # leaving the block, the test client cancelled the handler in the middle of the replay
    wait_until(lambda: not settling.is_set(), 30, "the settling over")
    assert s.status.value == "paused"
    step = client.get(f"/api/sessions/{sid}").json()["step"]
    assert client.post(f"/api/sessions/{sid}/step", json={"steps": 1}).json()["step"] == step + 1

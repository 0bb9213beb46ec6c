"""A session's status: one type, its moves in one table, refused moves; the players own which
sessions are busy and watched."""

import pytest
from fastapi.testclient import TestClient

from app.schemas.sessions import Status
from app.training import persist
from app.training.session import SessionError, TrainingSession
from tests.helpers import make_dataset, make_session, wait_until

ALLOWED = {
    (Status.READY, Status.RUNNING), (Status.READY, Status.PAUSED),
    (Status.READY, Status.DIVERGED),  # a saved diverged session comes back from a fresh one
    (Status.RUNNING, Status.PAUSED), (Status.RUNNING, Status.DIVERGED),
    (Status.PAUSED, Status.RUNNING), (Status.PAUSED, Status.DIVERGED),
    (Status.PAUSED, Status.READY),
    (Status.DIVERGED, Status.PAUSED), (Status.DIVERGED, Status.READY),
}


@pytest.mark.parametrize("old", list(Status))
@pytest.mark.parametrize("new", list(Status))
def test_the_table_of_moves(old: Status, new: Status) -> None:
    assert old.can_become(new) == (old == new or (old, new) in ALLOWED)


def test_status_values_are_the_api_strings() -> None:
    assert [s.value for s in Status] == ["ready", "running", "paused", "diverged"]
    assert Status.RUNNING == "running"


def session_of(client: TestClient, **config: object) -> TrainingSession:
    sid = make_session(client, make_dataset(client), **config)
    session: TrainingSession = client.app.state.registry.get(sid)
    return session


def diverging(client: TestClient) -> TrainingSession:
    sid = make_session(client, make_dataset(client, "sine"), hidden_layers=[8],
                       activation="relu", optimizer="sgd", learning_rate=10.0)
    session: TrainingSession = client.app.state.registry.get(sid)
    return session


def test_a_run_moves_through_its_statuses(client: TestClient) -> None:
    s = session_of(client)
    assert s.status is Status.READY
    s.train(3)
    assert s.status is Status.PAUSED
    s.start_running()
    assert s.status is Status.RUNNING
    s.train(2)  # the play loop trains a running session: it stays running
    assert s.status is Status.RUNNING
    s.stop_running()
    assert s.status is Status.PAUSED
    s.stop_running()  # not running: nothing to stop
    assert s.status is Status.PAUSED
    s.reset()
    assert s.status is Status.READY and s.step_count == 0


def test_a_reset_while_running_starts_over_ready(client: TestClient) -> None:
    s = session_of(client)
    s.start_running()
    s.reset()
    assert s.status is Status.READY


def test_divergence_and_the_ways_back(client: TestClient) -> None:
    s = diverging(client)
    s.train(500)
    assert s.status is Status.DIVERGED and s.message and "NaN or inf" in s.message
    with pytest.raises(SessionError, match="reset or rewind") as refused:
        s.start_running()
    assert refused.value.status_code == 409 and s.status is Status.DIVERGED
    with pytest.raises(SessionError, match="diverged"):
        s.train(1)
    s.rewind(0)
    assert s.status is Status.PAUSED and s.message is None
    s.train(500)
    assert s.status is Status.DIVERGED
    s.set_parameters([((W * 0).tolist(), (b * 0).tolist())  # a hand edit: finite again
                      for W, b in zip(s.net.W, s.net.b, strict=True)])
    assert s.status is Status.PAUSED and s.message is None
    s.train(500)
    s.reset()
    assert s.status is Status.READY and s.message is None


def test_an_illegal_move_is_refused_and_changes_nothing(client: TestClient) -> None:
    s = diverging(client)
    s.train(500)
    with pytest.raises(SessionError, match="a diverged session cannot become running"):
        s.status = Status.RUNNING
    assert s.status is Status.DIVERGED
    s.status = "paused"  # a value string is taken, as the saved state gives it
    assert s.status is Status.PAUSED
    s.start_running()
    with pytest.raises(SessionError, match="a running session cannot become ready"):
        s.status = "ready"
    with pytest.raises(ValueError):
        s.status = "sleeping"
    assert s.status is Status.RUNNING


def test_status_survives_a_save(client: TestClient) -> None:
    s = diverging(client)
    s.train(500)
    blob = persist.dump(s)
    registry = client.app.state.registry
    fresh = registry._build(s.id, s.config)
    assert fresh.status is Status.READY
    persist.load(fresh, blob)
    assert fresh.status is Status.DIVERGED and fresh.message == s.message
    ready = session_of(client)
    again = registry._build(ready.id, ready.config)
    persist.load(again, persist.dump(ready))
    assert again.status is Status.READY


def test_the_players_say_which_sessions_are_busy_and_watched(client: TestClient) -> None:
    registry = client.app.state.registry
    players = client.app.state.players
    assert registry.users is players
    s = session_of(client)
    assert not registry.in_use(s.id) and s.id not in registry.busy
    with client.websocket_connect(f"/api/sessions/{s.id}/stream") as ws:
        assert ws.receive_json()["type"] == "init"
        wait_until(lambda: s.id in players.watched, 5, "the session watched")
        assert registry.in_use(s.id) and s.id in registry.watched
        assert s.id not in registry.busy
        ws.send_json({"type": "play"})
        wait_until(lambda: s.id in registry.busy, 5, "the session busy")
        assert s.status is Status.RUNNING
        ws.send_json({"type": "pause"})
        wait_until(lambda: s.id not in registry.busy, 5, "the session no longer busy")
        assert s.status is Status.PAUSED and registry.in_use(s.id)
    wait_until(lambda: not registry.in_use(s.id), 5, "the session no longer in use")
    assert not players.by_id and not players.playing


def test_rest_answers_keep_the_status_strings(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client))
    assert client.get(f"/api/sessions/{sid}").json()["status"] == "ready"
    body = client.post(f"/api/sessions/{sid}/step", json={"steps": 2}).json()
    assert body["status"] == "paused"
    assert client.post(f"/api/sessions/{sid}/reset").json()["status"] == "ready"

"""Fork: POST /sessions/{id}/fork {"step": s} makes an independent session that is the run
as it was at s — stepping it and the run (rewound to s) by n gives identical weights, bit for
bit; deleting the source leaves the fork working; a bad step is a 422 naming the range."""

from typing import Any

import numpy as np
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.training.session import TrainingSession
from tests.conftest import local_client
from tests.helpers import make_dataset, make_session


def session(client: TestClient, sid: str) -> TrainingSession:
    s: TrainingSession = client.app.state.registry.get(sid)  # type: ignore[attr-defined]
    return s


def step(client: TestClient, sid: str, n: int) -> dict[str, Any]:
    r = client.post(f"/api/sessions/{sid}/step", json={"steps": n})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def fork(client: TestClient, sid: str, body: dict[str, Any] | None) -> dict[str, Any]:
    r = client.post(f"/api/sessions/{sid}/fork", json=body) if body is not None else \
        client.post(f"/api/sessions/{sid}/fork")
    assert r.status_code == 201, r.text
    made: dict[str, Any] = r.json()
    return made


def a_run(client: TestClient) -> str:
    """Minibatches mid-epoch, a learning-rate change and a batch change on the way."""
    sid = make_session(client, make_dataset(client, "spiral", 240), hidden_layers=[6, 4],
                       activation="tanh", batch_size=20)
    step(client, sid, 53)
    client.patch(f"/api/sessions/{sid}", json={"learning_rate": 0.07}).raise_for_status()
    step(client, sid, 41)
    client.patch(f"/api/sessions/{sid}", json={"batch_size": 32}).raise_for_status()
    step(client, sid, 77)
    return sid


def test_a_fork_at_a_past_step_is_the_run_then_and_trains_the_same(client: TestClient) -> None:
    sid = a_run(client)
    at = 67  # after the learning-rate change, before the batch change; no checkpoint
    assert at not in client.get(f"/api/sessions/{sid}/history").json()["checkpoints"]
    then = client.get(f"/api/sessions/{sid}/snapshot", params={"grid": 2, "step": at}).json()
    made = fork(client, sid, {"step": at})
    assert made["id"] != sid and made["step"] == at and made["status"] == "paused"
    assert made["config"]["learning_rate"] == 0.07 and made["config"]["batch_size"] == 20
    snap = client.get(f"/api/sessions/{made['id']}/snapshot", params={"grid": 2}).json()
    assert snap["layers"] == then["layers"] and snap["metrics"] == then["metrics"]
    history = client.get(f"/api/sessions/{made['id']}/history").json()
    assert history["steps"][-1] == at and max(history["checkpoints"]) <= at
    # the source, rewound to the same step, and the fork: stepped alike, identical weights
    client.post(f"/api/sessions/{sid}/rewind", json={"step": at}).raise_for_status()
    for n in (1, 12, 150):
        step(client, sid, n)
        step(client, made["id"], n)
        a, b = session(client, sid), session(client, made["id"])
        assert np.array_equal(a.net.params, b.net.params), n
        assert a.trainer.state()["rng_state"] == b.trainer.state()["rng_state"]


def test_a_fork_now_steps_like_its_source_and_outlives_it(client: TestClient) -> None:
    sid = a_run(client)
    made = fork(client, sid, None)  # no body: now
    assert made["step"] == client.get(f"/api/sessions/{sid}").json()["step"]
    assert fork(client, sid, {"step": None})["step"] == made["step"]
    step(client, sid, 33)
    step(client, made["id"], 33)
    assert np.array_equal(session(client, sid).net.params, session(client, made["id"]).net.params)
    assert client.delete(f"/api/sessions/{sid}").status_code == 204
    step(client, made["id"], 10)
    for past in (0, 99, made["step"]):
        r = client.get(f"/api/sessions/{made['id']}/snapshot", params={"grid": 2, "step": past})
        assert r.status_code == 200 and r.json()["step"] == past, r.text
    assert client.post(f"/api/sessions/{made['id']}/rewind",
                       json={"step": 5}).json()["step"] == 5


def test_a_fork_changed_goes_its_own_way(client: TestClient) -> None:
    sid = a_run(client)
    made = fork(client, sid, {"step": 100})
    client.patch(f"/api/sessions/{made['id']}", json={"learning_rate": 0.5}).raise_for_status()
    step(client, made["id"], 20)
    client.post(f"/api/sessions/{sid}/rewind", json={"step": 100}).raise_for_status()
    step(client, sid, 20)
    assert not np.array_equal(session(client, sid).net.params,
                              session(client, made["id"]).net.params)
    assert client.get(f"/api/sessions/{sid}").json()["config"]["learning_rate"] == 0.07


def test_a_bad_step_is_a_422_naming_the_range(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client))
    step(client, sid, 12)
    before = len(client.app.state.registry.live)  # type: ignore[attr-defined]
    r = client.post(f"/api/sessions/{sid}/fork", json={"step": 13})
    assert r.status_code == 422 and "from 0 to 12" in r.json()["detail"], r.text
    for body in ({"step": -1}, {"step": "3"}, {"steps": 3}, {"step": 1.5}):
        assert client.post(f"/api/sessions/{sid}/fork", json=body).status_code == 422, body
    assert client.post("/api/sessions/nope/fork", json={}).status_code == 404
    assert len(client.app.state.registry.live) == before  # type: ignore[attr-defined]


def test_a_fork_survives_a_restart(settings: Settings) -> None:
    with local_client(create_app(settings)) as client:
        sid = a_run(client)
        made = fork(client, sid, {"step": 60})
        client.delete(f"/api/sessions/{sid}").raise_for_status()
        step(client, made["id"], 25)
        expected = client.get(f"/api/sessions/{made['id']}/model").json()["layers"]
        past = client.get(f"/api/sessions/{made['id']}/snapshot",
                          params={"grid": 2, "step": 30}).json()["layers"]
    with local_client(create_app(settings)) as client:
        assert client.get(f"/api/sessions/{made['id']}/model").json()["layers"] == expected
        assert client.get(f"/api/sessions/{made['id']}/snapshot",
                          params={"grid": 2, "step": 30}).json()["layers"] == past


def test_the_fork_is_in_the_openapi(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    post = spec["paths"]["/api/sessions/{session_id}/fork"]["post"]
    assert "201" in post["responses"] and "422" in post["responses"]
    assert "ForkRequest" in str(post["requestBody"])

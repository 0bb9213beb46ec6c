"""Any past step, exactly: rewind, snapshot?step=, the stream's peek and the session's replay
reach the parameters that training straight there reached, bit for bit — at steps that are
no checkpoint, across hyperparameter changes and a weight edit, with minibatches, and after
a restart (a new app on the same data directory)."""

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.training.session import TrainingSession
from tests.conftest import local_client
from tests.helpers import make_dataset, make_session

CHANGES: list[tuple[str, str, dict[str, Any]]] = [  # (when, how, what), in run order
    ("patch", "PATCH", {"learning_rate": 0.08}),
    ("edit", "PUT", {}),  # every weight scaled by 0.9 (a hand edit)
    ("batch", "PATCH", {"batch_size": 24}),
    ("l2", "PATCH", {"l2": 0.002, "l1": 0.0005}),
    ("optimizer", "PATCH", {"optimizer": "momentum", "learning_rate": 0.05}),
    ("full", "PATCH", {"full_batch": True}),
]
LEGS = [37, 55, 41, 29, 63, 47, 33]  # steps between the changes (odd ones: mid-epoch)


def layers(client: TestClient, sid: str) -> list[dict[str, Any]]:
    r = client.get(f"/api/sessions/{sid}/model")
    assert r.status_code == 200, r.text
    got: list[dict[str, Any]] = r.json()["layers"]
    return got


def scaled(ls: list[dict[str, Any]], k: float) -> list[dict[str, Any]]:
    return [{"weights": [[w * k for w in row] for row in layer["weights"]],
             "bias": [b * k for b in layer["bias"]]} for layer in ls]


def run_with_changes(client: TestClient, sid: str) -> dict[int, list[dict[str, Any]]]:
    """Train the legs with the changes between them, reading the weights (straight there) at
    a few steps inside each leg; returns {step: layers}."""
    seen: dict[int, list[dict[str, Any]]] = {}
    step = 0
    for i, leg in enumerate(LEGS):
        for part in (leg // 3, leg - leg // 3):  # stop inside the leg too
            r = client.post(f"/api/sessions/{sid}/step", json={"steps": part})
            assert r.status_code == 200, r.text
            step += part
            seen[step] = layers(client, sid)
        if i < len(CHANGES):
            _, how, body = CHANGES[i]
            if how == "PATCH":
                r = client.patch(f"/api/sessions/{sid}", json=body)
            else:
                r = client.put(f"/api/sessions/{sid}/parameters",
                               json={"layers": scaled(layers(client, sid), 0.9)})
            assert r.status_code == 200, r.text
            seen[step] = layers(client, sid)  # the state at this step is the changed one
    return seen


@pytest.fixture
def run(client: TestClient) -> tuple[str, dict[int, list[dict[str, Any]]]]:
    sid = make_session(client, make_dataset(client, "spiral", 240), hidden_layers=[6, 5],
                       activation="tanh", batch_size=16, learning_rate=0.03)
    return sid, run_with_changes(client, sid)


def test_snapshot_at_any_step_is_the_run_at_that_step(
        client: TestClient, run: tuple[str, dict[int, list[dict[str, Any]]]]) -> None:
    sid, seen = run
    now = client.get(f"/api/sessions/{sid}").json()["step"]
    checkpoints = set(client.get(f"/api/sessions/{sid}/history").json()["checkpoints"])
    changes = np.cumsum(LEGS)[: len(CHANGES)]
    crossing = [s for s in set(seen) - checkpoints
                if any(max(c for c in checkpoints if c <= s) < t <= s for t in changes)]
    assert len(crossing) >= 3, "replays must start before a change and go past it"
    for step, expected in sorted(seen.items(), reverse=True):
        snap = client.get(f"/api/sessions/{sid}/snapshot", params={"grid": 3, "step": step})
        assert snap.status_code == 200, snap.text
        assert snap.json()["step"] == step
        got = [{"weights": x["weights"], "bias": x["bias"]} for x in snap.json()["layers"]]
        assert got == [{"weights": x["weights"], "bias": x["bias"]} for x in expected], step
    assert client.get(f"/api/sessions/{sid}").json()["step"] == now  # a snapshot moves nothing
    assert layers(client, sid) == seen[now]


def test_rewind_to_any_step_then_train_on_retraces_the_run(
        client: TestClient, run: tuple[str, dict[int, list[dict[str, Any]]]]) -> None:
    sid, seen = run
    ends = np.cumsum(LEGS)
    mids = [int(end - leg + leg // 3) for end, leg in zip(ends, LEGS, strict=True)]
    for leg in (5, 3, 2, 0):  # later legs first (each rewind forgets what came after it);
        # not leg 1, whose end is the hand edit (seen there: the edited weights)
        mid, end = mids[leg], int(ends[leg])
        r = client.post(f"/api/sessions/{sid}/rewind", json={"step": mid})
        assert r.status_code == 200 and r.json()["step"] == mid, r.text
        assert layers(client, sid) == seen[mid]
        history = client.get(f"/api/sessions/{sid}/history").json()
        assert history["steps"][-1] == mid and max(history["checkpoints"]) == mid
        # the leg's settings are back (batch size, optimizer…): training on retraces it
        client.post(f"/api/sessions/{sid}/step", json={"steps": end - mid}).raise_for_status()
        assert layers(client, sid) == seen[end], leg
        client.post(f"/api/sessions/{sid}/rewind", json={"step": mid}).raise_for_status()


def test_a_peek_at_any_step_over_the_stream(
        client: TestClient, run: tuple[str, dict[int, list[dict[str, Any]]]]) -> None:
    sid, seen = run
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        assert ws.receive_json()["type"] == "init"
        for step in (1, 61, max(seen) - 5):
            step = min(s for s in seen if s >= step)
            ws.send_json({"type": "peek", "step": step})
            while not (msg := ws.receive_json()).get("peek"):
                assert msg["type"] in ("frame", "history"), msg
            assert msg["step"] == step
            got = [{"weights": x["weights"], "bias": x["bias"]} for x in msg["layers"]]
            assert got == [{"weights": x["weights"], "bias": x["bias"]} for x in seen[step]]
        ws.send_json({"type": "peek", "step": max(seen) + 1})
        while (msg := ws.receive_json())["type"] != "error":
            pass
        assert f"from 0 to {max(seen)}" in msg["detail"]


def test_past_steps_after_a_restart(settings: Settings) -> None:
    with local_client(create_app(settings)) as client:
        sid = make_session(client, make_dataset(client, "circle", 160), hidden_layers=[5],
                           batch_size=10)
        seen = run_with_changes(client, sid)
    with local_client(create_app(settings)) as client:  # a new process on the same data
        for step in sorted(seen)[::3]:
            snap = client.get(f"/api/sessions/{sid}/snapshot", params={"grid": 2, "step": step})
            assert snap.status_code == 200, snap.text
            got = [{"weights": x["weights"], "bias": x["bias"]} for x in snap.json()["layers"]]
            assert got == [{"weights": x["weights"], "bias": x["bias"]} for x in seen[step]]
        assert layers(client, sid) == seen[max(seen)]


def test_peeking_leaves_the_run_exactly_as_it_was(client: TestClient) -> None:
    """Replaying to past steps and coming back does not perturb training (rng, epoch, forward
    cache): a run peeked at between its steps ends where an unpeeked twin ends."""
    ds = make_dataset(client, "xor", 200)
    a, b = (make_session(client, ds, hidden_layers=[4, 3], batch_size=12) for _ in range(2))
    sa: TrainingSession = client.app.state.registry.get(a)  # type: ignore[attr-defined]
    sb: TrainingSession = client.app.state.registry.get(b)  # type: ignore[attr-defined]
    for n in (7, 13, 101, 3):
        sa.train(n)
        sb.train(n)
        for past in (0, sa.step_count // 2, sa.step_count - 1):
            with sa.at_step(past):
                assert sa.step_count == past
    assert np.array_equal(sa.net.params, sb.net.params)
    assert sa.trainer.state()["rng_state"] == sb.trainer.state()["rng_state"]


@pytest.mark.parametrize("step", [-1, 10_001])
def test_a_step_out_of_range_is_a_422_naming_the_range(client: TestClient, step: int) -> None:
    sid = make_session(client, make_dataset(client))
    client.post(f"/api/sessions/{sid}/step", json={"steps": 20}).raise_for_status()
    for r in (client.post(f"/api/sessions/{sid}/rewind", json={"step": step}),
              client.get(f"/api/sessions/{sid}/snapshot", params={"step": step})):
        assert r.status_code == 422, r.text
        if step > 0:
            assert "from 0 to 20" in r.json()["detail"]

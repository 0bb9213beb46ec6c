"""Sessions over REST: every endpoint's success and error paths, replay, export, restart;
each test on both store backends (SQLite, a real PostgreSQL)."""

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.conftest import BACKENDS, backend_settings, local_client


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    return backend_settings(request, tmp_path)


def make_dataset(client: TestClient, kind: str = "xor", n: int = 200, **extra: Any) -> str:
    r = client.post("/api/datasets/generate",
                    json={"kind": kind, "n": n, "noise": 0.1, "seed": 1, **extra})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def make_session(client: TestClient, dataset_id: str, **config: Any) -> dict[str, Any]:
    r = client.post("/api/sessions", json={"dataset_id": dataset_id, **config})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def test_create_session_describes_the_network(client: TestClient) -> None:
    s = make_session(client, make_dataset(client), hidden_layers=[4, 3])
    assert s["status"] == "ready" and s["step"] == 0 and s["epoch"] == 0
    assert s["sizes"] == [2, 4, 3, 1]
    assert s["task"] == "binary" and s["classes"] == ["0", "1"]
    assert s["inputs"] == ["x1", "x2"]
    assert 0 <= s["metrics"]["train_accuracy"] <= 1 and s["metrics"]["test_loss"] > 0


def test_xor_trains_to_high_accuracy_with_a_hidden_layer(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[4],
                       learning_rate=0.1)["id"]
    r = client.post(f"/api/sessions/{sid}/step", json={"steps": 600})
    assert r.status_code == 200
    body = r.json()
    assert body["step"] == 600 and body["status"] == "paused"
    assert body["metrics"]["train_accuracy"] > 0.9


def test_epochs_count_minibatches(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), batch_size=32, test_fraction=0.2)["id"]
    body = client.post(f"/api/sessions/{sid}/step", json={"epochs": 2}).json()
    assert body["epoch"] == 2 and body["step"] == 2 * 5  # 160 training rows / 32


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"features": ["nope"]}, ["nope"]),
        ({"hidden_layers": [4] * 7}, ["at most 6 hidden layers"]),
        ({"hidden_layers": [33]}, ["at most 32 neurons"]),
        ({"hidden_layers": [0]}, ["at least 1 neuron"]),
        ({"view_features": ["x1", "zzz"]}, ["zzz"]),
        ({"view_features": ["x1"]}, ["2 different features"]),
        ({"learning_rate": -1}, ["learning_rate"]),
        ({"test_fraction": 0.95}, ["test_fraction"]),
        ({"activation": "swish"}, ["activation"]),
    ],
)
def test_bad_configs_get_422_naming_the_problem(
    client: TestClient, config: dict[str, Any], words: list[str]
) -> None:
    r = client.post("/api/sessions", json={"dataset_id": make_dataset(client), **config})
    assert r.status_code == 422, r.text
    text = str(r.json()["detail"])
    for w in words:
        assert w in text


def test_unknown_dataset_and_session_are_named(client: TestClient) -> None:
    r = client.post("/api/sessions", json={"dataset_id": "missing"})
    assert r.status_code == 422 and "missing" in r.json()["detail"]
    for method, path in [("get", ""), ("get", "/snapshot"), ("get", "/history"),
                         ("get", "/model"), ("delete", "")]:
        r = client.request(method.upper(), f"/api/sessions/nosuch{path}")
        assert r.status_code == 404 and "nosuch" in r.json()["detail"]


def test_step_needs_exactly_one_of_steps_or_epochs(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client))["id"]
    for body in ({}, {"steps": 1, "epochs": 1}, {"steps": 0}):
        assert client.post(f"/api/sessions/{sid}/step", json=body).status_code == 422
    r = client.post(f"/api/sessions/{sid}/step", json={"steps": 2_000_000})
    assert r.status_code == 422 and "at most 1000000" in r.json()["detail"]


def test_patch_changes_hyperparameters_not_weights(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client))["id"]
    client.post(f"/api/sessions/{sid}/step", json={"steps": 20})
    before = client.get(f"/api/sessions/{sid}/model").json()["layers"]
    r = client.patch(f"/api/sessions/{sid}",
                     json={"learning_rate": 0.5, "l2": 0.01, "optimizer": "sgd", "batch_size": 8})
    assert r.status_code == 200
    cfg = r.json()["config"]
    assert (cfg["learning_rate"], cfg["l2"], cfg["optimizer"], cfg["batch_size"]) == (
        0.5, 0.01, "sgd", 8)
    assert client.get(f"/api/sessions/{sid}/model").json()["layers"] == before
    assert client.patch(f"/api/sessions/{sid}", json={"full_batch": True}).json()[
        "config"]["batch_size"] is None
    assert client.patch(f"/api/sessions/{sid}", json={"hidden_layers": [3]}).status_code == 422


def test_rewind_replays_identically(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), batch_size=16, hidden_layers=[5])["id"]
    client.post(f"/api/sessions/{sid}/step", json={"steps": 30})
    checkpoints = client.get(f"/api/sessions/{sid}/history").json()["checkpoints"]
    back = checkpoints[-1]
    assert 0 < back <= 30
    client.post(f"/api/sessions/{sid}/step", json={"steps": 25})
    first = client.get(f"/api/sessions/{sid}/model").json()["layers"]
    r = client.post(f"/api/sessions/{sid}/rewind", json={"step": back})
    assert r.status_code == 200 and r.json()["step"] == back
    client.post(f"/api/sessions/{sid}/step", json={"steps": 55 - back})
    assert client.get(f"/api/sessions/{sid}/model").json()["layers"] == first
    r = client.post(f"/api/sessions/{sid}/rewind", json={"step": 7777})
    assert r.status_code == 422 and "no checkpoint at step 7777" in r.json()["detail"]


def test_reset_gives_the_initial_weights_again(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), seed=3)["id"]
    start = client.get(f"/api/sessions/{sid}/model").json()["layers"]
    client.post(f"/api/sessions/{sid}/step", json={"steps": 10})
    r = client.post(f"/api/sessions/{sid}/reset")
    assert r.json()["step"] == 0 and r.json()["status"] == "ready"
    assert client.get(f"/api/sessions/{sid}/model").json()["layers"] == start
    client.post(f"/api/sessions/{sid}/reset", json={"seed": 4})
    assert client.get(f"/api/sessions/{sid}/model").json()["layers"] != start


def test_history_records_every_early_step(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client))["id"]
    client.post(f"/api/sessions/{sid}/step", json={"steps": 12})
    h = client.get(f"/api/sessions/{sid}/history").json()
    assert h["steps"] == list(range(13))
    assert len(h["train_loss"]) == len(h["test_accuracy"]) == 13
    assert h["train_loss"][-1] < h["train_loss"][0]
    assert h["checkpoints"][0] == 0


def test_snapshot_shapes_and_ranges(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[3, 2])["id"]
    snap = client.get(f"/api/sessions/{sid}/snapshot?grid=20").json()
    assert snap["grid"]["size"] == 20 and snap["grid"]["features"] == ["x1", "x2"]
    assert np.asarray(snap["output"]).shape == (20, 20)
    assert [len(layer) for layer in snap["neurons"]] == [3, 2]
    assert np.asarray(snap["neurons"][0][0]).shape == (20, 20)
    assert np.min(snap["output"]) >= 0 and np.max(snap["output"]) <= 1
    assert [np.asarray(lay["weights"]).shape for lay in snap["layers"]] == [(2, 3), (3, 2), (2, 1)]
    r = client.get(f"/api/sessions/{sid}/snapshot?grid=201")
    assert r.status_code == 422 and "200" in r.json()["detail"]


def test_snapshot_output_matches_predict_at_grid_points(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[4])["id"]
    client.post(f"/api/sessions/{sid}/step", json={"steps": 50})
    snap = client.get(f"/api/sessions/{sid}/snapshot?grid=5").json()
    (x0, x1), (y0, y1) = snap["grid"]["x"], snap["grid"]["y"]
    xs, ys = np.linspace(x0, x1, 5), np.linspace(y0, y1, 5)
    points = [[xs[j], ys[i]] for i in range(5) for j in range(5)]
    pred = client.post(f"/api/sessions/{sid}/predict", json={"points": points}).json()
    p1 = np.asarray(pred["probabilities"])[:, 1].reshape(5, 5)
    assert np.abs(p1 - np.asarray(snap["output"])).max() < 1e-4  # grid maps are float32
    hidden = np.asarray(pred["activations"][0])[:, 2].reshape(5, 5)
    assert np.abs(hidden - np.asarray(snap["neurons"][0][2])).max() < 1e-4


def _numpy_predict(model: dict[str, Any], raw: np.ndarray) -> np.ndarray:
    """The README's recipe: predict from the exported model with numpy alone."""
    z = (raw - np.asarray(model["standardize"]["mean"])) / np.asarray(model["standardize"]["std"])
    if model["transforms"]:
        cols = {"x1": z[:, 0], "x2": z[:, 1], "x1sq": z[:, 0] ** 2, "x2sq": z[:, 1] ** 2,
                "x1x2": z[:, 0] * z[:, 1], "sinx1": np.sin(z[:, 0]), "sinx2": np.sin(z[:, 1])}
        z = np.stack([cols[t] for t in model["transforms"]], axis=1)
    act = {"sigmoid": lambda v: 1 / (1 + np.exp(-v)), "tanh": np.tanh,
           "relu": lambda v: np.maximum(v, 0), "linear": lambda v: v}[model["activation"]]
    a = z
    for layer in model["layers"][:-1]:
        a = act(a @ np.asarray(layer["weights"]) + np.asarray(layer["bias"]))
    out = a @ np.asarray(model["layers"][-1]["weights"]) + np.asarray(model["layers"][-1]["bias"])
    if model["output"] == "sigmoid":
        return np.asarray(1 / (1 + np.exp(-out)))
    if model["output"] == "softmax":
        e = np.exp(out - out.max(axis=1, keepdims=True))
        return np.asarray(e / e.sum(axis=1, keepdims=True))
    ts = model["target_standardize"]
    return np.asarray(out * ts["std"] + ts["mean"])


@pytest.mark.parametrize(
    ("kind", "config"),
    [
        ("circle", {"hidden_layers": [3], "activation": "tanh",
                    "transforms": ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1"]}),
        ("spiral3", {"hidden_layers": [6, 4], "activation": "relu"}),
        ("sine", {"hidden_layers": [5], "activation": "sigmoid"}),
    ],
)
def test_exported_model_reproduces_predict(
    client: TestClient, kind: str, config: dict[str, Any]
) -> None:
    sid = make_session(client, make_dataset(client, kind), **config)["id"]
    client.post(f"/api/sessions/{sid}/step", json={"steps": 40})
    model = client.get(f"/api/sessions/{sid}/model").json()
    rng = np.random.default_rng(0)
    raw = rng.uniform(-5, 5, size=(30, len(model["features"])))
    pred = client.post(f"/api/sessions/{sid}/predict", json={"points": raw.tolist()}).json()
    ours = _numpy_predict(model, raw)
    if model["task"] == "regression":
        np.testing.assert_allclose(ours[:, 0], pred["values"], rtol=1e-9, atol=1e-9)
    elif model["task"] == "binary":
        np.testing.assert_allclose(ours[:, 0], np.asarray(pred["probabilities"])[:, 1], atol=1e-9)
    else:
        np.testing.assert_allclose(ours, pred["probabilities"], atol=1e-9)
        assert pred["predictions"] == [model["classes"][i] for i in ours.argmax(axis=1)]


def test_predict_rejects_rows_of_the_wrong_width(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client))["id"]
    r = client.post(f"/api/sessions/{sid}/predict", json={"points": [[1.0, 2.0, 3.0]]})
    assert r.status_code == 422 and "point 0 has 3 values" in r.json()["detail"]


def test_regression_metrics_are_in_target_units(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client, "sine"), hidden_layers=[8],
                       activation="tanh", learning_rate=0.05, test_fraction=0)["id"]
    client.post(f"/api/sessions/{sid}/step", json={"steps": 300})
    s = client.get(f"/api/sessions/{sid}").json()
    assert s["task"] == "regression" and s["metrics"]["train_accuracy"] is None
    points = client.get(f"/api/datasets/{s['config']['dataset_id']}/points").json()
    x = np.asarray(points["columns"]["x"])
    y = np.asarray(points["target"], dtype=float)
    pred = client.post(f"/api/sessions/{sid}/predict", json={"points": x[:, None].tolist()})
    mse_half = float(np.mean((np.asarray(pred.json()["values"]) - y) ** 2) / 2)
    assert s["metrics"]["train_loss"] == pytest.approx(mse_half, rel=1e-6)


def test_divergence_is_reported_and_recoverable(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client, "sine"), hidden_layers=[8],
                       activation="relu", optimizer="sgd", learning_rate=10.0)["id"]
    r = client.post(f"/api/sessions/{sid}/step", json={"steps": 500})
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "diverged" and "NaN or inf" in body["message"]
    r = client.post(f"/api/sessions/{sid}/step", json={"steps": 1})
    assert r.status_code == 409 and "reset" in r.json()["detail"]
    assert client.get(f"/api/sessions/{sid}/snapshot?grid=4").status_code == 200
    r = client.post(f"/api/sessions/{sid}/rewind", json={"step": 0})
    assert r.json()["status"] == "paused" and r.json()["message"] is None
    client.patch(f"/api/sessions/{sid}", json={"learning_rate": 0.01})
    assert client.post(f"/api/sessions/{sid}/step", json={"steps": 5}).json()["step"] == 5


def test_delete_session(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client))["id"]
    assert client.delete(f"/api/sessions/{sid}").status_code == 204
    assert client.get(f"/api/sessions/{sid}").status_code == 404


def test_sessions_survive_a_restart(settings: Settings) -> None:
    with local_client(create_app(settings)) as client:
        sid = make_session(client, make_dataset(client), batch_size=20)["id"]
        client.post(f"/api/sessions/{sid}/step", json={"steps": 33})
        before = client.get(f"/api/sessions/{sid}/model").json()["layers"]
        client.post(f"/api/sessions/{sid}/step", json={"steps": 10})
        expected = client.get(f"/api/sessions/{sid}/model").json()["layers"]
        hist = client.get(f"/api/sessions/{sid}/history").json()
        # mid-epoch (8 steps an epoch): replay must regenerate the epoch's permutation
        back = max(c for c in hist["checkpoints"] if c < 33 and c % 8)
        client.post(f"/api/sessions/{sid}/rewind", json={"step": back})
        client.post(f"/api/sessions/{sid}/step", json={"steps": 33 - back})
        assert client.get(f"/api/sessions/{sid}/model").json()["layers"] == before
    with local_client(create_app(settings)) as client:  # shutdown saved it; a new process loads it
        s = client.get(f"/api/sessions/{sid}").json()
        assert s["step"] == 33 and s["status"] == "paused"
        assert client.get(f"/api/sessions/{sid}/model").json()["layers"] == before
        client.post(f"/api/sessions/{sid}/step", json={"steps": 10})
        assert client.get(f"/api/sessions/{sid}/model").json()["layers"] == expected


def test_idle_sessions_leave_memory_and_come_back(settings: Settings) -> None:
    settings.max_live_sessions = 2
    with local_client(create_app(settings)) as client:
        ds = make_dataset(client)
        ids = [make_session(client, ds, seed=i)["id"] for i in range(4)]
        for sid in ids:
            client.post(f"/api/sessions/{sid}/step", json={"steps": 3})
        registry = client.app.state.registry  # type: ignore[attr-defined]
        assert len(registry.live) <= 2
        for sid in ids:
            assert client.get(f"/api/sessions/{sid}").json()["step"] == 3


def test_deleting_a_dataset_deletes_its_sessions(client: TestClient) -> None:
    ds = make_dataset(client)
    sid = make_session(client, ds)["id"]
    client.post(f"/api/sessions/{sid}/step", json={"steps": 2})
    assert client.delete(f"/api/datasets/{ds}").status_code == 204
    r = client.get(f"/api/sessions/{sid}")
    assert r.status_code == 404 and sid in r.json()["detail"]


def test_set_parameters_then_train_from_them(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[2])["id"]
    layers = [{"weights": [[1.0, -1.0], [2.0, 0.5]], "bias": [0.1, -0.2]},
              {"weights": [[3.0], [-3.0]], "bias": [0.25]}]
    r = client.put(f"/api/sessions/{sid}/parameters", json={"layers": layers})
    assert r.status_code == 200
    model = client.get(f"/api/sessions/{sid}/model").json()
    assert [(m["weights"], m["bias"]) for m in model["layers"]] == [
        (la["weights"], la["bias"]) for la in layers]
    pred = client.post(f"/api/sessions/{sid}/predict", json={"points": [[0.0, 0.0]]}).json()
    assert pred["activations"][0][0] == pytest.approx(
        _numpy_predict_hidden(model, np.zeros((1, 2)))[0].tolist())
    assert client.post(f"/api/sessions/{sid}/step", json={"steps": 3}).json()["step"] == 3


def _numpy_predict_hidden(model: dict[str, Any], raw: np.ndarray) -> np.ndarray:
    z = (raw - np.asarray(model["standardize"]["mean"])) / np.asarray(model["standardize"]["std"])
    layer = model["layers"][0]
    return np.asarray(1 / (1 + np.exp(-(z @ np.asarray(layer["weights"]) + layer["bias"]))))


@pytest.mark.parametrize(
    ("layers", "words"),
    [
        ([{"weights": [[1.0]], "bias": [0.0]}], ["1 layers given", "2 weight layers"]),
        ([{"weights": [[1.0, 2.0]], "bias": [0.0, 0.0]}, {"weights": [[1.0], [1.0]],
                                                         "bias": [0.0]}],
         ["layer 0", "[2, 2]"]),
    ],
)
def test_set_parameters_rejects_wrong_shapes(
    client: TestClient, layers: list[dict[str, Any]], words: list[str]
) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[2])["id"]
    before = client.get(f"/api/sessions/{sid}/model").json()["layers"]
    r = client.put(f"/api/sessions/{sid}/parameters", json={"layers": layers})
    assert r.status_code == 422
    for w in words:
        assert w in r.json()["detail"]
    assert client.get(f"/api/sessions/{sid}/model").json()["layers"] == before


def test_snapshot_at_a_past_step_leaves_the_session_alone(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[3], batch_size=16)["id"]
    early = client.get(f"/api/sessions/{sid}/snapshot?grid=8").json()
    client.post(f"/api/sessions/{sid}/step", json={"steps": 25})
    now = client.get(f"/api/sessions/{sid}/snapshot?grid=8").json()
    then = client.get(f"/api/sessions/{sid}/snapshot?grid=8&step=0").json()
    assert then["step"] == 0 and then["output"] == early["output"]
    assert then["layers"] == early["layers"] and then["metrics"] == early["metrics"]
    assert client.get(f"/api/sessions/{sid}/snapshot?grid=8").json() == now
    client.post(f"/api/sessions/{sid}/step", json={"steps": 5})  # the run goes on unchanged
    r = client.get(f"/api/sessions/{sid}/snapshot?grid=8&step=9999")
    assert r.status_code == 422 and "no checkpoint at step 9999" in r.json()["detail"]


def test_one_d_output_is_the_sum_of_weighted_sigmoids(client: TestClient) -> None:
    """The 1-D view draws v_j·a_j(x) per last-hidden neuron plus the output bias: they add up
    to the output (for regression, in the target's units after un-standardizing)."""
    sid = make_session(client, make_dataset(client, "bump"), hidden_layers=[5],
                       activation="sigmoid")["id"]
    client.post(f"/api/sessions/{sid}/step", json={"steps": 200})
    snap = client.get(f"/api/sessions/{sid}/snapshot?grid=30").json()
    model = client.get(f"/api/sessions/{sid}/model").json()
    assert snap["grid"]["y"] is None and np.asarray(snap["output"]).shape == (1, 30)
    v = np.asarray(snap["layers"][-1]["weights"])[:, 0]
    hidden = np.asarray(snap["neurons"][0])[:, 0, :]  # (5 neurons, 30 x values)
    components = v[:, None] * hidden
    total = components.sum(axis=0) + snap["layers"][-1]["bias"][0]
    t = model["target_standardize"]
    np.testing.assert_allclose(total * t["std"] + t["mean"], np.asarray(snap["output"])[0],
                               rtol=1e-4, atol=1e-4)

"""GET /api/sessions/{id}/gradient: its gradients against a central-difference numerical
gradient of the training loss measured through the API itself (PUT /parameters, then the
session's train_loss), one SGD step against −η × gradient, the next-step weights against
POST step, δ against the bias gradient, and bad input."""

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.lessons import WEIGHTS_LEARN, Preset
from tests.data_helpers import csv_bytes, upload
from tests.helpers import make_dataset, make_session

Layers = list[dict[str, Any]]
H = 1e-6  # central-difference step


def flat(layers: Layers) -> np.ndarray:
    """Every weight, then every bias (as the engine lays them out)."""
    return np.concatenate([np.ravel(layer["weights"]) for layer in layers]
                          + [np.ravel(layer["bias"]) for layer in layers])


def unflat(v: np.ndarray, like: Layers) -> Layers:
    out, i = [], 0
    shapes = [np.shape(layer["weights"]) for layer in like]
    for nin, nout in shapes:
        out.append({"weights": v[i : i + nin * nout].reshape(nin, nout).tolist()})
        i += nin * nout
    for layer, (_, nout) in zip(out, shapes, strict=True):
        layer["bias"] = v[i : i + nout].tolist()
        i += nout
    return out


def total_loss(client: TestClient, sid: str, v: np.ndarray, like: Layers,
               l1: float, l2: float, y_std: float) -> float:
    """The training loss at parameters v, through the API: the session's train_loss (in the
    target's units: back to the standardized target training sees) + the contract's penalty."""
    r = client.put(f"/api/sessions/{sid}/parameters", json={"layers": unflat(v, like)})
    assert r.status_code == 200, r.text
    w = np.concatenate([np.ravel(layer["weights"]) for layer in unflat(v, like)])
    data = client.get(f"/api/sessions/{sid}").json()["metrics"]["train_loss"] / y_std**2
    return float(data + l2 / 2 * w @ w + l1 * np.abs(w).sum())


CASES = [  # dataset kind, hidden layers, activation, l1, l2
    ("xor", [3], "sigmoid", 0.001, 0.01),
    ("circle", [3, 2], "tanh", 0.002, 0.0),
    ("moons", [4], "relu", 0.0, 0.02),
    ("spiral3", [3], "sigmoid", 0.0, 0.01),
    ("spiral3", [2, 2], "tanh", 0.001, 0.001),
    ("blobs", [3], "relu", 0.001, 0.0),
    ("sine", [3], "tanh", 0.001, 0.01),
    ("plane", [2], "sigmoid", 0.0, 0.0),
    ("hills", [3], "relu", 0.002, 0.01),
]


@pytest.mark.parametrize(("kind", "layers", "act", "l1", "l2"), CASES)
def test_gradient_equals_numerical_gradient(client: TestClient, kind: str, layers: list[int],
                                            act: str, l1: float, l2: float) -> None:
    sid = make_session(client, make_dataset(client, kind, n=120), hidden_layers=layers,
                       activation=act, l1=l1, l2=l2, seed=3)
    client.post(f"/api/sessions/{sid}/step", json={"steps": 20})  # off the symmetric start
    g = client.get(f"/api/sessions/{sid}/gradient", params={"grid": 4}).json()
    model = client.get(f"/api/sessions/{sid}/model").json()
    y_std = model["target_standardize"]["std"] if model["target_standardize"] else 1.0
    like, v = g["layers"], flat(g["layers"])
    assert total_loss(client, sid, v, like, l1, l2, y_std) == pytest.approx(g["loss"], rel=1e-12)
    numeric = np.empty_like(v)
    for i in range(len(v)):
        e = np.zeros_like(v)
        e[i] = H
        numeric[i] = (total_loss(client, sid, v + e, like, l1, l2, y_std)
                      - total_loss(client, sid, v - e, like, l1, l2, y_std)) / (2 * H)
    analytic = flat(g["gradient"])
    rel = np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric))
    print(f"{kind} {act}: relative error {rel:.2e}")
    assert rel < 1e-6, (rel, analytic, numeric)
    assert g["n_train"] == 96  # the gradient averages over every training row


def test_one_sgd_step_moves_the_weights_by_minus_eta_gradient(client: TestClient) -> None:
    eta = 0.5
    sid = make_session(client, make_dataset(client, "xor"), hidden_layers=[4],
                       optimizer="sgd", learning_rate=eta, l1=0.001, l2=0.01)
    client.post(f"/api/sessions/{sid}/step", json={"steps": 5})
    g = client.get(f"/api/sessions/{sid}/gradient", params={"grid": 4}).json()
    before, grad = flat(g["layers"]), flat(g["gradient"])
    after = client.post(f"/api/sessions/{sid}/step", json={"steps": 1}).json()
    assert after["step"] == g["step"] + 1
    now = flat(client.get(f"/api/sessions/{sid}/snapshot", params={"grid": 2}).json()["layers"])
    np.testing.assert_array_equal(now, before - eta * grad)  # bit for bit
    np.testing.assert_array_equal(flat(g["next_layers"]), now)


@pytest.mark.parametrize("config", [
    {"optimizer": "adam", "batch_size": 16},
    {"optimizer": "momentum", "batch_size": None},
])
def test_next_layers_are_what_the_next_step_makes(client: TestClient,
                                                  config: dict[str, Any]) -> None:
    """Any optimizer, minibatches too: next_layers is the session's own next step."""
    sid = make_session(client, make_dataset(client, "moons"), **config)
    client.post(f"/api/sessions/{sid}/step", json={"steps": 7})  # mid-epoch for batch 16
    g = client.get(f"/api/sessions/{sid}/gradient", params={"grid": 4}).json()
    assert g["batch_size"] == config["batch_size"] and g["optimizer"] == config["optimizer"]
    client.post(f"/api/sessions/{sid}/step", json={"steps": 1})
    now = client.get(f"/api/sessions/{sid}/snapshot", params={"grid": 2}).json()["layers"]
    np.testing.assert_array_equal(flat(g["next_layers"]), flat(now))
    assert client.get(f"/api/sessions/{sid}").json()["step"] == 8  # reading it trained nothing


def test_deltas_add_up_to_the_bias_gradient_and_match_the_maps(client: TestClient) -> None:
    """Σ δ over the training rows is ∂loss/∂b (no penalty on biases); a class-c training
    point's δ is the class-c map's value at its place (on a grid point: checked via predict)."""
    ds = make_dataset(client, "xor", n=150)
    sid = make_session(client, ds, hidden_layers=[3, 2], activation="tanh", l2=0.01)
    client.post(f"/api/sessions/{sid}/step", json={"steps": 30})
    g = client.get(f"/api/sessions/{sid}/gradient", params={"grid": 5}).json()
    assert g["points"]["every"] == 1 and len(g["points"]["x"]) == g["n_train"] == 120
    for layer, dl in enumerate(g["delta_points"]):
        sums = np.array(dl).sum(axis=1)
        np.testing.assert_allclose(sums, g["gradient"][layer]["bias"], rtol=1e-10, atol=1e-15)
    # the map: at a grid corner, a point of class c gets (P − c)/N · w_out · f'(z): one layer
    # back from the output, computed from /predict's numbers
    maps = np.array(g["delta_maps"][1])  # (neurons, classes, G, G) of the second hidden layer
    x0, y0 = g["grid"]["x"][0], g["grid"]["y"][0]
    pred = client.post(f"/api/sessions/{sid}/predict", json={"points": [[x0, y0]]}).json()
    p1 = pred["probabilities"][0][1]
    h2 = np.array(pred["activations"][1][0])
    w_out = np.array(g["layers"][2]["weights"])[:, 0]
    for c in (0, 1):
        expected = (p1 - c) / g["n_train"] * w_out * (1 - h2**2)
        np.testing.assert_allclose(maps[:, c, 0, 0], expected, rtol=1e-5)
    assert "tanh" in g["explanation"]["delta"]


def test_one_layers_maps(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client, "xor"), hidden_layers=[3, 2])
    g = client.get(f"/api/sessions/{sid}/gradient", params={"grid": 3, "layer": 2}).json()
    assert g["delta_maps"][0] == [[], [], []] and np.shape(g["delta_maps"][1]) == (2, 2, 3, 3)
    assert g["delta_points"][0] == [[], [], []] and np.shape(g["delta_points"][1]) == (2, 160)
    one = client.get(f"/api/sessions/{sid}/gradient",
                     params={"grid": 3, "layer": 2, "neuron": 1}).json()["delta_maps"]
    assert one[0] == [[], [], []] and one[1][0] == [] and one[1][1] == g["delta_maps"][1][1]


def test_three_features_the_words_say_the_dots_are_off_the_map(client: TestClient) -> None:
    """With a feature held at its mean on the map, the dots' δ is the map's only there; the
    gradient still matches the dots' δ summed (every row, every feature)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    rows = [["a", "b", "c", "y"]] + [[*map(float, x), int(x[0] + x[2] > 0)] for x in X]
    r = upload(client, csv_bytes(rows))
    assert r.status_code == 201, r.text
    sid = make_session(client, r.json()["id"], hidden_layers=[2])
    g = client.get(f"/api/sessions/{sid}/gradient", params={"grid": 3}).json()
    assert "c sit at their training mean" in g["explanation"]["delta"]
    np.testing.assert_allclose(np.array(g["delta_points"][0]).sum(axis=1),
                               g["gradient"][0]["bias"], rtol=1e-10)
    assert np.shape(g["gradient"][0]["weights"]) == (3, 2)


def test_regression_has_dots_but_no_maps(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client, "sine"), hidden_layers=[3])
    g = client.get(f"/api/sessions/{sid}/gradient", params={"grid": 6}).json()
    assert g["delta_maps"] is None and g["delta_classes"] is None
    assert g["grid"]["y"] is None and len(g["delta_points"][0]) == 3
    assert "no target" in g["explanation"]["delta"]


def test_logistic_regression_has_no_hidden_deltas(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client, "linear"), hidden_layers=[])
    g = client.get(f"/api/sessions/{sid}/gradient").json()
    assert g["delta_points"] == [] and g["delta_maps"] == []
    assert np.shape(g["gradient"][0]["weights"]) == (2, 1)


@pytest.mark.parametrize(("query", "status", "words"), [
    ("grid=201", 422, "larger than the limit 200"),
    ("grid=1", 422, "greater than or equal to 2"),
    ("grid=big", 422, "integer"),
    ("layer=2", 422, "this network has 1 hidden layer"),
    ("layer=0", 422, "greater than or equal to 1"),
    ("layer=1&neuron=4", 422, "hidden layer 1 has 4 neurons (0 to 3)"),
    ("neuron=1", 422, "neuron needs layer"),
])
def test_bad_grid_is_a_4xx(client: TestClient, query: str, status: int, words: str) -> None:
    sid = make_session(client, make_dataset(client, "xor"))
    r = client.get(f"/api/sessions/{sid}/gradient?{query}")
    assert r.status_code == status and words in r.text, r.text


def test_huge_weights_answer_null_not_a_500(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client, "xor"), hidden_layers=[2], l2=0.1)
    big = {"layers": [{"weights": [[1e300, 1e300], [1e300, 1e300]], "bias": [0, 0]},
                      {"weights": [[1e300], [1e300]], "bias": [0]}]}
    assert client.put(f"/api/sessions/{sid}/parameters", json=big).status_code == 200
    r = client.get(f"/api/sessions/{sid}/gradient", params={"grid": 3})
    assert r.status_code == 200 and r.json()["loss"] is None and r.json()["penalty"] is None


def test_unknown_session_is_a_404(client: TestClient) -> None:
    r = client.get("/api/sessions/nope/gradient")
    assert r.status_code == 404 and "nope" in r.text


def test_openapi_documents_the_endpoint(client: TestClient) -> None:
    op = client.get("/openapi.json").json()["paths"]["/api/sessions/{session_id}/gradient"]["get"]
    assert op["summary"]
    assert "l2/2·Σw²" in op["description"] and "all* training rows" in op["description"]
    ok = op["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith("/Gradient")


# ---- the lesson "How the weights learn" (app/lessons.py, "learning"): its claims, on its preset


def lesson_run(client: TestClient, preset: Preset) -> tuple[str, str]:
    ds = client.post("/api/datasets/generate", json=preset.dataset_spec())
    assert ds.status_code == 201, ds.text
    created = client.post("/api/sessions", json=preset.session_config(ds.json()["id"]))
    assert created.status_code == 201, created.text
    return created.json()["id"], ds.json()["id"]


def test_lesson_one_step_is_minus_eta_gradient_and_the_gradient_is_the_deltas(
        client: TestClient) -> None:
    """One step is w − η·∂loss/∂w; ∂loss/∂b = Σ δ and ∂loss/∂w = Σ δ·x (x standardized) for
    a hidden neuron, with δ = (P − y)·w_out·σ′(z)/N; the output's gradient is logistic
    regression's on the hidden features, Σ (P − y)·h/N."""
    sid, _ = lesson_run(client, WEIGHTS_LEARN)
    for steps in (0, 50):
        if steps:
            client.post(f"/api/sessions/{sid}/step", json={"steps": steps})
        g = client.get(f"/api/sessions/{sid}/gradient", params={"grid": 3}).json()
        model = client.get(f"/api/sessions/{sid}/model").json()
        X = np.array(g["points"]["x"])  # every training row (300 · 0.8 = 240 ≤ the drawing cap)
        y = np.array(g["points"]["y"])
        assert g["points"]["every"] == 1 and len(X) == g["n_train"] == 240
        pred = client.post(f"/api/sessions/{sid}/predict", json={"points": X.tolist()}).json()
        P = np.array(pred["probabilities"])[:, 1]
        h = np.array(pred["activations"][0])  # (N, 3)
        w_out = np.array(g["layers"][1]["weights"])[:, 0]
        delta = (P - y)[:, None] * w_out * h * (1 - h) / len(X)
        np.testing.assert_allclose(np.array(g["delta_points"][0]).T, delta, rtol=1e-8, atol=1e-15)
        Z = (X - model["standardize"]["mean"]) / model["standardize"]["std"]
        np.testing.assert_allclose(g["gradient"][0]["bias"], delta.sum(axis=0), rtol=1e-8)
        np.testing.assert_allclose(g["gradient"][0]["weights"], Z.T @ delta, rtol=1e-8)
        np.testing.assert_allclose(np.array(g["gradient"][1]["weights"])[:, 0],
                                   ((P - y)[:, None] * h).mean(axis=0), rtol=1e-8)
        before, grad = flat(g["layers"]), flat(g["gradient"])
        client.post(f"/api/sessions/{sid}/step", json={"steps": 1})
        now = client.get(f"/api/sessions/{sid}/snapshot", params={"grid": 2}).json()["layers"]
        np.testing.assert_array_equal(flat(now), before - 1.0 * grad)


def test_lesson_loss_sits_near_log_2_then_falls(client: TestClient) -> None:
    """'within a few steps the loss is 0.69 … and stays between 0.66 and 0.70 up to step 100;
    by step 500 … 0.23 and … 90%'."""
    sid, _ = lesson_run(client, WEIGHTS_LEARN)
    client.post(f"/api/sessions/{sid}/step", json={"steps": 100})
    first = client.get(f"/api/sessions/{sid}/history").json()
    losses = [v for s, v in zip(first["steps"], first["train_loss"], strict=True) if s <= 100]
    assert len(losses) == 101 and losses[3] == pytest.approx(0.69, abs=0.005)
    assert min(losses[3:]) > 0.66 and max(losses[3:]) < 0.70, losses
    assert abs(np.log(2) - 0.693) < 1e-3
    run = client.post(f"/api/sessions/{sid}/step", json={"steps": 400}).json()
    assert run["metrics"]["train_loss"] == pytest.approx(0.23, abs=0.005)
    assert run["metrics"]["test_accuracy"] == pytest.approx(0.90, abs=0.005)


@pytest.mark.parametrize("l2", [0.0, 0.01])
def test_lesson_answer_a_dead_relu_gets_no_gradient(client: TestClient, l2: float) -> None:
    """The answer: a ReLU neuron off on every training point has δ = 0 everywhere, gradient
    0, and a step leaves it as it is (with L2: only −η·l2·w)."""
    sid, _ = lesson_run(client, WEIGHTS_LEARN.but(act="relu", l2=l2))
    client.post(f"/api/sessions/{sid}/step", json={"steps": 20})
    # the first try: δ is exactly 0 wherever a ReLU neuron is off, and only there
    g = client.get(f"/api/sessions/{sid}/gradient", params={"grid": 3}).json()
    pred = client.post(f"/api/sessions/{sid}/predict", json={"points": g["points"]["x"]}).json()
    h = np.array(pred["activations"][0])  # (N, 3)
    d = np.array(g["delta_points"][0]).T
    assert (d[h == 0] == 0).all() and (h == 0).any() and (d[h > 0] != 0).all()
    layers = client.get(f"/api/sessions/{sid}/snapshot", params={"grid": 2}).json()["layers"]
    layers[0]["bias"][0] = -100.0  # z < 0 on every point of the standardized plane
    r = client.put(f"/api/sessions/{sid}/parameters",
                   json={"layers": [{"weights": L["weights"], "bias": L["bias"]} for L in layers]})
    assert r.status_code == 200, r.text
    g = client.get(f"/api/sessions/{sid}/gradient", params={"grid": 3}).json()
    assert all(d == 0.0 for d in g["delta_points"][0][0])
    assert all(d == 0.0 for cls in g["delta_maps"][0][0] for row in cls for d in row)
    w = np.array(g["layers"][0]["weights"])[:, 0]
    np.testing.assert_array_equal(np.array(g["gradient"][0]["weights"])[:, 0], l2 * w)
    assert g["gradient"][0]["bias"][0] == 0.0
    others = g["delta_points"][0][1] + g["delta_points"][0][2]
    assert any(d != 0.0 for d in others)  # the other neurons still learn
    client.post(f"/api/sessions/{sid}/step", json={"steps": 1})
    after = client.get(f"/api/sessions/{sid}/snapshot", params={"grid": 2}).json()["layers"]
    np.testing.assert_array_equal(np.array(after[0]["weights"])[:, 0], w - 1.0 * (l2 * w))
    assert after[0]["bias"][0] == -100.0

"""The lessons: their pages, and each preset's claim checked through the REST API.

Every number a lesson states about its preset is measured here on the same configuration
the playground sends (same dataset spec, same session config, same seed), so the claims hold
deterministically.
"""

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sklearn.linear_model import LogisticRegression

from app.lessons import (
    BUMP_TWO,
    CIRCLE_RELU,
    LESSONS,
    LINEAR_DEEP,
    LR_LINEAR,
    LR_XOR,
    MOONS_BIG,
    SPIRAL_DEEP,
    SPIRAL_THREE,
    XOR_CONSTANT,
    XOR_SEEDS,
    XOR_TWO,
    Preset,
    inline,
)

Run = dict[str, Any]


def train(client: TestClient, preset: Preset, steps: int) -> Run:
    """Generate the preset's data, build its session, train `steps` steps; the run's facts."""
    ds = client.post("/api/datasets/generate", json=preset.dataset_spec())
    assert ds.status_code == 201, ds.text
    created = client.post("/api/sessions", json=preset.session_config(ds.json()["id"]))
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    session = client.post(f"/api/sessions/{sid}/step", json={"steps": steps}).json()
    assert session["step"] == steps and session["status"] != "diverged", session
    return {"id": sid, "dataset": ds.json(), **session["metrics"]}


def weights(client: TestClient, run: Run) -> list[np.ndarray]:
    snap = client.get(f"/api/sessions/{run['id']}/snapshot", params={"grid": 8}).json()
    return [np.array(layer["weights"]) for layer in snap["layers"]]


def hidden(client: TestClient, run: Run, points: list[list[float]]) -> np.ndarray:
    """The first hidden layer's activations at raw points, (n, H)."""
    body = client.post(f"/api/sessions/{run['id']}/predict", json={"points": points}).json()
    return np.array(body["activations"][0])


def all_presets() -> list[Preset]:
    return [p for lesson in LESSONS for p in (lesson.preset, *[t.preset for t in lesson.tries])
            if p is not None]


# ---------------------------------------------------------------- the pages


def test_index_lists_every_lesson_with_its_preset(client: TestClient) -> None:
    r = client.get("/lessons")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert len(LESSONS) >= 8
    for lesson in LESSONS:
        assert f'href="/lessons/{lesson.slug}"' in r.text
        assert lesson.preset.url.replace("&", "&amp;") in r.text
    assert "lessons.css" in r.text


def test_each_lesson_page_has_preset_tries_and_a_hidden_answer(client: TestClient) -> None:
    for lesson in LESSONS:
        r = client.get(f"/lessons/{lesson.slug}")
        assert r.status_code == 200, lesson.slug
        html = r.text
        assert f'id="open-preset" href="{lesson.preset.url.replace("&", "&amp;")}"' in html
        assert html.count('class="try-link"') == sum(t.preset is not None for t in lesson.tries)
        answer = html.index("<details>")
        assert html.index("<summary>") > answer and str(inline(lesson.answer)) in html[answer:]
        words = sum(len(p.split()) for p in lesson.body)
        assert 150 <= words <= 300, (lesson.slug, words)


def test_an_unknown_lesson_is_a_404_page_listing_the_lessons(client: TestClient) -> None:
    r = client.get("/lessons/%3Cb%3Enope")
    assert r.status_code == 404
    assert "&lt;b&gt;nope" in r.text and "<b>nope" not in r.text
    assert all(f"/lessons/{lesson.slug}" in r.text for lesson in LESSONS)


# The walk the lessons take (issue 15 §6), by slug: numbers follow from the order, so a lesson
# inserted later ("How the weights learn", right after the hidden layer) renumbers nothing.
SEQUENCE = ("one-neuron", "features", "hidden-layer", "learning", "approximation", "deeper",
            "linear-collapse", "symmetry", "seeds", "activations", "capacity")


def test_the_lessons_walk_the_learners_question_in_order() -> None:
    slugs = [lesson.slug for lesson in LESSONS]
    assert [s for s in slugs if s in SEQUENCE] == list(SEQUENCE)
    assert slugs == list(SEQUENCE)
    assert [lesson.number for lesson in LESSONS] == list(range(1, len(LESSONS) + 1))


def test_inline_markup_escapes_everything_else() -> None:
    assert str(inline("a *b* `c<d>` <i>")) == "a <em>b</em> <code>c&lt;d&gt;</code> &lt;i&gt;"


def test_every_preset_builds_a_session(client: TestClient) -> None:
    for preset in all_presets():
        run = train(client, preset, 1)
        assert run["train_loss"] is not None, preset.hash


# ---------------------------------------------------------------- the claims, lesson by lesson


def test_one_neuron_logistic_regression_separates_linear_data(client: TestClient) -> None:
    run = train(client, LR_LINEAR, 300)
    assert run["train_accuracy"] >= 0.95 and run["test_accuracy"] >= 0.95
    assert run["train_accuracy"] == 1.0  # measured: 100% train and test
    # separable and no L2: no finite optimum, the weights keep growing and the edge sharpens
    before = np.linalg.norm(weights(client, run)[0])
    client.post(f"/api/sessions/{run['id']}/step", json={"steps": 1000})
    assert np.linalg.norm(weights(client, run)[0]) > 1.5 * before


def test_one_neuron_with_l2_it_is_scikit_learns_logistic_regression(client: TestClient) -> None:
    preset = LR_LINEAR.but(l2=0.01, test=0.0)  # the lesson's first thing to try
    run = train(client, preset, 1000)
    points = client.get(f"/api/datasets/{run['dataset']['id']}/points").json()
    X = np.column_stack([points["columns"]["x1"], points["columns"]["x2"]])  # (n, 2)
    y = np.array(points["target"]) == "1"
    Z = (X - X.mean(axis=0)) / X.std(axis=0)  # the app's standardization, population std
    sk = LogisticRegression(C=1 / (preset.l2 * len(X)), tol=1e-10, max_iter=10_000).fit(Z, y)
    ours = client.post(f"/api/sessions/{run['id']}/predict", json={"points": X.tolist()}).json()
    diff = np.abs(np.array(ours["probabilities"])[:, 1] - sk.predict_proba(Z)[:, 1]).max()
    assert diff < 1e-6  # measured: 7.9e-9


def test_features_a_line_fails_on_xor_and_circle_and_features_rescue_it(client: TestClient) -> None:
    assert train(client, LR_XOR, 500)["train_accuracy"] <= 0.6  # measured 0.53
    assert train(client, LR_XOR.but(data="circle"), 500)["train_accuracy"] <= 0.6  # 0.525
    with_product = train(client, LR_XOR.but(inputs=("x1", "x2", "x1x2")), 500)
    assert with_product["train_accuracy"] >= 0.95 and with_product["test_accuracy"] >= 0.95
    squares = train(client, LR_XOR.but(data="circle", inputs=("x1", "x2", "x1sq", "x2sq")), 500)
    assert squares["train_accuracy"] >= 0.95 and squares["test_accuracy"] >= 0.95
    only_product = train(client, LR_XOR.but(inputs=("x1x2",)), 500)
    assert only_product["train_accuracy"] >= 0.95


def test_features_with_x1_and_x2_ticked_the_boundary_is_a_conic_near_a_standardized_circle(
        client: TestClient) -> None:
    run = train(client, LR_XOR.but(data="circle", inputs=("x1", "x2", "x1sq", "x2sq")), 500)
    w = weights(client, run)[0][:, 0]  # z1, z2, z1², z2²
    assert w[2] * w[3] > 0  # same sign: an ellipse (opposite signs would be a hyperbola)
    assert w[2] == pytest.approx(-3.44, abs=0.01) and w[3] == pytest.approx(-3.44, abs=0.01)
    std = client.get(f"/api/sessions/{run['id']}/model").json()["standardize"]["std"]
    assert std == pytest.approx([2.27, 2.35], abs=0.005)  # so not a circle in raw units


def test_hidden_layer_two_hidden_neurons_make_a_band_and_four_solve_xor(client: TestClient) -> None:
    lr = train(client, LR_XOR, 1000)
    two = train(client, XOR_TWO, 1000)
    assert 0.85 <= two["train_accuracy"] <= 0.92, two  # "about 88%" (measured 0.879)
    assert two["train_accuracy"] > lr["train_accuracy"] + 0.3
    W = weights(client, two)[0]  # (2, 2): one column per hidden neuron
    cos = W[:, 0] @ W[:, 1] / np.linalg.norm(W[:, 0]) / np.linalg.norm(W[:, 1])
    assert abs(cos) > 0.95  # two nearly parallel lines (measured cos = -1.00)
    # so the weighted sums z = x·W + b (the motion's t = 0.5) lie on nearly one line
    points = client.get(f"/api/datasets/{two['dataset']['id']}/points").json()
    X = np.column_stack([points["columns"]["x1"], points["columns"]["x2"]])  # (n, 2)
    model = client.get(f"/api/sessions/{two['id']}/model").json()
    z = (X - model["standardize"]["mean"]) / np.array(model["standardize"]["std"]) @ W
    spread = np.linalg.svd(z - z.mean(axis=0), compute_uv=False)
    assert cos < 0 and spread[1] < 0.01 * spread[0]  # facing opposite ways; measured 0.0061
    # one neuron is on in the far corner of quadrant I, the other in quadrant III; class 0 ≈ (0, 0)
    h = hidden(client, two, [[3, 3], [-3, -3], [-3, 3], [3, -3]])
    assert ((h[:2] > 0.5).sum(axis=1) == 1).all() and (h[:2] > 0.5).any(axis=0).all()
    assert (h[2:] < 0.2).all()
    assert train(client, XOR_TWO.but(layers=(4,)), 2000)["train_accuracy"] >= 0.98


def test_hidden_layer_seed_4_stalls_with_two_classes_on_one_corner(client: TestClient) -> None:
    run = train(client, XOR_TWO.but(seed=4), 3000)
    assert 0.68 <= run["train_accuracy"] <= 0.76  # "near 72%" (measured 0.717)
    # a valley of its own: 7 000 more steps lower the loss only from 0.345 to 0.338, while the
    # accuracy wanders between 56% and 77% (measured 0.5625 … 0.7667)
    assert run["train_loss"] == pytest.approx(0.345, abs=0.001)
    later = client.post(f"/api/sessions/{run['id']}/step", json={"steps": 7000}).json()["metrics"]
    assert later["train_loss"] == pytest.approx(0.338, abs=0.001)
    hist = client.get(f"/api/sessions/{run['id']}/history").json()
    acc = [a for st, a in zip(hist["steps"], hist["train_accuracy"], strict=True) if st >= 3000]
    assert min(acc) >= 0.56 and max(acc) <= 0.77, (min(acc), max(acc))
    h = hidden(client, run, [[3, 3], [3, -3]])  # quadrant I (class 1) and IV (class 0)
    assert np.abs(h[0] - h[1]).max() < 0.05


def test_approximation_two_sigmoids_of_opposite_slope_make_the_bump(client: TestClient) -> None:
    one = train(client, BUMP_TWO.but(layers=(1,)), 1500)
    two = train(client, BUMP_TWO, 1500)
    assert two["train_loss"] < one["train_loss"] / 10  # measured 0.0012 vs 0.045
    assert two["train_loss"] < 0.002  # the noise alone gives 0.05²/2 = 0.00125
    w, v = weights(client, two)  # w (1, 2), v (2, 1)
    slopes = w[0] * v[:, 0]
    assert slopes[0] * slopes[1] < 0  # one step up, one step down


def test_approximation_interval_sine_and_step(client: TestClient) -> None:
    interval = BUMP_TWO.but(data="interval", noise=0.05)
    assert train(client, interval.but(layers=(1,)), 1500)["train_accuracy"] <= 0.8  # 0.75
    assert train(client, interval, 1500)["train_accuracy"] >= 0.95  # 0.9875
    assert train(client, BUMP_TWO.but(data="sine", layers=(6,)), 2000)["train_loss"] < 0.01
    assert train(client, BUMP_TWO.but(data="step", layers=(1,)), 1500)["train_loss"] < 0.01


def final_test_accuracy(client: TestClient, preset: Preset, steps: int) -> float:
    return float(train(client, preset, steps)["test_accuracy"])


# Neurons needed for 95% test accuracy, one hidden layer against two (seed 0, sigmoid, Adam
# 0.03, full batch; spiral after 3 000 steps, circle after 1 000), measured with
# `python -m tests.test_lessons` (below): the fewest that reach it and the widths just short.
DEPTH = {  # data: (steps, one layer: (short, reaches), two layers: (short, reaches))
    "spiral": (3000, ((8,), (10,)), ((4, 4), (5, 5))),
    "circle": (1000, ((2,), (3,)), ((2, 2), (3, 3))),
}


def test_deeper_neurons_needed_one_layer_against_two(client: TestClient) -> None:
    acc = final_test_accuracy
    for data, (steps, *pairs) in DEPTH.items():
        for short, reaches in pairs:
            preset = SPIRAL_DEEP.but(data=data)
            assert acc(client, preset.but(layers=short), steps) < 0.95, (data, short)
            assert acc(client, preset.but(layers=reaches), steps) >= 0.95, (data, reaches)
    # the lesson's figures: 8 neurons reach 80%, 4-4 reach 75%
    assert acc(client, SPIRAL_DEEP.but(layers=(8,)), 3000) == pytest.approx(0.8, abs=0.01)
    assert acc(client, SPIRAL_DEEP.but(layers=(4, 4)), 3000) == pytest.approx(0.75, abs=0.01)
    # three spirals, 900 points, tanh: 8-8 beat one layer of twice as many neurons
    three = SPIRAL_THREE
    assert acc(client, three, 3000) == pytest.approx(0.928, abs=0.001)
    assert acc(client, three.but(layers=(32,)), 3000) == pytest.approx(0.911, abs=0.001)
    assert acc(client, three.but(layers=(16,)), 3000) == pytest.approx(0.861, abs=0.001)


def test_deeper_sixteen_in_one_layer_overfit_while_six_six_hold(client: TestClient) -> None:
    wide = train(client, SPIRAL_DEEP.but(layers=(16,)), 3000)
    assert wide["test_accuracy"] >= 0.95  # 95% at step 3 000
    client.post(f"/api/sessions/{wide['id']}/step", json={"steps": 7000})
    h = client.get(f"/api/sessions/{wide['id']}/history").json()
    steps, acc = np.array(h["steps"]), np.array(h["test_accuracy"], dtype=float)
    assert acc[np.searchsorted(steps, 5000)] == pytest.approx(0.983, abs=0.001)  # 98.3% by 5 000
    assert steps[-1] == 10_000 and acc[-1] == pytest.approx(0.883, abs=0.001)  # then 88.3%
    deep = train(client, SPIRAL_DEEP, 10_000)
    # 6-6 holds above 95% (96.7% where np.tanh is scalar, 98.3% with AVX-512's: one test
    # point of 60, as the last bits of the trajectory differ), well above the 16's 88.3%
    assert deep["test_accuracy"] >= 0.95
    assert deep["train_accuracy"] >= 0.95
    narrow = train(client, SPIRAL_DEEP.but(layers=(6,)), 3000)
    assert 0.8 <= narrow["train_accuracy"] <= 0.9  # one layer of 6: "near 85%" (0.846)


def test_deeper_the_and_or_question(client: TestClient) -> None:
    """The question's arithmetic, through a real network: a 2-2-1 sigmoid network whose second
    layer's first neuron has weights +4, +4 and bias −6 (then −2), its inputs set fully on or
    off by huge first-layer weights."""
    preset = SPIRAL_DEEP.but(data="xor", layers=(2, 2))
    run = train(client, preset, 1)
    big = 60.0  # h1.1 on where z1 > 0, h1.2 on where z2 > 0, to float precision
    for bias, on in ((-6.0, [False, False, False, True]), (-2.0, [False, True, True, True])):
        layers = [{"weights": [[big, 0.0], [0.0, big]], "bias": [0.0, 0.0]},
                  {"weights": [[4.0, 0.0], [4.0, 0.0]], "bias": [bias, 0.0]},
                  {"weights": [[1.0], [0.0]], "bias": [0.0]}]
        r = client.put(f"/api/sessions/{run['id']}/parameters", json={"layers": layers})
        assert r.status_code == 200, r.text
        model = client.get(f"/api/sessions/{run['id']}/model").json()
        mean, std = np.array(model["standardize"]["mean"]), np.array(model["standardize"]["std"])
        corners = mean + std * np.array([[-1, -1], [1, -1], [-1, 1], [1, 1]])  # off/on pairs
        body = client.post(f"/api/sessions/{run['id']}/predict",
                           json={"points": corners.tolist()}).json()
        h2 = np.array(body["activations"][1])[:, 0]
        assert list(h2 > 0.5) == on, (bias, h2)


def test_linear_collapse_linear_layers_are_one_logistic_regression(client: TestClient) -> None:
    run = train(client, LINEAR_DEEP, 1000)
    assert run["train_accuracy"] <= 0.6  # "near 50%"
    snap = client.get(f"/api/sessions/{run['id']}/snapshot", params={"grid": 8}).json()
    layers = snap["layers"]
    assert sum(np.size(la["weights"]) + np.size(la["bias"]) for la in layers) == 105
    W, b = np.array(layers[0]["weights"]), np.array(layers[0]["bias"])
    for la in layers[1:]:
        W, b = W @ np.array(la["weights"]), b @ np.array(la["weights"]) + np.array(la["bias"])
    assert W.shape == (2, 1)  # two weights and a bias
    points = client.get(f"/api/datasets/{run['dataset']['id']}/points").json()
    X = np.column_stack([points["columns"]["x1"], points["columns"]["x2"]])  # (n, 2)
    model = client.get(f"/api/sessions/{run['id']}/model").json()
    Z = (X - model["standardize"]["mean"]) / np.array(model["standardize"]["std"])
    ours = client.post(f"/api/sessions/{run['id']}/predict", json={"points": X.tolist()}).json()
    one = 1 / (1 + np.exp(-(Z @ W + b)[:, 0]))
    assert np.abs(np.array(ours["probabilities"])[:, 1] - one).max() < 1e-9
    assert train(client, LINEAR_DEEP.but(layers=(8, 8, 8)), 1000)["train_accuracy"] <= 0.6
    sigmoid = train(client, LINEAR_DEEP.but(act="sigmoid", pane="output"), 1000)
    assert sigmoid["train_accuracy"] >= 0.95 and sigmoid["test_accuracy"] >= 0.95
    squares = train(client, LINEAR_DEEP.but(inputs=("x1", "x2", "x1sq", "x2sq")), 1000)
    assert squares["train_accuracy"] >= 0.95 and squares["test_accuracy"] >= 0.95


def test_symmetry_constant_and_zero_init_keep_the_neurons_identical(client: TestClient) -> None:
    for init in ("constant", "zeros"):
        run = train(client, XOR_CONSTANT.but(init=init), 1000)
        W, v = weights(client, run)
        assert np.abs(W).max() > 1  # the neurons moved…
        assert (W[:, :1] == W).all() and (v == v[0]).all()  # …and are still exact copies
        assert run["train_accuracy"] <= 0.75  # one line's worth (measured 0.70 and 0.725)
    assert train(client, XOR_CONSTANT.but(init="xavier"), 2000)["train_accuracy"] >= 0.95


def test_activations_relu_tanh_and_sigmoid_all_learn_the_circle(client: TestClient) -> None:
    for act in ("relu", "tanh", "sigmoid"):
        run = train(client, CIRCLE_RELU.but(act=act), 500)
        assert run["train_accuracy"] >= 0.95 and run["test_accuracy"] >= 0.95, act
    assert train(client, CIRCLE_RELU.but(data="xor"), 500)["train_accuracy"] >= 0.95


def test_activations_relu_maps_are_zero_on_one_side_and_tanh_is_a_scaled_sigmoid(
        client: TestClient) -> None:
    run = train(client, CIRCLE_RELU, 500)
    snap = client.get(f"/api/sessions/{run['id']}/snapshot", params={"grid": 40}).json()
    for grid in snap["neurons"][0]:
        g = np.array(grid)
        assert g.min() == 0.0 and (g == 0).mean() > 0.05 and g.max() > 0
    z = np.linspace(-6, 6, 101)
    assert np.allclose(np.tanh(z), 2 / (1 + np.exp(-2 * z)) - 1)


def test_capacity_a_big_network_on_little_noisy_data_overfits(client: TestClient) -> None:
    run = train(client, MOONS_BIG, 2000)
    h = client.get(f"/api/sessions/{run['id']}/history").json()
    test, train_loss = np.array(h["test_loss"]), np.array(h["train_loss"])
    best = int(np.argmin(test))
    assert 50 <= h["steps"][best] <= 300  # "after a hundred steps or so" (measured 116)
    assert test[-1] > 3 * test[best]  # measured 0.40 → 2.53
    assert train_loss[-1] < 0.01 < train_loss[best]  # training loss still falling, to ~0
    assert run["train_accuracy"] == 1.0
    assert h["test_accuracy"][best] - h["test_accuracy"][-1] <= 0.1  # 0.875 → 0.80
    l2 = train(client, MOONS_BIG.but(l2=0.003), 2000)
    assert l2["test_loss"] < 0.5  # measured 0.43
    too_much = train(client, MOONS_BIG.but(l2=0.03), 2000)
    assert too_much["train_loss"] == pytest.approx(np.log(2), abs=0.01)  # ½ everywhere
    more_data = train(client, MOONS_BIG.but(n=400), 2000)
    assert more_data["test_loss"] < test[-1] / 3  # measured 0.60


def seed_runs(client: TestClient, preset: Preset) -> list[Run]:
    """What /runs does for `preset` (seeds > 0): one dataset, one session per weight seed
    0 … seeds − 1 (POST /reset {seed}: the split stays the preset's), `steps` steps each."""
    ds = client.post("/api/datasets/generate", json=preset.dataset_spec()).json()
    runs = []
    for k in range(preset.seeds):
        sid = client.post("/api/sessions", json=preset.session_config(ds["id"])).json()["id"]
        assert client.post(f"/api/sessions/{sid}/reset", json={"seed": k}).status_code == 200
        session = client.post(f"/api/sessions/{sid}/step", json={"steps": preset.steps}).json()
        assert session["step"] == preset.steps, session
        runs.append({"id": sid, **session["metrics"]})
    return runs


def rel_spread(runs: list[Run], key: str) -> float:
    values = np.array([r[key] for r in runs])
    return float((values.max() - values.min()) / values.max())


def test_seeds_logistic_regression_lands_on_one_optimum_a_network_on_many(
        client: TestClient) -> None:
    alone = seed_runs(client, XOR_SEEDS.but(layers=()))
    assert rel_spread(alone, "train_loss") < 1e-12  # measured 1.6e-16
    assert rel_spread(alone, "test_loss") < 1e-9  # measured 2.6e-12
    assert all(r["train_loss"] == pytest.approx(0.6919724, abs=5e-8) for r in alone)
    net = seed_runs(client, XOR_SEEDS)
    loss = sorted(r["train_loss"] for r in net)
    assert loss[0] == pytest.approx(0.279, abs=0.001)
    assert loss[-1] == pytest.approx(0.535, abs=0.001)
    assert rel_spread(net, "train_loss") > 0.4  # measured 0.48
    acc = sorted(r["train_accuracy"] for r in net)
    assert acc[0] == pytest.approx(0.70, abs=0.005) and acc[-1] == pytest.approx(0.883, abs=0.001)
    assert sum(a >= 0.85 for a in acc) == 1  # only one finds the 88% band: seed 0
    assert net[0]["train_accuracy"] == pytest.approx(0.883, abs=0.001)
    assert sum(r["train_accuracy"] == pytest.approx(0.725) for r in net) == 4  # one corner
    assert net[2]["train_accuracy"] == acc[0]  # seed 2: nearly one line, the lowest

    def cos(run: Run) -> float:  # between the two hidden neurons' weight vectors
        W = weights(client, run)[0]
        return float(W[:, 0] @ W[:, 1] / np.linalg.norm(W[:, 0]) / np.linalg.norm(W[:, 1]))

    assert cos(net[0]) < -0.99  # two parallel lines, a band between (measured −1.00)
    assert cos(net[2]) > 0.99  # the same line twice (measured 0.999)
    longer = seed_runs(client, XOR_SEEDS.but(steps=3000))
    fell = [a["train_loss"] - b["train_loss"] for a, b in zip(net, longer, strict=True)]
    assert all(0 <= d < 0.02 for d in fell), fell  # measured 0.0017 … 0.0122
    assert rel_spread(longer, "train_loss") > 0.4  # measured 0.48
    four = seed_runs(client, XOR_SEEDS.but(layers=(4,)))
    acc4 = [r["train_accuracy"] for r in four]
    assert sum(a >= 0.98 for a in acc4) == 7 and acc4[7] == pytest.approx(0.9125)
    loss4 = [r["train_loss"] for r in four]
    assert min(loss4) == pytest.approx(0.014, abs=0.0005)
    assert max(loss4) == pytest.approx(0.200, abs=0.0005)


def test_seeds_swapped_neurons_have_the_same_loss_and_halfway_is_higher(
        client: TestClient) -> None:
    """The question: seed 0's network, its two hidden neurons swapped, and halfway between."""
    run = seed_runs(client, XOR_SEEDS.but(seeds=1))[0]
    snap = client.get(f"/api/sessions/{run['id']}/snapshot", params={"grid": 4}).json()
    (W, b), (v, c) = [(np.array(la["weights"]), np.array(la["bias"])) for la in snap["layers"]]

    def loss_of(W: np.ndarray, b: np.ndarray, v: np.ndarray) -> float:
        layers = [{"weights": W.tolist(), "bias": b.tolist()},
                  {"weights": v.tolist(), "bias": c.tolist()}]
        r = client.put(f"/api/sessions/{run['id']}/parameters", json={"layers": layers})
        assert r.status_code == 200, r.text
        return float(r.json()["metrics"]["train_loss"])

    assert run["train_loss"] == pytest.approx(0.2787, abs=5e-5)
    swapped = loss_of(W[:, ::-1], b[::-1], v[::-1])
    assert swapped == pytest.approx(run["train_loss"], rel=1e-12)
    halfway = loss_of((W + W[:, ::-1]) / 2, (b + b[::-1]) / 2, (v + v[::-1]) / 2)
    assert halfway == pytest.approx(1.38, abs=0.005) and halfway > np.log(2)  # measured 1.382


def measure_depth() -> None:
    """Print test accuracy for one hidden layer of w against two of w-w (the DEPTH figures)."""
    import tempfile
    from pathlib import Path

    from app.config import Settings
    from app.main import create_app
    from tests.conftest import local_client

    with tempfile.TemporaryDirectory() as d:
        app = create_app(Settings(data_dir=Path(d) / "data", allowed_hosts=["testserver"]))
        with local_client(app) as client:
            for data, (steps, *_) in DEPTH.items():
                for w in (1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 16, 24, 32):
                    for layers in ((w,), (w, w)):
                        preset = SPIRAL_DEEP.but(data=data, layers=layers)
                        acc = final_test_accuracy(client, preset, steps)
                        print(f"{data:7} {steps:5} steps  {'-'.join(map(str, layers)):6} "
                              f"({sum(layers):2} neurons)  test accuracy {acc:.3f}", flush=True)


if __name__ == "__main__":
    measure_depth()

"""Built-in datasets: shapes, labels, determinism, balance, noise and bounds."""

import math

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.data.generators import KINDS, MAX_N, MIN_N, Generated, generate
from app.data.store import DatasetError

TWO_D = {"circle", "xor", "gauss", "spiral", "moons", "linear", "blobs", "spiral3"}


def features(g: Generated) -> np.ndarray:
    return np.column_stack(list(g.columns.values()))


@pytest.mark.parametrize("kind", list(KINDS))
def test_shape_names_and_labels(kind: str) -> None:
    spec = KINDS[kind]
    g = generate(kind, 101, None, 3)
    assert list(g.columns) == (["x1", "x2"] if spec.n_features == 2 else ["x"])
    assert features(g).shape == (101, spec.n_features)
    assert g.labels.shape == (101,)
    assert g.task == spec.task
    if spec.task == "classification":
        assert g.target == "label"
        assert set(g.labels) == {str(c) for c in range(spec.n_classes or 0)}
    else:
        assert g.target == "y"
        assert g.labels.dtype == np.float64
        assert np.isfinite(g.labels).all()
    assert np.isfinite(features(g)).all()


@pytest.mark.parametrize("kind", list(KINDS))
def test_deterministic_per_seed(kind: str) -> None:
    a, b, c = generate(kind, 200, 0.2, 7), generate(kind, 200, 0.2, 7), generate(kind, 200, 0.2, 8)
    assert np.array_equal(features(a), features(b))
    assert np.array_equal(a.labels, b.labels)
    assert not np.array_equal(features(a), features(c))


@pytest.mark.parametrize("kind", [k for k, s in KINDS.items() if s.task == "classification"])
@pytest.mark.parametrize("n", [10, 11, 301])
def test_classes_are_balanced(kind: str, n: int) -> None:
    g = generate(kind, n, None, 0)
    _, counts = np.unique(g.labels, return_counts=True)
    assert counts.max() - counts.min() <= 1
    assert counts.sum() == n


@pytest.mark.parametrize("classes", [3, 4, 5])
def test_blobs_classes(classes: int) -> None:
    g = generate("blobs", 100, 0.1, 0, classes)
    assert sorted(set(g.labels)) == [str(c) for c in range(classes)]


@pytest.mark.parametrize("kind", sorted(TWO_D | {"plane", "hills"}))
def test_two_d_range_is_like_playground(kind: str) -> None:
    X = features(generate(kind, 2000, 0.0, 1))
    assert np.abs(X).max() <= 7.0
    assert np.abs(X).max() >= 3.0


def test_clean_shapes_have_their_boundaries() -> None:
    X, y = features(g := generate("circle", 500, 0.0, 1)), g.labels
    r = np.hypot(X[:, 0], X[:, 1])
    assert (r[y == "1"] <= 2.5).all() and (r[y == "0"] >= 3.5).all()
    X, y = features(g := generate("xor", 500, 0.0, 1)), g.labels
    assert ((X[:, 0] * X[:, 1] > 0) == (y == "1")).all()
    X, y = features(g := generate("linear", 500, 0.0, 1)), g.labels
    u = X[:, 0] * math.cos(math.pi / 6) + X[:, 1] * math.sin(math.pi / 6)
    assert (u[y == "1"] >= 0.5 - 1e-9).all() and (u[y == "0"] <= -0.5 + 1e-9).all()
    g = generate("interval", 500, 0.0, 1)
    assert ((np.abs(g.columns["x"]) < 1.5) == (g.labels == "1")).all()
    g = generate("sine", 300, 0.0, 1)
    assert np.allclose(g.labels, np.sin(g.columns["x"]))


def test_noise_moves_points() -> None:
    clean, noisy = generate("circle", 300, 0.0, 5), generate("circle", 300, 0.5, 5)
    assert not np.array_equal(features(clean), features(noisy))
    r = np.hypot(*features(noisy).T)
    assert ((r > 3.0) & (noisy.labels == "1")).any()  # jitter crosses the boundary


@pytest.mark.parametrize("noise", [-0.01, 1.01, math.nan, math.inf])
def test_noise_is_validated(noise: float) -> None:
    with pytest.raises(DatasetError, match="noise must be from 0 to 1") as e:
        generate("xor", 100, noise, 0)
    assert e.value.status_code == 422


@pytest.mark.parametrize("n", [MIN_N - 1, MAX_N + 1, 0, -5])
def test_n_bounds(n: int) -> None:
    with pytest.raises(DatasetError, match="n must be from 10 to 5000"):
        generate("xor", n, 0.1, 0)


def test_other_bad_arguments() -> None:
    with pytest.raises(DatasetError, match="unknown dataset kind 'nope'"):
        generate("nope", 100)
    with pytest.raises(DatasetError, match="only to kind 'blobs'"):
        generate("xor", 100, classes=3)
    with pytest.raises(DatasetError, match="3 to 5 classes"):
        generate("blobs", 100, classes=6)


# Through the API


def test_api_generate_returns_a_stored_dataset(client: TestClient) -> None:
    r = client.post("/api/datasets/generate", json={"kind": "spiral", "n": 120, "noise": 0.2,
                                                    "seed": 4})
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["source"] == "generated" and d["kind"] == "spiral"
    assert d["task"] == "classification" and d["classes"] == ["0", "1"]
    assert d["class_counts"] == {"0": 60, "1": 60}
    assert d["n_rows"] == 120 and d["features"] == ["x1", "x2"] and d["target"] == "label"
    assert d["n_features"] == 2 and d["dropped_rows"] == 0
    pts = client.get(f"/api/datasets/{d['id']}/points").json()
    g = generate("spiral", 120, 0.2, 4)
    assert pts["columns"]["x1"] == g.columns["x1"].tolist()
    assert pts["target"] == g.labels.tolist()


def test_api_generate_regression_and_blobs(client: TestClient) -> None:
    d = client.post("/api/datasets/generate", json={"kind": "sine", "n": 50}).json()
    assert d["task"] == "regression" and d["classes"] is None and d["features"] == ["x"]
    assert [c["name"] for c in d["columns"]] == ["x", "y"]
    d = client.post("/api/datasets/generate", json={"kind": "blobs", "n": 50, "classes": 5}).json()
    assert d["classes"] == ["0", "1", "2", "3", "4"]


@pytest.mark.parametrize("body", [
    {"kind": "xor", "n": 9}, {"kind": "xor", "n": 5001}, {"kind": "xor", "noise": 1.5},
    {"kind": "xor", "noise": -1}, {"kind": "nope"}, {"kind": "blobs", "classes": 6},
    {"kind": "xor", "seed": -1}, {"kind": "circle", "classes": 3},
])
def test_api_generate_rejects_bad_arguments(client: TestClient, body: dict[str, object]) -> None:
    r = client.post("/api/datasets/generate", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["detail"]
    assert client.get("/api/datasets").json() == []


def test_api_kinds_lists_every_kind(client: TestClient) -> None:
    kinds = client.get("/api/datasets/kinds").json()
    assert [k["kind"] for k in kinds] == list(KINDS)
    blobs = next(k for k in kinds if k["kind"] == "blobs")
    assert blobs["task"] == "classification" and blobs["n_features"] == 2
    for k in kinds:
        assert k["description"] and k["noise"] and 0 <= k["default_noise"] <= 1

"""`SessionConfig.target`: a session on the same dataset with another target trains on that
column, no new upload (DESIGN.md, REST; issue 12 §5)."""

import json
import sqlite3
from typing import Any

import numpy as np
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.conftest import local_client
from tests.data_helpers import csv_bytes, upload

SPECIES = ("setosa", "versicolor", "virginica")
MEASURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def iris_like(n: int = 90) -> bytes:
    """Four measurements, a 0/1 flag, a two-valued text column, an id, species last."""
    rng = np.random.default_rng(1)
    rows: list[list[Any]] = [[*MEASURES, "flag", "colour", "id", "species"]]
    for i in range(n):
        k = i % 3
        m = rng.normal([5.0 + k, 3.4 - 0.3 * k, 1.5 + 2 * k, 0.2 + 0.9 * k], 0.2)
        rows.append([*(f"{v:.3f}" for v in m), i % 2, ("red", "blue")[i % 5 == 0],
                     f"plant-{i}", SPECIES[k]])
    return csv_bytes(rows)


def dataset(client: TestClient, data: bytes | None = None, **fields: str) -> dict[str, Any]:
    r = upload(client, iris_like() if data is None else data, **fields)
    assert r.status_code == 201, r.text
    d: dict[str, Any] = r.json()
    return d


def session(client: TestClient, dataset_id: str, **config: Any) -> dict[str, Any]:
    r = client.post("/api/sessions", json={"dataset_id": dataset_id, "seed": 3, **config})
    assert r.status_code == 201, r.text
    s: dict[str, Any] = r.json()
    return s


def init_of(client: TestClient, sid: str) -> dict[str, Any]:
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        msg: dict[str, Any] = ws.receive_json()
    assert msg["type"] == "init"
    return msg


def test_two_targets_on_one_upload(client: TestClient) -> None:
    d = dataset(client)
    assert (d["target"], d["task"]) == ("species", "classification")
    features_a = [*MEASURES, "flag"]
    assert d["features"] == features_a

    # A: the dataset's target (no `target` given: the config says which it is)
    a = session(client, d["id"], hidden_layers=[4])
    assert a["config"]["target"] == "species"
    assert (a["task"], a["classes"], a["inputs"]) == ("multiclass", list(SPECIES), features_a)
    assert a["sizes"] == [5, 4, 3]

    # B: petal_width, a regression on the other numeric columns, from the same upload
    b = session(client, d["id"], target="petal_width", hidden_layers=[4])
    assert b["config"]["target"] == "petal_width"
    assert (b["task"], b["classes"]) == ("regression", None)
    assert b["inputs"] == ["sepal_length", "sepal_width", "petal_length", "flag"]
    assert b["sizes"] == [4, 4, 1]

    for sid in (a["id"], b["id"]):
        r = client.post(f"/api/sessions/{sid}/step", json={"steps": 200})
        assert r.status_code == 200, r.text
    ma = client.get(f"/api/sessions/{a['id']}").json()["metrics"]
    mb = client.get(f"/api/sessions/{b['id']}").json()["metrics"]
    assert ma["train_accuracy"] > 0.9  # the species are well apart
    assert mb["train_accuracy"] is None and mb["train_loss"] < 0.05  # petal width, in cm²/2

    # the model, a prediction, a snapshot and the stream's init each describe their target
    model_a = client.get(f"/api/sessions/{a['id']}/model").json()
    model_b = client.get(f"/api/sessions/{b['id']}/model").json()
    assert (model_a["target"], model_a["task"], model_a["classes"]) == (
        "species", "multiclass", list(SPECIES))
    assert model_a["features"] == features_a and model_a["target_standardize"] is None
    assert (model_b["target"], model_b["task"], model_b["classes"]) == (
        "petal_width", "regression", None)
    assert model_b["features"] == b["inputs"]
    assert 0.5 < model_b["target_standardize"]["mean"] < 1.5

    pa = client.post(f"/api/sessions/{a['id']}/predict",
                     json={"points": [[7.0, 2.8, 5.5, 2.0, 1]]}).json()
    assert pa["predictions"] == ["virginica"] and len(pa["probabilities"][0]) == 3
    pb = client.post(f"/api/sessions/{b['id']}/predict",
                     json={"points": [[7.0, 2.8, 5.5, 1]]}).json()
    assert pb["predictions"] is None and 1.5 < pb["values"][0] < 2.5  # virginica's ~2.0 cm
    assert client.post(f"/api/sessions/{b['id']}/predict",
                       json={"points": [[7.0, 2.8, 5.5, 2.0, 1]]}).status_code == 422

    sa = client.get(f"/api/sessions/{a['id']}/snapshot?grid=8").json()
    sb = client.get(f"/api/sessions/{b['id']}/snapshot?grid=8").json()
    assert np.shape(sa["output"]) == (3, 8, 8) and np.shape(sb["output"]) == (8, 8)
    assert sb["grid"]["features"] == ["sepal_length", "sepal_width"]

    init_a, init_b = init_of(client, a["id"]), init_of(client, b["id"])
    assert init_a["session"]["config"]["target"] == "species"
    assert (init_a["network"]["task"], init_a["network"]["classes"]) == (
        "multiclass", list(SPECIES))
    assert init_a["model"]["target"] == "species"
    assert init_b["session"]["config"]["target"] == "petal_width"
    assert (init_b["network"]["task"], init_b["network"]["classes"]) == ("regression", None)
    assert init_b["model"]["target"] == "petal_width"
    assert init_b["network"]["inputs"] == b["inputs"]
    ys = init_b["points"]["train"]["y"]
    assert any(y != round(y) for y in ys) and max(ys) < 3.5  # widths in cm, not codes

    # the dataset's own target is still the default
    again = client.get(f"/api/datasets/{d['id']}").json()
    assert (again["target"], again["task"], again["features"]) == (
        "species", "classification", features_a)
    assert again == d


def test_a_text_column_as_the_target(client: TestClient) -> None:
    d = dataset(client)
    assert {c["name"]: c["task"] for c in d["target_candidates"]}["colour"] == "classification"
    s = session(client, d["id"], target="colour")
    assert (s["task"], s["classes"]) == ("binary", ["blue", "red"])
    assert s["inputs"] == [*MEASURES, "flag"]  # species is text: not a feature
    assert client.post(f"/api/sessions/{s['id']}/step", json={"steps": 5}).status_code == 200
    model = client.get(f"/api/sessions/{s['id']}/model").json()
    assert (model["target"], model["classes"]) == ("colour", ["blue", "red"])


def test_a_numeric_target_goes_back_among_the_features(client: TestClient) -> None:
    rows: list[list[Any]] = [["x1", "x2", "y"]] + [
        [f"{i * 0.1:.1f}", f"{(i * 37 % 23) * 0.5:.1f}", int(i * 0.1 > 2)] for i in range(40)]
    d = dataset(client, csv_bytes(rows))
    assert (d["target"], d["task"], d["features"]) == ("y", "classification", ["x1", "x2"])
    s = session(client, d["id"], target="x2")
    assert (s["task"], s["inputs"]) == ("regression", ["x1", "y"])  # file order
    # the old target's values are its numbers (0 and 1), as a feature
    model = init_of(client, s["id"])["model"]
    assert model["features"] == ["x1", "y"] and model["target"] == "x2"
    assert 0 < model["standardize"]["mean"][1] < 1 and model["standardize"]["std"][1] < 0.6
    # chosen features and view features may name it; the new target may not be a feature
    s2 = session(client, d["id"], target="x1", features=["y", "x2"], view_features=["x2", "y"])
    assert (s2["task"], s2["inputs"]) == ("regression", ["y", "x2"])
    r = client.post("/api/sessions", json={"dataset_id": d["id"], "target": "x1",
                                           "features": ["x1", "x2"]})
    assert r.status_code == 422 and "'x1' is the target column" in r.json()["detail"]
    # naming the dataset's own target is the same as naming none
    same = session(client, d["id"], target="y")
    assert (same["task"], same["inputs"], same["classes"]) == ("binary", ["x1", "x2"],
                                                               ["0", "1"])


def test_unknown_target_is_a_422_naming_the_columns(client: TestClient) -> None:
    d = dataset(client)
    r = client.post("/api/sessions", json={"dataset_id": d["id"], "target": "petal"})
    assert r.status_code == 422
    assert r.json()["detail"] == (
        "there is no column named 'petal' to use as the target; the columns are: "
        "sepal_length, sepal_width, petal_length, petal_width, flag, colour, id, species")
    r = client.post("/api/sessions", json={"dataset_id": d["id"], "target": "id"})
    assert r.status_code == 422
    assert r.json()["detail"] == ("column 'id' cannot be the target: it is text with 90 "
                                  "distinct values, more than the limit of 50 classes")
    r = client.post("/api/sessions", json={"dataset_id": d["id"], "target": ""})
    assert r.status_code == 422


def test_a_target_that_leaves_no_feature_is_a_422(client: TestClient) -> None:
    rows: list[list[Any]] = [["x", "species"]] + [[i, SPECIES[i % 3]] for i in range(12)]
    d = dataset(client, csv_bytes(rows))
    assert [c["name"] for c in d["target_candidates"]] == ["species"]
    r = client.post("/api/sessions", json={"dataset_id": d["id"], "target": "x"})
    assert r.status_code == 422
    assert r.json()["detail"] == ("with 'x' as the target no numeric column is left to be a "
                                  "feature (the columns are: x, species); choose another target")


def test_a_generated_dataset_takes_another_target_too(client: TestClient) -> None:
    d = client.post("/api/datasets/generate", json={"kind": "moons", "n": 60}).json()
    assert d["target_reason"] == "the generator's target"
    assert [(c["name"], c["task"]) for c in d["target_candidates"]] == [
        ("x1", "regression"), ("x2", "regression"), ("label", "classification")]
    s = session(client, d["id"], target="x2")
    assert (s["task"], s["inputs"]) == ("regression", ["x1"])  # the label is not a number


def test_the_target_survives_a_restart(settings: Settings) -> None:
    with local_client(create_app(settings)) as c:
        d = dataset(c)
        s = session(c, d["id"], target="petal_width", hidden_layers=[3])
        c.post(f"/api/sessions/{s['id']}/step", json={"steps": 20})
        before = c.get(f"/api/sessions/{s['id']}/model").json()
    with local_client(create_app(settings)) as c:
        back = c.get(f"/api/sessions/{s['id']}").json()
        assert back["config"]["target"] == "petal_width" and back["task"] == "regression"
        assert c.get(f"/api/sessions/{s['id']}/model").json() == before


def test_a_dataset_stored_before_targets_could_change(settings: Settings) -> None:
    """Today's stores have no text columns beside the target and no candidates in the
    metadata: they stay readable, numeric targets work, and a text one says what to do."""
    with local_client(create_app(settings)) as c:
        d = dataset(c)
    db = sqlite3.connect(settings.db_path)
    (text,) = db.execute("SELECT meta FROM datasets WHERE id = ?", (d["id"],)).fetchone()
    meta = json.loads(text)
    del meta["target_reason"], meta["target_candidates"]
    db.execute("UPDATE datasets SET meta = ? WHERE id = ?", (json.dumps(meta), d["id"]))
    db.execute("DELETE FROM dataset_arrays WHERE dataset_id = ? AND key LIKE 'text%'", (d["id"],))
    db.commit()
    db.close()
    with local_client(create_app(settings)) as c:
        old = c.get(f"/api/datasets/{d['id']}").json()
        assert old["target_reason"] == "the target chosen when the dataset was stored"
        assert old["target_candidates"] == [
            {"name": "species", "task": "classification", "n_classes": 3}]
        assert session(c, d["id"], target="sepal_length")["task"] == "regression"
        r = c.post("/api/sessions", json={"dataset_id": d["id"], "target": "colour"})
        assert r.status_code == 422
        assert "stored before text columns were kept" in r.json()["detail"]
        assert "upload the file again" in r.json()["detail"]


def test_session_config_documents_the_target(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()["components"]["schemas"]
    target = spec["SessionConfig"]["properties"]["target"]
    assert "dataset's target" in target["description"]
    dataset_props = spec["Dataset"]["properties"]
    assert {"target_reason", "target_candidates"} <= set(dataset_props)

"""Which column an upload takes as its target when the form names none, why, and what else
it could take (issue 12 §5): a text column with few values is the class label even when the
last column is a number; the named `target` field still wins."""

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.data.csv_parse import parse_csv
from app.data.store import Store
from tests.data_helpers import csv_bytes, upload

SPECIES = ("setosa", "versicolor", "virginica")


def iris_species_first(n: int = 30) -> bytes:
    """species first, four measurements after it: the last column is numeric, many values."""
    rng = np.random.default_rng(0)
    rows: list[list[Any]] = [["species", "sepal_length", "sepal_width", "petal_length",
                              "petal_width"]]
    for i in range(n):
        rows.append([SPECIES[i % 3], *(f"{v:.3f}" for v in rng.normal(3, 1, 4))])
    return csv_bytes(rows)


def guessed(client: TestClient, data: bytes, **fields: str) -> dict[str, Any]:
    r = upload(client, data, **fields)
    assert r.status_code == 201, r.text
    d: dict[str, Any] = r.json()
    return d


def candidates(d: dict[str, Any]) -> dict[str, tuple[str, int | None]]:
    return {c["name"]: (c["task"], c["n_classes"]) for c in d["target_candidates"]}


def test_iris_with_species_first_is_a_classification_on_species(client: TestClient) -> None:
    d = guessed(client, iris_species_first())
    assert (d["target"], d["task"], d["classes"]) == ("species", "classification",
                                                      list(SPECIES))
    assert d["features"] == ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    assert "'species' is the only text column with few distinct values (3)" in d["target_reason"]
    assert "'petal_width', is numeric with many values" in d["target_reason"]
    # every column could be a session's target: species as a classification, each
    # measurement as a regression on the others
    assert candidates(d) == {"species": ("classification", 3),
                             "sepal_length": ("regression", None),
                             "sepal_width": ("regression", None),
                             "petal_length": ("regression", None),
                             "petal_width": ("regression", None)}
    assert [c["name"] for c in d["target_candidates"]] == [c["name"] for c in d["columns"]]
    # what GET says is what the upload said
    assert client.get(f"/api/datasets/{d['id']}").json() == d


def test_the_target_field_still_wins(client: TestClient) -> None:
    d = guessed(client, iris_species_first(), target="petal_width")
    assert (d["target"], d["task"], d["classes"]) == ("petal_width", "regression", None)
    assert d["target_reason"] == "named in the upload's target field"
    assert d["features"] == ["sepal_length", "sepal_width", "petal_length"]
    # species is kept (as codes) so a session can still switch to it
    assert candidates(d)["species"] == ("classification", 3)


def test_all_numeric_with_a_last_0_1_column_is_a_classification_on_it(
        client: TestClient) -> None:
    rows: list[list[Any]] = [["a", "b", "c", "y"]] + [
        [i, (i * 7) % 4, i * 0.5 + 1, i % 2] for i in range(20)]
    d = guessed(client, csv_bytes(rows))
    assert (d["target"], d["task"], d["classes"]) == ("y", "classification", ["0", "1"])
    assert d["target_reason"].startswith("the last column")
    assert "2 distinct whole numbers" in d["target_reason"]
    assert d["features"] == ["a", "b", "c"]
    assert candidates(d)["y"] == ("classification", 2)
    assert candidates(d)["b"] == ("classification", 4)  # 4 whole numbers: classes too
    assert "a" not in candidates(d)  # 20 whole numbers, one row each: no class has 2 rows
    assert candidates(d)["c"] == ("regression", None)


def test_a_numeric_last_column_with_many_values_and_no_text_is_a_regression(
        client: TestClient) -> None:
    rows: list[list[Any]] = [["x1", "x2", "price"]] + [
        [i, i % 3, f"{100 + i * 1.37:.2f}"] for i in range(40)]
    d = guessed(client, csv_bytes(rows))
    assert (d["target"], d["task"], d["classes"]) == ("price", "regression", None)
    assert d["target_reason"] == "the last column; no text column has few distinct values"
    assert candidates(d)["price"] == ("regression", None)
    assert candidates(d)["x2"] == ("classification", 3)


def test_several_text_columns_the_one_with_fewest_values(client: TestClient) -> None:
    rows: list[list[Any]] = [["colour", "size", "x", "y", "z"]] + [
        [("red", "green", "blue", "cyan")[i % 4], ("S", "M", "L")[i % 3], i, i * i % 13,
         f"{i * 0.77:.2f}"] for i in range(24)]
    d = guessed(client, csv_bytes(rows))
    assert (d["target"], d["classes"]) == ("size", ["L", "M", "S"])
    assert d["target_reason"] == ("'size' has the fewest distinct values (3) of the 2 text "
                                  "columns with few values; the last column, 'z', is numeric "
                                  "with many values")
    assert candidates(d)["colour"] == ("classification", 4)
    assert [n["name"] for n in d["non_features"]] == ["colour"]


def test_a_tie_between_text_columns_goes_to_the_later_one(client: TestClient) -> None:
    rows: list[list[Any]] = [["first", "x", "second", "y"]] + [
        [("a", "b")[i % 2], i, ("p", "q")[(i // 2) % 2], f"{i * 1.5 + 0.1:.2f}"]
        for i in range(16)]
    d = guessed(client, csv_bytes(rows))
    assert d["target"] == "second"
    assert "of those tied, it is the last" in d["target_reason"]
    assert candidates(d)["first"] == ("classification", 2)


def test_a_text_column_over_the_class_limit_is_not_the_guess(client: TestClient) -> None:
    # 'many' has 60 distinct values (more than 50 classes); 'few' has 2
    rows: list[list[Any]] = [["many", "few", "x", "y"]] + [
        [f"v{i % 60}", ("yes", "no")[i % 2], i, f"{i * 0.3:.2f}"] for i in range(120)]
    d = guessed(client, csv_bytes(rows))
    assert d["target"] == "few"
    assert "many" not in candidates(d)


def test_an_id_like_text_column_is_never_the_guess(client: TestClient) -> None:
    ids = [["name", "x", "y", "label"]] + [[f"person-{i}", i, i % 5, ("a", "b")[i % 2]]
                                           for i in range(12)]
    d = guessed(client, csv_bytes(ids))
    assert d["target"] == "label"
    assert "name" not in candidates(d)
    # the id last, the only other text column an id too: the last numeric column, and why
    rows: list[list[Any]] = [["x", "y", "z", "id"]] + [
        [i, (i * 3) % 7, f"{i * 0.9:.2f}", f"row{i}"] for i in range(12)]
    d = guessed(client, csv_bytes(rows))
    assert d["target"] == "z" and d["task"] == "regression"
    assert d["target_reason"].startswith("the last numeric column; the last column, 'id', "
                                         "cannot be the target")
    assert "id" not in candidates(d)
    # ... and a session may not take it either: 422 saying why
    r = client.post("/api/sessions", json={"dataset_id": d["id"], "target": "id"})
    assert r.status_code == 422
    assert r.json()["detail"] == ("class 'row0' of column 'id' has only 1 row; each class "
                                  "needs at least 2 rows")


def test_the_last_text_column_with_few_values_stays_the_target(client: TestClient) -> None:
    """What the upload always did: a class-like last column is the target."""
    rows: list[list[Any]] = [["kind", "x", "y", "class"]] + [
        [("u", "v")[i % 2], i, i % 4, ("p", "q", "r")[i % 3]] for i in range(18)]
    d = guessed(client, csv_bytes(rows))
    assert (d["target"], d["target_reason"]) == (
        "class", "the last column, text with 3 distinct values: a class label")


def test_task_regression_still_means_the_last_column(client: TestClient) -> None:
    r = upload(client, iris_species_first(), task="regression")
    assert r.status_code == 201, r.text
    assert (r.json()["target"], r.json()["task"]) == ("petal_width", "regression")


@pytest.mark.parametrize("missing", ["", "NA"])
def test_missing_labels_are_rows_without_a_target(client: TestClient, missing: str) -> None:
    rows: list[list[Any]] = [["species", "a", "b"]] + [
        [missing if i == 3 else SPECIES[i % 3], i, f"{i * 1.1:.2f}"] for i in range(30)]
    d = guessed(client, csv_bytes(rows))
    assert (d["target"], d["n_rows"], d["dropped_rows"]) == ("species", 29, 1)


def test_text_columns_are_stored_compactly_and_read_back(tmp_path: Any) -> None:
    rows: list[list[Any]] = [["colour", "x", "y", "z"]] + [
        [("red", "NA", "blue")[i % 3], i, i % 4, f"{i * 0.5:.1f}"] for i in range(3000)]
    data = csv_bytes(rows)
    ds = parse_csv(data, name="t", target="z")
    colour = ds.text["colour"]
    assert colour.values == ["blue", "red"] and colour.codes.dtype == np.int8
    assert colour.codes[:3].tolist() == [1, -1, 0]
    assert colour.codes.nbytes == 3000 < len(data) / 4
    store = Store(tmp_path / "db.sqlite")
    try:
        store.put_dataset(ds)
        back = store.get_dataset(ds.id)
        assert back is not None
        assert back.text["colour"].values == ["blue", "red"]
        assert np.array_equal(back.text["colour"].codes, colour.codes)
        assert back.target_candidates == ds.target_candidates
        assert back.target_reason == ds.target_reason
    finally:
        store.close()

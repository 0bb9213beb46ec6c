"""Preparing data for a session: split, standardization, transforms, encoding, errors."""

import numpy as np
import pytest
from sklearn.preprocessing import StandardScaler

from app.data.csv_parse import parse_csv
from app.data.generators import generate
from app.data.prepare import TRANSFORM_LABELS, TRANSFORMS, Prepared, PrepareError, prepare
from app.data.store import StoredDataset, now_iso, sort_labels


def dataset(kind: str = "xor", n: int = 200, seed: int = 0, classes: int | None = None
            ) -> StoredDataset:
    g = generate(kind, n, 0.1, seed, classes)
    cls = sort_labels(g.labels.tolist()) if g.task == "classification" else None
    return StoredDataset(
        id="d", name=kind, task=g.task, target=g.target, classes=cls, features=list(g.columns),
        non_features=[], columns=[], n_rows=n, dropped_rows=0, source="generated", kind=kind,
        class_counts=None, created_at=now_iso(), numeric=dict(g.columns), labels=g.labels)


def table() -> StoredDataset:
    """Four numeric features (one constant), a text column and a three-class target."""
    rows = ["a,b,c,const,name,y"] + [f"{i},{i * i % 7},{np.sin(i):.4f},5,n{i},{'pqr'[i % 3]}"
                                      for i in range(30)]
    return parse_csv(("\n".join(rows) + "\n").encode(), name="t")


def test_standardization_matches_standard_scaler() -> None:
    ds = table()
    p = prepare(ds, ["a", "b", "c", "const"], None, ["a", "b"], 0.3, seed=1)
    scaler = StandardScaler().fit(p.raw_train)
    assert np.allclose(p.mean, scaler.mean_)
    assert np.allclose(p.std, scaler.scale_)
    assert p.std[3] == 1.0  # constant column
    assert np.allclose(p.X_train, scaler.transform(p.raw_train))
    assert np.allclose(p.X_test, scaler.transform(p.raw_test))
    assert p.inputs == ["a", "b", "c", "const"] and p.transforms is None


def test_split_shapes_and_disjoint_rows() -> None:
    ds = table()
    p = prepare(ds, None, None, None, 0.3, seed=0)
    assert p.features == ["a", "b", "c", "const"]
    assert p.raw_train.shape == (21, 4) and p.raw_test.shape == (9, 4)
    assert p.X_train.shape == (21, 4) and p.y_train.shape == (21,)
    rows = np.concatenate([p.raw_train[:, 0], p.raw_test[:, 0]])
    assert sorted(rows.tolist()) == list(range(30))  # column a is the row number


@pytest.mark.parametrize("fraction", [0.1, 0.25, 0.5, 0.9])
def test_stratified_split_keeps_class_proportions(fraction: float) -> None:
    ds = dataset("blobs", 300, classes=3)  # 100 per class
    p = prepare(ds, None, None, None, fraction, seed=3)
    assert p.task == "multiclass" and p.classes == ["0", "1", "2"]
    assert p.y_train.dtype == np.int64
    assert np.bincount(p.y_test, minlength=3).tolist() == [round(fraction * 100)] * 3
    assert np.bincount(p.y_train, minlength=3).tolist() == [100 - round(fraction * 100)] * 3


def test_split_keeps_a_training_row_per_class() -> None:
    ds = parse_csv(b"a,y\n1,p\n2,p\n3,q\n4,q\n5,q\n6,q\n7,q\n8,q\n", name="t")
    p = prepare(ds, None, None, None, 0.9, seed=0)
    assert set(p.y_train.tolist()) == {0, 1}
    assert np.bincount(p.y_test).tolist() == [1, 5]


def test_zero_test_fraction_gives_empty_arrays_with_shapes() -> None:
    p = prepare(dataset(), None, ["x1", "x1sq", "x1x2"], None, 0.0, seed=0)
    assert p.raw_test.shape == (0, 2) and p.X_test.shape == (0, 3) and p.y_test.shape == (0,)
    assert p.X_train.shape == (200, 3)


def test_split_is_seeded() -> None:
    ds = dataset()
    a, b, c = (prepare(ds, None, None, None, 0.3, seed=s) for s in (5, 5, 6))
    assert np.array_equal(a.raw_test, b.raw_test) and np.array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.raw_test, c.raw_test)


def test_transforms_apply_to_standardized_features() -> None:
    p = prepare(dataset(), ["x1", "x2"], list(TRANSFORMS), None, 0.25, seed=0)
    z = (p.raw_train - p.mean) / p.std
    z1, z2 = z[:, 0], z[:, 1]
    expected = np.column_stack([z1, z2, z1**2, z2**2, z1 * z2, np.sin(z1), np.sin(z2)])
    assert np.allclose(p.X_train, expected)
    assert p.inputs == list(TRANSFORMS) == p.transforms
    assert set(TRANSFORM_LABELS) == set(TRANSFORMS) and TRANSFORM_LABELS["x1sq"] == "x1²"
    raw = np.array([[0.5, -1.0], [2.0, 3.0]])
    zz = (raw - p.mean) / p.std
    assert np.allclose(p.inputs_from_raw(raw)[:, 4], zz[:, 0] * zz[:, 1])


def test_regression_targets_are_standardized_on_training_rows() -> None:
    ds = dataset("cubic", 100)
    p = prepare(ds, None, None, None, 0.2, seed=0)
    assert p.task == "regression" and p.classes is None
    assert p.view_features == ["x"] and p.X_train.shape == (80, 1)
    y_train = p.y_train * p.y_std + p.y_mean
    assert np.isclose(p.y_mean, y_train.mean()) and np.isclose(p.y_std, y_train.std())
    assert np.isclose(p.y_train.mean(), 0) and np.isclose(p.y_train.std(), 1)
    assert p.y_train.dtype == np.float64


def test_classification_encodes_labels_as_indices() -> None:
    ds = parse_csv(b"a,y\n1,10\n2,2\n3,10\n4,2\n5,10\n6,2\n", name="t")
    p = prepare(ds, None, None, None, 0.0, seed=0)
    assert p.task == "binary" and p.classes == ["2", "10"]
    assert p.y_train.tolist() == [1, 0, 1, 0, 1, 0]
    assert (p.y_mean, p.y_std) == (0.0, 1.0)


def test_view_features() -> None:
    ds = table()
    assert prepare(ds, ["c", "a", "b"], None, None, 0.2, 0).view_features == ["c", "a"]
    assert prepare(ds, ["c", "a", "b"], None, ["b", "c"], 0.2, 0).view_features == ["b", "c"]
    assert prepare(ds, ["b"], None, None, 0.2, 0).view_features == ["b"]


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"features": ["zz"]}, ["feature 'zz' is not a column", "choose from: a, b, c, const"]),
    ({"features": ["name"]}, ["feature 'name' is not numeric"]),
    ({"features": ["y"]}, ["'y' is the target column"]),
    ({"features": []}, ["at least one feature"]),
    ({"features": ["a", "a"]}, ["more than once"]),
    ({"features": ["a", "b", "c"], "transforms": ["x1sq"]}, ["exactly 2 features, got 3"]),
    ({"features": ["a", "b"], "transforms": []}, ["at least one transform"]),
    ({"features": ["a", "b"], "transforms": ["x3"]}, ["unknown transform 'x3'"]),
    ({"features": ["a", "b"], "transforms": ["x1", "x1"]}, ["more than once"]),
    ({"features": ["a", "b", "c"], "view_features": ["a"]}, ["must be 2 different features"]),
    ({"features": ["a"], "view_features": ["a", "b"]}, ["must be 1 different feature"]),
    ({"features": ["a", "b"], "view_features": ["a", "c"]}, ["'c' is not one of the chosen"]),
    ({"features": ["a", "b"], "view_features": ["a", "a"]}, ["2 different features"]),
    ({"test_fraction": 0.95}, ["test_fraction must be from 0 to 0.9"]),
    ({"test_fraction": -0.1}, ["test_fraction"]),
    ({"test_fraction": float("nan")}, ["test_fraction"]),
])
def test_errors_name_the_problem(kwargs: dict[str, object], words: list[str]) -> None:
    args: dict[str, object] = {"features": None, "transforms": None, "view_features": None,
                               "test_fraction": 0.2, "seed": 0} | kwargs
    with pytest.raises(PrepareError) as e:
        prepare(table(), **args)  # type: ignore[arg-type]
    assert e.value.status_code == 422
    for w in words:
        assert w in e.value.message


def test_inputs_from_raw_checks_its_input() -> None:
    p: Prepared = prepare(dataset(), None, None, None, 0.2, 0)
    assert p.inputs_from_raw(np.zeros((3, 2))).shape == (3, 2)
    with pytest.raises(PrepareError, match="2 values each"):
        p.inputs_from_raw(np.zeros((3, 3)))
    with pytest.raises(PrepareError, match="finite"):
        p.inputs_from_raw(np.array([[np.nan, 1.0]]))

"""Preparing a stored dataset for a session: features, split, standardization, transforms.

`prepare(dataset, features, transforms, view_features, test_fraction, seed) -> Prepared`

- features: default all numeric non-target columns; each must be one of them.
- transforms (only with exactly 2 features): keys of TRANSFORMS, applied to the
  *standardized* features z1, z2 (x1 → z1, x1sq → z1², x1x2 → z1·z2, sinx1 → sin z1, ...).
  None → the network's inputs are the standardized features themselves.
- view_features: the 1 or 2 features the maps are drawn over (default: the first two, or
  the only one); exactly 2 when there are 2 or more features.
- split: seeded by `np.random.default_rng(seed)`; classification is stratified (each class
  gives round(f·n_c) test rows, rounding halves up, keeping at least one training row);
  regression keeps at least one training row. Row indices stay in file order within each part.
- standardization uses the training rows only: mean and population std (ddof 0); a constant
  column gets std 1. Regression targets are standardized the same way (y_mean, y_std).
Every bad choice raises PrepareError (a DatasetError with status 422) naming the column.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from app.data.store import DatasetError, StoredDataset

Array = NDArray[np.float64]

TRANSFORMS: dict[str, Callable[[Array, Array], Array]] = {
    "x1": lambda z1, z2: z1,
    "x2": lambda z1, z2: z2,
    "x1sq": lambda z1, z2: z1**2,
    "x2sq": lambda z1, z2: z2**2,
    "x1x2": lambda z1, z2: z1 * z2,
    "sinx1": lambda z1, z2: np.sin(z1),
    "sinx2": lambda z1, z2: np.sin(z2),
}
TRANSFORM_LABELS = {"x1": "x1", "x2": "x2", "x1sq": "x1²", "x2sq": "x2²", "x1x2": "x1·x2",
                    "sinx1": "sin x1", "sinx2": "sin x2"}
MAX_TEST_FRACTION = 0.9


class PrepareError(DatasetError):
    """A feature, transform or split choice that does not fit the dataset (422)."""

    def __init__(self, message: str):
        super().__init__(message, 422)


def _scale(values: Array, axis: int | None = 0) -> tuple[Any, Any]:
    """Mean and population std; a (near-)constant column gets std 1."""
    mean, std = values.mean(axis=axis), values.std(axis=axis)
    constant = std <= 1e-12 * np.maximum(1.0, np.abs(mean))
    return mean, np.where(constant, 1.0, std)


@dataclass
class Prepared:
    """A dataset ready for training: encoded targets, standardized (and transformed) inputs."""

    task: Literal["binary", "multiclass", "regression"]
    features: list[str]  # the raw feature columns used, in order
    inputs: list[str]  # the network's input names: features, or the chosen transforms' keys
    transforms: list[str] | None
    classes: list[str] | None  # sorted labels; y holds indices into it
    view_features: list[str]  # the 1 or 2 features the maps are drawn over
    raw_train: Array  # (n_train, n_features) raw values
    raw_test: Array  # (n_test, n_features)
    X_train: Array  # (n_train, n_inputs) network inputs
    X_test: Array  # (n_test, n_inputs)
    y_train: NDArray[Any]  # (n_train,) int64 class indices, or float64 standardized targets
    y_test: NDArray[Any]  # (n_test,)
    mean: Array  # (n_features,) training mean of raw features
    std: Array  # (n_features,) population std (ddof 0); constant column → 1
    y_mean: float  # regression target standardization (0.0 / 1.0 for classification)
    y_std: float

    def inputs_from_raw(self, raw: NDArray[Any]) -> Array:
        """(n, n_features) raw values → (n, n_inputs) network inputs."""
        raw = np.asarray(raw, dtype=np.float64)
        if raw.ndim != 2 or raw.shape[1] != len(self.features):
            raise PrepareError(f"expected points with {len(self.features)} values each "
                               f"({', '.join(self.features)}), got an array of shape {raw.shape}")
        if not np.isfinite(raw).all():
            raise PrepareError("points must be finite numbers")
        z = (raw - self.mean) / self.std  # (n, n_features)
        if self.transforms is None:
            return z
        return np.column_stack([TRANSFORMS[t](z[:, 0], z[:, 1]) for t in self.transforms])


def _choose_features(ds: StoredDataset, features: list[str] | None) -> list[str]:
    valid = ", ".join(ds.features)
    if features is None:
        return list(ds.features)
    if not features:
        raise PrepareError(f"choose at least one feature from: {valid}")
    for f in features:
        if f == ds.target:
            raise PrepareError(f"'{f}' is the target column, it cannot be a feature; "
                               f"choose from: {valid}")
        if f not in ds.numeric:
            what = ("is not numeric" if any(c.name == f for c in ds.columns)
                    else "is not a column of this dataset")
            raise PrepareError(f"feature '{f}' {what}; choose from: {valid}")
    if len(set(features)) < len(features):
        raise PrepareError(f"features are listed more than once: {', '.join(features)}")
    return list(features)


def _check_transforms(transforms: list[str] | None, features: list[str]) -> None:
    if transforms is None:
        return
    if len(features) != 2:
        raise PrepareError(f"transforms need exactly 2 features, got {len(features)} "
                           f"({', '.join(features)})")
    if not transforms:
        raise PrepareError(f"choose at least one transform from: {', '.join(TRANSFORMS)}, "
                           "or none at all")
    for t in transforms:
        if t not in TRANSFORMS:
            raise PrepareError(f"unknown transform '{t}'; choose from: {', '.join(TRANSFORMS)}")
    if len(set(transforms)) < len(transforms):
        raise PrepareError(f"transforms are listed more than once: {', '.join(transforms)}")


def _choose_view(view: list[str] | None, features: list[str]) -> list[str]:
    if view is None:
        return features[:2]
    need = 2 if len(features) >= 2 else 1
    if len(view) != need or len(set(view)) != need:
        raise PrepareError(f"view_features must be {need} different feature"
                           f"{'s' if need > 1 else ''} of: {', '.join(features)}")
    for f in view:
        if f not in features:
            raise PrepareError(f"view feature '{f}' is not one of the chosen features: "
                               f"{', '.join(features)}")
    return list(view)


def split(y_codes: NDArray[np.int64] | None, n: int, test_fraction: float,
          rng: np.random.Generator) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Train and test row indices (sorted); stratified by `y_codes` when given."""
    groups = [np.arange(n)] if y_codes is None else [
        np.flatnonzero(y_codes == c) for c in range(int(y_codes.max()) + 1)]
    train, test = [], []
    for idx in groups:
        perm = rng.permutation(idx)
        n_test = max(0, min(int(test_fraction * len(idx) + 0.5), len(idx) - 1))
        test.append(perm[:n_test])
        train.append(perm[n_test:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def prepare(dataset: StoredDataset, features: list[str] | None, transforms: list[str] | None,
            view_features: list[str] | None, test_fraction: float, seed: int) -> Prepared:
    """Choose features, split, standardize on the training rows, encode the target."""
    feats = _choose_features(dataset, features)
    _check_transforms(transforms, feats)
    view = _choose_view(view_features, feats)
    if not 0.0 <= test_fraction <= MAX_TEST_FRACTION:
        raise PrepareError(f"test_fraction must be from 0 to {MAX_TEST_FRACTION}, "
                           f"got {test_fraction}")
    raw = np.column_stack([dataset.numeric[f] for f in feats]).astype(np.float64)  # (n, F)
    n = raw.shape[0]
    rng = np.random.default_rng(seed)

    if dataset.classes is not None:
        y_all: NDArray[Any] = dataset.class_codes()  # indices into the sorted classes
        train, test = split(y_all, n, test_fraction, rng)
        y_mean, y_std = 0.0, 1.0
        task: Literal["binary", "multiclass", "regression"] = (
            "binary" if len(dataset.classes) == 2 else "multiclass")
        y_train, y_test = y_all[train], y_all[test]
    else:
        y_raw = np.asarray(dataset.labels, dtype=np.float64)
        train, test = split(None, n, test_fraction, rng)
        m, s = _scale(y_raw[train], axis=None)
        y_mean, y_std = float(m), float(s)
        task = "regression"
        y_train, y_test = (y_raw[train] - y_mean) / y_std, (y_raw[test] - y_mean) / y_std

    mean, std = _scale(raw[train])
    p = Prepared(task=task, features=feats, inputs=list(transforms) if transforms else list(feats),
                 transforms=list(transforms) if transforms else None,
                 classes=list(dataset.classes) if dataset.classes else None, view_features=view,
                 raw_train=raw[train], raw_test=raw[test],
                 X_train=np.empty(0), X_test=np.empty(0), y_train=y_train, y_test=y_test,
                 mean=np.asarray(mean, dtype=np.float64), std=np.asarray(std, dtype=np.float64),
                 y_mean=y_mean, y_std=y_std)
    p.X_train, p.X_test = p.inputs_from_raw(p.raw_train), p.inputs_from_raw(p.raw_test)
    return p

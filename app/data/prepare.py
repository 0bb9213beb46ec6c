"""Preparing a stored dataset for a session: target, features, split, standardization,
transforms.

`with_target(dataset, target, max_classes) -> StoredDataset`: the dataset as a session with
another target sees it (`SessionConfig.target`; None or the dataset's own target: the dataset
itself). The task follows from the column by the upload's rule (`target_of`): a text column
is classification; a numeric one is regression when it has more than
MAX_DISTINCT_CLASSES_AUTO distinct values or any non-integer value, else classification.
The dataset's own target goes back among the features when it is numeric; the default
features are then every numeric column but the new target, in file order. Rows without a
value in a text target are left out (the upload already left out the rows without a value
in its own target: those are not stored, whatever target a session picks).
`TargetTable.candidates()` lists the columns that would work, with the task each gives.

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

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from app.data.store import (
    DatasetError,
    NonFeature,
    StoredDataset,
    TargetCandidate,
    TargetKind,
    TextColumn,
    sort_labels,
)

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
    """A target, feature, transform or split choice that does not fit the dataset (422)."""

    def __init__(self, message: str):
        super().__init__(message, 422)


# ---- the target: which task a column gives, and its labels ------------------------------------
MAX_DISTINCT_CLASSES_AUTO = 20
MIN_ROWS, MIN_ROWS_PER_CLASS = 4, 2


def show(text: str, n: int = 40) -> str:
    """A name or cell as a message quotes it: at most `n` characters (never a huge input)."""
    return text if len(text) <= n else text[:n] + "…"


def names(items: Iterable[str], n: int = 20) -> str:
    """Column names for a message: each shortened, at most `n` of them."""
    items = list(items)
    shown = ", ".join(show(h) for h in items[:n])
    return shown + (f", … ({len(items) - n} more)" if len(items) > n else "")


def auto_task(finite: NDArray[np.float64]) -> TargetKind:
    """The upload's rule for numbers: regression when more than MAX_DISTINCT_CLASSES_AUTO
    distinct values or any non-integer one, else classification."""
    if not bool(np.all(finite == np.round(finite))):
        return "regression"
    return "regression" if len(np.unique(finite)) > MAX_DISTINCT_CLASSES_AUTO else "classification"


def number_label(v: float) -> str:
    """A number as a class label: 1.0 and 1 are the class "1"."""
    return str(int(v)) if v.is_integer() else repr(float(v))


def classes_of(labels: list[str], codes: NDArray[Any]) -> tuple[list[str], NDArray[np.int32]]:
    """Sorted classes from the distinct `labels` present, and `codes` (indices into `labels`)
    as indices into the classes. Labels stay one Python string per class: no array of strings
    is made (a fixed-width one pads every row to the longest label)."""
    present = np.flatnonzero(np.bincount(codes, minlength=len(labels)))
    shown = [labels[i] for i in present]
    classes = sort_labels(shown)
    position = {c: i for i, c in enumerate(classes)}
    remap = np.zeros(len(labels), dtype=np.int32)
    remap[present] = [position[c] for c in shown]
    return classes, remap[codes]


@dataclass
class Target:
    """A column as the target: the task it gives, its classes, and its labels (int32 codes
    into the classes, or float64 values) over `rows`, the rows that have a value."""

    name: str
    task: TargetKind
    classes: list[str] | None
    labels: NDArray[Any]
    rows: NDArray[np.bool_] | None  # None: every row


def target_of(name: str, *, numbers: NDArray[np.float64] | None = None,
              text: TextColumn | None = None, max_classes: int,
              task: TargetKind | None = None) -> Target:
    """The target `name` gives, from its finite `numbers` or its `text` codes; `task` None:
    by the upload's rule. Raises PrepareError when it cannot be a target (one class, too
    many classes, a class with too few rows)."""
    shown = show(name)
    rows: NDArray[np.bool_] | None = None
    if numbers is not None:
        if len(numbers) < MIN_ROWS:
            raise PrepareError(f"column '{shown}' has a value in only {len(numbers)} rows; a "
                               f"target needs at least {MIN_ROWS}")
        kind = task or auto_task(numbers)
        if kind == "regression":
            return Target(name, "regression", None, numbers, None)
        values, inverse = np.unique(numbers, return_inverse=True)
        classes, labels = classes_of([number_label(float(v)) for v in values],
                                     inverse.reshape(-1))
    elif text is not None:
        if task == "regression":
            raise PrepareError(f"column '{shown}' holds text; regression needs a number in "
                               "every row")
        have = text.codes >= 0
        rows = None if bool(have.all()) else have
        codes = text.codes if rows is None else text.codes[have]
        if len(codes) < MIN_ROWS:
            raise PrepareError(f"column '{shown}' has a value in only {len(codes)} rows; a "
                               f"target needs at least {MIN_ROWS}")
        classes, labels = classes_of(text.values, codes.astype(np.int64))
    else:
        raise PrepareError(f"column '{shown}' has no values to learn")
    if len(classes) > max_classes:
        raise PrepareError(f"column '{shown}' has {len(classes)} distinct values, more than "
                           f"the limit of {max_classes} classes")
    if len(classes) < 2:
        raise PrepareError(f"column '{shown}' has only one value ('{show(classes[0])}'); "
                           "classification needs at least 2 classes")
    counts = np.bincount(labels, minlength=len(classes))
    if counts.min() < MIN_ROWS_PER_CLASS:
        small = classes[int(counts.argmin())]
        raise PrepareError(f"class '{show(small)}' of column '{shown}' has only "
                           f"{int(counts.min())} row; each class needs at least "
                           f"{MIN_ROWS_PER_CLASS} rows")
    return Target(name, "classification", classes, labels, rows)


class TargetTable:
    """Every column of a dataset as a possible target: the numeric ones (finite values, every
    row) and the kept text ones (codes), in file order, with why any other cannot be one."""

    def __init__(self, order: list[str], numbers: dict[str, NDArray[np.float64]],
                 texts: dict[str, TextColumn], why_not: dict[str, str], max_classes: int,
                 fixed: Target | None = None):
        self.order, self.numbers, self.texts = order, numbers, texts
        self.why_not, self.max_classes, self.fixed = why_not, max_classes, fixed

    @classmethod
    def of(cls, ds: StoredDataset, max_classes: int) -> "TargetTable":
        """The columns of a stored dataset; its own target keeps its task and classes."""
        kinds = {c.name: c.kind for c in ds.columns}
        order = [c.name for c in ds.columns] or [*ds.features, ds.target]
        numbers = dict(ds.numeric)
        texts = dict(ds.text)
        own = Target(ds.target, ds.task, ds.classes, ds.labels, None)
        if ds.classes is None:
            numbers[ds.target] = np.asarray(ds.labels, dtype=np.float64)
        else:
            as_numbers = None
            if kinds.get(ds.target) == "numeric":  # class labels that are numbers: "0", "1"
                try:
                    as_numbers = np.array([float(c) for c in ds.classes])[ds.class_codes()]
                except ValueError:
                    as_numbers = None
            if as_numbers is not None:
                numbers[ds.target] = as_numbers
            else:
                texts[ds.target] = TextColumn(list(ds.classes), ds.labels)
        why_not = {}
        for c in ds.columns:
            if c.name in numbers or c.name in texts:
                continue
            if c.distinct == 0:
                why_not[c.name] = "it has no values"
            elif c.distinct > max_classes:
                why_not[c.name] = (f"it is text with {c.distinct} distinct values, more than "
                                   f"the limit of {max_classes} classes")
            else:
                why_not[c.name] = ("this dataset was stored before text columns were kept "
                                   "for other targets; upload the file again to use it")
        return cls(order, numbers, texts, why_not, max_classes, own)

    def features_for(self, target: str) -> list[str]:
        """The default features with `target` as the target: every other numeric column."""
        return [n for n in self.order if n in self.numbers and n != target]

    def target(self, name: str, task: TargetKind | None = None) -> Target:
        """`name` as the target (its task by the upload's rule, unless `task`), with at least
        one feature left; PrepareError naming the columns when it cannot be."""
        if name not in self.order:
            raise PrepareError(f"there is no column named '{show(name)}' to use as the "
                               f"target; the columns are: {names(self.order)}")
        if name not in self.numbers and name not in self.texts:
            raise PrepareError(f"column '{show(name)}' cannot be the target: "
                               f"{self.why_not.get(name, 'it has no values')}")
        if not self.features_for(name):
            raise PrepareError(f"with '{show(name)}' as the target no numeric column is left "
                               f"to be a feature (the columns are: {names(self.order)}); "
                               "choose another target")
        if self.fixed is not None and name == self.fixed.name:
            return self.fixed
        if name in self.numbers:
            return target_of(name, numbers=self.numbers[name], max_classes=self.max_classes,
                             task=task)
        return target_of(name, text=self.texts[name], max_classes=self.max_classes, task=task)

    def candidates(self) -> list[TargetCandidate]:
        """Every column that can be the target, in file order, with the task it gives."""
        out = []
        for name in self.order:
            try:
                t = self.target(name)
            except DatasetError:
                continue
            out.append(TargetCandidate(t.name, t.task,
                                       len(t.classes) if t.classes is not None else None))
        return out


def with_target(ds: StoredDataset, target: str | None, max_classes: int) -> StoredDataset:
    """The dataset as a session with `target` sees it: that column's labels or values, the
    task it gives, the other numeric columns as features (the dataset's own target among them
    when numeric) and only the rows with a target value. None, or the dataset's own target:
    the dataset itself."""
    if target is None or target == ds.target:
        return ds
    table = TargetTable.of(ds, max_classes)
    t = table.target(target)
    features = table.features_for(target)
    rows = t.rows

    def kept(a: NDArray[Any]) -> NDArray[Any]:
        return a if rows is None else a[rows]

    numeric = {f: kept(table.numbers[f]) for f in features}
    text = {k: TextColumn(v.values, kept(v.codes)) for k, v in table.texts.items() if k != target}
    counts = None
    if t.classes is not None:
        counts = dict(zip(t.classes, np.bincount(t.labels, minlength=len(t.classes)).tolist(),
                          strict=True))
    non_features = [NonFeature(n, "text") for n in table.order
                    if n not in table.numbers and n != target]
    n_rows = len(t.labels)
    return replace(ds, task=t.task, target=target, classes=t.classes, features=features,
                   non_features=non_features, n_rows=n_rows,
                   dropped_rows=ds.dropped_rows + (ds.n_rows - n_rows), class_counts=counts,
                   numeric=numeric, labels=t.labels, text=text)


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

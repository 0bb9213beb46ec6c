"""Dataset-level operations the routes call: create (generate or upload), get, list, delete."""

from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.config import Settings
from app.data.csv_parse import parse_csv
from app.data.generators import KINDS, generate
from app.data.prepare import TargetTable
from app.data.store import (
    ColumnInfo,
    DatasetError,
    DatasetInfo,
    Store,
    StoredDataset,
    label_codes,
    new_id,
    now_iso,
    sort_labels,
)


def not_found(dataset_id: str) -> DatasetError:
    return DatasetError(f"no dataset with id '{dataset_id}'", 404)


def create_generated(store: Store, kind: str, n: int, noise: float | None, seed: int,
                     classes: int | None = None, name: str | None = None,
                     max_classes: int = 50) -> StoredDataset:
    """Generate a built-in dataset and store it; any of its columns can be a session's
    target (`target_candidates`), the generator's own is the default."""
    g = generate(kind, n, noise, seed, classes)
    noise = KINDS[kind].default_noise if noise is None else noise
    columns = [ColumnInfo.numeric(k, v) for k, v in g.columns.items()]
    class_list = class_counts = None
    labels: NDArray[Any] = g.labels
    if g.task == "classification":
        class_list = sort_labels(str(v) for v in g.labels)
        labels = label_codes(g.labels, class_list)  # int32 codes, as the store keeps them
        counts = np.bincount(labels, minlength=len(class_list))
        class_counts = {c: int(k) for c, k in zip(class_list, counts, strict=True)}
        columns.append(ColumnInfo(g.target, "text", None, None, None, len(class_list)))
    else:
        columns.append(ColumnInfo.numeric(g.target, np.asarray(g.labels, dtype=np.float64)))
    extra = f", classes={classes}" if classes is not None else ""
    ds = StoredDataset(
        id=new_id(), name=name or f"{kind} (n={n}, noise={noise:g}, seed={seed}{extra})",
        task=g.task, target=g.target, classes=class_list, features=list(g.columns),
        non_features=[], columns=columns, n_rows=n, dropped_rows=0, source="generated",
        kind=kind, class_counts=class_counts, created_at=now_iso(),
        numeric=dict(g.columns), labels=labels, target_reason="the generator's target")
    ds.target_candidates = TargetTable.of(ds, max_classes).candidates()
    store.put_dataset(ds)
    return ds


def create_uploaded(store: Store, settings: Settings, data: bytes, filename: str | None,
                    name: str | None, target: str | None, task: str | None) -> StoredDataset:
    """Parse an uploaded CSV file and store it; nothing is stored when it is rejected."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    default = base.removesuffix(".csv").removesuffix(".CSV").removesuffix(".txt") or "upload"
    ds = parse_csv(data, name=(name or "").strip()[:200] or default, target=target, task=task,
                   max_rows=settings.max_rows, max_columns=settings.max_columns,
                   max_classes=settings.max_classes, max_bytes=settings.max_upload_bytes)
    store.put_dataset(ds)
    return ds


def get_info(store: Store, dataset_id: str) -> DatasetInfo:
    info = store.get_dataset_info(dataset_id)
    if info is None:
        raise not_found(dataset_id)
    return info


def get_dataset(store: Store, dataset_id: str) -> StoredDataset:
    ds = store.get_dataset(dataset_id)
    if ds is None:
        raise not_found(dataset_id)
    return ds


def delete(store: Store, dataset_id: str) -> None:
    """Delete a dataset and its stored sessions."""
    if not store.delete_dataset(dataset_id):
        raise not_found(dataset_id)

"""Persistent storage (SQLite, WAL) for datasets and sessions, behind one small interface.

The dataset model lives here too, because it is what the store keeps:

- `DatasetInfo`: the metadata of a dataset (what `GET /api/datasets/{id}` shows): `id, name,
  task ("classification" | "regression"), target, classes (sorted label strings or None),
  features (numeric non-target columns, in file order), non_features [(name, reason)],
  columns [ColumnInfo(name, kind, min, max, mean, distinct)], n_rows, dropped_rows,
  source ("upload" | "generated"), kind (generator kind or None), class_counts, created_at,
  target_reason (why that column is the target), target_candidates [TargetCandidate(name,
  task, n_classes)]: every column a session could take as its target instead`.
- `StoredDataset(DatasetInfo)`: adds the numbers.
  `numeric: dict[str, NDArray[float64]]` maps every feature column (numeric, not the target)
  to its `(n_rows,)` values, all finite; `labels: NDArray` is the target, `(n_rows,)`: for
  classification `int32` codes into `classes` (row i's label is `classes[labels[i]]`), for
  regression `float64`. Labels are never held as a fixed-width numpy string array, which
  pads every row to the longest label (two 1 000-character labels in a 73 KB file made
  81 MB); an array of label strings given to StoredDataset (a generator's, or a blob
  written by an older version of the store) is turned into codes. `target_values()` gives
  the labels (or numbers) as a list, each distinct label one shared string.
  `text: dict[str, TextColumn]` keeps the text columns other than the target that could be
  a session's target (at most `max_classes` distinct values), compactly: the sorted distinct
  values once and one small integer code per row (-1 = missing), so that a new target needs
  no new upload. A text column with more distinct values (an id, a name) is not kept; nor
  is any text column of a dataset stored before `text` existed (its `text` is empty).

The sessions code fetches a dataset with `Store.get_dataset(id) -> StoredDataset | None` and
hands it to `app.data.prepare.prepare`.

`Store` is the one interface of the persistent store, with two implementations:
`SQLiteStore` (app.data.store_sqlite: the embedded file in the data directory, the default,
shared by the processes of one machine) and `PostgresStore` (app.data.store_pg: a PostgreSQL
server named by `LL_DATABASE_URL`, shared across machines). `open_store(settings)` picks one.
Both keep the same rows: a dataset's metadata as JSON and its arrays as `np.save` blobs (no
pickle), a session's config JSON and state blob, and one lease per session. Every write is one
transaction (a crash leaves the whole dataset or nothing); every method may be called from any
thread and any process. Deleting a dataset also deletes the sessions stored for it (the
sessions code should drop live ones too; see `session_ids_for_dataset`). A failed write or
read (read-only or full disk, corrupt file, server gone) raises `StoreError`, which the routes
answer with 503. The schema is versioned and migrated at open (app.data.migrations).
"""

import io
import json
import secrets
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from app.config import Settings

TargetKind = Literal["classification", "regression"]  # what the target asks for
ColumnKind = Literal["numeric", "text"]
Source = Literal["upload", "generated"]


class DatasetError(ValueError):
    """Bad input a person can fix (a file, generator arguments, features); has an HTTP status."""

    def __init__(self, message: str, status_code: int = 422):
        super().__init__(message)
        self.message = message
        self.status_code = status_code


class StoreError(RuntimeError):
    """The database could not be read or written (read-only or full disk, corrupt file,
    unreachable server)."""


@dataclass
class ColumnInfo:
    """One column as the user sees it: kind and summary statistics over the kept rows."""

    name: str
    kind: ColumnKind
    min: float | None
    max: float | None
    mean: float | None
    distinct: int

    @classmethod
    def numeric(cls, name: str, values: NDArray[np.float64]) -> "ColumnInfo":
        """A numeric column's summary over `values` (its kept rows)."""
        return cls(name, "numeric", float(values.min()), float(values.max()),
                   float(values.mean()), len(np.unique(values)))


@dataclass
class NonFeature:
    """A column that cannot be a feature, and why."""

    name: str
    reason: str


@dataclass
class TargetCandidate:
    """A column that could be a session's target, and what it would give."""

    name: str
    task: TargetKind
    n_classes: int | None  # None for regression


@dataclass
class TextColumn:
    """A text column, compactly: its sorted distinct values and each row's index into them
    (-1 where the cell is missing)."""

    values: list[str]
    codes: NDArray[np.signedinteger[Any]]


def code_dtype(n_values: int) -> type[np.signedinteger[Any]]:
    """The smallest signed integer type holding codes -1 … n_values - 1."""
    if n_values < 2**7:
        return np.int8
    return np.int16 if n_values < 2**15 else np.int32


@dataclass
class DatasetInfo:
    """A dataset's metadata (everything but the numbers)."""

    id: str
    name: str
    task: TargetKind
    target: str
    classes: list[str] | None
    features: list[str]
    non_features: list[NonFeature]
    columns: list[ColumnInfo]
    n_rows: int
    dropped_rows: int
    source: Source
    kind: str | None
    class_counts: dict[str, int] | None
    created_at: str
    target_reason: str = ""
    target_candidates: list[TargetCandidate] = field(default_factory=list)

    @property
    def n_features(self) -> int:
        return len(self.features)

    def info(self) -> "DatasetInfo":
        """The metadata alone (drops the arrays of a StoredDataset)."""
        return DatasetInfo(**{k: getattr(self, k) for k in DatasetInfo.__dataclass_fields__})


@dataclass
class StoredDataset(DatasetInfo):
    """A dataset with its numbers: feature columns and the target (class codes or values)."""

    numeric: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    labels: NDArray[Any] = field(default_factory=lambda: np.empty(0))
    text: dict[str, TextColumn] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.classes is not None and self.labels.dtype.kind in "USO":
            self.labels = label_codes(self.labels, self.classes)

    def class_codes(self) -> NDArray[np.int64]:
        """Classification: each row's index into `classes`."""
        if self.classes is None:
            raise ValueError("a regression dataset has no classes")
        return self.labels.astype(np.int64)

    def target_values(self) -> list[str] | list[float]:
        """The target per row: class labels (one string object per class), or numbers."""
        if self.classes is None:
            values: list[float] = self.labels.astype(np.float64).tolist()
            return values
        classes = self.classes
        return [classes[c] for c in self.labels.tolist()]


def label_codes(labels: Iterable[Any], classes: list[str]) -> NDArray[np.int32]:
    """Labels (strings, or anything whose str() is a class) as int32 indices into `classes`."""
    index = {c: i for i, c in enumerate(classes)}
    try:
        return np.fromiter((index[str(v)] for v in labels), dtype=np.int32)
    except KeyError as e:
        raise ValueError(f"label {str(e)[:60]} is not one of the classes") from None


def sort_labels(labels: Iterable[str]) -> list[str]:
    """Class labels in a stable order: numerically if all are integers ("2" < "10"), else text."""
    unique = sorted(set(labels))
    try:
        return sorted(unique, key=int)
    except ValueError:
        return unique


def new_id() -> str:
    """A short random id for a dataset (not from numpy: ids are not part of any experiment)."""
    return secrets.token_hex(6)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _to_blob(a: NDArray[Any]) -> bytes:
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=False)
    return buf.getvalue()


def _from_blob(b: bytes) -> NDArray[Any]:
    a: NDArray[Any] = np.load(io.BytesIO(b), allow_pickle=False)
    return a


def _meta_json(ds: DatasetInfo) -> str:
    """The metadata as JSON: non-ASCII names stay themselves (not 6-byte \\u escapes each)."""
    info = asdict(ds.info())
    text = json.dumps(info, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate somewhere: SQLite could not store it as text
        text = json.dumps(info)
    return text


def info_from_json(text: str) -> DatasetInfo:
    d = json.loads(text)
    d["columns"] = [ColumnInfo(**c) for c in d["columns"]]
    d["non_features"] = [NonFeature(**c) for c in d["non_features"]]
    if "target_candidates" in d:
        d["target_candidates"] = [TargetCandidate(**c) for c in d["target_candidates"]]
    else:  # stored before candidates were recorded: its own target is the one known to work
        classes = d.get("classes")
        d["target_candidates"] = [TargetCandidate(d["target"], d["task"],
                                                  len(classes) if classes else None)]
    d.setdefault("target_reason", "the target chosen when the dataset was stored")
    return DatasetInfo(**d)


def _strings_blob(values: list[str]) -> NDArray[np.uint8]:
    """Strings as one uint8 array of their JSON (no fixed-width string array: no padding)."""
    text = json.dumps(values, ensure_ascii=False)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: escape it
        data = json.dumps(values).encode("ascii")
    return np.frombuffer(data, dtype=np.uint8)


def _strings_from_blob(a: NDArray[Any]) -> list[str]:
    values: list[str] = json.loads(a.astype(np.uint8).tobytes().decode("utf-8"))
    return values


def dataset_blobs(ds: StoredDataset) -> tuple[str, list[tuple[str, bytes]]]:
    """A dataset as the store keeps it: its metadata JSON and (key, np.save blob) per array."""
    blobs = [("numeric:" + k, _to_blob(v)) for k, v in ds.numeric.items()]
    blobs.append(("labels", _to_blob(ds.labels)))
    for k, t in ds.text.items():
        blobs.append(("text:" + k, _to_blob(t.codes)))
        blobs.append(("text-values:" + k, _to_blob(_strings_blob(t.values))))
    return _meta_json(ds), blobs


def dataset_from_blobs(info: DatasetInfo, rows: Iterable[tuple[str, bytes]]) -> StoredDataset:
    """The dataset back from its metadata and (key, blob) rows in their stored order."""
    arrays = {k: _from_blob(bytes(b)) for k, b in rows}  # labels: codes, or (older) strings
    numeric = {k.removeprefix("numeric:"): v.astype(np.float64)
               for k, v in arrays.items() if k.startswith("numeric:")}
    text = {k.removeprefix("text:"): TextColumn(
                _strings_from_blob(arrays["text-values:" + k.removeprefix("text:")]), v)
            for k, v in arrays.items() if k.startswith("text:")}
    fields = {k: getattr(info, k) for k in DatasetInfo.__dataclass_fields__}
    return StoredDataset(**fields, numeric=numeric, labels=arrays["labels"], text=text)


class Store(ABC):
    """The persistent store: datasets, sessions and session leases. `Store(path)` opens the
    SQLite file at `path` (as it did before there were two backends)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> "Store":
        if cls is Store:
            from app.data.store_sqlite import SQLiteStore
            cls = SQLiteStore
        return super().__new__(cls)

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def schema_version(self) -> int:
        """The last migration this store has run (app.data.migrations)."""

    # Datasets

    @abstractmethod
    def put_dataset(self, ds: StoredDataset) -> None:
        """Save a dataset (metadata and arrays) in one transaction; replaces one with its id."""

    @abstractmethod
    def get_dataset_info(self, dataset_id: str) -> DatasetInfo | None: ...

    @abstractmethod
    def get_dataset(self, dataset_id: str) -> StoredDataset | None:
        """The dataset with its arrays, or None when there is no such id."""

    @abstractmethod
    def list_datasets(self) -> list[DatasetInfo]:
        """Every dataset's metadata, oldest first."""

    @abstractmethod
    def delete_dataset(self, dataset_id: str) -> bool:
        """Delete a dataset and the sessions stored for it; False when there was none."""

    # Sessions (used by the sessions code)

    @abstractmethod
    def put_session(self, session_id: str, dataset_id: str, config_json: str, state: bytes) -> None:
        """Insert or replace a session's config and state, atomically, stamping updated_at."""

    @abstractmethod
    def get_session(self, session_id: str) -> tuple[str, bytes] | None:
        """(config_json, state) of a stored session, or None."""

    @abstractmethod
    def list_session_ids(self) -> list[str]:
        """Every stored session's id, least recently saved first."""

    @abstractmethod
    def session_ids_for_dataset(self, dataset_id: str) -> list[str]: ...

    @abstractmethod
    def delete_session(self, session_id: str) -> bool:
        """Delete a stored session; False when there was none."""

    # Leases: one holder (a process, by its worker name) per session. Each call is atomic,
    # whichever process or machine makes it; expiry is by the database's clock.

    @abstractmethod
    def claim(self, session_id: str, holder: str, seconds: float) -> str:
        """Take the session's lease for `seconds` if it is free, expired or already
        `holder`'s (then renew it); the holder after the attempt (`holder` on success)."""

    @abstractmethod
    def renew(self, holder: str, seconds: float) -> dict[str, str | None]:
        """Extend every lease `holder` holds by `seconds` from now (an expired one too, as
        long as nobody else has claimed it); {session_id: wanted_by} for each (wanted_by: who
        asked for a handover, or None). A session missing from the answer is not `holder`'s."""

    @abstractmethod
    def want(self, session_id: str, by: str) -> None:
        """Ask the session's holder to hand it over to `by` (seen in the holder's next
        renew); nothing when the session has no lease or `by` holds it."""

    @abstractmethod
    def release(self, session_id: str, holder: str) -> None:
        """Drop the lease (and its handover request) if `holder` holds it."""

    @abstractmethod
    def holder(self, session_id: str) -> str | None:
        """The live (unexpired) holder of the session, or None."""


def open_store(settings: "Settings") -> Store:
    """The store the settings name: PostgreSQL at `database_url` when it is set, else the
    embedded SQLite file in the data directory."""
    if settings.database_url:
        from app.data.store_pg import PostgresStore  # psycopg is only needed here
        return PostgresStore(settings.database_url)
    from app.data.store_sqlite import SQLiteStore
    return SQLiteStore(settings.db_path)

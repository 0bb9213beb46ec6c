"""Requests and responses of the datasets API (/api/datasets)."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.data.generators import MAX_CLASSES, MAX_N, MIN_CLASSES, MIN_N, Kind


class GenerateRequest(BaseModel):
    """Make a built-in dataset; the same arguments always give the same points."""

    # `classes` belongs to kind 'blobs' only (other kinds refuse it with 422): say so in OpenAPI;
    # strict: `true` or "5" is not a number here (lax pydantic would take them as 1 and 5).
    model_config = ConfigDict(strict=True, json_schema_extra={
        "if": {"properties": {"kind": {"not": {"const": "blobs"}}}},
        "then": {"properties": {"classes": {"type": "null"}}},
    })

    kind: Kind = Field(description="which dataset; see GET /api/datasets/kinds")
    n: int = Field(200, ge=MIN_N, le=MAX_N, description="number of points")
    noise: float | None = Field(None, ge=0.0, le=1.0,
                                description="0 = clean shape, 1 = heavy; meaning per kind in "
                                "GET /api/datasets/kinds; omitted: the kind's default")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="random seed")
    classes: int | None = Field(None, ge=MIN_CLASSES, le=MAX_CLASSES,
                                description="number of classes (kind 'blobs' only; default 3)")
    name: str | None = Field(None, max_length=200, description="default: from kind and arguments")


class KindInfo(BaseModel):
    """One built-in dataset kind, for the picker's thumbnails."""

    kind: str
    description: str
    task: Literal["classification", "regression"]
    n_features: int
    n_classes: int | None
    default_noise: float
    noise: str = Field(description="what noise means for this kind")


class Column(BaseModel):
    """A column and its statistics over the kept rows (min, max, mean null for text)."""

    name: str
    kind: Literal["numeric", "text"]
    min: float | None
    max: float | None
    mean: float | None
    distinct: int


class NonFeature(BaseModel):
    """A column that cannot be a feature, and why."""

    name: str
    reason: str


class TargetCandidate(BaseModel):
    """A column a session could take as its target (`SessionConfig.target`), no new upload."""

    name: str
    task: Literal["classification", "regression"] = Field(
        description="what a session with this target learns: a text column, or one with at "
        "most 20 distinct whole numbers, is a classification, any other numeric column a "
        "regression (the dataset's own target keeps the task it was uploaded with)")
    n_classes: int | None = Field(description="how many classes; null for regression")


class Dataset(BaseModel):
    """A stored dataset, described so a user can choose features."""

    id: str
    name: str
    task: Literal["classification", "regression"]
    n_rows: int
    columns: list[Column]
    features: list[str] = Field(description="numeric non-target columns")
    non_features: list[NonFeature]
    target: str = Field(description="the default target of its sessions")
    target_reason: str = Field(
        description="why this column is the target: named in the upload's target field, or "
        "which rule of the guess chose it (the last column when it is a class label, else the "
        "text column with the fewest distinct values, else the last column)")
    target_candidates: list[TargetCandidate] = Field(
        description="every column a session could take as its target instead, in file order, "
        "with the task each would give; pass one as SessionConfig.target")
    classes: list[str] | None = Field(description="sorted class labels; null for regression")
    class_counts: dict[str, int] | None
    dropped_rows: int = Field(description="rows dropped for a missing or non-finite value")
    source: Literal["upload", "generated"]
    kind: str | None = Field(description="the generator kind, or null for uploads")
    n_features: int
    created_at: str


class Points(BaseModel):
    """The rows as numbers, for drawing: `columns[f][i]` and `target[i]` describe row i."""

    features: list[str]
    columns: dict[str, list[float]]
    target_name: str
    target: list[str] | list[float] = Field(description="class labels (strings) or numbers")
    classes: list[str] | None

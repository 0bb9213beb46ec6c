"""Pydantic models of the sessions API and the stream: the contract scripts and the page use."""

from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.data.prepare import TRANSFORMS
from app.nn.activations import ACTIVATIONS
from app.nn.init import INITS
from app.nn.losses import OUTPUT_FOR_TASK
from app.nn.optimizers import OPTIMIZERS


def keys_of(registry: Iterable[str]) -> Any:
    """The Literal type of a registry's keys, in its order: what pydantic accepts and OpenAPI
    lists, so that a key is written once, in its registry."""
    return Literal[tuple(registry)]


if TYPE_CHECKING:  # mypy cannot read a Literal built at run time: to it these are strings
    Activation: TypeAlias = str
    OptimizerName: TypeAlias = str
    InitName: TypeAlias = str
    Transform: TypeAlias = str
    Task: TypeAlias = str
else:
    Activation = keys_of(ACTIVATIONS)
    OptimizerName = keys_of(OPTIMIZERS)
    InitName = keys_of(INITS)
    Transform = keys_of(TRANSFORMS)
    Task = keys_of(OUTPUT_FOR_TASK)  # what the network learns: binary, multiclass, regression


class Status(StrEnum):
    """Where a session stands; `can_become` is the one table of the moves between them."""

    READY = "ready"  # fresh weights, never trained
    RUNNING = "running"  # being played
    PAUSED = "paused"  # trained some, not being played
    DIVERGED = "diverged"  # the loss stopped being finite; reset, rewind or edit to go on

    def can_become(self, new: "Status") -> bool:
        """Whether a session may move from this status to `new` (staying put always may)."""
        return new == self or new in _MOVES[self]


_MOVES: dict[Status, frozenset[Status]] = {
    Status.READY: frozenset({Status.RUNNING, Status.PAUSED, Status.DIVERGED}),
    Status.RUNNING: frozenset({Status.PAUSED, Status.DIVERGED}),
    Status.PAUSED: frozenset({Status.RUNNING, Status.DIVERGED, Status.READY}),
    Status.DIVERGED: frozenset({Status.PAUSED, Status.READY}),
}

# Every request and control message: no unknown fields, no coercion, only finite numbers.
REQUEST = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class Hyperparameters(BaseModel):
    """What can change mid-training without touching the weights (PATCH, stream `set`)."""

    model_config = REQUEST

    learning_rate: float | None = Field(None, gt=0, le=10, examples=[0.03])
    l1: float | None = Field(None, ge=0, le=10)
    l2: float | None = Field(None, ge=0, le=10)
    batch_size: int | None = Field(
        None, ge=1, le=200_000, description="a new batch size (null keeps it; see full_batch)"
    )
    full_batch: bool | None = Field(None, description="true sets batch_size to null (full batch)")
    optimizer: OptimizerName | None = None


class SessionConfig(BaseModel):
    """Everything that defines a training run; same config and seed → identical parameters."""

    model_config = REQUEST

    dataset_id: str = Field(..., min_length=1, max_length=64)
    target: str | None = Field(
        None, min_length=1, max_length=2**20,  # the longest column name an upload takes
        description="the column to predict; default (null): the dataset's target, filled in "
        "when the session is made. Any other column of the same dataset works without a new "
        "upload (one listed in the dataset's target_candidates): a text column, or one with at "
        "most 20 distinct whole numbers, is a classification, any other numeric column a "
        "regression; the dataset's own target then goes back among the default features "
        "when it is numeric. 422 for a column the dataset does not have (naming its "
        "columns) or one that would leave no numeric feature",
    )
    features: list[str] | None = Field(
        None, description="raw feature columns; default: every numeric column but the target"
    )
    hidden_layers: list[int] = Field(
        default_factory=lambda: [4],
        description="neurons per hidden layer; [] = logistic regression",
    )
    activation: Activation = "sigmoid"
    optimizer: OptimizerName = "adam"
    learning_rate: float = Field(0.03, gt=0, le=10)
    batch_size: int | None = Field(None, ge=1, le=200_000, description="null = full batch")
    l1: float = Field(0.0, ge=0, le=10)
    l2: float = Field(0.0, ge=0, le=10)
    init: InitName = "xavier"
    init_value: float = Field(0.5, ge=-10, le=10, description="the weight for init='constant'")
    seed: int = Field(0, ge=0, le=2**32 - 1)
    test_fraction: float = Field(0.2, ge=0, le=0.9)
    transforms: list[Transform] | None = Field(
        None, description="for 2-feature data: the network's inputs, e.g. ['x1sq', 'x2sq']"
    )
    view_features: list[str] | None = Field(
        None, description="the 1 or 2 features the maps are drawn over (others at their mean)"
    )

    @model_validator(mode="after")
    def _shape_is_sane(self) -> "SessionConfig":
        if any(n < 1 for n in self.hidden_layers):
            raise ValueError("every hidden layer needs at least 1 neuron")
        return self


class Metrics(BaseModel):
    """Loss (and accuracy for classification) on the training and test rows."""

    train_loss: float | None = None
    test_loss: float | None = None
    train_accuracy: float | None = None
    test_accuracy: float | None = None


class Session(BaseModel):
    """A training session as it stands now."""

    id: str
    config: SessionConfig
    status: Status
    step: int
    epoch: int
    metrics: Metrics
    message: str | None = Field(None, description="why the session diverged, when it did")
    task: Task
    classes: list[str] | None
    inputs: list[str] = Field(description="the network's input names (features or transforms)")
    sizes: list[int] = Field(description="layer widths: inputs, hidden…, outputs")


class StepRequest(BaseModel):
    """Train `steps` updates, or `epochs` passes over the training rows (exactly one)."""

    model_config = REQUEST

    steps: int | None = Field(None, ge=1, examples=[100])
    epochs: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _one_of(self) -> "StepRequest":
        if (self.steps is None) == (self.epochs is None):
            raise ValueError("give exactly one of 'steps' or 'epochs'")
        return self


class ResetRequest(BaseModel):
    model_config = REQUEST

    seed: int | None = Field(None, ge=0, le=2**32 - 1, description="default: the config's seed")


class RewindRequest(BaseModel):
    model_config = REQUEST

    step: int = Field(..., ge=0, description="any step 0 ≤ step ≤ now (replayed exactly from "
                      "the nearest checkpoint)")


class ForkRequest(BaseModel):
    """Where the fork starts: any step of the run, 0 ≤ step ≤ now (default: now)."""

    model_config = REQUEST

    step: int | None = Field(None, ge=0, description="any step 0 ≤ step ≤ now; null or "
                             "omitted: now")


class LayerValues(BaseModel):
    """One weight layer's new values: `weights` as in×out, `bias` per output unit."""

    model_config = REQUEST

    weights: list[list[float]] = Field(..., max_length=256)
    bias: list[float] = Field(..., max_length=256)


class ParametersRequest(BaseModel):
    """Every weight and bias of the network, hidden layers first (as `model.layers`)."""

    model_config = REQUEST

    layers: list[LayerValues] = Field(..., min_length=1, max_length=16)


class LayerParams(BaseModel):
    """One weight layer: `weights` as in×out, `bias` per output unit."""

    weights: list[list[float]]
    bias: list[float]
    activation: str


class GridInfo(BaseModel):
    """Where a map's cells are: `x`, `y` as [min, max] in the view features' raw units."""

    size: int
    x: list[float]
    y: list[float] | None = Field(description="null for 1-D data (each map is one row)")
    features: list[str]


class Snapshot(BaseModel):
    """Every map and parameter at one step, from one forward pass over the grid."""

    step: int
    metrics: Metrics
    layers: list[LayerParams]
    grid: GridInfo
    output: list[list[float]] | list[list[list[float]]] = Field(
        description="G×G (binary: P(second class); regression: value) or K×G×G (multi-class)"
    )
    neurons: list[list[list[list[float]]]] = Field(
        description="per hidden layer, per neuron, a G×G grid of its activation"
    )


class PredictRequest(BaseModel):
    model_config = REQUEST

    points: list[list[float]] = Field(
        ..., min_length=1, max_length=10_000,
        description="rows of raw feature values, in the session's feature order",
    )


class Prediction(BaseModel):
    probabilities: list[list[float]] | None = None
    predictions: list[str] | None = None
    values: list[float] | None = None
    activations: list[list[list[float]]] = Field(
        description="per hidden layer, per point, per neuron"
    )


class History(BaseModel):
    """Metrics per recorded step (the latest at every step, older ones thinned) and the
    checkpoints that replays start from (rewind, peek, snapshot and fork take any step)."""

    steps: list[int]
    train_loss: list[float | None]
    test_loss: list[float | None]
    train_accuracy: list[float | None] | None = None
    test_accuracy: list[float | None] | None = None
    checkpoints: list[int]


class Model(BaseModel):
    """Everything needed to predict without the app (see the README for the recipe)."""

    features: list[str]
    transforms: list[str] | None
    standardize: dict[str, list[float]]
    target: str
    target_standardize: dict[str, float] | None
    classes: list[str] | None
    task: Task
    activation: str
    layers: list[LayerParams]
    output: str


# ---- stream control messages (client → server) ---------------------------------------------
class PlayControl(BaseModel):
    """Train continuously: `speed` steps (or epochs) per second, null = as fast as possible."""

    model_config = REQUEST
    type: Literal["play"]
    speed: float | None = Field(None, gt=0, le=1_000_000)
    unit: Literal["steps", "epochs"] = "steps"


class PauseControl(BaseModel):
    model_config = REQUEST
    type: Literal["pause"]


class StepControl(BaseModel):
    model_config = REQUEST
    type: Literal["step"]
    steps: int = Field(1, ge=1, le=1_000_000)


class SetControl(Hyperparameters):
    type: Literal["set"]


class ResetControl(ResetRequest):
    type: Literal["reset"]


class RewindControl(RewindRequest):
    type: Literal["rewind"]


class PeekControl(BaseModel):
    """Send one frame of the network as it was at any past `step`, without changing it."""

    model_config = REQUEST
    type: Literal["peek"]
    step: int = Field(..., ge=0)


class SetParametersControl(ParametersRequest):
    """Every weight and bias, as REST `PUT /parameters` takes them; one frame follows."""

    type: Literal["set_parameters"]


OUTPUT_GRID = 100  # the output map's cells per side, unless a view asks for another size
NEURON_GRID = 64  # each neuron map's


class NeuronRef(BaseModel):
    """A hidden neuron: `layer` 1 is the first hidden layer, `index` counts from 0."""

    model_config = REQUEST
    layer: int = Field(..., ge=1)
    index: int = Field(..., ge=0)


class ViewControl(BaseModel):
    """The maps this client draws, and their sizes: its frames carry those and no others.
    Each view message replaces the last one (an omitted field takes its default)."""

    model_config = REQUEST
    type: Literal["view"]
    output: int = Field(OUTPUT_GRID, ge=0, description="output map cells per side; 0: none")
    neurons: Literal["all", "none"] | list[NeuronRef] = "all"
    neuron_size: int = Field(NEURON_GRID, ge=2, description="each neuron map's cells per side")
    hidden_points: bool = True


Control = Annotated[
    PlayControl | PauseControl | StepControl | SetControl | ResetControl | RewindControl
    | PeekControl | SetParametersControl | ViewControl,
    Field(discriminator="type"),
]

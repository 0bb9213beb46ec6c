"""The gradient endpoint's answer: the loss's gradient at the current weights, the next step's
weights, and the error signal δ that backpropagation hands every hidden neuron."""

from pydantic import BaseModel, Field

from app.schemas.sessions import GridInfo, LayerParams


class LayerGradient(BaseModel):
    """One weight layer's numbers in the snapshot's shape: `weights` in×out, `bias` per unit."""

    weights: list[list[float]]
    bias: list[float]


class TrainingPoints(BaseModel):
    """The training rows the δ dots are drawn at (every `every`-th row, as the stream's
    init.points.train): `x` their raw view-feature values, `y` their class index or target."""

    every: int
    x: list[list[float]]
    y: list[float]


class Gradient(BaseModel):
    """∂loss/∂(every weight and bias) at one step, and what one more step does with it."""

    step: int
    loss: float | None = Field(description="the total training loss a full-batch step "
                               "minimises: mean data loss over every training row + l2/2·Σw² + "
                               "l1·Σ|w| (regression: on the standardized target, as training "
                               "sees it); null, like any number here, when it is not finite")
    data_loss: float | None
    penalty: float | None
    n_train: int = Field(description="the rows the gradient averages over: all training rows")
    optimizer: str
    learning_rate: float
    batch_size: int | None = Field(description="the session's batch (null: full batch)")
    l1: float
    l2: float
    layers: list[LayerParams] = Field(description="the weights and biases now (as snapshot)")
    gradient: list[LayerGradient] = Field(description="∂loss/∂W (in×out) and ∂loss/∂b per layer")
    next_layers: list[LayerGradient] | None = Field(
        description="the weights and biases after the session's next step, exactly as POST "
        "step would make them (its optimizer and state, its next minibatch); null when that "
        "step would diverge")
    grid: GridInfo
    delta_classes: list[str] | None = Field(
        description="classification: the classes the δ maps assume, in order; regression: null")
    delta_maps: list[list[list[list[list[float]]]]] | None = Field(
        description="per hidden layer, per neuron, per class c: a G×G map (rows as snapshot) of "
        "the δ = ∂loss/∂z this neuron would get from one more training point of class c at that "
        "position (its 1/N share of the mean); empty lists for the layers and neurons not "
        "asked for (?layer=, ?neuron=). Regression: null (a grid point has no target)")
    points: TrainingPoints
    delta_points: list[list[list[float]]] = Field(
        description="per hidden layer, per neuron, per shown training row: its δ = ∂loss/∂z "
        "(the 1/N share of the mean), whose sum over all rows is the bias's gradient; empty "
        "lists for the layers and neurons not asked for")
    explanation: dict[str, str] = Field(
        description="what the slow-motion view draws, in words true for this setup: "
        "'arrows', 'delta' and 'step'")

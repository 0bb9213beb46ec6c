"""The vocabulary: every name, range, limit and explanatory sentence the page shows.

Keys, formulas, ranges and limits are read from the registries (app.nn, app.data) and from the
settings and request models; the words for them (labels, hints, the texts that say what a
network and a neuron are in each setup) are written here, once, keyed by those registries.
Served at GET /api/vocabulary and embedded in every page.
"""

import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from app.config import Settings
from app.data.generators import KINDS, MAX_CLASSES, MIN_CLASSES
from app.data.prepare import TRANSFORM_LABELS, TRANSFORMS
from app.nn.activations import ACTIVATIONS
from app.nn.init import INITS
from app.nn.losses import OUTPUT_FOR_TASK, OUTPUTS
from app.nn.optimizers import OPTIMIZERS
from app.schemas.datasets import GenerateRequest
from app.schemas.sessions import PlayControl, SessionConfig, StepControl
from app.training.frames import SOFTMAX_RANGE

Range = list[float | None]  # [lo, hi]; null: unbounded on that side


class ActivationWords(BaseModel):
    key: str
    label: str
    symbol: str = Field(description="how a neuron's formula writes it: σ(…), tanh(…); '' = none")
    formula: str
    range: Range


class OutputWords(BaseModel):
    activation: str = Field(description="the output activation's key: sigmoid, softmax, identity")
    label: str
    formula: str
    range: Range
    units: Literal["one", "K"] = Field(description="one unit, or K: one per class")
    loss: str
    loss_formula: str


class TaskWords(BaseModel):
    key: str
    label: str
    output: OutputWords


class InitWords(BaseModel):
    key: str
    label: str
    hint: str


class OptimizerWords(BaseModel):
    key: str
    label: str
    hint: str


class TransformWords(BaseModel):
    key: str
    label: str


class PaneWords(BaseModel):
    """A view the output column can show, by its tab."""

    key: str
    label: str
    hint: str = Field(description="what the view shows, for the tab's tooltip")


class KindWords(BaseModel):
    key: str
    label: str
    title: str = Field(description="the label with what sets the kind apart, for a tooltip")
    description: str
    dimensions: Literal[1, 2]
    task: str = Field(description="binary, multiclass or regression")
    classes: list[int] | None = Field(description="[fewest, most] classes; null for regression")


class Limits(BaseModel):
    """Every bound the API enforces, as numbers (from the settings and the request models)."""

    max_hidden_layers: int
    max_neurons: int
    max_grid: int
    max_steps_per_request: int
    max_seconds_per_request: float
    max_upload_bytes: int
    max_rows: int
    max_columns: int
    max_classes: int
    max_live_sessions: int
    max_control_message_bytes: int
    frame_rate: float
    test_fraction_max: float
    learning_rate_min_exclusive: float
    learning_rate_max: float
    l1_max: float
    l2_max: float
    init_value_min: float
    init_value_max: float
    batch_size_max: int
    seed_max: int
    speed_max: float
    stream_steps_max: int
    dataset_n_min: int
    dataset_n_max: int
    noise_max: float


class CardTexts(BaseModel):
    first: str = Field(description="a neuron of the first hidden layer")
    deeper: str = Field(description="a neuron of a later hidden layer")
    output: str = Field(description="an output neuron, after hidden layers")
    output_alone: str = Field(description="the output neuron with no hidden layer")


class Hints(BaseModel):
    """One-line explanations of the terms the page shows on hover."""

    pca: str
    xavier: str
    he: str
    standardized: str
    softmax: str
    log_loss: str
    cross_entropy: str


class Texts(BaseModel):
    network: dict[str, dict[str, dict[str, str]]] = Field(
        description="activation → task → hidden layers ('0', '1', '2+') → the explainer")
    card: dict[str, dict[str, CardTexts]] = Field(description="activation → task → card texts")
    hints: Hints
    views: dict[str, dict[str, str]] = Field(
        description="view (sums, hidden, compare, symmetry, card, network, stuck, output, "
        "collapse) → key → "
        "text; {name}: a value the page fills in")


class PlaygroundStart(BaseModel):
    """What the playground opens on where it differs from SessionConfig's defaults."""

    hidden_layers: list[int]
    activation: str
    speed: float = Field(description="training steps per second while playing")


class Vocabulary(BaseModel):
    """The one source of every name the page shows; see GET /api/vocabulary."""

    activations: list[ActivationWords]
    tasks: list[TaskWords]
    inits: list[InitWords]
    optimizers: list[OptimizerWords]
    transforms: list[TransformWords]
    dataset_kinds: list[KindWords]
    panes: list[PaneWords] = Field(description="what the output column can show; the first is "
                                   "the default")
    limits: Limits
    defaults: dict[str, Any] = Field(description="SessionConfig's defaults")
    playground: "PlaygroundStart"
    texts: Texts


# ---- words for the registries' keys and for the terms on the page ---------------------------
HINTS = {
    "pca": "PCA (principal component analysis) finds the two directions along which the points "
    "spread the most, so a flat picture with those two axes keeps as much of their spread as "
    "two axes can.",
    "xavier": "Xavier (also called Glorot): random starting weights scaled by how many inputs "
    "and outputs a layer has, so signals keep about the same size from layer to layer; suits "
    "sigmoid and tanh.",
    "he": "He: random starting weights scaled by how many inputs a layer has, a little larger "
    "than Xavier's, so ReLU neurons, which give 0 about half the time, keep their signal "
    "through the layers.",
    "standardized": "Standardized: each input has its training mean subtracted and is divided "
    "by its standard deviation, so 0 means average and 1 means one standard deviation above "
    "it. The weights, and the formulas shown, act on these values, not on the raw numbers.",
    "softmax": "Softmax: takes K scores, raises e to each and divides by their total, giving K "
    "probabilities that add up to 1; the largest score gets the largest share.",
    "log_loss": "Log-loss: the average of −log(the probability given to a point's own class): "
    "0 when every point gets probability 1, large when a point is confidently wrong.",
    "cross_entropy": "Cross-entropy: log-loss for more than two classes, the average of "
    "−log(the probability given to each point's own class).",
}

INIT_WORDS = {
    "xavier": ("Xavier", HINTS["xavier"]),
    "he": ("He", HINTS["he"]),
    "uniform": ("uniform ±0.5", "every weight drawn evenly between −0.5 and 0.5, biases 0"),
    "constant": ("constant", "every weight the same value, biases 0: the neurons of a layer "
                 "start identical and stay identical (the symmetry demonstration)"),
    "zeros": ("zeros", "every weight and bias 0: the neurons of a layer stay identical"),
}
OPTIMIZER_WORDS = {
    "sgd": ("SGD", "plain gradient descent: each step goes down the loss's slope, "
            "by the learning rate"),
    "momentum": ("momentum", "gradient descent that keeps part of its previous steps' "
                 "direction, so it rolls on through flat stretches"),
    "adam": ("Adam", "gradient descent that scales each weight's step by how large and steady "
             "its slope has been; usually the quickest to settle"),
}
PANES = {  # the output column's views: label, tooltip
    "output": ("Output map", "The network's output over the inputs, with the data"),
    "hidden": ("Hidden space", "The points as the last hidden layer sees them: there the "
               "output neuron's boundary is a straight line"),
    "sums": ("Sum of neurons", "The 1-D output as each hidden neuron's weighted curve, added up "
             "with the bias"),
    "collapse": ("One equivalent layer", "Linear neurons: the whole network is one layer, the "
                 "product of its weight matrices, with its numbers"),
}
KIND_LABELS = {
    "circle": "Circle", "xor": "XOR", "gauss": "Two Gaussians", "spiral": "Spiral",
    "moons": "Moons", "linear": "Linear", "blobs": "Blobs", "spiral3": "Three spirals",
    "sine": "Sine", "step": "Step", "abs": "|x|", "cubic": "Cubic", "bump": "Bump",
    "interval": "Interval", "plane": "Plane", "hills": "Hills",
}
# the output activations the hidden registry does not hold: label, formula, range
OUTPUT_WORDS: dict[str, tuple[str, str, Range]] = {
    "softmax": ("softmax", "softmax(z)ₖ = e^(zₖ) / Σⱼ e^(zⱼ)", list(SOFTMAX_RANGE)),
    "identity": ("identity", "ŷ = z", [None, None]),
}
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def transform_label(key: str) -> str:
    """prepare.py's label of a transform, with its feature numbers written as subscripts."""
    return re.sub(r"x(\d)", lambda m: "x" + m.group(1).translate(_SUBSCRIPT), TRANSFORM_LABELS[key])


# ---- the texts: what holds exactly in each setup, and where the analogy stops --------------
TASK_WORDS = {
    "binary": {"label": "binary classification", "loss": "mean log-loss", "short": "log-loss",
               "loss_formula": "−mean(y·log p + (1 − y)·log(1 − p))", "target": "labels"},
    "multiclass": {"label": "multi-class classification", "loss": "mean cross-entropy",
                   "short": "cross-entropy", "loss_formula": "−mean(log p_y)",
                   "target": "labels"},
    "regression": {"label": "regression", "loss": "mean squared error / 2",
                   "short": "squared error", "loss_formula": "mean((ŷ − y)²) / 2",
                   "target": "target values"},
}
_CURVED = f"curved on the map only through added inputs such as {transform_label('x1sq')}"
_DEPTH0 = {
    "binary": "the network is logistic regression. It computes σ(w·x + b), a "
    "weighted sum of the inputs plus a bias turned into the probability of the second class, "
    "and training lowers the mean log-loss, so it reaches the same fit as scikit-learn's "
    "LogisticRegression (with the same regularisation). Its boundary, where w·x + b = 0, is a "
    f"straight line over the inputs (one cut point for one feature; {_CURVED}).",
    "multiclass": "the network is multinomial logistic regression (logistic regression "
    "extended to K classes). It has one output unit per class, K in all; each computes a "
    "score w·x + b shaped like a logistic regression's, and softmax turns the K scores "
    "together into probabilities that add up to 1. Training lowers the mean cross-entropy. "
    "Where two scores tie, the boundary is a straight line over the inputs, so each class's "
    f"region is bounded by straight lines ({_CURVED}).",
    "regression": "the network is linear regression. It computes ŷ = w·x + b, a "
    "weighted sum of the inputs plus a bias with nothing applied, and training lowers the mean "
    "squared error / 2, so without L1 or L2 it reaches the least-squares fit. It draws a flat "
    f"plane over the inputs, a straight line for one feature ({_CURVED}). Logistic regression "
    "is the same sum passed through a sigmoid; here the sum itself is the prediction.",
}
_FIRST = {  # what a first-layer neuron is; {who}: "Each" or "Each first-layer neuron"
    "sigmoid": "{who} has exactly the form of a logistic regression on the inputs, σ(w·x + b): "
    "a line w·x + b = 0 with an S-curve from 0 to 1 across it.",
    "tanh": "{who} computes tanh(w·x + b); since tanh z = 2σ(2z) − 1, that is a sigmoid neuron "
    "with doubled weights and its output stretched to run from −1 to 1: the same line "
    "w·x + b = 0 and S-curve across it as a logistic regression's, only a different range.",
    "relu": "{who} computes max(0, w·x + b): it keeps a logistic regression's line "
    "w·x + b = 0 but not its S-curve, being 0 on one side and a ramp rising with the distance "
    "on the other, with no upper limit and no probability.",
}
_DEEPER = {
    "sigmoid": "A deeper neuron has the same form on the previous layer's outputs, so its map "
    "combines the previous maps: combinations of combinations, with curves and corners no "
    "single line draws.",
    "relu": "A deeper neuron ramps a weighted sum of the previous layer's ramps, so every map "
    "is made of flat pieces meeting at creases, and each layer can add more pieces.",
}
_DEEPER["tanh"] = _DEEPER["sigmoid"]
_SHAPED = ("But their weights are not fitted to the {target}: training shapes them to lower "
           "the output's {short}, so each neuron extracts one feature rather than approximating "
           "the data.")
_SHAPED_ALL = ("No neuron is fitted to the {target} on its own: training shapes them all to "
               "lower the output's {short}.")
_OUTPUT = {
    "binary": "The output neuron has the form of a logistic regression on the last hidden "
    "layer's outputs (its features): in the space of those outputs its boundary is a straight "
    "line, and over the inputs it bends as the features do. That the features make the classes "
    "separable by such a line is not guaranteed: on XOR, 2 neurons can stop at 88% accuracy.",
    "multiclass": "The output layer has one unit per class, K in all: each a score on the last "
    "hidden layer's outputs shaped like a logistic regression, and softmax turns the K scores "
    "together into probabilities that add up to 1. In the space of those outputs each boundary "
    "between classes is straight; over the inputs it bends as the features do. That the "
    "features separate every class is not guaranteed.",
}
_SUM = {  # what the output of a regression adds up
    "sigmoid": "smooth steps and bumps that can build any smooth shape, given enough neurons. "
    "There are no probabilities here: the likeness to logistic regression is only the hidden "
    "neurons' form.",
    "relu": "ramps, making a shape of flat pieces, with more pieces as neurons are added. There "
    "are no probabilities here, and no S-curves: the hidden neurons keep only a logistic "
    "regression's lines.",
}
_SUM["tanh"] = _SUM["sigmoid"]
_REGRESSION_OUT = ("The output applies no sigmoid: ŷ = w·h + b, a weighted sum of the last "
                   "hidden layer's outputs h plus a bias, so the prediction is the last hidden "
                   "layer's maps weighted and added up: ")
_COLLAPSE = {  # linear hidden layers: what the network still draws, whatever the depth
    "binary": "followed by the output's sigmoid: its boundary stays one straight line over the "
    "inputs, just as with no hidden layer (logistic regression), so separating the classes is "
    "not guaranteed: no straight line splits XOR",
    "multiclass": "followed by the output's softmax over K scores: every boundary between "
    "classes stays a straight line over the inputs, just as with no hidden layer "
    "(multinomial logistic regression)",
    "regression": "and the prediction stays a flat plane over the inputs (a straight line for "
    "one feature), just as with no hidden layer (linear regression)",
}
_STAYS = {
    "binary": "the network's boundary stays a straight line over the inputs, whatever the depth",
    "multiclass": "the boundaries between classes stay straight over the inputs, whatever the "
    "depth",
    "regression": "the prediction stays a flat plane over the inputs, whatever the depth",
}


def network_texts(act: str, task: str) -> dict[str, str]:
    """The network explainer for `act` hidden neurons on `task`, per number of hidden layers."""
    w, label = TASK_WORDS[task], ACTIVATIONS[act].label
    zero = (f"No hidden layer: {_DEPTH0[task]} The activation, {label}, acts only on hidden "
            "neurons: add a layer to use it.")
    if act == "linear":
        tail = (f"A weighted sum of weighted sums is still one weighted sum, so the whole network "
                f"is one linear map of the inputs, {_COLLAPSE[task]}. The weights are shaped "
                f"by the output's {w['short']}; the hidden neurons add no bends, and only "
                f"added inputs such as {transform_label('x1sq')} curve the map.")
        return {"0": zero,
                "1": "One hidden layer of linear neurons: each computes w·x + b, the weighted "
                f"sum itself with nothing applied, a tilted plane over the inputs. {tail}",
                "2+": "Several hidden layers of linear neurons: each computes a weighted sum of "
                f"the layer before plus a bias, with nothing applied. {tail}"}
    out = _REGRESSION_OUT + _SUM[act] if task == "regression" else _OUTPUT[task]
    return {
        "0": zero,
        "1": f"One hidden layer of {label} neurons. {_FIRST[act].format(who='Each')} "
        f"{_SHAPED.format(**w)} {out}",
        "2+": f"Several hidden layers of {label} neurons. "
        f"{_FIRST[act].format(who='Each first-layer neuron')} {_DEEPER[act]} "
        f"{_SHAPED_ALL.format(**w)} {out}",
    }


_CARD_FIRST = {
    "sigmoid": "This neuron has exactly the form of a logistic regression on the inputs: "
    "σ(w·x + b), a weighted sum plus a bias squashed by the sigmoid into 0…1. It reads 0.5 on "
    "its line w·x + b = 0 and moves toward 0 or 1 across it. Its weights, though, are not "
    "fitted to the {target}: training shapes them to lower the output's {short}{not_sklearn}. "
    "It extracts one feature for the next layer: which side of its line a point lies, and how "
    "far.",
    "tanh": "This neuron computes tanh(w·x + b). Since tanh z = 2σ(2z) − 1, it is a sigmoid "
    "neuron with doubled weights and its output stretched to −1…1: the same line w·x + b = 0 "
    "(where it reads 0) with the same S-curve across it, only a different range. Its weights "
    "are not fitted to the {target}: training shapes them to lower the output's {short}. It "
    "extracts one feature for the next layer: which side of its line a point lies, and how far.",
    "relu": "This neuron computes max(0, w·x + b). It keeps a logistic regression's line "
    "w·x + b = 0 but not its S-curve: it is 0 on one side of the line and a ramp rising in "
    "proportion to the distance on the other, with no upper limit, so it gives a height, not a "
    "probability. Its weights are not fitted to the {target}: training shapes them to lower "
    "the output's {short}. It extracts one feature for the next layer: how far a point lies "
    "beyond its line.",
    "linear": "This neuron computes w·x + b, the weighted sum itself with nothing applied: a "
    "tilted plane over the inputs, 0 on its line w·x + b = 0. Its weights are shaped by the "
    "output's {short}. A weighted sum of weighted sums is still one weighted sum, so linear "
    "neurons add no bends: {stays}.",
}
_CARD_DEEPER = {
    "sigmoid": "This neuron computes σ(w·h + b) on the previous layer's outputs h, not on the "
    "raw inputs: it weighs the previous neurons' maps, adds a bias and squashes the sum into "
    "0…1, a combination of combinations. Over the inputs its map can curve and have corners "
    "that no single line gives; in the previous layer's outputs its 0.5 level is still one "
    "straight cut. Its weights are shaped by the output's {short}.",
    "tanh": "This neuron computes tanh(w·h + b) on the previous layer's outputs h, not on the "
    "raw inputs: it weighs the previous neurons' maps, adds a bias and squashes the sum into "
    "−1…1, a combination of combinations. Over the inputs its map can curve and have corners "
    "that no single line gives; in the previous layer's outputs its 0 level is still one "
    "straight cut. Its weights are shaped by the output's {short}.",
    "relu": "This neuron computes max(0, w·h + b) on the previous layer's outputs h: a weighted "
    "sum of the previous ramps plus a bias, cut off at 0. Over the inputs its map is made of "
    "flat pieces meeting at creases, and each layer can add more pieces. Its weights are "
    "shaped by the output's {short}.",
    "linear": "This neuron computes w·h + b on the previous layer's outputs h, which were linear "
    "too, so it is still one weighted sum of the inputs plus a bias: a tilted plane over the "
    "inputs. Depth adds nothing with linear neurons: {stays}.",
}
_CARD_OUTPUT = {
    "binary": "The output neuron has exactly the form of a logistic regression on the last "
    "hidden layer's outputs h: P(the second class) = σ(w·h + b), trained on the log-loss just "
    "as a logistic regression on those features would be, except that the features move while "
    "it learns. In the space of h its boundary (P = 0.5) is a straight line; {over}. "
    "Separability is not guaranteed: {apart}.",
    "multiclass": "One of the K output units: a score z = w·h + b on the last hidden layer's "
    "outputs h. Softmax turns all K scores together into probabilities that add up to 1. Each "
    "score alone has a logistic regression's form; together they make a multinomial logistic "
    "regression on the hidden features, trained on the cross-entropy. In the space of h each "
    "boundary between classes is straight; {over}. That the features separate every class is "
    "not guaranteed.",
    "regression": "The output is ŷ = w·h + b: a weighted sum of the last hidden layer's outputs "
    "h plus a bias, with no sigmoid, trained on squared error: a linear regression on the "
    "hidden features, shown in the target's own units. {sum}",
}


def card_texts(act: str, task: str) -> dict[str, str]:
    """The neuron card's lead sentence for each kind of neuron, for `act` on `task`."""
    w = TASK_WORDS[task]
    linear = act == "linear"
    over = ("since h is a linear map of the inputs, it is straight over the inputs too" if linear
            else "over the inputs it bends as the features do")
    apart = ("a straight line over the inputs cannot split data such as XOR" if linear else
             "with too few neurons no straight line in that space splits the classes (on XOR, "
             "2 neurons can stop at 88% accuracy)")
    if task != "regression":
        total = ""
    elif linear:
        total = ("Since the hidden neurons are linear too, the whole network is one linear "
                 "regression on the inputs: a flat plane (a straight line for one feature), "
                 "whatever the depth.")
    else:
        total = "The prediction is the hidden maps weighted and added up: " + _SUM[act]
    fill = {**w, "stays": _STAYS[task], "over": over, "apart": apart, "sum": total,
            "not_sklearn": ", so it is not the logistic regression scikit-learn would fit on "
            "these inputs" if task == "binary" else ""}
    return {
        "first": _CARD_FIRST[act].format(**fill),
        "deeper": _CARD_DEEPER[act].format(**fill),
        "output": _CARD_OUTPUT[task].format(**fill),
        "output_alone": "With no hidden layer this neuron is the whole network, so "
        f"{_DEPTH0[task]}",
    }


_MODEL = {"binary": "logistic regression", "multiclass": "multinomial logistic regression",
          "regression": "linear regression"}
_PIECES = {"sigmoid": "steps and bumps", "tanh": "steps and bumps", "relu": "ramps and creases",
           "linear": "tilted lines"}


def view_texts() -> dict[str, dict[str, str]]:
    """The views' notes, explainers and captions, keyed by what they depend on."""
    sums = {
        "refused": "The hand-made weights were refused: {message}",
        "two_d": "The sum of sigmoids is drawn for data with one feature (sine, step, bump, "
        "interval…): there every curve fits on one plot. Here the hidden neurons’ maps are "
        "beside the diagram.",
        "two_d_alone": "The sum of neuron curves is drawn for data with one feature (sine, step, "
        "bump, interval…) and a hidden layer. This network has no hidden layer, so it has no "
        "hidden neurons to add up: the output map is the whole network.",
        "alone_binary": "No hidden layer: the output is one sigmoid of x. Add a hidden layer to "
        "see the output built as a sum of neuron curves.",
        "alone_multiclass": "No hidden layer: each class's score is one straight line in x, and "
        "softmax turns the scores into probabilities. Add a hidden layer to see the output "
        "built as a sum of neuron curves.",
        "alone_regression": "No hidden layer: the output is one straight line in x. Add a hidden "
        "layer to see the output built as a sum of neuron curves.",
        "multiclass": "The sum of sigmoids is drawn for regression and two classes; with more "
        "classes each class has its own sum.",
        "explainer_binary": "Top: each neuron of the last hidden layer times its output weight "
        "(v_j·a_j(x)), the output bias c, and their sum: the output’s logit. Bottom: the output "
        "is σ(sum), a probability. Hover a curve to see its neuron; switch curves on and off "
        "below.",
        "build": "Each neuron is a step: where it is (s = −b/w in x’s units), how steep (w), and "
        "how high (its output weight). Drag a ● on the plot, or type; then press Refine and "
        "watch gradient descent improve your fit.",
        "build_none": "Building by hand works with one hidden layer of sigmoid neurons: each one "
        "is then a step you can place.",
    }
    for act, pieces in _PIECES.items():
        sums[f"explainer_regression_{act}"] = (
            "Each coloured curve is one neuron of the last hidden layer times its output weight "
            "(v_j·a_j(x), in target units); the grey line is the output bias. Their sum (dashed) "
            f"is exactly the network’s prediction (thick): {pieces} adding up to the curve. "
            "Hover a curve to see its neuron; switch curves on and off below.")
    hidden = {
        "carried_1d": "the grey curve is the x axis carried into this space",
        "carried_2d": "the grey grid is the input plane carried into this space",
        "explainer_binary": "Each point is a training example, placed by what the last hidden "
        "layer outputs for it. The output neuron is a logistic regression on these features, "
        "so its boundary here is a straight line. As training goes, the hidden layer bends the "
        "inputs ({carried}) until the two classes fall on either side of that line.",
        "explainer_multiclass": "Each point is a training example, placed by what the last "
        "hidden layer outputs for it. The output is a softmax regression on these features: "
        "every pair of classes is split by a straight line here. As training goes, the hidden "
        "layer bends the inputs ({carried}) until the classes can be told apart by lines.",
        "explainer_regression": "Each point is a training example, placed by what the last "
        "hidden layer outputs for it. The output is a linear regression on these features: its "
        "prediction changes along one direction only (shading; dashed lines of equal "
        "prediction). The hidden layer bends the inputs ({carried}) so that the targets line "
        "up along it.",
        "explainer_binary_linear": "Each point is a training example, placed by what the last "
        "hidden layer outputs for it. The output neuron is a logistic regression on these "
        "features, so its boundary here is a straight line. But linear neurons can only move, "
        "turn and stretch the inputs ({carried}), never bend them: the two classes fall on "
        "either side of that line only where one straight line already splits them in the "
        "input plane.",
        "explainer_multiclass_linear": "Each point is a training example, placed by what the "
        "last hidden layer outputs for it. The output is a softmax regression on these "
        "features: every pair of classes is split by a straight line here. But linear neurons "
        "can only move, turn and stretch the inputs ({carried}), never bend them, so these "
        "lines are straight lines of the input plane too.",
        "explainer_regression_linear": "Each point is a training example, placed by what the "
        "last hidden layer outputs for it. The output is a linear regression on these "
        "features: its prediction changes along one direction only (shading; dashed lines of "
        "equal prediction). Linear neurons can only move, turn and stretch the inputs "
        "({carried}), never bend them, so the prediction stays a flat plane over the inputs "
        "(a straight line for one feature).",
        "caption_binary": "Output: P = σ({sum}). Line: where the sum is 0 (P = 50%){dashed}.",
        "dashed_binary": "; dashed: P = 10% … 90%",
        "caption_regression": "Output: ŷ = {sum}, in the target's own units{dashed}.",
        "dashed_regression": "; dashed: lines of equal prediction",
        "caption_multiclass": "Output: softmax of {k} weighted sums of these features; "
        "background: the most probable class.",
        "caption_multiclass_projected": "Output: softmax of {k} weighted sums of these "
        "features; background: the most probable class (not drawn in this projection).",
        "projected_pca": " This is a projection of the {h}-D hidden space onto its two main "
        "directions: the boundary is a flat plane there, not a line in this view, so it is not "
        "drawn. Choose “along the output weights” to see it as a line.",
        "projected_pair": " With {h} neurons the boundary also depends on the neurons not shown, "
        "so it is not drawn here; choose “along the output weights” to see it as a line.",
        "along_output": " Horizontal: the direction of the output weights, so the boundary is "
        "exactly a vertical line.",
    }
    compare = {
        "run": "Train one beside",
        "run_alone": "Train one anyway",
        "training": "Training…",
        "head_binary": "A logistic regression can only draw one straight line across the plane.",
        "head_binary_curved": "A logistic regression can only draw one straight cut in its "
        "inputs ({inputs}), which the transforms bend into a curve in the plane.",
        "head_multiclass": "A (multinomial) logistic regression can only draw straight "
        "boundaries between the classes.",
        "head_multiclass_curved": "A (multinomial) logistic regression can only draw straight "
        "boundaries between the classes in its inputs.",
        "enough": "{head} Here that is enough ({lr}): the classes are separated by it, and the "
        "hidden layers add little.",
        "no_better": "{head} So far the network does no better.",
        "no_better_early": "{head} So far the network does no better — train it and watch.",
        "fails": "{head} That fails here ({lr} against the network's {net}): each hidden neuron "
        "draws its own line, and the output neuron — itself a logistic regression — combines "
        "them into a bent boundary.",
        "verdict_regression": "A linear model fits {shape} in its inputs. Compare its test loss "
        "with the network's: the hidden neurons add the bends.",
        "verdict_regression_alone": "A linear model fits {shape} in its inputs. Your network has "
        "no hidden layer: it is a linear regression too, so both fit the same kind of map.",
        "shape_plane": "a plane",
        "shape_line": "a line",
    }
    for task, model in _MODEL.items():
        cap = model[0].upper() + model[1:]
        article = "an" if model[0] in "aeiou" else "a"
        hidden[f"alone_{task}"] = (
            f"No hidden layer: the output is {article} {model} on the inputs themselves, so "
            "there is no hidden space to show. Add a hidden layer to see the inputs carried "
            "into it.")
        compare[f"question_{task}"] = f"Is one {model} enough here?"
        compare[f"question_alone_{task}"] = (
            f"Your network has no hidden layer: it already is {article} {model}. Train a "
            "separate one beside to see the two agree, or add a hidden layer to see what "
            "neurons add.")
        compare[f"name_{task}"] = cap
        compare[f"failed_{task}"] = f"The {model} could not be trained: {{message}}"
        if task != "regression":
            compare[f"alone_{task}"] = (
                f"{{head}} Your network has no hidden layer: it is {article} {model} too, so "
                "both draw the same kind of map. Add a hidden layer to see what more neurons do.")
    symmetry = {
        "one": "All {size} neurons of hidden layer {layer} are identical",
        "several": "In hidden layers {layers}, all neurons of each layer are identical",
        "why": "{which}: same weights, same bias, the same map. They compute the same output, "
        "so each gets the same gradient and takes the same step — gradient descent can never "
        "tell them apart, and the layer is worth a single neuron. Random initialisation breaks "
        "this symmetry.",
        "broken": "The {size} neurons of hidden layer {layer} had identical weights: their "
        "incoming weights are now drawn at random between −{range} and {range} (the range a "
        "random start scaled to this layer's size draws from) and their biases set to 0; every "
        "other weight is kept.",
        "broken_then": "Each neuron now has its own map and gets its own gradient, so training "
        "can pull them apart.",
        "past": "You are looking at the past: “Continue from here” first, or go back to now.",
    }
    card = {
        "past": "You are looking at the past: “Continue from here” on the timeline, then edit.",
        "edit": "Type a value (Enter) or drag. Training is paused while you edit; press play to "
        "train on from your network.",
        "cut_half": "The dashed line is where w·x + b = 0 (in {feature}’s own units): the "
        "neuron’s output is 0.5 there (σ(0) = ½).",
        "cut_sign": "The dashed line is where w·x + b = 0 (in {feature}’s own units): the "
        "neuron’s sum changes sign there.",
        "line_half": "The line is w·x + b = 0, drawn in the raw units of {features} (the network "
        "sees them standardized). On it the neuron says 0.5; the arrow w points to where it "
        "says 1.",
        "line_sign": "The line is w·x + b = 0, drawn in the raw units of {features} (the network "
        "sees them standardized). The arrow w points to where the sum grows.",
        "curved": "Its inputs include curved transforms ({inputs}), so w·x + b = 0 is a curve in "
        "the plane: drawn as the {level} contour of the neuron’s own map.",
        "contour": "Its boundary: the contour where the sum is 0.",
        "per_class": "This map is P({cls}): softmax of its score against the others’. Its class "
        "wins where this score is the largest.",
        "deeper": "No single line: this map is {symbol} of a weighted sum of the previous "
        "layer’s maps (below). The black curve: where that sum is 0.",
        # a deeper neuron's sum read as a combination of its inputs' regions (card-model.js
        # combination): each input taken as fully on (its activation's top) or off (its bottom)
        "region_half": "half-plane", "regions_half": "half-planes",
        "region_ray": "side of its cut point", "regions_ray": "sides of their cut points",
        "region_deep": "region", "regions_deep": "regions",
        "combine_pushes": "Where an input neuron is on ({hi}, in its {region}) rather than off "
        "({lo}), it pushes this neuron’s sum z: {list}; the bias is {b}.",
        "push_up": "{name} up by {by}",
        "push_down": "{name} down by {by}",
        "literal_on_one": "{names} is on", "literal_on_many": "{names} are all on",
        "literal_off_one": "{names} is off", "literal_off_many": "{names} are all off",
        "join_and": " and ", "join_or": ", or ",
        "combine_outside": " (for a negative weight, the outside of its {region})",
        "combine_and": "Were each input fully on or off, this neuron would be on (z > 0) only "
        "where {parts}: an AND, the intersection of those {regions}{negated}.",
        "combine_or": "Were each input fully on or off, this neuron would be on (z > 0) wherever "
        "{parts}: an OR, the union of those {regions}{negated}.",
        "combine_one": "Were each input fully on or off, this neuron would be on (z > 0) "
        "exactly where {parts}: it follows that one {region}{negated}.",
        "combine_never": "Were each input fully on or off, no combination of them would lift z "
        "above 0: this neuron would be off everywhere.",
        "combine_always": "Were each input fully on or off, no combination of them would bring z "
        "below 0: this neuron would be on everywhere.",
        "combine_mix": "Were each input fully on or off, this neuron would be on for some "
        "combinations of them, but no single AND or OR of whole {regions} says which: a "
        "weighted mix.",
        "combine_unbounded": "ReLU inputs have no top to be fully on at: this sum is a weighted "
        "mix of ramps, not an AND or OR of whole {regions}.",
    }
    stuck = {
        "stuck": "This run looks stuck: test accuracy has stayed at about {acc} for the last "
        "{steps} steps. The network as it is may not be able to draw this boundary; one of "
        "these often helps:",
        "fix_squares": "Add x₁² and x₂² inputs",
        "why_squares": "Circles and rings are straight lines in x₁² and x₂²: the neurons get "
        "them as inputs instead of having to build them (a new run).",
        "fix_wider": "More neurons ({layers})",
        "why_wider": "A wider first layer draws more lines to combine (a new run).",
        "fix_layer": "Add a hidden layer",
        "why_layer": "With no hidden layer the boundary is one straight line (a new run).",
        "fix_tanh": "Use tanh",
        "why_tanh": "tanh neurons are centred on 0, which often trains faster than sigmoid and "
        "keeps ReLU neurons from dying (a new run).",
    }
    output = {  # the output map's explainer, by the data's dimensions and task
        "2_binary": "The output neuron’s probability over the input plane: orange for the first "
        "class, purple for the second, pale near 50%. White rings: training points; dark rings: "
        "test points (with “Show test data”).",
        "2_multiclass": "Each region takes the colour of its most probable class (softmax "
        "output), paler where the network is unsure. White rings: training points; dark rings: "
        "test points (with “Show test data”).",
        "2_regression": "The predicted value over the input plane (dark = low, yellow = high), "
        "with the training points coloured by their value.",
        "1_binary": "The probability of the second class over the one feature (the curve); the "
        "background shows the predicted class. Points sit at 0 or 1 by their class.",
        "1_multiclass": "The probability of each class over the one feature; the background "
        "shows the predicted class.",
        "1_regression": "The network’s prediction (the curve) over the one feature, with the "
        "training points. In 1-D the output is a weighted sum of the last hidden layer’s curves "
        "plus a bias: {pieces} adding up to the shape.",
        "1_regression_alone": "The network’s prediction over the one feature, with the training "
        "points. With no hidden layer it is ŷ = w·x + b: one straight line through the points.",
        "1_regression_linear": "The network’s prediction over the one feature, with the "
        "training points. Linear neurons are straight lines, and a weighted sum of straight "
        "lines is one straight line, whatever the depth.",
    }
    output |= {f"pieces_{act}": pieces for act, pieces in _PIECES.items()}  # as the sums say
    collapse = {  # linear hidden neurons: the network as the one layer it equals
        "product": "W = {W}, {sizes}; b = {b}.{numbers}",
        "numbers": " On the standardized inputs: W = {W}, b = {b}.",
        "raw": "In the features' own units ({features}): the standardization the network "
        "applies to its inputs is folded into the numbers.",
        "standardized": "On the network's inputs ({inputs}), made from the standardized "
        "features: these transforms are not linear, so there is no form in raw units.",
        "stays_binary": "Its boundary (P = 50%) is one straight line on the map, however many "
        "layers there are.",
        "stays_binary_1d": "Its boundary (P = 50%) is one cut point on the feature, however many "
        "layers there are.",
        "stays_binary_curved": "Its boundary (P = 50%) is one straight cut in these inputs (the "
        "transforms curve it on the map), however many layers there are.",
        "stays_multiclass": "Where a pair of scores ties, the boundary is a straight line on the "
        "map, however many layers there are.",
        "stays_multiclass_1d": "Each class wins on one interval of the feature, however many "
        "layers there are.",
        "stays_multiclass_curved": "Where a pair of scores ties, the boundary is a straight cut "
        "in these inputs (the transforms curve it on the map), however many layers there are.",
        "stays_regression": "Its prediction is one flat plane over the inputs, however many "
        "layers there are.",
        "stays_regression_1d": "Its prediction is one straight line over the feature, however "
        "many layers there are.",
        "stays_regression_curved": "Its prediction is flat in these inputs (the transforms curve "
        "it on the map), however many layers there are.",
        "net_caption": "The network: {n} layers of weights",
        "one_caption": "The one layer, from its formula",
        "gap": "Largest difference between the two maps: {gap} of the colour scale (the "
        "network's map is rounded to 256 levels).",
        "no_map": "With these transforms the inputs are not the features themselves, so the one "
        "layer is not redrawn here: the network's own map above is its map.",
    }
    for task, model in _MODEL.items():
        collapse[f"lead_{task}"] = (
            "Linear neurons apply nothing to their sums, and a weighted sum of weighted sums is "
            "one weighted sum. Multiply the weight matrices, carry each bias through the layers "
            f"after it, and these {{n}} layers of weights are one layer: a {model}.")
        what = "prediction" if task == "regression" else "boundary"
        collapse[f"bend_{task}"] = (
            "Sigmoid neurons stop the collapse: σ of a sum is not a sum, so no single matrix is "
            f"left and the {what} can curve (a new run).")
    network = {
        "held": "{name} is held at its training mean, {mean}, in every map: the maps are drawn "
        "over {drawn}. The network still reads {name} for every data point.",
    }
    return {"sums": sums, "hidden": hidden, "motion": MOTION, "compare": compare,
            "symmetry": symmetry, "network": network, "stuck": stuck, "output": output,
            "card": card, "collapse": collapse}


# The hidden space, moving (static/js/hidden-motion.js): one sentence, put together from the
# start, the moves, the end and the projection that hold for the network on show; {act} is
# the activation applied to z (σ(z), tanh(z), relu(z)).
MOTION = {
    "label": "t",
    "play": "Play the move from the input plane (t = 0) to the hidden space (t = 1)",
    "slider": "t: 0 is the input plane, 1 the hidden space",
    "start_2d": "At t = 0 each training point sits at its inputs ({inputs}), standardized",
    "start_1d": "At t = 0 each training point sits at its input {inputs}, standardized, on "
    "the horizontal axis",
    "one": "; up to t = 0.5 it moves in a straight line to z = x·W + b, the hidden neurons' "
    "weighted sums, and from there in a straight line to {act}, the hidden space",
    "one_linear": "; up to t = 0.5 it moves in a straight line to z = x·W + b, the hidden "
    "neurons' weighted sums, which linear neurons pass on unchanged, so from t = 0.5 on it "
    "stays in the hidden space",
    "deep": "; then each of the {n} hidden layers takes an equal share of t and moves every "
    "point in a straight line from the layer's input a to z = a·W + b, then from z to {act}, "
    "so that t = 1 is the last hidden layer's space",
    "deep_linear": "; then each of the {n} hidden layers takes an equal share of t and moves "
    "every point in a straight line from the layer's input a to z = a·W + b (linear neurons "
    "then leave z as it is), so that t = 1 is the last hidden layer's space",
    "end_binary": ", where the output neuron's line appears.",
    "end_regression": ", where the lines of equal prediction appear.",
    "end_multiclass": ", where the most probable class is shaded.",
    "end_projected": ".",
    "axes": " With two neurons{where} the axes are the neurons themselves, so every position is "
    "exact.",
    "out": " With {h} neurons{where}, z and {act} are drawn along the output weights and the main "
    "spread across them, the projection in which the output's line is exact.",
    "pca": " With {h} neurons{where}, z and {act} are drawn on the hidden points' two main "
    "directions, a projection.",
    "pick": " With {h} neurons{where}, z and {act} are drawn by the two neurons chosen, a "
    "projection.",
    "strip": " With one neuron{where}, z and {act} are the horizontal position, and the "
    "points are spread up by class.",
    "strip_regression": " With one neuron{where}, z and {act} are the horizontal position, and the "
    "height is the target.",
    "where_last": " in the last hidden layer",
    "earlier": " An earlier layer of more than two neurons is drawn on its points' two main "
    "directions.",
    "off_inputs": "The motion starts from the input plane, so it needs the network's inputs "
    "to be the drawn features themselves; here they are {inputs}.",
    "title_moving": "t = {t}: from {from} to {to}",
    "title_at": "t = {t}: at {at}",
}


def _bound(model: type[BaseModel], field: str, kind: str) -> Any:
    """A field's numeric constraint (`ge`, `gt`, `le`, `lt`), as the model declares it."""
    for constraint in model.model_fields[field].metadata:
        if getattr(constraint, kind, None) is not None:
            return getattr(constraint, kind)
    raise LookupError(f"{model.__name__}.{field} has no '{kind}' constraint")


def _output(task: str) -> OutputWords:
    name = OUTPUT_FOR_TASK[task]
    if name in ACTIVATIONS:
        a = ACTIVATIONS[name]
        label, formula, rng = a.label, a.formula, list(a.range)
    else:
        label, formula, rng = OUTPUT_WORDS[name]
    per_class = OUTPUTS[name].units(3) > 1
    w = TASK_WORDS[task]
    return OutputWords(activation=name, label=label, formula=formula, range=rng,
                       units="K" if per_class else "one", loss=w["loss"],
                       loss_formula=w["loss_formula"])


def _kind(key: str) -> KindWords:
    spec = KINDS[key]
    varies: Any = GenerateRequest.model_config.get("json_schema_extra", {})
    chooses = varies["if"]["properties"]["kind"]["not"]["const"]  # the kind taking `classes`
    if spec.task == "regression":
        task, classes, note = "regression", None, "regression"
    else:
        classes = [MIN_CLASSES, MAX_CLASSES] if key == chooses else [spec.n_classes or 2] * 2
        task = "binary" if classes[1] == 2 else "multiclass"
        note = f"{classes[0]}–{classes[1]} classes" if classes[0] != classes[1] else ""
    notes = [n for n in ("1-D" if spec.n_features == 1 else "", note) if n]
    label = KIND_LABELS[key]
    dims: Literal[1, 2] = 1 if spec.n_features == 1 else 2
    return KindWords(key=key, label=label,
                     title=f"{label} ({', '.join(notes)})" if notes else label,
                     description=spec.description, dimensions=dims, task=task, classes=classes)


def _limits(s: Settings) -> Limits:
    C = SessionConfig
    return Limits(
        max_hidden_layers=s.max_hidden_layers, max_neurons=s.max_neurons, max_grid=s.max_grid,
        max_steps_per_request=s.max_steps_per_request,
        max_seconds_per_request=s.max_seconds_per_request,
        max_upload_bytes=s.max_upload_bytes, max_rows=s.max_rows, max_columns=s.max_columns,
        max_classes=s.max_classes, max_live_sessions=s.max_live_sessions,
        max_control_message_bytes=s.max_control_message_bytes, frame_rate=s.frame_rate,
        test_fraction_max=_bound(C, "test_fraction", "le"),
        learning_rate_min_exclusive=_bound(C, "learning_rate", "gt"),
        learning_rate_max=_bound(C, "learning_rate", "le"),
        l1_max=_bound(C, "l1", "le"), l2_max=_bound(C, "l2", "le"),
        init_value_min=_bound(C, "init_value", "ge"),
        init_value_max=_bound(C, "init_value", "le"),
        batch_size_max=_bound(C, "batch_size", "le"), seed_max=_bound(C, "seed", "le"),
        speed_max=_bound(PlayControl, "speed", "le"),
        stream_steps_max=_bound(StepControl, "steps", "le"),
        dataset_n_min=_bound(GenerateRequest, "n", "ge"),
        dataset_n_max=_bound(GenerateRequest, "n", "le"),
        noise_max=_bound(GenerateRequest, "noise", "le"),
    )


def _defaults() -> dict[str, Any]:
    return {name: f.get_default(call_default_factory=True)
            for name, f in SessionConfig.model_fields.items() if not f.is_required()}


# The playground's first run, chosen by measurement (tests/bench/bench_first_minute.py): with
# tanh, two hidden layers of 8 and Adam at 0.03, every one of 40 seeds gets the test loss under
# 0.1 on circle (median 34 steps, worst 51), XOR (36, 64) and two Gaussians (7, 12); at 30
# steps a second, one frame per step, circle and XOR converge visibly in 1-2 s. The old 4-2
# sigmoid start needed 157 steps on circle (8 s at 100 steps/s, stuck at 66.7% for 5 s of it)
# and never converged on XOR for 6 seeds of 20; sigmoid 8-8 at 0.1 still misses XOR for 2.
PLAYGROUND = PlaygroundStart(hidden_layers=[8, 8], activation="tanh", speed=30)


def build(settings: Settings) -> Vocabulary:
    """The vocabulary for an app running with `settings`."""
    acts = [ActivationWords(key=k, label=a.label, symbol=a.symbol, formula=a.formula,
                            range=list(a.range)) for k, a in ACTIVATIONS.items()]
    return Vocabulary(
        activations=acts,
        tasks=[TaskWords(key=t, label=TASK_WORDS[t]["label"], output=_output(t))
               for t in OUTPUT_FOR_TASK],
        inits=[InitWords(key=k, label=INIT_WORDS[k][0], hint=INIT_WORDS[k][1]) for k in INITS],
        optimizers=[OptimizerWords(key=k, label=OPTIMIZER_WORDS[k][0],
                                   hint=OPTIMIZER_WORDS[k][1]) for k in OPTIMIZERS],
        transforms=[TransformWords(key=k, label=transform_label(k)) for k in TRANSFORMS],
        dataset_kinds=[_kind(k) for k in KINDS],
        panes=[PaneWords(key=k, label=label, hint=hint) for k, (label, hint) in PANES.items()],
        limits=_limits(settings),
        defaults=_defaults(),
        playground=PLAYGROUND,
        texts=Texts(
            network={a: {t: network_texts(a, t) for t in OUTPUT_FOR_TASK} for a in ACTIVATIONS},
            card={a: {t: CardTexts(**card_texts(a, t)) for t in OUTPUT_FOR_TASK}
                  for a in ACTIVATIONS},
            hints=Hints(**HINTS),
            views=view_texts(),
        ),
    )


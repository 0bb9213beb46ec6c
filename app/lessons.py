"""The lessons, as data: each a short page in the app's own words and a playground preset.

They follow the learner's question step by step: logistic regression is one neuron, where one
line fails, what a hidden layer and its output neuron do, sums of sigmoids, depth, why linear
layers collapse into one, symmetry, one optimum against many, other activations and capacity.
A lesson is keyed by its slug; its number is its place in `_LESSONS`, so a new lesson is one
entry inserted where it belongs (nothing else is renumbered by hand). Body text takes a tiny
markup, rendered by `inline`: `*emphasis*` and `` `code` ``; everything else is escaped.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from markupsafe import Markup, escape

from app.data.generators import KINDS
from app.data.prepare import TRANSFORMS
from app.nn.activations import ACTIVATIONS
from app.nn.init import INITS
from app.nn.optimizers import OPTIMIZERS
from app.vocabulary import PANES, transform_label

ONE_D = frozenset(k for k, spec in KINDS.items() if spec.n_features == 1)
_REGISTRY: dict[str, Mapping[str, object]] = {"data": KINDS, "act": ACTIVATIONS, "init": INITS,
                                              "opt": OPTIMIZERS, "pane": PANES}


def _num(v: float) -> str:
    """A number as JavaScript's String() writes it for these values (1.0 → '1', 0.03 → '0.03')."""
    return str(int(v)) if float(v).is_integer() else repr(float(v))


@dataclass(frozen=True)
class Preset:
    """A playground configuration; `hash` is the URL hash the playground opens it from.

    Every field is written out (not left to the playground's defaults), so a preset means the
    same run even if those defaults change. Field names are the hash's keys.
    """

    data: str
    n: int = 300
    noise: float = 0.1
    test: float = 0.2
    seed: int = 0
    layers: tuple[int, ...] = (4,)
    act: str = "sigmoid"
    init: str = "xavier"
    iv: float = 0.5
    opt: str = "adam"
    lr: float = 0.03
    l1: float = 0.0
    l2: float = 0.0
    inputs: tuple[str, ...] = ("x1", "x2")
    speed: int = 5  # an index into the playground's speed levels: 5 = 100, 6 = 300 steps/s
    show_test: bool = False
    pane: str = "output"  # what the output column opens on: the output map or a view
    seeds: int = 0  # > 0: open /runs, this setup trained from weight seeds 0 … seeds − 1
    steps: int = 1000  # with seeds: the steps each of them trains

    def __post_init__(self) -> None:
        """Every key a preset names is one of its registry's (a typo fails at import)."""
        for name, registry in _REGISTRY.items():
            if getattr(self, name) not in registry:
                raise ValueError(f"preset {name}={getattr(self, name)!r}: not one of "
                                 f"{', '.join(registry)}")
        for key in self.inputs:
            if key not in TRANSFORMS:
                raise ValueError(f"preset input {key!r}: not one of {', '.join(TRANSFORMS)}")

    def but(self, **changes: Any) -> "Preset":
        """The same preset with some fields changed."""
        return replace(self, **changes)

    @property
    def hash(self) -> str:
        """The URL hash (without '#'), in the order the playground writes it."""
        parts = [("data", self.data), ("n", str(self.n)), ("noise", _num(self.noise)),
                 ("test", _num(self.test)), ("seed", str(self.seed)),
                 ("layers", ",".join(map(str, self.layers))), ("act", self.act),
                 ("init", self.init)]
        if self.init == "constant":
            parts.append(("iv", _num(self.iv)))
        parts += [("opt", self.opt), ("lr", _num(self.lr)), ("batch", "full"),
                  ("l1", _num(self.l1)), ("l2", _num(self.l2)), ("inputs", ",".join(self.inputs)),
                  ("speed", str(self.speed)), ("unit", "steps")]
        if self.show_test:
            parts.append(("showTest", "1"))
        parts.append(("pane", self.pane))
        return "&".join(f"{k}={v}" for k, v in parts)

    @property
    def url(self) -> str:
        """The playground at this setup, or (seeds > 0) /runs training it from several seeds."""
        if self.seeds:
            return f"/runs#seeds={self.seeds}&steps={self.steps}&{self.hash}"
        return f"/#{self.hash}"

    @property
    def label(self) -> str:
        """A one-line description: data, network and what differs from the usual settings."""
        net = (f"hidden {'–'.join(map(str, self.layers))} {self.act}" if self.layers
               else "no hidden layer")
        parts = [f"{self.data} ({self.n} points)", net]
        if self.data not in ONE_D and self.inputs != ("x1", "x2"):
            parts.append("inputs " + ", ".join(transform_label(k) for k in self.inputs))
        if self.init != "xavier":
            parts.append(f"{self.init} init" + (f" {_num(self.iv)}" if self.init == "constant"
                                                 else ""))
        if self.l2:
            parts.append(f"L2 {_num(self.l2)}")
        if self.test != 0.2:
            parts.append(f"test fraction {_num(self.test)}")
        if self.seeds:
            parts.append(f"{self.seeds} seeds side by side, {self.steps} steps each")
        return " · ".join(parts)

    def dataset_spec(self) -> dict[str, Any]:
        """The body of POST /api/datasets/generate that the playground sends for this preset."""
        return {"kind": self.data, "n": self.n, "noise": self.noise, "seed": self.seed}

    def session_config(self, dataset_id: str) -> dict[str, Any]:
        """The body of POST /api/sessions that the playground sends for this preset."""
        return {
            "dataset_id": dataset_id, "hidden_layers": list(self.layers), "activation": self.act,
            "optimizer": self.opt, "learning_rate": self.lr, "batch_size": None, "l1": self.l1,
            "l2": self.l2, "init": self.init, "init_value": self.iv, "seed": self.seed,
            "test_fraction": self.test,
            "transforms": None if self.data in ONE_D else list(self.inputs),
        }


@dataclass(frozen=True)
class Try:
    """One thing to try, with the preset that sets it up (None: do it by hand)."""

    text: str
    preset: Preset | None = None


@dataclass(frozen=True)
class Lesson:
    """A lesson: plain explanation, a preset, things to try, and a question with its answer."""

    slug: str
    title: str
    summary: str
    preset: Preset
    body: tuple[str, ...]
    analogy: str  # where the logistic-regression analogy is exact and where it is a picture
    tries: tuple[Try, ...]
    question: str
    answer: str
    number: int = field(default=0, compare=False)


_INLINE = re.compile(r"`([^`]+)`|\*([^*]+)\*")


def inline(text: str) -> Markup:
    """Escape `text`, then turn `code` and *emphasis* into <code> and <em>."""
    out, last = [], 0
    for m in _INLINE.finditer(text):
        out.append(escape(text[last:m.start()]))
        if m.group(1) is not None:
            out.append(Markup("<code>%s</code>") % m.group(1))
        else:
            out.append(Markup("<em>%s</em>") % m.group(2))
        last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


# ---------------------------------------------------------------- the presets

LR_LINEAR = Preset("linear", layers=())
LR_XOR = Preset("xor", layers=())
XOR_TWO = Preset("xor", layers=(2,), lr=0.1, pane="hidden")
BUMP_TWO = Preset("bump", layers=(2,), pane="sums")
SPIRAL_DEEP = Preset("spiral", layers=(6, 6), speed=7)
SPIRAL_THREE = Preset("spiral3", n=900, layers=(8, 8), act="tanh", speed=7)
LINEAR_DEEP = Preset("circle", layers=(8, 8), act="linear", speed=6, pane="collapse")
XOR_CONSTANT = Preset("xor", layers=(4,), init="constant", iv=0.5, lr=0.1, speed=6)
XOR_SEEDS = XOR_TWO.but(pane="output", seeds=8, steps=1000)  # /runs: 8 weight seeds, 1 000 steps
CIRCLE_RELU = Preset("circle", layers=(4,), act="relu")
WEIGHTS_LEARN = Preset("xor", layers=(3,), opt="sgd", lr=1.0)
MOONS_BIG = Preset("moons", n=80, noise=0.5, test=0.5, layers=(16, 16), speed=6, show_test=True)

_LESSONS = [
    Lesson(
        slug="one-neuron",
        title="Logistic regression is one neuron",
        summary="No hidden layer, a sigmoid output, log-loss: that is logistic regression.",
        preset=LR_LINEAR,
        body=(
            "Logistic regression takes the inputs, forms a weighted sum plus a bias, "
            "`z = w₁x₁ + w₂x₂ + b`, and squashes it with the sigmoid `σ(z) = 1/(1 + e^−z)` "
            "into the probability of the second class. A neuron with a sigmoid activation does "
            "exactly that. So a network with *no hidden layer* — the inputs wired straight to "
            "one sigmoid output neuron — is logistic regression.",
            "The preset is that network, on data that a straight line can split. Press play. "
            "The output map shows the probability over the whole plane: purple where the model "
            "says class 1, orange where it says class 0, and a soft edge between. The edge is "
            "the line `w·x + b = 0`, where the probability is one half. It is always straight, "
            "because `z` is linear in the inputs; the sigmoid only sets how fast the colour "
            "changes as you cross it.",
            "Training lowers the mean log-loss, the very loss logistic regression minimises; "
            "the loss chart shows it falling and the accuracy reaches 100%.",
            "Keep it running and watch the edge: it keeps getting sharper. When a line separates "
            "the classes perfectly, log-loss has no finite minimum — bigger weights always "
            "lower it a little more. A little L2 regularisation gives it a minimum again, the "
            "same one scikit-learn finds.",
        ),
        analogy="Exact. No hidden layer, a sigmoid output and log-loss is logistic regression: "
                "the same model and the same loss, so with L2 = 1/(C·n) the same optimum as "
                "scikit-learn's `LogisticRegression(C=C)`. Only the route differs: here you "
                "watch gradient steps get there.",
        tries=(
            Try("Set L2 to 0.01 and the test fraction to 0: training settles on the weights "
                "scikit-learn's `LogisticRegression(C=1/(0.01·300))` finds.",
                LR_LINEAR.but(l2=0.01, test=0.0)),
            Try("Hover the output neuron's links and its bias: the whole model is those three "
                "numbers, two weights and a bias."),
            Try("Two overlapping blobs: no line is perfect, and logistic regression finds the "
                "line with the lowest log-loss.", LR_LINEAR.but(data="gauss")),
        ),
        question="Why does the boundary stay a straight line, however long you train?",
        answer="The probability is `σ(w·x + b)`, and σ only increases, so the probability is "
               "one half exactly where `w·x + b = 0`: a line in the plane (a plane or hyperplane "
               "with more inputs). Training moves and turns the line and makes the sigmoid "
               "across it steeper or flatter, but it cannot bend it.",
    ),
    Lesson(
        slug="features",
        title="Where one line fails, and hand-made features",
        summary="XOR and the circle defeat a line; x₁·x₂ and x₁², x₂² rescue it.",
        preset=LR_XOR,
        body=(
            "XOR puts class 1 in two opposite quadrants and class 0 in the other two. Press "
            "play: the loss barely moves and the accuracy stays near 50%. No straight line has "
            "purple on two opposite corners and orange on the other two, so the best logistic "
            "regression can do is sit near the middle and say *about one half* everywhere. The "
            "circle data fails the same way: no line cuts a disc out of the ring around it.",
            "The classic fix is to give logistic regression better inputs. The input column of "
            "the diagram offers more than x₁ and x₂: tick x₁·x₂. That product is positive in "
            "quadrants I and III and negative in II and IV — the XOR rule itself — so the "
            "neuron can now weight it and separate the classes. On the output map the boundary "
            "becomes a curve hugging the axes, yet it is still a straight line in the inputs "
            "the neuron actually sees.",
            "For the circle, x₁² and x₂² do the same: *inside the circle* is `x₁² + x₂² < r²`, "
            "a linear condition in the squares.",
            "This is still plain logistic regression; only its inputs changed. The catch is "
            "that you had to know which features to make. A hidden layer is the network's way "
            "of making features itself, from the examples.",
        ),
        analogy="Exact. With hand-made features and no hidden layer, the model is logistic "
                "regression on those columns (computed from the standardized x₁ and x₂).",
        tries=(
            Try("XOR with x₁·x₂ ticked: the accuracy goes from about 50% to nearly 100%.",
                LR_XOR.but(inputs=("x1", "x2", "x1x2"))),
            Try("The circle with only x₁ and x₂: stuck near 50% again.",
                LR_XOR.but(data="circle")),
            Try("The circle with x₁² and x₂² added: the boundary becomes a closed curve.",
                LR_XOR.but(data="circle", inputs=("x1", "x2", "x1sq", "x2sq"))),
            Try("With x₁·x₂ ticked, untick x₁ and x₂: one good input is enough."),
        ),
        question="Which hand-made inputs let logistic regression separate the circle data, and "
                 "what shape is its boundary then?",
        answer="x₁² and x₂². The rule *inside radius r* is `r² − x₁² − x₂² > 0`, which is linear "
               "in the squares, so one neuron can learn it. Its boundary is a straight line in "
               "the inputs it sees. In the plane, with x₁ and x₂ also ticked, it is "
               "`w₁z₁ + w₂z₂ + w₃z₁² + w₄z₂² + b = 0` in the standardized inputs z: a conic, an "
               "ellipse when the two square weights have the same sign and a hyperbola when "
               "they differ. Here both come out near −3.44, so it is almost a circle in "
               "standardized units; a circle only there, since standardizing divides x₁ and x₂ "
               "by different standard deviations (2.27 and 2.35).",
    ),
    Lesson(
        slug="hidden-layer",
        title="One hidden layer: why the output neuron is needed",
        summary="Each hidden neuron draws one line; the output is a logistic regression on them.",
        preset=XOR_TWO,
        body=(
            "Now add a hidden layer of two sigmoid neurons. Each computes `σ(w·x + b)`, the "
            "form of a logistic regression on the inputs, and its small map in the diagram "
            "shows it: one straight edge with a soft step across it. Each hidden neuron draws "
            "one line, and one line cannot separate XOR.",
            "That is why the output neuron is needed. It is a logistic regression too, but its "
            "inputs are the hidden neurons' outputs h₁ and h₂, not x₁ and x₂. The preset opens "
            "the *Hidden space* tab beside the output map: each point is drawn at (h₁, h₂). "
            "Here one neuron switches on in the far corner of quadrant I, the other in the far "
            "corner of quadrant III. Class 0 lands near (0, 0), class 1 near (1, 0) or (0, 1), "
            "and one line separates them: the output neuron's boundary. Back in the input "
            "plane, the output map shows an orange band between two nearly parallel lines, "
            "purple beyond each.",
            "Two neurons get about 88% here: class-1 points close to the centre fall inside the "
            "band, class-0 points far out near the axes fall outside. Four neurons get it all.",
            "The hidden neurons do not each fit the data. No hidden neuron is shown the labels; "
            "backpropagation adjusts each one only by how it can lower the output's log-loss. "
            "Each ends up as *one corner is purple*: useful together, half an answer alone.",
        ),
        analogy="The form is exact, the role is a picture. A sigmoid hidden neuron computes "
                "exactly `σ(w·x + b)`, and the output neuron is exactly a logistic regression "
                "(with log-loss) on h₁, h₂. But a hidden neuron is not fitted to the labels: it "
                "is not the logistic regression scikit-learn would fit on the inputs, only the "
                "feature that helps the output most.",
        tries=(
            Try("After a hundred steps or so, drag the *t* slider under the hidden space to 0 "
                "and press ▶. The input plane moves in straight lines to the weighted sums "
                "`z = x·W + b` (t = 0.5), where it lies on nearly one line: the two neurons' "
                "lines are parallel, facing opposite ways. Then σ bends that line: its two ends "
                "go to the corners where class 1 lands, its middle stays near (0, 0) with "
                "class 0, and at t = 1 the output's line separates them."),
            Try("Four hidden neurons: XOR is solved completely.", XOR_TWO.but(layers=(4,))),
            Try("Seed 4: the two lines cross near the centre instead. In the hidden space "
                "quadrants I and IV land on the same corner: two classes at one spot, which no "
                "line can split, and the accuracy stalls near 72%. 7 000 more steps lower the loss "
                "only from 0.345 to 0.338, while the accuracy wanders between 56% and 77%: the run "
                "sits in a valley of the loss of its own (the lesson *One optimum against "
                "many* shows why).",
                XOR_TWO.but(seed=4)),
            Try("Hover each hidden neuron's link to the output: its sign says whether that "
                "neuron's side of the line votes purple or orange."),
        ),
        question="If each hidden neuron already draws a boundary, why not read the answer off "
                 "one of them?",
        answer="Because each draws a single straight line, and XOR needs more than one. The "
               "output neuron combines the lines: it is a logistic regression in hidden space, "
               "where the hidden layer has put the classes on two sides of a line. Without it "
               "there would be two separate guesses and no rule for combining them.",
    ),
    Lesson(
        slug="learning",
        title="How the weights learn",
        summary="Backpropagation hands every neuron an error signal δ; one gradient step "
                "moves its line a little downhill.",
        preset=WEIGHTS_LEARN,
        body=(
            "Nobody tells a hidden neuron which line to draw. Training computes how the loss "
            "changes with each weight (the gradient) and moves it a little against it. "
            "With plain gradient descent (SGD, the preset's optimizer) one step "
            "is exactly `w ← w − η·∂loss/∂w` and `b ← b − η·∂loss/∂b`, here with η = 1, the "
            "loss being the mean log-loss over the training points.",
            "Click neuron h1.1 and press *Slow-motion step* on its card. Training pauses and "
            "the card shows the step before it happens: the black line is `w·x + b = 0` now, "
            "the green dashed line is where one step puts it, green arrows go between (a "
            "step too small to see is magnified, and the card says by how much), and a "
            "table lists each weight, its gradient and its value after the step.",
            "Where does a hidden neuron's gradient come from? From the output's error on "
            "each training point, `P − y`, handed back through the output weight and the "
            "slope of the neuron's sigmoid: `δ = (P − y)·w_out·σ′(z) / N`. That is "
            "*backpropagation*, and δ is the map beside the neuron's map: purple where a "
            "point of the chosen class pushes z up, orange where it pushes it down. The "
            "gradient is these pushes added up: "
            "`∂loss/∂b = Σ δ` and `∂loss/∂w = Σ δ·x`.",
            "Press *One step* a few times: every weight lands exactly on the table's *after "
            "the step*. At first the neurons barely move: within a few steps the loss is "
            "0.69 (log 2, the loss of saying one half everywhere) and it stays between 0.66 "
            "and 0.70 up to step 100. Then press play: the pushes agree, the lines swing "
            "apart onto XOR's gaps, and by step 500 the loss is 0.23 and the test accuracy "
            "90%.",
        ),
        analogy="Exact for the output neuron: its gradient is the one logistic regression "
                "gets on the hidden features, `Σ (P − y)·h / N`. A hidden neuron's gradient "
                "has the same form, `Σ δ·x`, but its error is not its own `σ(z) − y`: it is "
                "the output's error handed back, `(P − y)·w_out·σ′(z) / N`. A hidden neuron "
                "is trained for what the output needs, never fitted to the labels.",
        tries=(
            Try("ReLU neurons: δ is exactly 0 wherever a neuron is off (ReLU′ = 0 there), "
                "so only the points on its on-side move its line.",
                WEIGHTS_LEARN.but(act="relu")),
            Try("Adam instead of SGD: the card says that the step is no longer −η × the "
                "gradient; Adam rescales each weight's step by the size of its recent "
                "gradients.", WEIGHTS_LEARN.but(opt="adam", lr=0.03)),
            Try("Open the output neuron's card and step: its gradient is logistic "
                "regression's on h1.1, h1.2 and h1.3."),
        ),
        question="A ReLU neuron whose sum z is below 0 on every training point: what does "
                 "one gradient step do to its weights and bias?",
        answer="Nothing. Its δ is what the output hands back times ReLU′(z), and ReLU′(z) = 0 "
               "wherever z < 0, so δ is 0 on every training point; its gradient, `Σ δ·x` "
               "and `Σ δ`, is exactly 0 and a step leaves w and b as they are (with L2 only "
               "the pull toward 0, `−η·l2·w`, remains). It is a *dead* ReLU: gradient "
               "descent alone never brings it back.",
    ),
    Lesson(
        slug="approximation",
        title="Sums of sigmoids: steps, bumps and any curve",
        summary="In 1-D the output is a weighted sum of sigmoids plus a bias.",
        preset=BUMP_TWO,
        body=(
            "With one input the pictures are curves. A hidden sigmoid neuron on x is "
            "`σ(w·x + b)`: a smooth step centred at `x = −b/w`, steep when |w| is large. For "
            "regression the output neuron has no sigmoid: it returns a weighted sum of the "
            "hidden neurons plus a bias, `ŷ = v₁h₁ + v₂h₂ + … + c`, and the loss is the mean "
            "squared error. The preset opens the *Sum of neurons* tab beside the output: each "
            "weighted step and their sum.",
            "The preset fits a bump. One sigmoid cannot: it rises and stays up. Two can: a "
            "step up at one place and a step down a little later (their weighted slopes "
            "`v·w` have opposite signs), and between them the sum is a bump. Press play and "
            "watch the two neurons' curves in the diagram turn into one rising and one falling "
            "step.",
            "More neurons, more steps. With enough of them, a sum of sigmoids can follow any "
            "continuous curve on an interval as closely as you like: the universal "
            "approximation theorem. This is the learner's *set of functions that approximate "
            "the data*, made precise: no single function approximates the data; their "
            "weighted sum does.",
            "Classification works the same way before the last squash. In the interval data, "
            "class 1 lies inside −1.5 < x < 1.5, so the probability must rise and fall: two "
            "hidden neurons make that bump, one cannot.",
        ),
        analogy="Exact: with an identity output, ŷ is literally a weighted sum of sigmoids plus "
                "a bias. The theorem promises that a close sum exists with enough neurons; it "
                "does not promise that training finds it, or that few neurons suffice.",
        tries=(
            Try("One hidden neuron: the best it can do is a single step, and the loss stays "
                "far higher.", BUMP_TWO.but(layers=(1,))),
            Try("The interval data (classification): two neurons make a bump of probability.",
                BUMP_TWO.but(data="interval", noise=0.05)),
            Try("A sine wave with six neurons: several steps up and down add up to the waves.",
                BUMP_TWO.but(data="sine", layers=(6,))),
            Try("The step data needs just one neuron: a steep sigmoid.",
                BUMP_TWO.but(data="step", layers=(1,))),
        ),
        question="Why can one hidden sigmoid neuron never fit the bump, however long you train?",
        answer="Its output `v·σ(w·x + b) + c` is monotone in x: it only rises or only falls. A "
               "bump rises and then falls, so it needs at least two sigmoids whose slopes "
               "`v·w` have opposite signs — one step up, one step down.",
    ),
    Lesson(
        slug="deeper",
        title="Deeper: a second layer combines half-planes",
        summary="A second-layer neuron ANDs or ORs the first layer's half-planes into regions.",
        preset=SPIRAL_DEEP,
        body=(
            "A first-layer sigmoid neuron is on (near 1) on one side of its line, a half-plane, "
            "and off (near 0) on the other. A second-layer neuron computes `σ(w·h + b)` on "
            "those outputs: a positive weight says *where that half-plane is on, push me up*, "
            "a negative one *push me down*. With a bias strongly negative against its weights "
            "it is on only where several half-planes agree, an AND: their intersection, a "
            "wedge, a band, a corner. With large weights and a bias just below zero, one is "
            "enough, an OR: their union. The output neuron then combines those regions.",
            "The preset is two hidden layers of 6 on the spiral. Press play, then click a "
            "second-layer neuron: its card adds up its sum map by map, says which half-plane "
            "pushes it up or down by how much, and whether, were each input fully on or off, "
            "it would be an AND, an OR or a weighted mix.",
            "Does depth save neurons here? Measured through the API (seed 0, test accuracy "
            "after 3 000 steps): on this spiral one hidden layer first reaches 95% with 10 "
            "neurons, two layers with 5-5, also 10; on the circle one layer needs 3 (a "
            "triangle) and two layers 3-3. On these two, depth does not save neurons (on three "
            "spirals it does: see below). It changes how they are used, and how training "
            "goes: one layer of 16 reaches 95% "
            "by step 3 000, then overfits to 88% by step 10 000, while 6-6 holds above 95%.",
        ),
        analogy="A picture made exact by an idealisation. A sigmoid neuron is never exactly 0 "
                "or 1, so AND and OR say what the neuron would compute were its inputs fully "
                "on or off; the card works that out from the live weights and bias, and says "
                "*a weighted mix* when neither holds. The neuron itself still has a logistic "
                "regression's form, `σ(w·h + b)`, on learned features.",
        tries=(
            Try("One hidden layer of 10: the fewest neurons one layer needs here to reach 95% "
                "test accuracy (8 reach 80%).", SPIRAL_DEEP.but(layers=(10,))),
            Try("Two hidden layers of 5: 10 neurons again, and 95% again (4-4 reach 75%).",
                SPIRAL_DEEP.but(layers=(5, 5))),
            Try("One hidden layer of 16: 95% by step 3 000 and 98.3% by step 5 000, then it "
                "overfits: 88.3% test accuracy at step 10 000, while 6-6 holds above 95%.",
                SPIRAL_DEEP.but(layers=(16,))),
            Try("Three spirals, 900 points, tanh: two layers of 8 (16 neurons) reach 92.8% test "
                "accuracy after 3 000 steps, one layer of 32 only 91.1% and one of 16 86.1%: "
                "here the second layer pays.", SPIRAL_THREE),
            Try("The circle with two layers of 3: click each second-layer neuron and read which "
                "half-planes it combines.", SPIRAL_DEEP.but(data="circle", layers=(3, 3))),
        ),
        question="A second-layer neuron weighs two first-layer neurons by +4 and +4 and has bias "
                 "−6. Were its inputs fully on or off, where would it be on? And with bias −2?",
        answer="With bias −6 only where both are on: one alone gives 4 − 6 < 0, both give "
               "8 − 6 > 0. That is an AND, the intersection of the two half-planes. With bias "
               "−2 one is enough (4 − 2 > 0) while none gives −2 < 0: an OR, their union.",
    ),
    Lesson(
        slug="linear-collapse",
        title="Without an activation, layers collapse into one",
        summary="Linear layers multiply into one matrix: deep or not, one logistic regression.",
        preset=LINEAR_DEEP,
        body=(
            "Why does a neuron need its activation? Take it away. The preset is two hidden "
            "layers of 8 *linear* neurons on the circle, each computing only `w·h + b`. Press "
            "play: the accuracy stays near 50%, and the output map never shows more than one "
            "straight edge.",
            "The *One equivalent layer* tab beside the output map says why. A layer of linear "
            "neurons is a matrix product plus a bias, `h = x·W₁ + b₁`, and the next one gives "
            "`h·W₂ + b₂ = x·(W₁·W₂) + (b₁·W₂ + b₂)`. However many layers, the product "
            "`W = W₁·W₂·W₃` and the folded bias `b = (b₁·W₂ + b₂)·W₃ + b₃` are one layer, and "
            "with the output's sigmoid that is a logistic regression: one straight line. The "
            "tab writes that layer with its live numbers, in x₁'s and x₂'s own units, and draws "
            "its map beside the network's: they agree within the maps' 8-bit rounding.",
            "So depth without a nonlinearity adds nothing: these 105 weights and biases are "
            "worth exactly three numbers, two weights and a bias. Press *Switch to sigmoid*: "
            "σ of a sum is not a sum, no single matrix is left, and the boundary closes around "
            "the disc. The layers add something only because the activation bends each one's "
            "output before the next combines it.",
        ),
        analogy="Exact. Linear hidden layers under a sigmoid output are a logistic regression "
                "to the last digit: P = σ(x·W + b) with W the product of the matrices. Training "
                "takes another route, though: it moves the factors W₁, W₂, … rather than W, "
                "and L2 on the factors is not L2 on W.",
        tries=(
            Try("Three hidden layers of linear neurons: still one straight line.",
                LINEAR_DEEP.but(layers=(8, 8, 8))),
            Try("The same network with sigmoid neurons: the circle is solved.",
                LINEAR_DEEP.but(act="sigmoid", pane="output")),
            Try("Linear neurons with x₁² and x₂² as inputs: the one layer is a logistic "
                "regression on the squares, and it separates the circle.",
                LINEAR_DEEP.but(inputs=("x1", "x2", "x1sq", "x2sq"))),
        ),
        question="A network has 10 hidden layers of 100 linear neurons and a sigmoid output. "
                 "What can it draw that a logistic regression cannot?",
        answer="Nothing. Each layer is a matrix product plus a bias, so the ten layers and the "
               "output multiply into one matrix W and fold into one bias b: P = σ(x·W + b), a "
               "logistic regression with one weight per input. Its boundary is one straight "
               "line, however many layers and neurons.",
    ),
    Lesson(
        slug="symmetry",
        title="Why the weights start random",
        summary="Identical neurons get identical updates and stay identical.",
        preset=XOR_CONSTANT,
        body=(
            "The preset starts every weight at 0.5 and every bias at 0 (constant "
            "initialisation): four hidden neurons on XOR. Press play and look at the diagram: "
            "the four hidden maps stay identical, step after step.",
            "Neurons with the same incoming weights compute the same output on every point. "
            "Their outgoing weights are equal too, so the output neuron treats them alike and "
            "backpropagation hands each the same gradient. Same start, same update, forever. "
            "The network behaves like a single hidden neuron copied four times, and one line "
            "cannot do XOR: the accuracy stalls near 70%.",
            "Random initial weights break the tie. Each neuron starts on a different line, "
            "gets a different gradient and drifts toward a different feature. This is the "
            "point a commenter made to the learner: a neuron is not defined by the data alone. "
            "Where it starts decides which feature it ends up extracting; another seed gives "
            "another set of neurons, often as good, rarely the same.",
        ),
        analogy="Exact for this app: identical neurons get identical gradients under SGD, "
                "momentum and Adam alike, with any batch size, so they stay equal to the last "
                "digit. Only something that treats neurons differently separates them.",
        tries=(
            Try("The same network with random (Xavier) initial weights: the maps part ways "
                "and XOR is solved.", XOR_CONSTANT.but(init="xavier")),
            Try("All weights zero: the same trap — the hidden neurons move, but together.",
                XOR_CONSTANT.but(init="zeros")),
            Try("Back to random weights, change the seed a few times: different lines, much "
                "the same result."),
        ),
        question="If all neurons start identical, could a larger learning rate or another "
                 "optimizer make them differ?",
        answer="No. Every update rule here applies the same arithmetic to the same numbers, so "
               "identical neurons get identical updates whatever the learning rate, batch size "
               "or optimizer. Only something that treats neurons differently — random initial "
               "weights, or randomness in training such as dropout — can separate them.",
    ),
    Lesson(
        slug="seeds",
        title="One optimum against many",
        summary="Logistic regression's loss has one lowest point; a network's has many.",
        preset=XOR_SEEDS,
        body=(
            "Every run starts from random weights drawn from a seed. Does the seed matter? The "
            "preset opens *Runs side by side* and trains the XOR network with two sigmoid "
            "hidden neurons from 8 seeds at once: same data, same train/test split, same "
            "settings, only the starting weights differ. After 1 000 steps each it shows their "
            "maps side by side, their loss curves and a table of their final losses.",
            "They do not agree. Measured, the final training losses run from 0.279 to 0.535 "
            "and the training accuracy from 70% to 88%. Seed 0 finds the band between two "
            "lines (88%); four seeds fence off a single corner (72.5%); seed 2 ends with "
            "what is nearly one straight line (70%).",
            "Now the first thing to try: the same 8 seeds with no hidden layer. Every final "
            "loss is 0.6919724, the same to the last digit, and the 8 maps are one map. "
            "Logistic regression's log-loss is *convex* in its weights: a bowl with a single "
            "lowest point, so every start rolls to the same place.",
            "A hidden layer breaks the bowl. Swap the two hidden neurons (and their weights "
            "to the output) and you have another network with exactly the same loss: a second "
            "lowest point. Halfway between the two, both neurons are the same, and the loss "
            "is far higher (the question below). So the loss has many valleys, some deeper "
            "than others, and gradient descent ends in whichever valley its start leads to. "
            "That is why a stalled run is worth a new seed, and why spare neurons help: with "
            "four, seven of the 8 seeds reach 98% or more.",
        ),
        analogy="Exact for logistic regression: its log-loss is convex, and on data that no "
                "line separates it has one lowest point, which full-batch training reaches "
                "from every seed (here the 8 final training losses agree to 12 digits and "
                "more). For a network nothing says which valley a start leads to: the spread "
                "measured here is for this data and these settings.",
        tries=(
            Try("No hidden layer, the same 8 seeds: one final loss, 0.6919724, and one map.",
                XOR_SEEDS.but(layers=())),
            Try("Four hidden neurons, 8 seeds: seven reach 98% or more and seed 7 stops at "
                "91%; the final losses still differ (0.014 to 0.200).",
                XOR_SEEDS.but(layers=(4,))),
            Try("Three times the steps (3 000 each): every seed's loss falls by less than "
                "0.02 and the spread stays: more steps do not move a run into another valley.",
                XOR_SEEDS.but(steps=3000)),
        ),
        question="Seed 0's network, with its two hidden neurons swapped, has the same loss, "
                 "0.2787. What is the loss halfway between the two, where every weight is the "
                 "mean of the two versions, and what does it say about the loss's shape?",
        answer="Halfway, both hidden neurons have the same weights: the network draws one line "
               "twice, as with constant initialisation, and its loss is 1.38 (measured), "
               "higher even than the 0.69 of saying one half everywhere. A convex loss can "
               "never be higher halfway between two points than at both ends, so this one is "
               "not convex: it has separate valleys, and where training ends depends on where "
               "it starts.",
    ),
    Lesson(
        slug="activations",
        title="Other activations: tanh and ReLU",
        summary="The building block changes shape; the combining stays the same.",
        preset=CIRCLE_RELU,
        body=(
            "Nothing forces hidden neurons to use the sigmoid. `tanh(z)` runs from −1 to 1 "
            "instead of 0 to 1; ReLU, `max(0, z)`, is zero on one side of its line and a "
            "straight ramp on the other. Each is still applied to a weighted sum plus a bias, "
            "so each hidden neuron still has its line `w·x + b = 0`: what changes is the shape "
            "across it.",
            "The preset uses ReLU on the circle. Each neuron map is flat on one side of its "
            "line and keeps growing on the other. The output neuron is still a sigmoid with "
            "log-loss, a logistic regression on these ramps. Its weighted sum is piecewise "
            "linear in x₁, x₂, so the boundary on the output map is a polygon, with straight "
            "sides and corners, where sigmoid neurons give a smooth curve.",
            "tanh is a sigmoid in disguise: `tanh(z) = 2σ(2z) − 1`. Any tanh network is a "
            "sigmoid network with rescaled weights and shifted biases, so it can draw the same "
            "pictures; it often trains faster because its outputs are centred on zero. ReLU is "
            "different in kind: its neurons are not probabilities and its sums are built from "
            "hinges rather than steps. The combining idea is unchanged: the hidden layer makes "
            "features, the output neuron weighs them.",
        ),
        analogy="Here the analogy stops. Only a sigmoid hidden neuron has the form of a logistic "
                "regression; a tanh neuron is a rescaled one (exactly, by the identity above); "
                "a ReLU neuron is not one at all. The output neuron of a classifier is still a "
                "logistic regression on whatever the hidden layer produces.",
        tries=(
            Try("The same network with tanh: smooth boundary again, maps from −1 to 1.",
                CIRCLE_RELU.but(act="tanh")),
            Try("And with the sigmoid, for comparison.", CIRCLE_RELU.but(act="sigmoid")),
            Try("ReLU on XOR: the boundary is made of straight pieces there too.",
                CIRCLE_RELU.but(data="xor")),
        ),
        question="With ReLU hidden neurons, where can the output's boundary bend?",
        answer="The output's weighted sum `v₁·max(0, z₁) + … + c` is linear in the inputs "
               "wherever no hidden neuron switches on or off; it changes slope only where some "
               "`zₖ = 0`, on a hidden neuron's line. So the boundary is straight between those "
               "lines and can bend only where it crosses one of them.",
    ),
    Lesson(
        slug="capacity",
        title="Capacity: when the network learns the noise",
        summary="A big network on little noisy data: test loss rises while training loss falls.",
        preset=MOONS_BIG,
        body=(
            "The preset is a big network — two hidden layers of 16 — on 80 noisy moons points, "
            "half of them held out as test points (drawn with a dark ring). Press play and "
            "watch the loss chart: both losses fall at first, then after a hundred steps or so "
            "the test loss turns and climbs while the training loss keeps falling toward zero.",
            "The output map shows why. The network has many more weights than there are "
            "training points, so it can draw a boundary around every noisy point, islands and "
            "fingers included. Training accuracy reaches 100%. The test points, never trained "
            "on, fall on the wrong side of those detours, and log-loss punishes confident "
            "mistakes hard, so the test loss grows much faster than the test accuracy falls.",
            "Here the *approximation* picture needs its caveat: a flexible enough sum of "
            "neurons approximates the training data itself, noise included, and that is not "
            "what you want. The remedies are more data, fewer neurons, stopping early (near the "
            "bottom of the test curve) or regularisation: L2 adds `l2/2 · Σw²` to the loss and "
            "pulls the weights toward zero, which keeps the maps smooth.",
        ),
        analogy="Logistic regression can overfit too, with many features and few rows, and L2 "
                "here is the same penalty as scikit-learn's C. A network simply has far more "
                "weights to spend on the noise.",
        tries=(
            Try("L2 = 0.003: the boundary stays smooth and the test loss stays low.",
                MOONS_BIG.but(l2=0.003)),
            Try("Too much L2 (0.03): every weight is pulled to nothing and the network says "
                "one half everywhere.", MOONS_BIG.but(l2=0.03)),
            Try("Five times the data, same network: the detours have less room.",
                MOONS_BIG.but(n=400)),
        ),
        question="The training loss is still falling. How does the loss chart tell you when to "
                 "stop, and why not go by the training loss?",
        answer="Stop near the lowest point of the test curve: after it, every gain on the "
               "training points is fitting their noise. The training loss cannot show this, "
               "because it measures the fit to the very points the network is adjusting to. "
               "(In real work a separate validation set picks the stopping point, so that the "
               "test set stays an honest final check.)",
    ),
]

LESSONS: tuple[Lesson, ...] = tuple(replace(lesson, number=i + 1)
                                    for i, lesson in enumerate(_LESSONS))
BY_SLUG: dict[str, Lesson] = {lesson.slug: lesson for lesson in LESSONS}

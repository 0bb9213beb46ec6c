"""How the weights learn: the gradient of a session's training loss at its current weights,
the weights its next step makes from it, and the error signal δ = ∂loss/∂z that
backpropagation hands every hidden neuron, over the input plane and at the training points.

Everything is computed on a copy of the session's network (the live one is never touched):
the gradient by the engine's own `Network.backward` on every training row (the loss a
full-batch step minimises, regularisation included), the next step by a copy of the session's
trainer (its optimizer, state and next minibatch), and δ from the engine's pieces (forward,
the activation's derivative, the weights), the same recursion `backward` runs.
"""

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.nn import Network, Trainer
from app.nn.network import Forward
from app.nn.trainer import Diverged
from app.schemas.gradients import Gradient, LayerGradient, TrainingPoints
from app.schemas.sessions import GridInfo, LayerParams
from app.training.framing import every
from app.training.session import TrainingSession

Array = NDArray[Any]


def copy_network(s: TrainingSession) -> Network:
    """A network like the session's, holding a copy of its parameters."""
    net = Network(s.sizes, s.net.activation.name, s.net.output.name)
    net.params[...] = s.net.params
    return net


def deltas(net: Network, fwd: Forward, Y: Array, n: int) -> list[Array]:
    """δ = ∂loss/∂z of every hidden layer, (N, H) each, for the rows of `fwd` against Y (N, K),
    each row weighing 1/n in the mean (the canonical link: the output's δ is (P − Y)/n)."""
    dZ = (fwd.output - Y) / n  # (N, K)
    out: list[Array] = []
    for l in range(net.n_layers - 1, 0, -1):
        dA = dZ @ net.W[l].T  # (N, H_l)
        zT, aT = fwd.ZT[l - 1], fwd.AT[l]  # this hidden layer, (H_l, N)
        dZ = dA * net.activation.grad(zT, aT, np.empty_like(zT)).T
        out.append(dZ)
    return out[::-1]


def next_parameters(s: TrainingSession) -> Array | None:
    """The parameters after the session's next step, made by a copy of its trainer (None when
    that step diverges)."""
    t = s.trainer
    twin = Trainer(copy_network(s), t.X, t.Y, np.random.default_rng(), t.optimizer.name,
                   t.optimizer.learning_rate, t.batch_size, t.l1, t.l2)
    twin.load_state(t.state())
    try:
        twin.step(1)
    except Diverged:
        return None
    return twin.net.params.copy()


def _layers(net: Network, flat: Array) -> list[LayerGradient]:
    """A flat parameter-shaped vector (the engine's layout: every W, then every b) as layers."""
    out, i, j = [], 0, net.n_weights
    for nin, nout in zip(net.sizes[:-1], net.sizes[1:], strict=True):
        out.append(LayerGradient(weights=flat[i : i + nin * nout].reshape(nin, nout).tolist(),
                                 bias=flat[j : j + nout].tolist()))
        i, j = i + nin * nout, j + nout
    return out


def _class_targets(net: Network, c: int, n_points: int, n_classes: int) -> Array:
    """Y (n_points, K) saying every point is of class c."""
    if net.output.name == "softmax":
        return net.output.targets(np.full(n_points, c), n_classes)
    return np.full((n_points, 1), float(c))


def gradient(s: TrainingSession, size: int, layer: int | None = None,
             neuron: int | None = None) -> Gradient:
    """The Gradient resource of session `s` now, with δ maps on a `size`×`size` grid (of
    hidden layer `layer` only, 1 = first, and of its neuron `neuron` only, when given: the
    others' lists are empty)."""
    with s.lock, np.errstate(all="ignore"):
        t, d = s.trainer, s.data
        net = copy_network(s)
        fwd = net.forward(d.X_train)
        grad = net.backward(fwd, s.Y_train, t.l1, t.l2).copy()
        data_loss = net.output.loss(fwd.ZT[-1], s.Y_train.T)
        penalty = net.penalty(t.l1, t.l2)
        nxt = next_parameters(s)
        n = len(d.X_train)
        shown = slice(None, None, every(n))

        def asked(l: int, j: int) -> bool:
            """Hidden neuron j of layer l + 1 is one whose δ the request asked for."""
            return layer in (None, l + 1) and neuron in (None, j)

        train_deltas = deltas(net, fwd, s.Y_train, n)
        grid = s.grid(size)
        classes = d.classes if d.task != "regression" else None
        maps = None
        if classes is not None:
            G = grid.inputs.astype(np.float64)
            gfwd = net.forward(G)
            per_class = [deltas(net, gfwd, _class_targets(net, c, len(G), len(classes)), n)
                         for c in range(len(classes))]
            maps = [[[per_class[c][l][:, j].reshape(grid.shape).tolist()
                      for c in range(len(classes))] if asked(l, j) else []
                     for j in range(net.sizes[l + 1])]
                    for l in range(net.n_layers - 1)]
        cols = [d.features.index(f) for f in d.view_features]
        return Gradient(
            step=s.step_count, loss=_finite(data_loss + penalty), data_loss=_finite(data_loss),
            penalty=_finite(penalty),
            n_train=n, optimizer=t.optimizer.name, learning_rate=t.optimizer.learning_rate,
            batch_size=None if t.full_batch else t.batch_size, l1=t.l1, l2=t.l2,
            layers=[LayerParams(**layer) for layer in s.layers()],
            gradient=_layers(net, grad),
            next_layers=None if nxt is None else _layers(net, nxt),
            grid=GridInfo(**grid.describe()),
            delta_classes=classes, delta_maps=maps,
            points=TrainingPoints(every=every(n), x=d.raw_train[shown][:, cols].tolist(),
                                  y=_shown_targets(s, shown)),
            delta_points=[[dz[shown, j].tolist() if asked(l, j) else []
                           for j in range(dz.shape[1])] for l, dz in enumerate(train_deltas)],
            explanation=explain(s),
        )


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _shown_targets(s: TrainingSession, shown: slice) -> list[float]:
    y = s.data.y_train[shown].astype(np.float64)
    if s.data.task == "regression":
        y = y * s.data.y_std + s.data.y_mean
    return [float(v) for v in y]


_FADES = {
    "sigmoid": "it fades where the neuron is saturated (σ′ = σ(1 − σ) is near 0 there)",
    "tanh": "it fades where the neuron is saturated (tanh′ = 1 − tanh² is near 0 there)",
    "relu": "it is exactly 0 where z < 0: there the neuron is off and ReLU′ = 0",
    "linear": "the activation passes it on unchanged (its derivative is 1 everywhere)",
}


def explain(s: TrainingSession) -> dict[str, str]:
    """The slow-motion view's sentences, true for this session's activation, task, optimizer
    and batch: 'line' and 'weights' (the arrows), 'delta' (the δ picture), 'step'."""
    t, d = s.trainer, s.data
    n, eta, opt = len(d.X_train), f"{t.optimizer.learning_rate:g}", t.optimizer.name
    reg = " plus the L1/L2 penalty" if (t.l1 or t.l2) else ""
    averaged = f"averaged over all {n} training rows{reg}"
    if opt == "sgd":
        move = f"w − η·∂loss/∂w and b − η·∂loss/∂b with η = {eta}"
    else:
        move = (f"what the next {opt} step makes of it (η = {eta}; {opt} rescales and "
                "accumulates the gradient, so its step is not exactly −η·gradient)")
    if not t.full_batch:
        move += (f"; that step uses its next minibatch of {t.batch_size} rows, not all "
                 f"{n}, so it can differ from the gradient shown")
    what = "cut point, where w·x + b = 0" if len(d.view_features) == 1 else "line w·x + b = 0"
    line = (f"Black: this neuron's {what}, now. Green dashed: the same after one step, {move}. "
            f"The green arrows go from the one to the other: the gradient, {averaged}, tells "
            "the line where to move and turn.")
    weights = (f"Each weight's and the bias's gradient ∂loss/∂w, {averaged}, and the value "
               f"after one step: {move}.")
    hidden = s.net.activation.name
    held = [f for f in d.features if f not in d.view_features]
    dots = ("whose δ this map gives" if not held else "whose own δ is the map's only where "
            f"{', '.join(held[:3])}{' …' if len(held) > 3 else ''} sit at their training mean, "
            "as the map holds them")
    one_d = len(d.view_features) == 1
    up = ("drawn at height −δ: above the middle line it pushes z up (δ < 0), below it down"
          if one_d else "purple: it pushes z up (δ < 0), orange: down")
    if d.task == "regression":
        delta = ("δ at each training point: the error signal ∂loss/∂z this neuron gets from "
                 "that row (its 1/N share of the mean; the dots' δ add up to ∂loss/∂b), "
                 f"{up}. A place with no training point has no target, so no map. Through the "
                 f"activation, {_FADES[hidden]}.")
    else:
        shape = "curve" if one_d else "map"
        delta = (f"δ {shape}: the error signal ∂loss/∂z this neuron would get from one more "
                 "training point of the chosen class at each place (its 1/N share of the "
                 f"mean), {up}. The dots are the training points of that class, {dots}; "
                 f"{_FADES[hidden]}.")
    step = ("One press runs one training step, then the session stays paused; everything on "
            "the card is redrawn at the new weights.")
    return {"line": line, "weights": weights, "delta": delta, "step": step}

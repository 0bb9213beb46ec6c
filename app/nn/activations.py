"""Hidden-layer activations: each computes a = f(z) and da/dz from (z, a), in place when asked."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]


def sigmoid(z: Array, out: Array | None = None) -> Array:
    """σ(z) = 1 / (1 + e^-z), written as ½(1 + tanh(z/2)): no overflow for any z."""
    out = np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def _sigmoid_grad(z: Array, a: Array, out: Array) -> Array:
    np.subtract(1.0, a, out=out)
    out *= a
    return out


def _tanh(z: Array, out: Array | None = None) -> Array:
    return np.tanh(z, out=out)


def _tanh_grad(z: Array, a: Array, out: Array) -> Array:
    np.multiply(a, a, out=out)
    np.subtract(1.0, out, out=out)
    return out


def _relu(z: Array, out: Array | None = None) -> Array:
    return np.maximum(z, 0.0, out=out)


def _relu_grad(z: Array, a: Array, out: Array) -> Array:
    np.greater(z, 0.0, out=out)  # bool written as 0.0 / 1.0
    return out


def _linear(z: Array, out: Array | None = None) -> Array:
    if out is None:
        return z.copy()
    np.copyto(out, z)
    return out


def _linear_grad(z: Array, a: Array, out: Array) -> Array:
    out.fill(1.0)
    return out


@dataclass(frozen=True)
class Activation:
    """A hidden activation: `f(z, out)` and its derivative `grad(z, a, out)`, with its name,
    how it is written (`symbol` in a neuron's formula, `formula` in full) and its `range`
    (None: unbounded on that side)."""

    name: str
    f: Callable[..., Array]
    grad: Callable[[Array, Array, Array], Array]
    label: str
    symbol: str
    formula: str
    range: tuple[float | None, float | None]


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid, _sigmoid_grad, "sigmoid", "σ",
                          "σ(z) = 1 / (1 + e^(−z))", (0.0, 1.0)),
    "tanh": Activation("tanh", _tanh, _tanh_grad, "tanh", "tanh",
                       "tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z)) = 2σ(2z) − 1", (-1.0, 1.0)),
    "relu": Activation("relu", _relu, _relu_grad, "ReLU", "relu", "relu(z) = max(0, z)",
                       (0.0, None)),
    "linear": Activation("linear", _linear, _linear_grad, "linear", "", "linear(z) = z",
                         (None, None)),
}

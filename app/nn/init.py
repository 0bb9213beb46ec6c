"""Weight initialisations; every random draw comes from the Generator passed in."""

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]
Init = Callable[[np.random.Generator, int, int, float], Array]


def _xavier(rng: np.random.Generator, nin: int, nout: int, value: float) -> Array:
    limit = np.sqrt(6.0 / (nin + nout))  # Glorot uniform
    return rng.uniform(-limit, limit, size=(nin, nout))


def _he(rng: np.random.Generator, nin: int, nout: int, value: float) -> Array:
    return rng.normal(0.0, np.sqrt(2.0 / nin), size=(nin, nout))


def _uniform(rng: np.random.Generator, nin: int, nout: int, value: float) -> Array:
    return rng.uniform(-0.5, 0.5, size=(nin, nout))


def _constant(rng: np.random.Generator, nin: int, nout: int, value: float) -> Array:
    return np.full((nin, nout), float(value))


def _zeros(rng: np.random.Generator, nin: int, nout: int, value: float) -> Array:
    return np.zeros((nin, nout))


INITS: dict[str, Init] = {
    "xavier": _xavier,
    "he": _he,
    "uniform": _uniform,
    "constant": _constant,
    "zeros": _zeros,
}

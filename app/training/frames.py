"""Maps of the network over the input plane: grids, their evaluation, and compact encoding.

A grid spans the one or two view features (raw units, padded a little beyond the data);
every other feature is held at its training mean. The output and every hidden neuron are
evaluated from the same forward pass, in float32 (the maps end up as 8-bit values anyway).
"""

import base64
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.data.prepare import Prepared
from app.nn.network import Network, forward

Array = NDArray[Any]
PAD = 0.05


@dataclass(frozen=True)
class Grid:
    """A G×G (or G×1 for 1-D data) lattice over the view features, and the network inputs at it."""

    size: int
    x: tuple[float, float]
    y: tuple[float, float] | None
    features: list[str]
    inputs: NDArray[np.float32]  # (G·G, n_inputs) row-major: row i = i-th y, column j = j-th x

    @property
    def shape(self) -> tuple[int, int]:
        return (1 if self.y is None else self.size, self.size)

    def describe(self) -> dict[str, Any]:
        return {"size": self.size, "x": list(self.x),
                "y": None if self.y is None else list(self.y), "features": self.features}


def _span(values: Array) -> tuple[float, float]:
    lo, hi = float(values.min()), float(values.max())
    pad = (hi - lo) * PAD or 1.0
    return lo - pad, hi + pad


def make_grid(data: Prepared, size: int) -> Grid:
    """The grid of `size` cells per side over `data`'s view features."""
    raw = np.vstack([data.raw_train, data.raw_test])
    cols = [data.features.index(f) for f in data.view_features]
    x = _span(raw[:, cols[0]])
    xs = np.linspace(*x, size)
    points = np.tile(data.mean, (size if len(cols) == 1 else size * size, 1))
    if len(cols) == 1:
        points[:, cols[0]] = xs
        y = None
    else:
        y = _span(raw[:, cols[1]])
        gx, gy = np.meshgrid(xs, np.linspace(*y, size))
        points[:, cols[0]], points[:, cols[1]] = gx.ravel(), gy.ravel()
    inputs = data.inputs_from_raw(points).astype(np.float32)
    return Grid(size, x, y, list(data.view_features), inputs)


def evaluate(net: Network, grid: Grid) -> list[Array]:
    """Every layer's activation at every grid point: hidden layers…, then the output."""
    W = [w.astype(np.float32) for w in net.W]
    b = [v.astype(np.float32) for v in net.b]
    with np.errstate(all="ignore"):
        return forward(W, b, grid.inputs, net.activation, net.output).A[1:]


FIXED_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "softmax": (0.0, 1.0)}


def value_range(values: Array, activation: str) -> tuple[float, float]:
    """The [lo, hi] a map is drawn over: the activation's own range when it has one."""
    if activation in FIXED_RANGE:
        return FIXED_RANGE[activation]
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return 0.0, 1.0
    return (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)


def encode(values: Array, lo: float, hi: float) -> dict[str, Any]:
    """A map as base64 of row-major uint8 with its lo/hi: value = lo + (hi − lo)·u/255."""
    scaled = (values - lo) * np.float32(255.0 / (hi - lo)) + np.float32(0.5)
    np.clip(scaled, 0, 255, out=scaled)
    u8 = np.nan_to_num(scaled, nan=0.0).astype(np.uint8)
    return {"lo": lo, "hi": hi, "data": base64.b64encode(u8.tobytes()).decode("ascii")}


def encode_map(values: Array, activation: str) -> dict[str, Any]:
    return encode(values, *value_range(values, activation))

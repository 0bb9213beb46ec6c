"""Output layers and their losses, one per task.

Each pairs an output activation with its canonical loss, so the gradient of the mean loss
with respect to the output pre-activation is always (P − Y) / N.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.nn.activations import sigmoid

Array = NDArray[Any]


@dataclass(frozen=True)
class Output:
    """An output layer: how many units for `n_classes`, its activation, and its mean loss."""

    name: str

    def units(self, n_classes: int) -> int:
        return n_classes if self.name == "softmax" else 1

    def activate(self, z: Array, out: Array | None = None) -> Array:
        """Output activation of the pre-activation `z` (…, K, N): one row per output unit."""
        if self.name == "sigmoid":
            return sigmoid(z, out=out)
        if self.name == "softmax":
            out = np.subtract(z, z.max(axis=-2, keepdims=True), out=out)
            np.exp(out, out=out)
            out /= out.sum(axis=-2, keepdims=True)
            return out
        if out is None:
            return z.copy()
        np.copyto(out, z)
        return out

    def targets(self, y: NDArray[np.generic], n_classes: int) -> Array:
        """The (N, K) target matrix Y that P is compared with: one-hot for softmax."""
        if self.name == "softmax":
            Y = np.zeros((len(y), n_classes))
            Y[np.arange(len(y)), y.astype(np.intp)] = 1.0
            return Y
        return np.asarray(y, dtype=np.float64).reshape(-1, 1)

    def loss(self, z: Array, Y: Array) -> float:
        """Mean data loss from the pre-activation z (K, N) against Y (K, N)."""
        return float(self.losses(z, Y))

    def losses(self, z: Array, Y: Array) -> Array:
        """Mean data loss of each pre-activation in the stack z (P, K, N) against Y (K, N), or
        of z (K, N) alone; computed stably (no exp overflow), the same bits either way."""
        stacked = z.ndim > 2
        if self.name == "sigmoid":  # log-loss: log(1 + e^z) − y·z
            return _mean(_softplus(z) - Y * z, stacked)
        if self.name == "softmax":  # cross-entropy: logsumexp(z) − z_y
            m = z.max(axis=-2)
            lse = m + np.log(np.exp(z - m[..., None, :]).sum(axis=-2))
            return _mean(lse - (z * Y).sum(axis=-2), stacked)
        return _mean((z - Y) ** 2, stacked) / 2.0  # squared error, halved


def _softplus(z: Array) -> Array:
    """log(1 + e^z) with no overflow: max(z, 0) + log1p(e^−|z|), the terms np.logaddexp(0, z)
    adds, as whole-array ufuncs (np.logaddexp calls the C library per element: the log-loss
    of 64 × 400 values, the train rows of 64 recorded steps, took 749 µs with it, 277 so)."""
    t = np.abs(z)
    np.negative(t, out=t)
    np.exp(t, out=t)
    np.log1p(t, out=t)
    t += np.maximum(z, 0.0)
    return t


def _mean(terms: Array, stacked: bool) -> Array:
    """The mean of `terms` (one per item of the first axis when stacked), summed as np.mean
    sums it, without its Python-level overhead."""
    flat = terms.reshape(len(terms), -1) if stacked else terms.reshape(-1)
    mean: Array = np.add.reduce(flat, axis=-1) / flat.shape[-1]
    return mean

OUTPUTS: dict[str, Output] = {name: Output(name) for name in ("sigmoid", "softmax", "identity")}
OUTPUT_FOR_TASK = {"binary": "sigmoid", "multiclass": "softmax", "regression": "identity"}

"""A dense network whose parameters live in one flat buffer.

Layout of `params`: every layer's weights (in×out, row-major), then every layer's biases.
The weights are therefore one contiguous slice, which makes L1/L2 two array operations and
lets the optimizer update the whole network in a handful of calls.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.nn.activations import ACTIVATIONS, Activation
from app.nn.init import INITS
from app.nn.losses import OUTPUTS, Output

Array = NDArray[Any]


@dataclass
class Forward:
    """What a forward pass leaves behind: per layer the pre-activation Z and activation A.

    `A[0]` is the input X; `Z[l]`, `A[l + 1]` belong to weight layer l; `A[-1]` is the output.
    These are exactly what backward needs and what the per-neuron maps draw.
    """

    Z: list[Array]
    A: list[Array]

    @property
    def output(self) -> Array:
        return self.A[-1]


def forward(
    W: list[Array], b: list[Array], X: Array, activation: Activation, output: Output,
    out: Forward | None = None,
) -> Forward:
    """Run X (N, D) through layers (W, b); write into `out`'s buffers when given."""
    fwd = out or Forward(Z=[], A=[X])
    fwd.A[0] = X
    a = X
    last = len(W) - 1
    for l, (Wl, bl) in enumerate(zip(W, b, strict=True)):
        if out is None:
            z = a @ Wl
            z += bl
            fwd.Z.append(z)
            fwd.A.append(output.activate(z) if l == last else activation.f(z))
        else:
            z = np.matmul(a, Wl, out=fwd.Z[l])
            z += bl
            if l == last:
                output.activate(z, out=fwd.A[l + 1])
            else:
                activation.f(z, out=fwd.A[l + 1])
        a = fwd.A[l + 1]
    return fwd


class Network:
    """Dense layers `sizes = [inputs, hidden…, outputs]`: hidden `activation`, then `output`."""

    def __init__(self, sizes: list[int], activation: str = "sigmoid", output: str = "sigmoid"):
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"a network needs at least an input and an output size, got {sizes}")
        self.sizes = list(sizes)
        self.activation = ACTIVATIONS[activation]
        self.output = OUTPUTS[output]
        shapes = list(zip(self.sizes[:-1], self.sizes[1:], strict=True))
        self.n_weights = sum(nin * nout for nin, nout in shapes)
        self.params = np.zeros(self.n_weights + sum(self.sizes[1:]))
        self.grad = np.zeros_like(self.params)
        self.W, self.b = self._views(self.params, shapes)
        self.dW, self.db = self._views(self.grad, shapes)
        self._buffers: dict[int, tuple[Forward, list[Array], list[Array]]] = {}

    def _views(self, flat: Array, shapes: list[tuple[int, int]]) -> tuple[list[Array], list[Array]]:
        W, b, i, j = [], [], 0, self.n_weights
        for nin, nout in shapes:
            W.append(flat[i : i + nin * nout].reshape(nin, nout))
            b.append(flat[j : j + nout])
            i, j = i + nin * nout, j + nout
        return W, b

    @property
    def n_layers(self) -> int:
        """Number of weight layers (hidden layers + 1)."""
        return len(self.sizes) - 1

    def init(self, rng: np.random.Generator, kind: str = "xavier", value: float = 0.1) -> None:
        """Fresh weights from initialisation `kind`; biases start at 0."""
        for Wl in self.W:
            Wl[...] = INITS[kind](rng, Wl.shape[0], Wl.shape[1], value)
        for bl in self.b:
            bl.fill(0.0)

    def forward(self, X: Array, scratch: bool = False) -> Forward:
        """Forward pass of X (N, D). `scratch=True` reuses buffers owned by the network
        (fast; valid only until the next scratch pass of the same N)."""
        if not scratch:
            return forward(self.W, self.b, X, self.activation, self.output)
        return forward(self.W, self.b, X, self.activation, self.output, self._scratch(len(X))[0])

    def _scratch(self, n: int) -> tuple[Forward, list[Array], list[Array]]:
        """Buffers for batches of n rows: the forward pass, dZ per layer, temporaries."""
        if n not in self._buffers:
            Z = [np.empty((n, k)) for k in self.sizes[1:]]
            A: list[Array] = [np.empty((0, 0))] + [np.empty((n, k)) for k in self.sizes[1:]]
            dZ = [np.empty((n, k)) for k in self.sizes[1:]]
            tmp = [np.empty((n, k)) for k in self.sizes[1:]]
            if len(self._buffers) > 4:
                self._buffers.clear()
            self._buffers[n] = (Forward(Z=Z, A=A), dZ, tmp)
        return self._buffers[n]

    def backward(self, fwd: Forward, Y: Array, l1: float = 0.0, l2: float = 0.0) -> Array:
        """Gradient of the total loss (mean data loss + l2/2·Σw² + l1·Σ|w|) into `self.grad`."""
        n = len(Y)
        _, dZs, tmps = self._scratch(n)
        dZ = np.subtract(fwd.A[-1], Y, out=dZs[-1])  # canonical link: dL/dz = (P − Y) / N
        dZ *= 1.0 / n
        for l in range(self.n_layers - 1, -1, -1):
            np.matmul(fwd.A[l].T, dZ, out=self.dW[l])
            np.sum(dZ, axis=0, out=self.db[l])  # not ones @ dZ: BLAS would break exact symmetry
            if l > 0:
                dA = np.matmul(dZ, self.W[l].T, out=dZs[l - 1])  # (N, H_l)
                self.activation.grad(fwd.Z[l - 1], fwd.A[l], tmps[l - 1])
                dA *= tmps[l - 1]
                dZ = dA
        self._regularise(l1, l2)
        return self.grad

    def _regularise(self, l1: float, l2: float) -> None:
        if not (l1 or l2):
            return
        w, dw = self.params[: self.n_weights], self.grad[: self.n_weights]
        if l2:
            dw += l2 * w
        if l1:
            dw += l1 * np.sign(w)

    def penalty(self, l1: float = 0.0, l2: float = 0.0) -> float:
        """The regularisation part of the loss: l2/2·Σw² + l1·Σ|w| over weights only."""
        w = self.params[: self.n_weights]
        return float(l2 / 2.0 * np.dot(w, w) + l1 * np.abs(w).sum())

    def loss(self, X: Array, Y: Array, l1: float = 0.0, l2: float = 0.0) -> float:
        """Total loss on (X, Y): mean data loss plus the penalty."""
        fwd = self.forward(X)
        return self.output.loss(fwd.Z[-1], Y) + self.penalty(l1, l2)

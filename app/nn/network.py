"""A dense network whose parameters live in one flat buffer, computing one row per neuron.

Layout of `params`: every layer's weights (in×out, row-major), then every layer's biases.
The weights are therefore one contiguous slice, which makes L1/L2 two array operations and
lets the optimizer update the whole network in a handful of calls.

Activations are computed as (units, N): one contiguous row per neuron, so a bias is added to
a whole row at once and a bias gradient is a row sum. Callers still see (N, units) arrays:
transposed views of the same memory (`Forward.A`, `Forward.Z`, `Forward.output`).
"""

import itertools
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
    """What a forward pass leaves behind: per layer the pre-activation and activation.

    Stored one row per neuron: `ZT[l]`, `AT[l + 1]` (units, N) belong to weight layer l,
    `AT[0]` is the input X.T. `Z`, `A` and `output` are the same arrays as (N, units) views
    (`A[0]` is X, `A[-1]` the output): exactly what backward needs and the per-neuron maps draw.
    """

    ZT: list[Array]
    AT: list[Array]

    @property
    def Z(self) -> list[Array]:
        return [z.T for z in self.ZT]

    @property
    def A(self) -> list[Array]:
        return [a.T for a in self.AT]

    @property
    def output(self) -> Array:
        return self.AT[-1].T


def empty_forward(sizes: list[int], n: int) -> Forward:
    """Buffers for a forward pass of n points through layers `sizes`, to pass as `out`."""
    return Forward(ZT=[np.empty((k, n)) for k in sizes[1:]],
                   AT=[np.empty((0, 0))] + [np.empty((k, n)) for k in sizes[1:]])


def rows_times(M: Array, V: Array, out: Array) -> Array:
    """out (H, N) = M (H, K) @ V (K, N), one matrix-vector product per row of M.

    Equal rows of M give bit-equal rows of out (a blocked matrix product may round them
    differently): neurons that start identical stay identical. M must be C-contiguous."""
    if M.shape[1] == 1:  # an outer product
        return np.multiply(M, V, out=out)
    np.matmul(M[:, None, :], V, out=out[:, None, :])
    return out


def dots(A: Array, B: Array, out: Array) -> Array:
    """out (K, H) = A (K, N) @ B (H, N).T, one dot product per element: equal rows of A or of B
    give bit-equal rows or columns of out."""
    return np.vecdot(A[:, None, :], B, out=out)


def forward(
    W: list[Array], b: list[Array], X: Array, activation: Activation, output: Output,
    out: Forward | None = None,
) -> Forward:
    """Run X (N, D) through layers (W, b); write into `out`'s buffers when given.

    A transposed view of a contiguous (D, N) array is used as it is; other X are copied once."""
    a = np.ascontiguousarray(X.T)  # (D, N)
    fwd = out or Forward(ZT=[], AT=[a])
    fwd.AT[0] = a
    last = len(W) - 1
    for l, (Wl, bl) in enumerate(zip(W, b, strict=True)):
        if out is None:
            fwd.ZT.append(np.empty((Wl.shape[1], a.shape[1]), dtype=np.result_type(Wl, a)))
            fwd.AT.append(np.empty_like(fwd.ZT[l]))
        z = rows_times(np.ascontiguousarray(Wl.T), a, out=fwd.ZT[l])  # (H, N)
        z += bl[:, None]
        a = fwd.AT[l + 1]
        if l == last:
            output.activate(z, out=a)
        else:
            activation.f(z, out=a)
    return fwd


def forward_stack(net: "Network", params: Array, X: Array) -> Forward:
    """The forward pass of X (N, D) at each row of `params` (P, net.params.size) at once:
    ZT[l], AT[l + 1] are (P, units, N). Each row's pass has the same bits as that row's pass
    alone (P = 1), for metrics; not `forward`'s: one blocked product per layer and row."""
    a = np.ascontiguousarray(X.T)  # (D, N), then (P, H, N)
    fwd, P, i, j = Forward(ZT=[], AT=[a]), len(params), 0, net.n_weights
    for l, (nin, nout) in enumerate(itertools.pairwise(net.sizes)):
        WT = params[:, i : i + nin * nout].reshape(P, nin, nout).transpose(0, 2, 1)  # (P, H, K)
        z = np.multiply(WT, a) if nin == 1 else np.matmul(np.ascontiguousarray(WT), a)
        z += params[:, j : j + nout, None]
        i, j = i + nin * nout, j + nout
        a = net.output.activate(z) if l == net.n_layers - 1 else net.activation.f(z)
        fwd.ZT.append(z)
        fwd.AT.append(a)
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
        self._forwards: dict[int, Forward] = {}
        self._backwards: dict[int, tuple[list[Array], list[Array]]] = {}

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

    def forward(self, X: Array, scratch: bool = False, out: Forward | None = None) -> Forward:
        """Forward pass of X (N, D), into `out` (see `empty_forward`) when given.

        `scratch=True` reuses buffers owned by the network (fast; valid only until the next
        scratch pass of the same N)."""
        if scratch and out is None:
            out = self._cached(self._forwards, len(X), lambda n: empty_forward(self.sizes, n))
        return forward(self.W, self.b, X, self.activation, self.output, out)

    @staticmethod
    def _cached(cache: dict[int, Any], n: int, make: Any) -> Any:
        """cache[n], made by make(n) when missing (a few sizes kept at most)."""
        if n not in cache:
            if len(cache) > 4:
                cache.clear()
            cache[n] = make(n)
        return cache[n]

    def backward(self, fwd: Forward, Y: Array, l1: float = 0.0, l2: float = 0.0) -> Array:
        """Gradient of the total loss (mean data loss + l2/2·Σw² + l1·Σ|w|) into `self.grad`."""
        n = len(Y)
        dZs, tmps = self._cached(self._backwards, n, lambda n: (
            [np.empty((k, n)) for k in self.sizes[1:]], [np.empty((k, n)) for k in self.sizes[1:]]))
        dZ = np.subtract(fwd.AT[-1], Y.T, out=dZs[-1])  # (K, N) canonical link: (P − Y) / N
        dZ *= 1.0 / n
        for l in range(self.n_layers - 1, -1, -1):
            dots(fwd.AT[l], dZ, out=self.dW[l])  # (in, out)
            np.add.reduce(dZ, axis=1, out=self.db[l])
            if l > 0:
                dA = rows_times(self.W[l], dZ, out=dZs[l - 1])  # (H_l, N)
                dA *= self.activation.grad(fwd.ZT[l - 1], fwd.AT[l], tmps[l - 1])
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
        return self.output.loss(fwd.ZT[-1], Y.T) + self.penalty(l1, l2)

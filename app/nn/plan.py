"""A full-batch training step laid out once: every call of `Network.forward` and
`Network.backward`, in the same order, on the same buffers, with every view made ahead.

A step of a small network is a few dozen ufunc calls on arrays of a few thousand numbers, so
the Python around them (views, branches, attribute lookups) costs as much as the arithmetic.
The plan keeps only the calls; they are the same calls on the same values, so the bits are
the same as `forward` and `backward` give (tests/test_engine_exact.py checks both ways).
"""

from collections.abc import Callable
from typing import Any

import numpy as np

from app.nn.network import Array, Forward, Network

Call = tuple[Callable[..., Any], tuple[Any, ...]]


def _rows_times(M: Array, V: Array, out: Array) -> Call:
    """network.rows_times(M, V, out) as one call on views made now."""
    if M.shape[1] == 1:  # an outer product
        return np.multiply, (M, V, out)
    return np.matmul, (M[:, None, :], V, out[:, None, :])


class FullBatchPlan:
    """The forward and backward passes of `net` over all of XT (D, N) against YT (K, N),
    written into `fwd` (the trainer's forward pass of every row) and `net.grad`."""

    def __init__(self, net: Network, XT: Array, YT: Array, fwd: Forward):
        self.net = net
        n = XT.shape[1]
        fwd.AT[0] = XT
        A, Z = fwd.AT, fwd.ZT
        last = net.n_layers - 1
        forward: list[Call] = []
        for l, Wl in enumerate(net.W):
            WT = np.empty(Wl.shape[::-1])  # the contiguous copy forward makes of Wl.T
            forward.append((np.copyto, (WT, Wl.T)))
            forward.append(_rows_times(WT, A[l], Z[l]))
            forward.append((np.add, (Z[l], net.b[l][:, None], Z[l])))
            act = net.output.activate if l == last else net.activation.f
            forward.append((act, (Z[l], A[l + 1])))
        backward: list[Call] = []
        dZs = [np.empty((k, n)) for k in net.sizes[1:]]
        tmps = [np.empty((k, n)) for k in net.sizes[1:]]
        backward.append((np.subtract, (A[-1], YT, dZs[-1])))  # canonical link: (P − Y) / N
        backward.append((np.multiply, (dZs[-1], 1.0 / n, dZs[-1])))
        for l in range(last, -1, -1):
            dZ = dZs[l]
            backward.append((np.vecdot, (A[l][:, None, :], dZ, net.dW[l])))  # network.dots
            backward.append((np.add.reduce, (dZ, 1, None, net.db[l])))
            if l > 0:
                backward.append(_rows_times(net.W[l], dZ, dZs[l - 1]))
                backward.append((net.activation.grad, (Z[l - 1], A[l], tmps[l - 1])))
                backward.append((np.multiply, (dZs[l - 1], tmps[l - 1], dZs[l - 1])))
        self._forward, self._backward = forward, backward

    def forward(self) -> None:
        for f, args in self._forward:
            f(*args)

    def backward(self, l1: float, l2: float) -> None:
        """The gradient of the total loss into `net.grad`, as `Network.backward`."""
        for f, args in self._backward:
            f(*args)
        self.net._regularise(l1, l2)

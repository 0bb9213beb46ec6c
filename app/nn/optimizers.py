"""Optimizers that update a flat parameter buffer in place from a flat gradient."""

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]


class SGD:
    """Plain gradient descent: p −= lr·g."""

    name = "sgd"

    def __init__(self, size: int, learning_rate: float):
        self.learning_rate = learning_rate
        self.t = 0

    def update(self, params: Array, grad: Array) -> None:
        """Apply one update to `params` in place."""
        self.t += 1
        params -= self.learning_rate * grad

    def state(self) -> dict[str, Any]:
        """Everything needed to continue identically (arrays are copies)."""
        return {"t": self.t}

    def load_state(self, state: dict[str, Any]) -> None:
        self.t = int(state["t"])


class Momentum(SGD):
    """Heavy-ball momentum: v = μ·v + g; p −= lr·v."""

    name = "momentum"

    def __init__(self, size: int, learning_rate: float, mu: float = 0.9):
        super().__init__(size, learning_rate)
        self.mu = mu
        self.v = np.zeros(size)
        self._tmp = np.zeros(size)

    def update(self, params: Array, grad: Array) -> None:
        self.t += 1
        self.v *= self.mu
        self.v += grad
        np.multiply(self.v, self.learning_rate, out=self._tmp)
        params -= self._tmp

    def state(self) -> dict[str, Any]:
        return {"t": self.t, "v": self.v.copy()}

    def load_state(self, state: dict[str, Any]) -> None:
        self.t = int(state["t"])
        self.v[...] = state.get("v", 0.0)


class Adam(SGD):
    """Adam (Kingma & Ba) with bias correction, as torch.optim.Adam computes it."""

    name = "adam"

    def __init__(
        self, size: int, learning_rate: float,
        beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
    ):
        super().__init__(size, learning_rate)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self._mv = np.zeros((2, size))  # m and v, updated together
        self.m, self.v = self._mv
        self._gg = np.zeros((2, size))  # g and g², likewise
        self._decay = np.array([[beta1], [beta2]])
        self._keep = np.array([[1.0 - beta1], [1.0 - beta2]])
        self._tmp = np.zeros(size)

    def update(self, params: Array, grad: Array) -> None:
        self.t += 1
        b1, b2, tmp = self.beta1, self.beta2, self._tmp
        # m = β1·m + (1 − β1)·g and v = β2·v + (1 − β2)·g², both rows at once
        np.copyto(self._gg[0], grad)
        np.multiply(grad, grad, out=self._gg[1])
        self._gg *= self._keep
        self._mv *= self._decay
        self._mv += self._gg
        # p −= lr · m̂ / (√v̂ + ε), with m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t)
        np.sqrt(self.v, out=tmp)
        tmp *= 1.0 / math.sqrt(1.0 - b2**self.t)
        tmp += self.eps
        np.divide(self.m, tmp, out=tmp)
        tmp *= self.learning_rate / (1.0 - b1**self.t)
        params -= tmp

    def state(self) -> dict[str, Any]:
        return {"t": self.t, "m": self.m.copy(), "v": self.v.copy()}

    def load_state(self, state: dict[str, Any]) -> None:
        self.t = int(state["t"])
        self.m[...] = state.get("m", 0.0)
        self.v[...] = state.get("v", 0.0)


OPTIMIZERS: dict[str, type[SGD]] = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def make_optimizer(name: str, size: int, learning_rate: float) -> SGD:
    """An optimizer from its registry key ('sgd', 'momentum', 'adam')."""
    return OPTIMIZERS[name](size, learning_rate)

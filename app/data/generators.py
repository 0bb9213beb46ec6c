"""Built-in datasets: deterministic for a given (kind, n, noise, seed), keyed by short strings.

Every kind takes `noise` in [0, 1] (0 = the clean shape) and means by it:

- 2-D classification (`circle, xor, gauss, spiral, moons, linear, blobs, spiral3`): Gaussian
  jitter with std `2·noise` added to both coordinates after labelling, so points may cross
  the boundary. Coordinates lie within about ±6, as in TensorFlow Playground.
- 1-D regression (`sine, step, abs, cubic, bump`; x uniform in [-4, 4]): Gaussian noise on y
  with std `noise · scale`, where scale is half the clean curve's range.
- 1-D classification (`interval`): Gaussian jitter with std `noise` on x after labelling.
- 2-D regression (`plane, hills`; x1, x2 uniform in [-5, 5]): Gaussian noise on y with std
  `noise · scale` (plane 3, hills 0.5).

Classes are balanced (sizes differ by at most one); labels are the strings "0", "1", ...
Features are named x1, x2 (2-D) or x (1-D); the target is `label` or `y`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
from numpy.typing import NDArray

from app.data.store import DatasetError

Kind = Literal["circle", "xor", "gauss", "spiral", "moons", "linear", "blobs", "spiral3",
               "sine", "step", "abs", "cubic", "bump", "interval", "plane", "hills"]
Array = NDArray[np.float64]
MIN_N, MAX_N = 10, 5000
MIN_CLASSES, MAX_CLASSES = 3, 5


@dataclass
class Generated:
    """A generated dataset: feature columns, target name and values, task."""

    columns: dict[str, Array]
    target: str
    labels: NDArray[np.str_] | Array
    task: Literal["classification", "regression"]


def _sizes(n: int, k: int) -> list[int]:
    """n split into k class sizes differing by at most one."""
    return [n // k + (1 if c < n % k else 0) for c in range(k)]


# 2-D classification: each returns (X (n, 2), y (n,) int class indices), clean.

def _circle(n: int, rng: np.random.Generator, k: int) -> tuple[Array, NDArray[np.int64]]:
    """Class 1 inside radius 2.5, class 0 on a ring from 3.5 to 5."""
    n0, n1 = _sizes(n, 2)
    r = np.concatenate([rng.uniform(3.5, 5.0, n0), rng.uniform(0.0, 2.5, n1)])
    t = rng.uniform(0.0, 2 * np.pi, n)
    return np.column_stack([r * np.cos(t), r * np.sin(t)]), np.repeat([0, 1], [n0, n1])


def _xor(n: int, rng: np.random.Generator, k: int) -> tuple[Array, NDArray[np.int64]]:
    """Class 1 where x1·x2 > 0 (quadrants I and III), class 0 elsewhere; 0.3 away from the axes."""
    n0, n1 = _sizes(n, 2)
    a = rng.uniform(0.3, 5.0, (n, 2))
    s = rng.choice([-1.0, 1.0], n)
    sign2 = np.concatenate([-s[:n0], s[n0:]])  # class 0: opposite signs; class 1: same sign
    return np.column_stack([s * a[:, 0], sign2 * a[:, 1]]), np.repeat([0, 1], [n0, n1])


def _gauss(n: int, rng: np.random.Generator, k: int) -> tuple[Array, NDArray[np.int64]]:
    """Two round blobs of std 1 centred at (-2, -2) (class 0) and (2, 2) (class 1)."""
    n0, n1 = _sizes(n, 2)
    centres = np.repeat([[-2.0, -2.0], [2.0, 2.0]], [n0, n1], axis=0)
    return centres + rng.normal(0.0, 1.0, (n, 2)), np.repeat([0, 1], [n0, n1])


def _spiral_arms(n: int, rng: np.random.Generator, k: int) -> tuple[Array, NDArray[np.int64]]:
    """k interleaved spiral arms of radius 5, 1.75 turns each."""
    X, y = [], []
    for c, m in enumerate(_sizes(n, k)):
        i = rng.uniform(0.0, 1.0, m)  # position along the arm
        r = 5.0 * i
        t = 1.75 * 2 * np.pi * i + 2 * np.pi * c / k
        X.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        y.append(np.full(m, c))
    return np.concatenate(X), np.concatenate(y)


def _spiral(n: int, rng: np.random.Generator, k: int) -> tuple[Array, NDArray[np.int64]]:
    return _spiral_arms(n, rng, 2)


def _spiral3(n: int, rng: np.random.Generator, k: int) -> tuple[Array, NDArray[np.int64]]:
    return _spiral_arms(n, rng, 3)


def _moons(n: int, rng: np.random.Generator, k: int) -> tuple[Array, NDArray[np.int64]]:
    """Two interleaving half circles (scikit-learn's moons), scaled by 3 and centred."""
    n0, n1 = _sizes(n, 2)
    t0, t1 = rng.uniform(0, np.pi, n0), rng.uniform(0, np.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])
    X = 3.0 * (np.concatenate([upper, lower]) - [0.5, 0.25])
    return X, np.repeat([0, 1], [n0, n1])


def _linear(n: int, rng: np.random.Generator, k: int) -> tuple[Array, NDArray[np.int64]]:
    """Separable by the line through 0 at 30°, with a margin of 1 on each side."""
    n0, n1 = _sizes(n, 2)
    u = np.concatenate([rng.uniform(-4.5, -0.5, n0), rng.uniform(0.5, 4.5, n1)])
    v = rng.uniform(-4.5, 4.5, n)
    a = np.pi / 6
    X = np.column_stack([u * np.cos(a) - v * np.sin(a), u * np.sin(a) + v * np.cos(a)])
    return X, np.repeat([0, 1], [n0, n1])


def _blobs(n: int, rng: np.random.Generator, k: int) -> tuple[Array, NDArray[np.int64]]:
    """k round blobs of std 1 centred on a circle of radius 3.5."""
    sizes = _sizes(n, k)
    angles = np.pi / 2 + 2 * np.pi * np.arange(k) / k
    centres = 3.5 * np.column_stack([np.cos(angles), np.sin(angles)])
    return np.repeat(centres, sizes, axis=0) + rng.normal(0.0, 1.0, (n, 2)), np.repeat(
        np.arange(k), sizes)


# 1-D regression curves on x in [-4, 4], with the half range that scales their noise.

CURVES: dict[str, tuple[Callable[[Array], Array], float, str]] = {
    "sine": (np.sin, 1.0, "y = sin x"),
    "step": (lambda x: (x > 0).astype(np.float64), 0.5, "y = 1 where x > 0, else 0"),
    "abs": (np.abs, 2.0, "y = |x|"),
    "cubic": (lambda x: x**3 / 16, 4.0, "y = x³/16"),
    "bump": (lambda x: np.exp(-(x**2) / 2), 0.5, "y = exp(-x²/2), one bump at 0"),
}

HILLS = [(-2.5, -2.5, 1.0), (2.5, 2.5, 1.0), (-2.5, 2.5, -1.0), (2.5, -2.5, -1.0), (0, 0, 0.8)]


def _hills(x1: Array, x2: Array) -> Array:
    """Gaussian bumps of width 1.5 and alternating sign."""
    return sum((s * np.exp(-((x1 - a) ** 2 + (x2 - b) ** 2) / 4.5) for a, b, s in HILLS),
               np.zeros_like(x1))


@dataclass(frozen=True)
class KindSpec:
    """What a kind is, for `GET /api/datasets/kinds`."""

    kind: str
    description: str
    task: Literal["classification", "regression"]
    n_features: int
    n_classes: int | None
    default_noise: float
    noise: str


_JITTER = "Gaussian jitter with std 2·noise on both coordinates"
_CLASSIFIERS_2D: dict[str, tuple[Callable[..., tuple[Array, NDArray[np.int64]]], int, str]] = {
    "circle": (_circle, 2, "a disc of class 1 inside a ring of class 0"),
    "xor": (_xor, 2, "class 1 in quadrants I and III, class 0 in II and IV"),
    "gauss": (_gauss, 2, "two Gaussian blobs"),
    "spiral": (_spiral, 2, "two interleaved spiral arms"),
    "moons": (_moons, 2, "two interleaving half moons"),
    "linear": (_linear, 2, "two classes separable by a straight line"),
    "blobs": (_blobs, 3, "3 to 5 Gaussian blobs, one per class (parameter classes)"),
    "spiral3": (_spiral3, 3, "three interleaved spiral arms"),
}

KINDS: dict[str, KindSpec] = {
    **{k: KindSpec(k, d, "classification", 2, c, 0.1, _JITTER)
       for k, (_, c, d) in _CLASSIFIERS_2D.items()},
    **{k: KindSpec(k, f"1-D regression: {d}", "regression", 1, None, 0.1,
                   f"Gaussian noise on y with std {s:g}·noise")
       for k, (_, s, d) in CURVES.items()},
    "interval": KindSpec("interval", "1-D: class 1 inside -1.5 < x < 1.5, class 0 outside "
                         "(a bump needs two sigmoids)", "classification", 1, 2, 0.05,
                         "Gaussian jitter with std noise on x"),
    "plane": KindSpec("plane", "2-D regression: y = 0.6·x1 − 0.4·x2 + 1", "regression", 2,
                      None, 0.1, "Gaussian noise on y with std 3·noise"),
    "hills": KindSpec("hills", "2-D regression: Gaussian hills and valleys", "regression", 2,
                      None, 0.1, "Gaussian noise on y with std 0.5·noise"),
}
assert set(KINDS) == set(get_args(Kind))


def generate(kind: str, n: int, noise: float | None = None, seed: int = 0,
             classes: int | None = None) -> Generated:
    """Make `n` points of `kind`; same arguments, same arrays. Raises DatasetError (422)."""
    spec = KINDS.get(kind)
    if spec is None:
        raise DatasetError(f"unknown dataset kind '{kind}'; choose one of: {', '.join(KINDS)}")
    if not MIN_N <= n <= MAX_N:
        raise DatasetError(f"n must be from {MIN_N} to {MAX_N} points, got {n}")
    noise = spec.default_noise if noise is None else noise
    if not 0.0 <= noise <= 1.0:  # also rejects NaN
        raise DatasetError(f"noise must be from 0 to 1, got {noise}")
    if classes is not None and kind != "blobs":
        raise DatasetError(f"'classes' applies only to kind 'blobs', not '{kind}'")
    k = 3 if classes is None else classes
    if kind == "blobs" and not MIN_CLASSES <= k <= MAX_CLASSES:
        raise DatasetError(f"blobs takes {MIN_CLASSES} to {MAX_CLASSES} classes, got {k}")
    rng = np.random.default_rng(seed)

    if kind in _CLASSIFIERS_2D:
        X, c = _CLASSIFIERS_2D[kind][0](n, rng, k)
        X = X + rng.normal(0.0, 2 * noise, X.shape)
        return Generated({"x1": X[:, 0], "x2": X[:, 1]}, "label", c.astype(str), "classification")
    if kind in CURVES:
        f, scale, _ = CURVES[kind]
        x = rng.uniform(-4.0, 4.0, n)
        return Generated({"x": x}, "y", f(x) + rng.normal(0.0, noise * scale, n), "regression")
    if kind == "interval":
        n0, n1 = _sizes(n, 2)
        outside = rng.uniform(1.5, 4.0, n0) * rng.choice([-1.0, 1.0], n0)
        x = np.concatenate([outside, rng.uniform(-1.5, 1.5, n1)]) + rng.normal(0.0, noise, n)
        return Generated({"x": x}, "label", np.repeat(["0", "1"], [n0, n1]), "classification")
    x1, x2 = rng.uniform(-5.0, 5.0, (2, n))
    if kind == "plane":
        y: Array = 0.6 * x1 - 0.4 * x2 + 1.0 + rng.normal(0.0, 3 * noise, n)
    else:
        y = _hills(x1, x2) + rng.normal(0.0, 0.5 * noise, n)
    return Generated({"x1": x1, "x2": x2}, "y", y, "regression")

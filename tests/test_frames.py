"""Map encoding: uint8 with lo/hi round-trips within one step of 255, even for inf and NaN."""

import base64

import numpy as np

from app.nn.network import Network
from app.training.frames import encode_columns, evaluate_at, quantise_columns


def _decode(m: dict[str, object]) -> np.ndarray:
    u = np.frombuffer(base64.b64decode(str(m["data"])), dtype=np.uint8)
    lo, hi = float(m["lo"]), float(m["hi"])  # type: ignore[arg-type]
    return lo + (hi - lo) * u / 255.0


def test_columns_round_trip_within_half_a_level() -> None:
    rng = np.random.default_rng(0)
    values = rng.normal(size=(400, 3)).astype(np.float32) * [1, 10, 0.01]
    maps = encode_columns(values, "relu")
    for j, m in enumerate(maps):
        step = (m["hi"] - m["lo"]) / 255
        assert m["lo"] == values[:, j].min() and m["hi"] == values[:, j].max()
        assert np.abs(_decode(m) - values[:, j]).max() <= step / 2 + 1e-6 * abs(m["hi"])


def test_bounded_activations_use_their_own_range() -> None:
    values = np.full((10, 2), 0.5, dtype=np.float32)
    m = encode_columns(values, "tanh")[0]
    assert (m["lo"], m["hi"]) == (-1.0, 1.0)
    assert np.allclose(_decode(m), 0.5, atol=1 / 255)


def test_constant_and_non_finite_columns_still_encode() -> None:
    values = np.array([[1.0, np.inf], [1.0, np.nan], [1.0, 2.0], [1.0, -np.inf]], np.float32)
    flat, odd = encode_columns(values, "linear")
    assert flat["hi"] > flat["lo"]
    assert np.allclose(_decode(flat), 1.0, atol=1 / 255)
    decoded = _decode(odd)
    assert np.isfinite(decoded).all() and decoded[0] == odd["hi"] and decoded[3] == odd["lo"]


def test_maps_are_the_engine_forward_pass_in_float32() -> None:
    """`evaluate_at` (one float32 product per layer) against the engine's float64 pass."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2500, 3)) * 2
    cases = (([3, 8, 8, 1], "tanh", "sigmoid"), ([3, 5, 4], "relu", "softmax"),
             ([3, 16, 16, 16, 1], "sigmoid", "identity"), ([3, 1], "tanh", "sigmoid"))
    for sizes, act, out in cases:
        net = Network(sizes, act, out)
        net.init(rng, "xavier", 0.5)
        want = net.forward(X).A[1:]
        got = evaluate_at(net, X.astype(np.float32))
        for a, b in zip(want, got, strict=True):
            assert b.dtype == np.float32 and b.shape == a.shape
            np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-5)


def test_identical_neurons_draw_identical_maps() -> None:
    """A constant-initialised layer's neurons are exact copies: so are their maps, at the grid
    sizes the page asks for (the symmetry lesson shows them side by side)."""
    rng = np.random.default_rng(2)
    for sizes in ([2, 4, 1], [2, 5, 7, 1], [2, 8, 8, 1], [2, 32, 32, 32, 1], [2, 3, 17, 2]):
        net = Network(sizes, "tanh", "softmax" if sizes[-1] > 1 else "sigmoid")
        net.init(rng, "constant", 0.5)
        for W in net.W[1:]:  # moved off the constant, identical within each layer
            W += rng.normal(size=(W.shape[0], 1))
        grids = {}
        for size in (24, 64, 100):
            g = np.linspace(-3, 3, size, dtype=np.float32)
            grids[size] = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
        grids[124] = np.concatenate([grids[100], grids[24]])  # one pass for two grids (framing)
        for size, grid in grids.items():
            for layer in evaluate_at(net, grid)[:-1]:
                for part in (layer, layer[10000:]) if size == 124 else (layer,):
                    _, _, levels = quantise_columns(part, "tanh")
                    assert (levels == levels[0]).all(), (sizes, size)

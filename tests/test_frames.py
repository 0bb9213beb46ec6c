"""Map encoding: uint8 with lo/hi round-trips within one step of 255, even for inf and NaN."""

import base64

import numpy as np

from app.training.frames import encode_columns


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

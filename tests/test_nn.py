"""The engine: gradients against centered differences, logistic regression against scikit-learn,
XOR, the symmetry of constant initialisation, determinism and numerical safety."""

import itertools
import math

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from app.nn import ACTIVATIONS, INITS, Network, Trainer
from app.nn.trainer import Diverged

OUTPUTS = {"sigmoid": 1, "softmax": 3, "identity": 1}


def _targets(output: str, n: int, rng: np.random.Generator) -> np.ndarray:
    if output == "softmax":
        return np.eye(3)[rng.integers(0, 3, n)]
    if output == "sigmoid":
        return rng.integers(0, 2, (n, 1)).astype(float)
    return rng.normal(size=(n, 1))


def _numerical_grad(net: Network, X: np.ndarray, Y: np.ndarray, l1: float, l2: float) -> np.ndarray:
    eps, g = 1e-6, np.zeros_like(net.params)
    for i in range(net.params.size):
        old = net.params[i]
        net.params[i] = old + eps
        up = net.loss(X, Y, l1, l2)
        net.params[i] = old - eps
        down = net.loss(X, Y, l1, l2)
        net.params[i] = old
        g[i] = (up - down) / (2 * eps)
    return g


@pytest.mark.parametrize(
    ("activation", "output", "reg"),
    list(itertools.product(ACTIVATIONS, OUTPUTS, ["none", "l2", "l1", "both"])),
)
def test_backward_matches_centered_differences(activation: str, output: str, reg: str) -> None:
    rng = np.random.default_rng(1)
    net = Network([3, 5, 4, OUTPUTS[output]], activation, output)
    net.init(rng, "xavier")
    net.b[0][:] = rng.normal(size=5) * 0.3  # nonzero biases so their gradients are exercised
    X, Y = rng.normal(size=(7, 3)), _targets(output, 7, rng)
    if activation == "relu":  # keep pre-activations away from the kink at 0
        for z in net.forward(X).Z[:-1]:
            assert np.abs(z).min() > 1e-4
    l1 = 0.01 if reg in ("l1", "both") else 0.0
    l2 = 0.05 if reg in ("l2", "both") else 0.0
    analytic = net.backward(net.forward(X), Y, l1, l2).copy()
    numeric = _numerical_grad(net, X, Y, l1, l2)
    rel = np.linalg.norm(analytic - numeric) / np.linalg.norm(analytic + numeric)
    assert rel < 1e-6


def _train_full_batch(net: Network, X: np.ndarray, Y: np.ndarray, l2: float, steps: int) -> None:
    """Full-batch Adam with a falling learning rate, so it settles on the optimum."""
    tr = Trainer(net, X, Y, np.random.default_rng(0), "adam", 0.05, None, l2=l2)
    for lr in (0.05, 0.01, 0.002):
        tr.set_optimizer("adam", lr)
        tr.step(steps // 3)


def test_no_hidden_layer_is_binary_logistic_regression() -> None:
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    C = 1.0
    ref = LogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(X, y)
    net = Network([X.shape[1], 1], output="sigmoid")
    net.init(np.random.default_rng(0), "zeros")
    _train_full_batch(net, X, y.reshape(-1, 1).astype(float), 1.0 / (C * len(X)), 6000)
    ours = net.forward(X).output[:, 0]
    assert np.abs(ours - ref.predict_proba(X)[:, 1]).max() < 1e-4  # measured: 4.5e-7


def test_no_hidden_layer_softmax_is_multinomial_logistic_regression() -> None:
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    C = 1.0
    ref = LogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(X, y)  # multinomial (lbfgs)
    net = Network([4, 3], output="softmax")
    net.init(np.random.default_rng(0), "zeros")
    _train_full_batch(net, X, np.eye(3)[y], 1.0 / (C * len(X)), 6000)
    assert np.abs(net.forward(X).output - ref.predict_proba(X)).max() < 1e-4  # measured: 7.7e-8


XOR_X = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def _accuracy(net: Network, X: np.ndarray, Y: np.ndarray) -> float:
    return float(((net.forward(X).output > 0.5) == (Y > 0.5)).mean())


def test_one_hidden_layer_learns_xor() -> None:
    net = Network([2, 4, 1], "sigmoid", "sigmoid")
    net.init(np.random.default_rng(3))
    Trainer(net, XOR_X, XOR_Y, np.random.default_rng(3), "adam", 0.1).step(2000)
    assert _accuracy(net, XOR_X, XOR_Y) == 1.0


@pytest.mark.parametrize("seed", range(5))
def test_logistic_regression_cannot_pass_75_percent_on_xor(seed: int) -> None:
    net = Network([2, 1], output="sigmoid")
    net.init(np.random.default_rng(seed))
    Trainer(net, XOR_X, XOR_Y, np.random.default_rng(seed), "adam", 0.1).step(2000)
    assert _accuracy(net, XOR_X, XOR_Y) <= 0.75


def _spiral(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    t = rng.uniform(0.5, 3 * np.pi, n)
    label = rng.integers(0, 2, n)
    X = np.c_[t * np.cos(t + np.pi * label), t * np.sin(t + np.pi * label)] / 5
    return X, label.reshape(-1, 1).astype(float)


def test_constant_init_keeps_neurons_of_a_layer_identical() -> None:
    X, Y = _spiral(200, np.random.default_rng(0))
    net = Network([2, 5, 4, 1], "tanh", "sigmoid")
    net.init(np.random.default_rng(0), "constant", 0.3)
    Trainer(net, X, Y, np.random.default_rng(0), "adam", 0.05, batch_size=32).step(500)
    for W, b in zip(net.W[:-1], net.b[:-1], strict=True):
        assert np.ptp(W, axis=1).max() == 0.0  # every neuron (column) has the same weights
        assert np.ptp(b) == 0.0
    assert np.abs(net.W[0]).max() != 0.3  # and it did train


@pytest.mark.parametrize("kind", ["xavier", "he", "uniform"])
def test_random_init_makes_neurons_differ(kind: str) -> None:
    X, Y = _spiral(200, np.random.default_rng(0))
    net = Network([2, 5, 4, 1], "tanh", "sigmoid")
    net.init(np.random.default_rng(0), kind)
    Trainer(net, X, Y, np.random.default_rng(0), "adam", 0.05).step(50)
    for W in net.W[:-1]:
        assert np.ptp(W, axis=1).min() > 1e-3


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_same_config_and_seed_give_bit_identical_parameters(optimizer: str) -> None:
    def run() -> np.ndarray:
        X, Y = _spiral(300, np.random.default_rng(7))
        net = Network([2, 8, 8, 1], "relu", "sigmoid")
        rng = np.random.default_rng(42)
        net.init(rng)
        Trainer(net, X, Y, rng, optimizer, 0.01, batch_size=25, l1=1e-4, l2=1e-3).step(333)
        return net.params.copy()

    a, b = run(), run()
    assert a.tobytes() == b.tobytes()


def test_minibatches_reshuffle_every_epoch_and_count_epochs() -> None:
    X = np.arange(10.0).reshape(-1, 1)
    Y = np.zeros((10, 1))
    tr = Trainer(Network([1, 1]), X, Y, np.random.default_rng(0), "sgd", 0.1, batch_size=4)
    assert tr.steps_per_epoch == 3
    orders = []
    for _ in range(2):
        tr.step(3)
        orders.append(tr.rng.bit_generator.state["state"]["state"])
    assert tr.epoch == 2 and tr.step_count == 6
    assert orders[0] != orders[1]  # a fresh permutation was drawn for the second epoch


def test_checkpoint_replay_is_identical() -> None:
    X, Y = _spiral(100, np.random.default_rng(1))
    net = Network([2, 6, 1], "tanh", "sigmoid")
    rng = np.random.default_rng(5)
    net.init(rng)
    tr = Trainer(net, X, Y, rng, "adam", 0.02, batch_size=16)
    tr.step(17)  # stop mid-epoch
    state = tr.state()
    tr.step(40)
    first = net.params.copy()
    tr.load_state(state)
    tr.step(40)
    assert net.params.tobytes() == first.tobytes()


def test_extreme_inputs_raise_no_overflow_warnings() -> None:
    X = np.array([[1e6, -1e6], [-1e6, 1e6], [5e3, 0.0]])
    with np.errstate(all="raise"):
        for output, k in (("sigmoid", 1), ("softmax", 3)):
            net = Network([2, 3, k], "sigmoid", output)
            net.init(np.random.default_rng(0), "constant", 50.0)
            Y = np.eye(k)[[0, 1, 0]] if k > 1 else np.array([[0.0], [1.0], [0.0]])
            loss = net.loss(X, Y)
            assert math.isfinite(loss) and loss > 0
            assert np.isfinite(net.backward(net.forward(X), Y)).all()


def test_a_diverging_run_is_detected() -> None:
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(50, 2)) * 100, rng.normal(size=(50, 1)) * 100
    net = Network([2, 8, 1], "linear", "identity")
    net.init(rng)
    tr = Trainer(net, X, Y, rng, "sgd", 5.0)
    with pytest.raises(Diverged, match="NaN or inf"), np.errstate(all="ignore"):
        tr.step(1000)
    assert np.isfinite(net.params).all()  # the last finite parameters are kept


def test_every_init_has_the_right_shape_and_scale() -> None:
    rng = np.random.default_rng(0)
    for kind, init in INITS.items():
        W = init(rng, 30, 20, 0.25)
        assert W.shape == (30, 20)
        if kind == "constant":
            assert (W == 0.25).all()
        elif kind == "zeros":
            assert (W == 0).all()
        elif kind == "xavier":
            assert np.abs(W).max() <= np.sqrt(6 / 50)
        elif kind == "uniform":
            assert np.abs(W).max() <= 0.5


@pytest.mark.parametrize("batch_size", [None, 3])
def test_steps_with_a_callback_between_are_single_steps(batch_size: int | None) -> None:
    """Trainer.step(n, between) calls back after every update but the last, at that step's
    state (on the full batch with its forward pass made), and trains the very same bits as
    n calls of step(1)."""
    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(10, 2)), (rng.random((10, 1)) > 0.5).astype(float)

    def trainer() -> Trainer:
        net = Network([2, 4, 3, 1], "tanh", "sigmoid")
        net.init(np.random.default_rng(1), "xavier")
        return Trainer(net, X, Y, np.random.default_rng(2), "adam", 0.1, batch_size)

    one, many = trainer(), trainer()
    seen: list[tuple[int, int, bytes, bytes]] = []
    for _ in range(7):
        one.step(1)
        seen.append((one.step_count, one.epoch, one.net.params.tobytes(),
                     one.forward_all().output.tobytes()))
    calls: list[tuple[int, int, bytes, bytes]] = []
    many.step(7, lambda: calls.append((many.step_count, many.epoch, many.net.params.tobytes(),
                                       many.forward_all().output.tobytes())))
    assert calls == seen[:-1]
    assert many.net.params.tobytes() == one.net.params.tobytes()
    assert many.state()["optimizer_state"]["t"] == 7 and many.epoch == one.epoch

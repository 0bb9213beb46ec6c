"""The engine's exactness: PyTorch's trajectories, neurons that stay exact copies at any size,
the (N, units) views of the (units, N) buffers, and a shared forward pass that changes no bit."""

import itertools

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.nn import Network, Trainer
from app.nn.network import forward, forward_stack
from tests.helpers import make_dataset, make_session

ACTS = {"tanh": "Tanh", "sigmoid": "Sigmoid", "relu": "ReLU"}


def _xor(n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    X = np.random.default_rng(0).normal(size=(n, 2))
    return X, (X[:, :1] * X[:, 1:] > 0).astype(float)


@pytest.mark.parametrize(("sizes", "act"), [([2, 8, 8, 1], "tanh"), ([2, 5, 3, 1], "sigmoid"),
                                            ([2, 32, 32, 1], "relu")])
def test_full_batch_adam_follows_pytorch(sizes: list[int], act: str) -> None:
    torch = pytest.importorskip("torch")
    X, Y = _xor()
    net = Network(sizes, act, "sigmoid")
    net.init(np.random.default_rng(1))
    layers = []
    for W, b in zip(net.W, net.b, strict=True):
        linear = torch.nn.Linear(*W.shape, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W.T.copy()))
            linear.bias.copy_(torch.from_numpy(b.copy()))
        layers += [linear, getattr(torch.nn, ACTS[act])()]
    model = torch.nn.Sequential(*layers[:-1])
    opt, loss = torch.optim.Adam(model.parameters(), lr=0.03), torch.nn.BCEWithLogitsLoss()
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    for _ in range(100):
        opt.zero_grad()
        loss(model(Xt), Yt).backward()
        opt.step()
    Trainer(net, X, Y, np.random.default_rng(1), "adam", 0.03).step(100)
    for W, linear in zip(net.W, layers[::2], strict=True):
        assert np.abs(W - linear.weight.detach().numpy().T).max() < 1e-12  # measured ≤ 2e-14


@pytest.mark.parametrize(("h1", "h2"), list(itertools.product([3, 5, 6, 8], [1, 4, 7])))
def test_constant_init_keeps_neurons_identical_at_any_size(h1: int, h2: int) -> None:
    X, Y = _xor(150)  # 150 rows: full batch, and minibatches of 32 with a short last one
    for batch in (None, 32):
        net = Network([2, h1, h2, 1], "tanh", "sigmoid")
        net.init(np.random.default_rng(0), "constant", 0.3)
        Trainer(net, X, Y, np.random.default_rng(0), "adam", 0.05, batch).step(60)
        for W, b in zip(net.W[:-1], net.b[:-1], strict=True):
            assert np.ptp(W, axis=1).max() == 0.0 and np.ptp(b) == 0.0, (h1, h2, batch)
        assert np.ptp(net.W[-1], axis=0).max() == 0.0  # and their outgoing weights too
        assert np.abs(net.W[0]).max() != 0.3  # it did train


def test_forward_shows_n_by_units_views_of_one_row_per_neuron() -> None:
    net = Network([3, 4, 2], "tanh", "softmax")
    net.init(np.random.default_rng(0))
    X = np.random.default_rng(1).normal(size=(5, 3))
    fwd = net.forward(X)
    assert [a.shape for a in fwd.A] == [(5, 3), (5, 4), (5, 2)]
    assert [z.shape for z in fwd.Z] == [(5, 4), (5, 2)]
    assert [a.shape for a in fwd.AT] == [(3, 5), (4, 5), (2, 5)]
    assert np.shares_memory(fwd.A[1], fwd.AT[1]) and fwd.output.base is fwd.AT[-1]
    assert np.allclose(fwd.A[1], np.tanh(X @ net.W[0] + net.b[0]), rtol=0, atol=1e-15)
    assert np.allclose(fwd.output.sum(axis=1), 1.0)
    f32 = forward([w.astype(np.float32) for w in net.W], [v.astype(np.float32) for v in net.b],
                  X.astype(np.float32), net.activation, net.output)
    assert f32.output.dtype == np.float32 and np.allclose(f32.output, fwd.output, atol=1e-6)


def test_a_step_after_an_evaluation_is_the_same_step() -> None:
    """forward_all's pass is reused by the next full-batch step: bit-identical parameters
    whether or not anything evaluated in between, and after an outside edit it is redone."""
    X, Y = _xor()

    def run(evaluate_every: int, edit: bool) -> bytes:
        net = Network([2, 6, 1], "tanh", "sigmoid")
        net.init(np.random.default_rng(3))
        tr = Trainer(net, X, Y, np.random.default_rng(3), "adam", 0.05)
        for k in range(40):
            if k % evaluate_every == 0:
                tr.forward_all()
            if edit and k == 20:
                net.W[0][0, 0] += 0.5
            tr.step()
        return net.params.tobytes()

    assert run(1, False) == run(7, False) == run(1000, False)
    assert run(1, True) == run(1000, True) != run(1, False)


@pytest.mark.parametrize(("kind", "batch_size"), [("xor", None), ("xor", 16), ("blobs", None),
                                                  ("plane", None)])
def test_recorded_metrics_are_what_the_session_says_at_that_step(
        client: TestClient, kind: str, batch_size: int | None) -> None:
    """Recorded steps are scored in stacks (train rows from kept outputs, test rows in one
    pass); each equals what the session computes alone at that step, for every task."""
    sid = make_session(client, make_dataset(client, kind), hidden_layers=[5, 3],
                       activation="tanh", batch_size=batch_size)
    client.post(f"/api/sessions/{sid}/step", json={"steps": 30}).raise_for_status()
    history = client.get(f"/api/sessions/{sid}/history").json()
    for step in (30, 17, 4, 0):
        rewound = client.post(f"/api/sessions/{sid}/rewind", json={"step": step}).json()
        i = history["steps"].index(step)
        for key in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
            recorded = history[key][i] if history[key] is not None else None  # regression
            assert rewound["metrics"][key] == recorded, (step, key)


@pytest.mark.parametrize(("sizes", "act", "out"), [([2, 8, 8, 1], "tanh", "sigmoid"),
                                                   ([3, 5, 3], "relu", "softmax"),
                                                   ([1, 4, 1], "sigmoid", "identity")])
def test_a_stacked_pass_is_each_pass_bit_for_bit(sizes: list[int], act: str, out: str) -> None:
    """The test metrics of many recorded steps are scored in one stacked pass; each step's
    numbers are those of its pass alone (what evaluate() computes at that step)."""
    rng = np.random.default_rng(0)
    net = Network(sizes, act, out)
    X, Y = rng.normal(size=(125, sizes[0])), rng.normal(size=(sizes[-1], 125))
    P = rng.normal(size=(5, net.params.size))
    stack = forward_stack(net, P, X)
    losses = net.output.losses(stack.ZT[-1], Y)
    for p in range(5):
        one = forward_stack(net, P[p : p + 1], X)
        assert all(a[0].tobytes() == b[p].tobytes() for a, b in zip(one.AT[1:], stack.AT[1:],
                                                                    strict=True))
        assert net.output.losses(one.ZT[-1], Y)[0] == losses[p]
        net.params[...] = P[p]
        assert np.allclose(net.forward(X).output, one.AT[-1][0].T, rtol=0, atol=1e-12)


@pytest.mark.parametrize(("sizes", "act", "out", "l1", "l2"), [
    ([2, 8, 8, 1], "tanh", "sigmoid", 0.0, 0.0), ([1, 4, 1], "sigmoid", "identity", 0.0, 0.01),
    ([3, 6, 1, 4, 3], "relu", "softmax", 0.001, 0.0), ([2, 1], "linear", "sigmoid", 0.01, 0.01),
    ([2, 5, 5, 5, 1], "linear", "identity", 0.0, 0.0)])
def test_the_full_batch_plan_takes_the_same_steps_as_forward_and_backward(
        sizes: list[int], act: str, out: str, l1: float, l2: float) -> None:
    """Trainer.step on the full batch runs app.nn.plan; stepping by Network.forward and
    .backward by hand from the same start lands on the same bits (1-unit layers included:
    the outer products), and so does every forward pass the plan leaves behind."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(150, sizes[0]))
    k = sizes[-1]
    Y = (np.eye(k)[rng.integers(0, k, 150)] if out == "softmax"
         else rng.normal(size=(150, 1)) if out == "identity"
         else (X[:, :1] > 0).astype(float))
    nets = []
    for _ in range(2):
        net = Network(sizes, act, out)
        net.init(np.random.default_rng(1))
        nets.append(net)
    planned = Trainer(nets[0], X, Y, np.random.default_rng(2), "adam", 0.01, None, l1, l2)
    by_hand = Trainer(nets[1], X, Y, np.random.default_rng(2), "adam", 0.01, None, l1, l2)
    for _ in range(30):
        planned.step(1)
        fwd = nets[1].forward(X)
        nets[1].backward(fwd, Y, l1, l2)
        by_hand.optimizer.update(nets[1].params, nets[1].grad)
    assert np.array_equal(nets[0].params, nets[1].params)
    seen = Network(sizes, act, out)  # the parameters the plan's last forward pass saw
    seen.params[...] = nets[0].params
    planned.step(1)
    kept, again = planned._all, seen.forward(X)  # what recording and frames read afterwards
    for a, b in zip(kept.AT[1:] + kept.ZT, again.AT[1:] + again.ZT, strict=True):
        assert np.array_equal(a, b)
    assert planned.epoch == 31 and planned.step_count == 31

# What this measures (a benchmark that reports; it asserts nothing and never fails on a target):
#
# 1. Training speed, full-batch Adam steps per second, for two tanh networks with a sigmoid
#    output, float64: 2-8-8-1 (the page's default size) and 2-32x6-1 (six hidden layers of 32),
#    on 500 training points of a seeded 2-class spiral. Per network, side by side in one run:
#    - engine: app.nn.Network(sizes, "tanh", "sigmoid") + app.nn.Trainer(..., "adam", 0.03,
#      None).step(n) on the bench's own spiral in [-6, 6]² — forward, backward, Adam update
#      and the NaN check, per step;
#    - POST /step: the whole app in this process (TestClient over create_app, its lifespan
#      running): a session on POST /api/datasets/generate {"kind": "spiral", "n": 625} with
#      test_fraction 0.2 (so 500 training rows, like the others, and 125 test rows), then per
#      sample POST /reset and POST /step {"steps": n} — HTTP, validation, the request thread
#      pool, the session lock, history recording (train and test metrics at every recorded
#      step, checkpoints) and the answer's metrics. "from step 0" is the densest recording
#      (every step is recorded for the first 1000 steps); "from step >= 5000" continues one
#      session without resetting, as a long run does;
#    - PyTorch CPU (when importable), torch.set_num_threads(1), the same architecture in float64:
#      nn.Sequential(Linear, Tanh, …, Linear), BCEWithLogitsLoss, torch.optim.Adam, a plain
#      zero_grad / forward / backward / step loop on the bench's spiral;
#    - 2-8-8-1 only: scikit-learn MLPClassifier((8, 8), tanh, adam, batch_size=500).partial_fit
#      on the 500 rows: one epoch = one full-batch Adam step (its input validation included).
#    Target: POST /step >= 5x PyTorch's steps/s for 2-8-8-1 (the engine alone, more).
# 2. The per-neuron maps: one forward pass of a 100x100 grid (10,000 points) keeping every
#    layer's activation — net.forward(G) in float64, and app.nn.network.forward with weights,
#    biases and grid cast to float32. Target: < 0.5 ms per grid. A third, diagnostic row reuses
#    the network's buffers (net.forward(G, scratch=True)): the arithmetic without allocation.
#    The allocating rows depend on the process's malloc state: net.forward(G) allocates ~2.6 MB
#    of new arrays per call, and when glibc serves them as fresh mmapped pages (a fresh process
#    that has not yet freed a bigger block — importing torch or not changes this) the first-touch
#    page faults cost more than the arithmetic. The "faults/op" column shows which case it was.
#
# All cases run in one process, warmed up, then sampled round-robin (common.measure) so noise
# hits them alike; the table quotes median and min per operation and ratios of medians, and
# the per-round ratios (each of ours against PyTorch's sample of the same round). The load
# average is printed before and after. BLAS threads and OPENBLAS_* variables are left as the
# machine sets them (printed, not set).
"""Engine benchmark: training steps/s (engine and POST /step) against PyTorch and scikit-learn,
and grid forward time."""

import contextlib
import itertools
import os
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from app.nn import Network, Trainer
from app.nn.network import forward
from tests.bench.common import Case, environment, fmt_rate, fmt_time, markdown_table, measure

SEED = 0
N_POINTS = 500
LEARNING_RATE = 0.03
GRID = 100  # the per-neuron maps are GRID x GRID points

SMALL, BIG = "2-8-8-1", "2-32x6-1"
NETS = {SMALL: [2, 8, 8, 1], BIG: [2, *[32] * 6, 1]}
# steps per sample and samples: ours (engine and POST /step), PyTorch
OUR_STEPS = {SMALL: 2000, BIG: 300}
TORCH_STEPS = {SMALL: 500, BIG: 100}
OUR_REPEATS, TORCH_REPEATS = 7, 7
SKLEARN_EPOCHS, SKLEARN_REPEATS = 200, 5
GRID_CALLS, GRID_REPEATS = 50, 7
API_PRETRAIN = 5000  # steps before the "from step >= 5000" samples
API_DATASET = {"kind": "spiral", "n": 625, "noise": 0.1, "seed": 1}  # 500 train + 125 test rows
API_TEST_FRACTION = 0.2

TARGET_RATIO = 5.0  # POST /step / torch steps per second, 2-8-8-1
TARGET_GRID_S = 0.5e-3


def spiral(rng: np.random.Generator, n: int = N_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals in [-6, 6]²: X (n, 2) float64 and Y (n, 1) float 0/1."""
    half = n // 2
    X, Y = [], []
    for label in (0, 1):
        r = np.linspace(0.2, 5.5, half)
        theta = 1.75 * 2 * np.pi * np.linspace(0.0, 1.0, half) + label * np.pi
        pts = np.column_stack([r * np.sin(theta), r * np.cos(theta)])
        X.append(pts + rng.normal(0.0, 0.15, size=pts.shape))
        Y.append(np.full(half, float(label)))
    return np.clip(np.vstack(X), -6.0, 6.0), np.concatenate(Y).reshape(-1, 1)


def grid_points(k: int = GRID) -> np.ndarray:
    """The k x k grid over [-6, 6]² the per-neuron maps are drawn on, (k², 2) float64."""
    g = np.linspace(-6.0, 6.0, k)
    gx, gy = np.meshgrid(g, g)
    return np.column_stack([gx.ravel(), gy.ravel()])


def engine(name: str, X: np.ndarray, Y: np.ndarray) -> tuple[Case, Network]:
    net = Network(NETS[name], "tanh", "sigmoid")
    net.init(np.random.default_rng(SEED))
    trainer = Trainer(net, X, Y, np.random.default_rng(SEED), "adam", LEARNING_RATE, None)
    steps = OUR_STEPS[name]
    return Case(f"{name} engine: Trainer.step, adam", lambda: trainer.step(steps), steps,
                OUR_REPEATS), net


@contextlib.contextmanager
def in_process_app() -> Iterator[Any]:
    """A TestClient over create_app(Settings(data_dir=tmp)), its lifespan running, from
    127.0.0.1 (so the app asks it for no token)."""
    from app.config import Settings
    from app.main import create_app
    from tests.conftest import local_client

    with tempfile.TemporaryDirectory() as tmp, local_client(
        create_app(Settings(data_dir=Path(tmp))), base_url="http://127.0.0.1"
    ) as client:
        yield client


def api_cases(client: Any) -> list[tuple[str, Case]]:
    """POST /step cases per network: (network name, case), from step 0 and (2-8-8-1) later."""
    r = client.post("/api/datasets/generate", json=API_DATASET)
    r.raise_for_status()
    dataset_id = r.json()["id"]

    def session(hidden: list[int]) -> str:
        body = {"dataset_id": dataset_id, "hidden_layers": hidden, "activation": "tanh",
                "optimizer": "adam", "learning_rate": LEARNING_RATE, "batch_size": None,
                "test_fraction": API_TEST_FRACTION, "seed": SEED}
        r = client.post("/api/sessions", json=body)
        r.raise_for_status()
        sid: str = r.json()["id"]
        n_train = len(client.app.state.registry.get(sid).data.X_train)
        assert n_train == N_POINTS, f"the API session has {n_train} training rows"
        return sid

    def post_step(sid: str, steps: int, reset: bool) -> Callable[[], None]:
        def run() -> None:
            if reset:
                client.post(f"/api/sessions/{sid}/reset").raise_for_status()
            before = client.app.state.registry.get(sid).step_count
            r = client.post(f"/api/sessions/{sid}/step", json={"steps": steps})
            r.raise_for_status()
            assert r.json()["step"] == before + steps, "POST /step stopped at its deadline"

        return run

    cases = []
    for name, sizes in NETS.items():
        sid, steps = session(sizes[1:-1]), OUR_STEPS[name]
        cases.append((name, Case(f"{name} POST /step from step 0 (reset each sample)",
                                 post_step(sid, steps, reset=True), steps, OUR_REPEATS)))
    sid, steps = session(NETS[SMALL][1:-1]), OUR_STEPS[SMALL]
    client.post(f"/api/sessions/{sid}/step", json={"steps": API_PRETRAIN}).raise_for_status()
    cases.append((SMALL, Case(f"{SMALL} POST /step from step >= {API_PRETRAIN}",
                              post_step(sid, steps, reset=False), steps, OUR_REPEATS)))
    return cases


def pytorch(name: str, X: np.ndarray, Y: np.ndarray) -> Case | str:
    """The PyTorch case for network `name`, or why there is none."""
    try:
        import torch
    except ImportError:
        return "torch not installed: pip install torch==2.13.0"
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    f64, sizes = torch.float64, NETS[name]
    layers: list[torch.nn.Module] = []
    for nin, nout in itertools.pairwise(sizes):
        layers += [torch.nn.Linear(nin, nout, dtype=f64), torch.nn.Tanh()]
    model = torch.nn.Sequential(*layers[:-1])
    loss_fn = torch.nn.BCEWithLogitsLoss()
    opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    steps = TORCH_STEPS[name]

    def run() -> None:
        for _ in range(steps):
            opt.zero_grad()
            loss = loss_fn(model(Xt), Yt)
            loss.backward()
            opt.step()

    return Case(f"{name} PyTorch {torch.__version__} CPU, 1 thread, adam", run, steps,
                TORCH_REPEATS)


def sklearn(X: np.ndarray, Y: np.ndarray) -> Case | str:
    """The scikit-learn case (partial_fit epochs, 2-8-8-1), or why there is none."""
    try:
        import sklearn as sk
        from sklearn.neural_network import MLPClassifier
    except ImportError:
        return "scikit-learn not installed: pip install scikit-learn"
    clf = MLPClassifier(
        hidden_layer_sizes=tuple(NETS[SMALL][1:-1]),
        activation="tanh",
        solver="adam",
        batch_size=N_POINTS,
        learning_rate_init=LEARNING_RATE,
        random_state=SEED,
    )
    y = Y.ravel().astype(np.int64)
    clf.partial_fit(X, y, classes=np.array([0, 1]))

    def run() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. ConvergenceWarning: not what is measured
            for _ in range(SKLEARN_EPOCHS):
                clf.partial_fit(X, y)

    return Case(
        f"{SMALL} scikit-learn {sk.__version__} MLPClassifier.partial_fit",
        run,
        SKLEARN_EPOCHS,
        SKLEARN_REPEATS,
    )


def grid_cases(net: Network) -> list[Case]:
    G = grid_points()
    W32 = [w.astype(np.float32) for w in net.W]
    b32 = [b.astype(np.float32) for b in net.b]
    G32 = G.astype(np.float32)
    f32 = forward(W32, b32, G32, net.activation, net.output)  # sanity: all layers, float32
    f64 = net.forward(G)
    assert len(f64.A) == len(NETS[SMALL]) and all(a.dtype == np.float32 for a in f32.A), \
        "bad grid pass"
    assert np.allclose(f32.output, f64.output, atol=1e-4), "float32 grid disagrees with float64"

    def repeat(fn: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            for _ in range(GRID_CALLS):
                fn()

        return run

    return [
        Case(
            f"grid {GRID}x{GRID}, all neurons, float64: net.forward(G)",
            repeat(lambda: net.forward(G)),
            GRID_CALLS,
            GRID_REPEATS,
        ),
        Case(
            f"grid {GRID}x{GRID}, all neurons, float32: forward(W32, b32, G32, …)",
            repeat(lambda: forward(W32, b32, G32, net.activation, net.output)),
            GRID_CALLS,
            GRID_REPEATS,
        ),
        Case(
            f"grid {GRID}x{GRID}, float64, buffers reused (diagnostic): net.forward(G, "
            "scratch=True)",
            repeat(lambda: net.forward(G, scratch=True)),
            GRID_CALLS,
            GRID_REPEATS,
        ),
    ]


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def faults(case: Case) -> str:
    per_op = case.faults_per_op
    return "?" if per_op is None else f"{per_op:.3g}"


def training_rows(ours: list[tuple[str, Case]], torch_cases: dict[str, Case | str],
                  sk_case: Case | str) -> list[list[str]]:
    """One row per training case; ratios against the same network's PyTorch median."""
    rows = []
    cases = [*ours, *((n, c) for n, c in torch_cases.items() if isinstance(c, Case))]
    if isinstance(sk_case, Case):
        cases.append((SMALL, sk_case))
    for name, case in sorted(cases, key=lambda nc: list(NETS).index(nc[0])):
        ref = torch_cases[name]
        torch_s = ref.median if isinstance(ref, Case) else None
        unit = "epoch" if case is sk_case else "step"
        ratio = f"{torch_s / case.median:.2f}x" if torch_s else "n/a"
        target, met = "—", "—"
        if name == SMALL and "POST /step" in case.name:
            target = f">= {TARGET_RATIO:g}x torch"
            met = "n/a (no torch)" if torch_s is None else (
                "yes" if torch_s / case.median >= TARGET_RATIO else "NO")
        rows.append([case.name, f"{fmt_time(case.median)}/{unit}",
                     f"{fmt_time(case.min)}/{unit}", fmt_rate(case.rate, unit + "s"), ratio,
                     faults(case), target, met])
    for name, ref in torch_cases.items():
        if isinstance(ref, str):
            rows.append([f"{name} PyTorch", "—", "—", "—", "—", "—", "—", ref])
    return rows


def grid_rows(grids: list[Case]) -> list[list[str]]:
    return [[case.name, fmt_time(case.median), fmt_time(case.min), fmt_rate(case.rate, "grids"),
             "—", faults(case), f"< {fmt_time(TARGET_GRID_S)}",
             "yes" if case.median < TARGET_GRID_S else "NO"] for case in grids]


def main() -> None:
    X, Y = spiral(np.random.default_rng(SEED))
    with in_process_app() as client:
        engines = {name: engine(name, X, Y) for name in NETS}
        ours = [(name, case) for name, (case, _) in engines.items()] + api_cases(client)
        torch_cases = {name: pytorch(name, X, Y) for name in NETS}
        sk_case = sklearn(X, Y)
        grids = grid_cases(engines[SMALL][1])
        train = [c for _, c in ours] + [c for c in (*torch_cases.values(), sk_case)
                                        if isinstance(c, Case)]

        print(f"networks {', '.join(NETS)}, tanh/sigmoid, {N_POINTS} training points, float64, "
              f"full-batch Adam lr={LEARNING_RATE}; grid {GRID}x{GRID} = {GRID * GRID} points")
        for line in environment():
            print(line)
        for skipped in (*torch_cases.values(), sk_case):
            if isinstance(skipped, str):
                print(skipped)
        print(
            f"repeats (median of): ours {OUR_REPEATS} samples of {OUR_STEPS} steps, torch "
            f"{TORCH_REPEATS} of {TORCH_STEPS}, sklearn {SKLEARN_REPEATS}x{SKLEARN_EPOCHS} "
            f"epochs, grids {GRID_REPEATS}x{GRID_CALLS} calls; warmed up, interleaved",
            flush=True,
        )
        before = load()
        measure([*train, *grids])
        after = load()

    print(f"\nload average (1, 5, 15 min): {before} before, {after} after\n")
    print(markdown_table(
        ["benchmark", "median", "min", "rate (median)", "vs torch", "faults/op", "target", "met"],
        training_rows(ours, torch_cases, sk_case) + grid_rows(grids)))
    print()
    for name, case in ours:
        ref = torch_cases[name]
        if isinstance(ref, Case):
            paired = sorted(t / o for t, o in zip(ref.samples, case.samples, strict=False))
            print(f"{case.name} / torch per round (same round, side by side): "
                  f"{paired[0]:.2f}x–{paired[-1]:.2f}x over {len(paired)} rounds")
    fresh = [c.name.split(":")[0] for c in grids if (c.faults_per_op or 0) > 50]
    if fresh:
        print(
            f"page faults on every call in: {'; '.join(fresh)} — the allocator handed out fresh "
            "pages, so first-touch faults, not arithmetic, dominate those rows (see the "
            "scratch=True row)"
        )


if __name__ == "__main__":
    main()

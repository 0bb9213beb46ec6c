# What this measures (a benchmark that reports; it asserts nothing and never fails on a target):
#
# 1. Training speed, full-batch Adam steps per second, for a 2-8-8-1 tanh network with a
#    sigmoid output on 500 points of a seeded 2-class spiral in [-6, 6]², float64:
#    - ours: app.nn.Network([2, 8, 8, 1], "tanh", "sigmoid") + app.nn.Trainer(..., "adam", 0.03,
#      None).step(n) — forward, backward, Adam update and the NaN check, per step;
#    - PyTorch CPU (when importable), torch.set_num_threads(1), the same architecture in float64:
#      nn.Sequential(Linear, Tanh, Linear, Tanh, Linear), BCEWithLogitsLoss, torch.optim.Adam,
#      a plain zero_grad / forward / backward / step loop;
#    - scikit-learn MLPClassifier((8, 8), tanh, adam, batch_size=500).partial_fit on the 500 rows:
#      one epoch = one full-batch Adam step (its input validation included, as a user pays it).
#    Target: ours >= 5x PyTorch's steps/s.
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
# hits them alike; the table quotes median and min per operation and ratios of medians.
# BLAS threads and OPENBLAS_* variables are left as the machine sets them (printed, not set).
"""Engine benchmark: training steps/s against PyTorch and scikit-learn, and grid forward time."""

import warnings
from collections.abc import Callable

import numpy as np

from app.nn import Network, Trainer
from app.nn.network import forward
from tests.bench.common import Case, environment, fmt_rate, fmt_time, markdown_table, measure

SEED = 0
N_POINTS = 500
SIZES = [2, 8, 8, 1]
LEARNING_RATE = 0.03
GRID = 100  # the per-neuron maps are GRID x GRID points

OUR_STEPS, OUR_REPEATS = 2000, 7
TORCH_STEPS, TORCH_REPEATS = 500, 5
SKLEARN_EPOCHS, SKLEARN_REPEATS = 200, 5
GRID_CALLS, GRID_REPEATS = 50, 7

TARGET_RATIO = 5.0  # ours / torch steps per second
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


def ours(X: np.ndarray, Y: np.ndarray) -> tuple[Case, Network]:
    net = Network(SIZES, "tanh", "sigmoid")
    net.init(np.random.default_rng(SEED))
    trainer = Trainer(net, X, Y, np.random.default_rng(SEED), "adam", LEARNING_RATE, None)
    return Case(
        "ours: Trainer.step, adam", lambda: trainer.step(OUR_STEPS), OUR_STEPS, OUR_REPEATS
    ), net


def pytorch(X: np.ndarray, Y: np.ndarray) -> Case | str:
    """The PyTorch case, or why there is none."""
    try:
        import torch
    except ImportError:
        return "torch not installed: pip install torch==2.13.0"
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    f64 = torch.float64
    model = torch.nn.Sequential(
        torch.nn.Linear(SIZES[0], SIZES[1], dtype=f64),
        torch.nn.Tanh(),
        torch.nn.Linear(SIZES[1], SIZES[2], dtype=f64),
        torch.nn.Tanh(),
        torch.nn.Linear(SIZES[2], SIZES[3], dtype=f64),
    )
    loss_fn = torch.nn.BCEWithLogitsLoss()
    opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)

    def run() -> None:
        for _ in range(TORCH_STEPS):
            opt.zero_grad()
            loss = loss_fn(model(Xt), Yt)
            loss.backward()
            opt.step()

    return Case(f"PyTorch {torch.__version__} CPU, 1 thread, adam", run, TORCH_STEPS, TORCH_REPEATS)


def sklearn(X: np.ndarray, Y: np.ndarray) -> Case | str:
    """The scikit-learn case (partial_fit epochs), or why there is none."""
    try:
        import sklearn as sk
        from sklearn.neural_network import MLPClassifier
    except ImportError:
        return "scikit-learn not installed: pip install scikit-learn"
    clf = MLPClassifier(
        hidden_layer_sizes=tuple(SIZES[1:-1]),
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
        f"scikit-learn {sk.__version__} MLPClassifier.partial_fit",
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
    assert len(f64.A) == len(SIZES) and all(a.dtype == np.float32 for a in f32.A), "bad grid pass"
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


def main() -> None:
    X, Y = spiral(np.random.default_rng(SEED))
    our_case, net = ours(X, Y)
    torch_case = pytorch(X, Y)
    sk_case = sklearn(X, Y)
    grids = grid_cases(net)
    train = [our_case] + [c for c in (torch_case, sk_case) if isinstance(c, Case)]

    print(
        f"{'-'.join(map(str, SIZES))} tanh/sigmoid, {len(X)} spiral points, float64, "
        f"full-batch Adam lr={LEARNING_RATE}; grid {GRID}x{GRID} = {GRID * GRID} points"
    )
    for line in environment():
        print(line)
    for skipped in (torch_case, sk_case):
        if isinstance(skipped, str):
            print(skipped)
    print(
        f"repeats (median of): ours {OUR_REPEATS}x{OUR_STEPS} steps, torch {TORCH_REPEATS}x"
        f"{TORCH_STEPS} steps, sklearn {SKLEARN_REPEATS}x{SKLEARN_EPOCHS} epochs, grids "
        f"{GRID_REPEATS}x{GRID_CALLS} calls; warmed up, interleaved",
        flush=True,
    )

    measure([*train, *grids])

    torch_s = torch_case.median if isinstance(torch_case, Case) else None

    def faults(case: Case) -> str:
        per_op = case.faults_per_op
        return "?" if per_op is None else f"{per_op:.3g}"

    rows = []
    for case in train:
        unit = "epoch" if case is sk_case else "step"
        ratio = f"{torch_s / case.median:.2f}x" if torch_s else "n/a"
        target, met = "—", "—"
        if case is our_case:
            target = f">= {TARGET_RATIO:g}x torch"
            met = (
                "n/a (no torch)"
                if torch_s is None
                else ("yes" if torch_s / case.median >= TARGET_RATIO else "NO")
            )
        rows.append(
            [
                case.name,
                f"{fmt_time(case.median)}/{unit}",
                f"{fmt_time(case.min)}/{unit}",
                fmt_rate(case.rate, unit + "s"),
                ratio,
                faults(case),
                target,
                met,
            ]
        )
    if isinstance(torch_case, str):
        rows.insert(1, ["PyTorch", "—", "—", "—", "—", "—", "—", torch_case])
    for case in grids:
        met = "yes" if case.median < TARGET_GRID_S else "NO"
        rows.append(
            [
                case.name,
                fmt_time(case.median),
                fmt_time(case.min),
                fmt_rate(case.rate, "grids"),
                "—",
                faults(case),
                f"< {fmt_time(TARGET_GRID_S)}",
                met,
            ]
        )
    print()
    print(
        markdown_table(
            [
                "benchmark",
                "median",
                "min",
                "rate (median)",
                "vs torch",
                "faults/op",
                "target",
                "met",
            ],
            rows,
        )
    )
    if isinstance(torch_case, Case):
        paired = sorted(t / o for t, o in zip(torch_case.samples, our_case.samples, strict=False))
        print(
            f"\nours/torch per round (same round, side by side): {paired[0]:.2f}x–"
            f"{paired[-1]:.2f}x over {len(paired)} rounds"
        )
    fresh = [c.name.split(":")[0] for c in grids if (c.faults_per_op or 0) > 50]
    if fresh:
        print(
            f"page faults on every call in: {'; '.join(fresh)} — the allocator handed out fresh "
            "pages, so first-touch faults, not arithmetic, dominate those rows (see the "
            "scratch=True row)"
        )


if __name__ == "__main__":
    main()

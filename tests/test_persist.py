"""Saving a session: what `persist.dump` writes comes back exactly (weights, optimizer, rng,
history with its gaps, checkpoints), packed into a few arrays, and blobs written before the
packing still load."""

import importlib.util
import io
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.training import persist
from app.training.session import TrainingSession
from tests.helpers import make_dataset, make_session

ROOT = Path(__file__).resolve().parent.parent
UNPACKED = "08f2cd9"  # a commit whose persist.py wrote one array per checkpoint field


def session_of(client: TestClient, kind: str = "xor", **config: Any) -> TrainingSession:
    sid = make_session(client, make_dataset(client, kind), **config)
    session: TrainingSession = client.app.state.registry.get(sid)
    return session


def reloaded(client: TestClient, s: TrainingSession, blob: bytes) -> TrainingSession:
    fresh: TrainingSession = client.app.state.registry._build(s.id, s.config)
    persist.load(fresh, blob)
    return fresh


def assert_same(a: TrainingSession, b: TrainingSession) -> None:
    """Bit for bit: the trainer's state, the metrics (None where none) and the checkpoints."""
    def equal(x: Any, y: Any) -> None:
        if isinstance(x, dict):
            assert x.keys() == y.keys()
            for k in x:
                equal(x[k], y[k])
        elif isinstance(x, np.ndarray):
            assert np.array_equal(x, y) and x.dtype == y.dtype
        else:
            assert x == y
    # the rng at the current epoch's start is not compared: a loaded trainer replays the
    # epoch's shuffle from it and then holds the rng where the saved one was (`rng_state`),
    # so training on is what shows it exact
    sa, sb = a.trainer.state(), b.trainer.state()
    sa.pop("epoch_rng_state")
    sb.pop("epoch_rng_state")
    equal(sa, sb)
    assert a.history.metrics.steps == b.history.metrics.steps
    assert [e.__dict__ for e in a.history.metrics.items] == \
        [e.__dict__ for e in b.history.metrics.items]
    assert a.history.checkpoints.steps == b.history.checkpoints.steps
    for x, y in zip(a.history.checkpoints.items, b.history.checkpoints.items, strict=True):
        equal(x, y)


@pytest.mark.parametrize("kind", ["xor", "sine"])  # with accuracies, and without (regression)
def test_a_saved_session_comes_back_exactly_and_trains_on_the_same(client: TestClient,
                                                                     kind: str) -> None:
    s = session_of(client, kind, hidden_layers=[8, 8], activation="tanh", batch_size=16)
    s.train(3000)  # thinned metrics and checkpoints, minibatches mid-epoch
    blob = persist.dump(s)
    back = reloaded(client, s, blob)
    assert_same(s, back)
    s.train(137)
    back.train(137)
    assert_same(s, back)


def test_the_blob_is_a_few_arrays_not_one_per_checkpoint_field(client: TestClient) -> None:
    s = session_of(client, hidden_layers=[8, 8])
    s.train(20_000)
    assert len(s.history.checkpoints.items) >= 20
    with np.load(io.BytesIO(persist.dump(s)), allow_pickle=False) as npz:
        files = npz.files
    assert len(files) <= 24, files  # was one per field per checkpoint: 1 240 for this run


def old_persist() -> ModuleType:
    """persist.py as it was before packing, from git, imported on its own."""
    code = subprocess.run(["git", "show", f"{UNPACKED}:app/training/persist.py"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    if code.returncode != 0:
        pytest.skip(f"git history without {UNPACKED} (a shallow clone?): {code.stderr.strip()}")
    spec = importlib.util.spec_from_loader("persist_unpacked", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    exec(compile(code.stdout, "persist_unpacked.py", "exec"), module.__dict__)
    sys.modules.pop("persist_unpacked", None)
    return module


def test_a_blob_saved_before_packing_still_loads(client: TestClient) -> None:
    s = session_of(client, "sine", hidden_layers=[6])
    s.train(2500)
    back = reloaded(client, s, old_persist().dump(s))
    assert_same(s, back)


def test_saves_in_a_row_stay_exact_as_the_checkpoints_thin(client: TestClient) -> None:
    """A checkpoint is split for saving once; saves after more training (checkpoints thinned
    away, new ones, a hand edit's pinned one) still load back exactly."""
    s = session_of(client, hidden_layers=[5], batch_size=12)
    for n in (500, 1700, 33, 4000):
        s.train(n)
        if n == 33:
            s.set_parameters([(W.tolist(), b.tolist()) for W, b in zip(s.net.W, s.net.b,
                                                                       strict=True)])
        back = reloaded(client, s, persist.dump(s))
        assert_same(s, back)
        assert back.history.checkpoints.pinned == s.history.checkpoints.pinned
        assert back.history.events == s.history.events


def test_saves_in_a_row_stay_exact_as_the_metrics_thin(client: TestClient) -> None:
    """Each save packs only the metrics added since the last (the settled grid is packed
    once): through play ticks, the grid's stride doubling, a rewind, a reset and a
    regression run's missing accuracies, every save writes what packing every item writes."""
    for kind in ("xor", "sine"):
        s = session_of(client, kind, hidden_layers=[4])
        strides = set()
        for n, then in ((300, None), (900, None), (2000, "rewind"), (700, None), (5000, None),
                        (50, "reset"), (1500, None)):
            for _ in range(10):
                s.train(n // 10, tail=False)  # as play ticks do
            if then == "rewind":
                s.rewind(s.history.checkpoints.steps[-3])
            elif then == "reset":
                s.reset(3)
            strides.add(s.history.metrics.stride)
            with np.load(io.BytesIO(persist.dump(s)), allow_pickle=False) as npz:
                saved = npz["metrics"]
            assert np.array_equal(saved, persist._metrics_array(s.history.metrics.items),
                                  equal_nan=True)
            assert_same(s, reloaded(client, s, persist.dump(s)))
        assert len(strides) >= 3  # the grid coarsened in between

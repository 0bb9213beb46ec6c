"""Session state ⇄ bytes: current trainer state, history and checkpoints in one .npz blob.

Arrays go in as arrays; everything else (steps, rng states) as one JSON document, so loading
needs no pickle. A session is saved every few seconds while it plays, so the blob is packed:
the checkpoints' arrays stacked one array per field and the metrics as one float array (a
2-8-8-1 run at 20 000 steps: 10.5 ms and 1 240 zip entries a save before, see `dump`).
Blobs written before packing (one array per checkpoint field, metrics as JSON) still load.
A checkpoint is split into its JSON and arrays once (they never change), not at every save.
"""

import io
import json
import weakref
from operator import attrgetter
from typing import Any

import numpy as np

from app.training.history import History, Thinned
from app.training.session import Evaluation, TrainingSession


def _split(state: dict[str, Any], prefix: str, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """Move a trainer state's arrays into `arrays` (under `prefix`); return the JSON rest."""
    rest: dict[str, Any] = {}
    for key, value in state.items():
        if isinstance(value, np.ndarray):
            arrays[f"{prefix}{key}"] = value
            rest[key] = {"$array": f"{prefix}{key}"}
        elif isinstance(value, dict):
            rest[key] = _split(value, f"{prefix}{key}.", arrays)
        else:
            rest[key] = value
    return rest


def _join(rest: dict[str, Any], arrays: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in rest.items():
        if isinstance(value, dict) and "$array" in value:
            out[key] = arrays[value["$array"]]
        elif isinstance(value, dict):
            out[key] = _join(value, arrays)
        else:
            out[key] = value
    return out


METRICS = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")  # Evaluation's fields


Split = tuple[dict[str, Any], dict[str, np.ndarray], tuple[Any, ...]]  # rest, arrays, shape
_SPLITS: "weakref.WeakKeyDictionary[TrainingSession, dict[int, tuple[Any, Split]]]" = \
    weakref.WeakKeyDictionary()  # per session: a checkpoint's split, kept while it is held


def _split_once(state: dict[str, Any], cache: dict[int, tuple[Any, Split]]) -> Split:
    """`state`'s JSON rest, arrays and their fields' signature, split once per checkpoint (a
    checkpoint never changes; the cache holds the state itself, so its id is not reused)."""
    hit = cache.get(id(state))
    if hit is not None and hit[0] is state:
        return hit[1]
    local: dict[str, np.ndarray] = {}
    rest = _split(state, "", local)
    split = (rest, local, tuple((k, a.shape, a.dtype.str) for k, a in local.items()))
    cache[id(state)] = (state, split)
    return split


def _stack(states: list[dict[str, Any]], prefix: str, arrays: dict[str, np.ndarray],
           cache: dict[int, tuple[Any, Split]] | None = None) -> list[dict[str, Any]] | None:
    """The states' JSON rests, their arrays stacked per field into `arrays` (row i: state i);
    None when the states' arrays differ in fields or shapes (then each is stored apart)."""
    cache = {} if cache is None else cache
    splits = [_split_once(state, cache) for state in states]
    held = {id(state) for state in states}
    for gone in [k for k in cache if k not in held]:
        del cache[gone]  # thinned away
    if splits and any(sig != splits[0][2] for _, _, sig in splits):
        return None
    for key in splits[0][1] if splits else ():
        arrays[f"{prefix}{key}"] = np.stack([local[key] for _, local, _ in splits])
    return [rest for rest, _, _ in splits]


def _metrics_array(items: list[Any]) -> np.ndarray:
    """Evaluations as rows of floats, NaN for None (a missing accuracy, a diverged loss)."""
    rows = list(map(attrgetter(*METRICS), items))
    return np.array(rows, dtype=np.float64).reshape(len(items), len(METRICS))  # None: NaN


Packed = tuple[list[Any], np.ndarray]  # settled metrics and their rows
_PACKED: "weakref.WeakKeyDictionary[TrainingSession, Packed]" = weakref.WeakKeyDictionary()


def _packed_metrics(session: TrainingSession, metrics: Thinned) -> np.ndarray:
    """`_metrics_array(metrics.items)`, packing each save only what changed since the last:
    the settled items (the grid, which the thinning leaves alone until its stride doubles)
    are packed once and reused while they are still the first items held. 2-8-8-1 under
    the 50-session load: 1.5-5 ms a save before, most of a save's time."""
    items = metrics.items
    held, rows = _PACKED.get(session, ([], np.empty((0, len(METRICS)))))
    if items[:len(held)] != held:  # thinned anew, truncated, or replaced: pack it all
        held, rows = [], rows[:0]
    packed = np.concatenate([rows, _metrics_array(items[len(held):])])
    if metrics.settled >= len(held):
        _PACKED[session] = items[:metrics.settled], packed[:metrics.settled]
    return packed


def _evaluations(table: np.ndarray) -> list[Evaluation]:
    return [Evaluation(*(None if np.isnan(v) else float(v) for v in row)) for row in table]


class _Row:
    """Checkpoint i's arrays of a packed blob: `row[name]` is row i of the stacked field."""

    def __init__(self, arrays: dict[str, np.ndarray], prefix: str, i: int):
        self.arrays, self.prefix, self.i = arrays, prefix, i

    def __getitem__(self, name: str) -> np.ndarray:
        row: np.ndarray = self.arrays[f"{self.prefix}{name}"][self.i]
        return row


def dump(session: TrainingSession) -> bytes:
    """Everything needed to continue `session` exactly, as bytes."""
    arrays: dict[str, np.ndarray] = {}
    h = session.history
    checkpoints: dict[str, Any] = {"cap": h.checkpoints.cap, "stride": h.checkpoints.stride,
                                   "steps": h.checkpoints.steps, "window": h.checkpoints.window,
                                   "pinned": sorted(h.checkpoints.pinned),
                                   "limit": h.checkpoints.limit}
    stacked = _stack(h.checkpoints.items, "ck.", arrays, _SPLITS.setdefault(session, {}))
    if stacked is None:
        checkpoints["items"] = [_split(s, f"ck{i}.", arrays)
                                for i, s in enumerate(h.checkpoints.items)]
    else:
        checkpoints["stacked"] = stacked
    arrays["metrics"] = _packed_metrics(session, h.metrics)
    meta = {
        "status": "diverged" if session.status == "diverged" else "paused",
        "message": session.message,
        "init_seed": session.init_seed,
        "trainer": _split(session.state(), "now.", arrays),
        "metrics": {"cap": h.metrics.cap, "stride": h.metrics.stride, "steps": h.metrics.steps,
                    "window": h.metrics.window, "limit": h.metrics.limit, "packed": True},
        "checkpoints": checkpoints,
        "events": h.events,
    }
    buf = io.BytesIO()
    arrays["__meta__"] = np.array(json.dumps(meta))
    np.savez(buf, **arrays)  # type: ignore[arg-type]
    return buf.getvalue()


def load(session: TrainingSession, blob: bytes) -> None:
    """Put a freshly built `session` back into the state `dump` saved."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    meta = json.loads(str(arrays.pop("__meta__")))
    session.init_seed = meta["init_seed"]
    session.load_state(_join(meta["trainer"], arrays))
    fresh = session.history  # a blob from before any-step history: today's spacing from now on
    m, c = meta["metrics"], meta["checkpoints"]
    evaluations = (_evaluations(arrays["metrics"]) if m.get("packed")
                   else [Evaluation(**e) for e in m["items"]])
    if "stacked" in c:  # row i of each "ck.<field>" array is checkpoint i's
        items = [_join(rest, _Row(arrays, "ck.", i)) for i, rest in enumerate(c["stacked"])]
    else:
        items = [_join(s, arrays) for s in c["items"]]
    session.history = History(
        metrics=Thinned(m["cap"], m["stride"], m["steps"], evaluations,
                        m.get("window", fresh.metrics.window), limit=m.get("limit", 0)),
        checkpoints=Thinned(c["cap"] if "window" in c else fresh.checkpoints.cap, c["stride"],
                            c["steps"], items, c.get("window", fresh.checkpoints.window),
                            set(c.get("pinned", ())), c.get("limit", 0)),
        events=[(step, hyper) for step, hyper in meta.get("events", ())],
    )
    session.status, session.message, session.dirty = meta["status"], meta["message"], False
    if session.step_count == 0 and session.status != "diverged":
        session.status = "ready"

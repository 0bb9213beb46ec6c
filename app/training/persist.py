"""Session state ⇄ bytes: current trainer state, history and checkpoints in one .npz blob.

Arrays go in as arrays; everything else (steps, rng states, metrics) as one JSON document,
so loading needs no pickle.
"""

import io
import json
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


def dump(session: TrainingSession) -> bytes:
    """Everything needed to continue `session` exactly, as bytes."""
    arrays: dict[str, np.ndarray] = {}
    h = session.history
    meta = {
        "status": "diverged" if session.status == "diverged" else "paused",
        "message": session.message,
        "init_seed": session.init_seed,
        "trainer": _split(session.trainer.state(), "now.", arrays),
        "metrics": {"cap": h.metrics.cap, "stride": h.metrics.stride, "steps": h.metrics.steps,
                    "items": [e.__dict__ for e in h.metrics.items]},
        "checkpoints": {
            "cap": h.checkpoints.cap, "stride": h.checkpoints.stride, "steps": h.checkpoints.steps,
            "items": [_split(s, f"ck{i}.", arrays) for i, s in enumerate(h.checkpoints.items)],
        },
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
    session.trainer.load_state(_join(meta["trainer"], arrays))
    m, c = meta["metrics"], meta["checkpoints"]
    session.history = History(
        metrics=Thinned(m["cap"], m["stride"], m["steps"], [Evaluation(**e) for e in m["items"]]),
        checkpoints=Thinned(c["cap"], c["stride"], c["steps"],
                            [_join(s, arrays) for s in c["items"]]),
    )
    session.status, session.message, session.dirty = meta["status"], meta["message"], False
    if session.step_count == 0 and session.status != "diverged":
        session.status = "ready"

"""What the API and the stream say about a session, built from its current state.

REST payloads are pydantic models (app.schemas.sessions); stream messages are plain dicts
(the frames themselves: app.training.framing).
"""

from typing import Any

import numpy as np

from app.schemas.sessions import (
    NEURON_GRID,
    OUTPUT_GRID,
    GridInfo,
    History,
    LayerParams,
    Model,
    Prediction,
    Session,
    Snapshot,
)
from app.training import framing
from app.training.frames import encode_columns, evaluate
from app.training.session import TrainingSession


def session_view(s: TrainingSession) -> Session:
    """The Session resource."""
    with s.lock:
        return Session(
            id=s.id, config=s.config, status=s.status,
            step=s.step_count, epoch=s.trainer.epoch, metrics=s.evaluate().as_metrics(),
            message=s.message, task=s.data.task, classes=s.data.classes,
            inputs=s.data.inputs, sizes=s.sizes,
        )


def snapshot(s: TrainingSession, size: int, step: int | None = None) -> Snapshot:
    """Every map at grid `size` and every parameter, from one forward pass (at any past
    `step` when given)."""
    with s.at_step(step):
        grid = s.grid(size)
        acts = evaluate(s.net, grid)
        shape = grid.shape
        out_units = s.output_in_units(acts[-1])  # P(second class), per-class P, or target units
        out = [out_units[:, k].reshape(shape).astype(float).tolist()
               for k in range(out_units.shape[1])]
        neurons = [[a[:, j].reshape(shape).astype(float).tolist() for j in range(a.shape[1])]
                   for a in acts[:-1]]
        return Snapshot(
            step=s.step_count, metrics=s.evaluate().as_metrics(),
            layers=[LayerParams(**layer) for layer in s.layers()],
            grid=GridInfo(**grid.describe()),
            output=out[0] if len(out) == 1 else out,
            neurons=neurons,
        )


def history(s: TrainingSession) -> History:
    """Recorded metrics (thinned) plus the latest step, and the checkpoint steps."""
    with s.lock:
        m = s.history.metrics
        steps, evals = list(m.steps), list(m.items)
        if not steps or steps[-1] != s.step_count:
            steps.append(s.step_count)
            evals.append(s.evaluate())
        metrics = [e.as_metrics() for e in evals]
        classification = s.data.task != "regression"
        return History(
            steps=steps,
            train_loss=[e.train_loss for e in metrics],
            test_loss=[e.test_loss for e in metrics],
            train_accuracy=[e.train_accuracy for e in metrics] if classification else None,
            test_accuracy=[e.test_accuracy for e in metrics] if classification else None,
            checkpoints=list(s.history.checkpoints.steps),
        )


def predict(s: TrainingSession, points: list[list[float]]) -> Prediction:
    """Predictions for raw feature rows (in the config's feature order)."""
    raw = np.asarray(points, dtype=np.float64)
    with s.lock:
        fwd = s.forward_raw(raw)
    acts = [a.tolist() for a in fwd.A[1:-1]]
    out = s.output_in_units(fwd.output)
    if s.data.task == "regression":
        return Prediction(values=out[:, 0].tolist(), activations=acts)
    probs = np.c_[1 - out, out] if s.data.task == "binary" else out
    classes = s.data.classes or []
    return Prediction(probabilities=probs.tolist(),
                      predictions=[classes[i] for i in probs.argmax(axis=1)],
                      activations=acts)


def model(s: TrainingSession) -> Model:
    """The exported model: enough to predict in plain numpy (recipe in the README)."""
    d = s.data
    with s.lock:
        return Model(
            features=d.features, transforms=d.transforms,
            standardize={"mean": d.mean.tolist(), "std": d.std.tolist()},
            target=s.target_name,
            target_standardize={"mean": d.y_mean, "std": d.y_std} if d.task == "regression"
            else None,
            classes=d.classes, task=d.task, activation=s.config.activation,
            layers=[LayerParams(**layer) for layer in s.layers()],
            output=s.net.output.name,
        )


def _points(s: TrainingSession, raw: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    cols = [s.data.features.index(f) for f in s.data.view_features]
    every = framing.every(len(raw))
    yy = y[::every]
    if s.data.task == "regression":
        yy = yy * s.data.y_std + s.data.y_mean
    return {"x": raw[::every][:, cols].tolist(), "y": yy.tolist()}


def init_message(s: TrainingSession) -> dict[str, Any]:
    """The stream's first message: the session, the network, the grids, the data points,
    the history and the model (as GET /history and GET /model answer them)."""
    with s.lock:
        grid, small = s.grid(OUTPUT_GRID), s.grid(NEURON_GRID)
        inputs = small.inputs
        return {
            "type": "init",
            "session": session_view(s).model_dump(mode="json"),
            "network": {"sizes": s.sizes, "inputs": s.data.inputs,
                        "activation": s.config.activation, "output": s.net.output.name,
                        "task": s.data.task, "classes": s.data.classes},
            "grid": {**grid.describe(), "neuron_size": NEURON_GRID},
            "points": {"train": _points(s, s.data.raw_train, s.data.y_train),
                       "test": _points(s, s.data.raw_test, s.data.y_test)},
            "input_maps": [{"name": name, **m} for name, m in
                           zip(s.data.inputs, encode_columns(inputs, "linear"), strict=True)],
            "history": history(s).model_dump(mode="json"),
            "model": model(s).model_dump(mode="json"),
        }


def history_message(s: TrainingSession) -> dict[str, Any]:
    """The stream's `history` message: what GET /history answers, sent after a change."""
    return {"type": "history", **history(s).model_dump(mode="json")}


def frame_message(s: TrainingSession, step: int | None = None,
                  view: framing.View = framing.DEFAULT_VIEW) -> dict[str, Any]:
    """One JSON frame of `view` (default: every map): step, metrics, parameters, the output
    map, the neurons' maps, the points in the last hidden layer's space and the checkpoint
    steps (so a page playing a session needs no history message to scrub). With `step`: the
    network as it was at that step (replayed), marked `"peek": true`. See app.training.framing."""
    with s.at_step(step):
        return framing.Build(s, peek=step is not None).message(view, "json")[0]

"""Sessions over REST: create, inspect, train, tune, reset, rewind, fork, snapshot, predict,
export."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from starlette.concurrency import run_in_threadpool

from app.deps import PlayersDep, RegistryDep, SettingsDep
from app.schemas.errors import errors
from app.schemas.sessions import (
    ForkRequest,
    History,
    Hyperparameters,
    Model,
    ParametersRequest,
    Prediction,
    PredictRequest,
    ResetRequest,
    RewindRequest,
    Session,
    SessionConfig,
    Snapshot,
    StepRequest,
)
from app.strict_json import StrictJSONRoute
from app.training import payloads
from app.training.session import SessionError, TrainingSession

router = APIRouter(prefix="/api/sessions", tags=["sessions"], route_class=StrictJSONRoute,
                   responses=errors(400, 404, 409, 413, 422, 429, 503))


def get_session(session_id: str, registry: RegistryDep) -> TrainingSession:
    """The session named in the path (404 when there is none)."""
    return registry.get(session_id)


SessionDep = Annotated[TrainingSession, Depends(get_session)]


@router.post("", status_code=201, summary="Create a training session")
def create_session(config: SessionConfig, registry: RegistryDep) -> Session:
    """Build a network for `config` on its dataset. `hidden_layers: []` is logistic regression.

    Answers 422 when the config does not fit the dataset (unknown or text features,
    transforms with other than 2 features, view features not among the features) or a limit.
    """
    return payloads.session_view(registry.create(config))


@router.get("/{session_id}", summary="A session's status, step and metrics")
def read_session(session: SessionDep) -> Session:
    return payloads.session_view(session)


@router.patch("/{session_id}", summary="Change hyperparameters, keeping the weights")
async def update_session(
    changes: Hyperparameters, session: SessionDep, players: PlayersDep
) -> Session:
    """Change learning rate, L1, L2, batch size or optimizer mid-training."""
    session.set_hyperparameters(changes)
    await players.changed(session, history=False)
    return payloads.session_view(session)


@router.post("/{session_id}/step", summary="Train a number of steps or epochs")
async def step_session(
    body: StepRequest, session: SessionDep, players: PlayersDep, settings: SettingsDep
) -> Session:
    """Run `steps` updates, or `epochs` passes over the training rows, and answer the metrics.

    Bounded by LL_MAX_STEPS_PER_REQUEST steps and LL_MAX_SECONDS_PER_REQUEST seconds: when the
    time runs out first the answer says how far it got (`step`).
    """
    steps = body.steps if body.steps is not None else session.steps_for_epochs(body.epochs or 0)
    if steps > settings.max_steps_per_request:
        raise SessionError(
            f"{steps} steps asked, at most {settings.max_steps_per_request} per request "
            "(LL_MAX_STEPS_PER_REQUEST); split the work into several requests", 422)
    await players.rest.train(session, steps)
    await players.changed(session)
    return payloads.session_view(session)


@router.post("/{session_id}/reset", summary="New initial weights")
async def reset_session(
    session: SessionDep, players: PlayersDep, body: ResetRequest | None = None
) -> Session:
    """Start again from fresh weights (the config's seed unless `seed` is given)."""
    await players.stop(session.id)
    session.reset(body.seed if body else None)
    await players.changed(session)
    return payloads.session_view(session)


@router.post("/{session_id}/rewind", summary="Go back to any past step")
async def rewind_session(body: RewindRequest, session: SessionDep, players: PlayersDep) -> Session:
    """Return exactly to any `step` from 0 to now (replayed from the nearest checkpoint):
    weights, optimizer state, random state and the hyperparameters then in force, so training
    from there replays the same run. What came after `step` is forgotten."""
    await players.stop(session.id)
    session.rewind(body.step)
    await players.changed(session)
    return payloads.session_view(session)


@router.post("/{session_id}/fork", status_code=201, summary="Fork the run at any step")
def fork_session(
    session: SessionDep, registry: RegistryDep, body: ForkRequest | None = None
) -> Session:
    """A new, independent session that is this run as it was at `step` (default: now): the
    same config and data split, weights, optimizer state, random state and history up to
    then, so stepping both by n gives identical weights. Change its hyperparameters to try
    something else from there; deleting either leaves the other as it is."""
    step = body.step if body else None
    if step is not None:
        session.check_step(step)  # before making anything
    fork = registry.create(session.config)
    try:
        session.copy_at(step, fork)
        registry.save(fork)
    except Exception:
        registry.delete(fork.id)
        raise
    return payloads.session_view(fork)


@router.get("/{session_id}/snapshot", summary="Every map and parameter at a step")
def snapshot(
    session: SessionDep, settings: SettingsDep,
    grid: Annotated[int, Query(ge=2, description="cells per side (limit LL_MAX_GRID)")] = 50,
    step: Annotated[int | None, Query(ge=0, description="any step 0 ≤ step ≤ now; default: now")]
    = None,
) -> Snapshot:
    """The output map and every hidden neuron's map over a `grid`×`grid` lattice of the view
    features, plus all weights and biases, from one forward pass — now, or exactly as the
    network was at any past `step` (replayed; the session itself is not changed)."""
    if grid > settings.max_grid:
        raise SessionError(f"grid {grid} is larger than the limit {settings.max_grid} "
                           "(LL_MAX_GRID)", 422)
    return payloads.snapshot(session, grid, step)


@router.put("/{session_id}/parameters", summary="Set every weight and bias")
async def set_parameters(
    body: ParametersRequest, session: SessionDep, players: PlayersDep
) -> Session:
    """Replace the network's weights and biases (shapes as `model.layers`: weights in×out);
    training continues from them. Optimizer state and history are kept. The stream's
    `set_parameters` message does the same; either way every watcher gets a frame with the
    new layers."""
    session.set_parameters([(layer.weights, layer.bias) for layer in body.layers])
    await players.changed(session)
    return payloads.session_view(session)


@router.post("/{session_id}/predict", summary="Predict for raw feature values")
def predict(body: PredictRequest, session: SessionDep) -> Prediction:
    """`points` are rows of raw feature values in the session's feature order
    (`config.features`, or the dataset's numeric columns)."""
    width = len(session.data.features)
    for i, row in enumerate(body.points):
        if len(row) != width:
            raise SessionError(
                f"point {i} has {len(row)} values; this session takes {width} "
                f"({', '.join(session.data.features)})", 422)
    return payloads.predict(session, body.points)


@router.get("/{session_id}/model", summary="Export the model")
def export_model(session: SessionDep) -> Model:
    """Everything needed to reproduce `predict` without the app: standardization, transforms,
    layers and output. The README shows the dozen lines of numpy that use it."""
    return payloads.model(session)


@router.get("/{session_id}/history", summary="Metrics per step and the checkpoints")
def read_history(session: SessionDep) -> History:
    """Metrics at every recorded step (the latest steps at full resolution, older ones thinned;
    the latest step always) and the checkpoints replays start from (any step can be rewound
    to, peeked at, snapshot or forked)."""
    return payloads.history(session)


@router.delete("/{session_id}", status_code=204, summary="Delete a session")
async def delete_session(session_id: str, registry: RegistryDep, players: PlayersDep) -> Response:
    await players.stop(session_id, "this session was deleted")
    # off the event loop: another process holding it hands it over first (up to 2 s)
    await run_in_threadpool(registry.delete, session_id)
    return Response(status_code=204)

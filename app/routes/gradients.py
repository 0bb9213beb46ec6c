"""Gradients of the loss for the teaching views: how the weights learn (#15 §5)."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import SettingsDep
from app.routes.sessions import SessionDep
from app.schemas.errors import errors
from app.schemas.gradients import Gradient
from app.training import gradients
from app.training.session import SessionError

router = APIRouter(prefix="/api/sessions", tags=["sessions"],
                   responses=errors(400, 404, 409, 422, 429, 503))


@router.get("/{session_id}/gradient", summary="The loss's gradient and every neuron's δ now")
def read_gradient(
    session: SessionDep, settings: SettingsDep,
    grid: Annotated[int, Query(ge=2, description="cells per side of the δ maps "
                               "(limit LL_MAX_GRID)")] = 50,
    layer: Annotated[int | None, Query(ge=1, description="only this hidden layer's δ maps "
                                       "(1 = first); default: every hidden layer's")] = None,
    neuron: Annotated[int | None, Query(ge=0, description="with `layer`: only this neuron's "
                                        "δ maps (0 = first)")] = None,
) -> Gradient:
    """At the current weights: the gradient of the training loss with respect to every layer's
    weights (in×out) and biases — the loss a full-batch step minimises, the mean data loss over
    *all* training rows plus `l2/2·Σw² + l1·Σ|w|` (a minibatch session still gets the
    full-training-set gradient; `next_layers` is its real next step on its next minibatch) —
    the weights after the session's next step, exactly as `POST step` would make them, and for
    every hidden neuron the error signal δ = ∂loss/∂z backpropagation hands it: at the training
    points, and (classification) as a `grid`×`grid` map per class, the δ one more training point
    of that class would get there (`layer`, `neuron`: of one hidden layer or neuron only).
    The session is not changed."""
    if grid > settings.max_grid:
        raise SessionError(f"grid {grid} is larger than the limit {settings.max_grid} "
                           "(LL_MAX_GRID)", 422)
    hidden = len(session.sizes) - 2
    if layer is not None and layer > hidden:
        raise SessionError(f"layer {layer}: this network has {hidden} hidden layer"
                           f"{'' if hidden == 1 else 's'} (δ maps are of hidden layers)", 422)
    if neuron is not None:
        if layer is None:
            raise SessionError("neuron needs layer: say which hidden layer it is in", 422)
        width = session.sizes[layer]
        if neuron >= width:
            raise SessionError(f"neuron {neuron}: hidden layer {layer} has {width} neurons "
                               f"(0 to {width - 1})", 422)
    return gradients.gradient(session, grid, layer, neuron)

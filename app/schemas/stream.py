"""Stream messages beyond the session controls: sharing a live session with watchers."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from app.schemas.sessions import (
    REQUEST,
    PauseControl,
    PeekControl,
    PlayControl,
    ResetControl,
    RewindControl,
    SetControl,
    SetParametersControl,
    StepControl,
    ViewControl,
)

Role = Literal["own", "watch"]  # ?role= on the stream: the owner's page, or a watcher's


class ShareControl(BaseModel):
    """The owner lets the watchers (`?role=watch`) control the session, or stops letting them."""

    model_config = REQUEST
    type: Literal["share"]
    allow_control: bool


StreamControl = Annotated[  # the session's controls (app.schemas.sessions.Control) and share
    PlayControl | PauseControl | StepControl | SetControl | ResetControl | RewindControl
    | PeekControl | SetParametersControl | ViewControl | ShareControl,
    Field(discriminator="type"),
]

WATCHER_MAY = ("view", "peek")  # what a watcher may always send: they change only its own view

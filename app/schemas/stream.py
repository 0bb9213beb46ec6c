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
    """The owner's word to its watchers (`?role=watch`): whether they may control the session,
    and, when the owner's page replaces the session by another (a new network), which one to
    follow and the page state (`hash`) that shows it."""

    model_config = REQUEST
    type: Literal["share"]
    allow_control: bool | None = None
    follow: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    hash: str = Field("", max_length=2000, pattern=r"^(#[^\s<>\"']*)?$")


StreamControl = Annotated[  # the session's controls (app.schemas.sessions.Control) and share
    PlayControl | PauseControl | StepControl | SetControl | ResetControl | RewindControl
    | PeekControl | SetParametersControl | ViewControl | ShareControl,
    Field(discriminator="type"),
]

WATCHER_MAY = ("view", "peek")  # what a watcher may always send: they change only its own view

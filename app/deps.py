"""FastAPI dependencies shared by the routers, as Annotated aliases."""

from typing import Annotated

from fastapi import Depends, Request

from app.config import Settings
from app.data.store import Store
from app.training.player import Players
from app.training.registry import SessionRegistry


def get_app_settings(request: Request) -> Settings:
    """The settings the running app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> Store:
    """The app's persistent store (datasets, sessions)."""
    store: Store = request.app.state.store
    return store


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
StoreDep = Annotated[Store, Depends(get_store)]


def get_registry(request: Request) -> SessionRegistry:
    """The live sessions of this process."""
    registry: SessionRegistry = request.app.state.registry
    return registry


def get_players(request: Request) -> Players:
    """The players that stream sessions to their watchers."""
    players: Players = request.app.state.players
    return players


RegistryDep = Annotated[SessionRegistry, Depends(get_registry)]
PlayersDep = Annotated[Players, Depends(get_players)]

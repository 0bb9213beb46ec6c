"""The app factory: builds the FastAPI app, mounts static files and includes the routers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app import __version__
from app.config import ROOT, Settings, get_settings
from app.data.store import Store
from app.routes import datasets, health, pages


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build an app bound to `settings` (the environment's when omitted)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = Store(settings.db_path)
        try:
            yield
        finally:
            app.state.store.close()

    app = FastAPI(
        title="Logistic Lens",
        version=__version__,
        description="Train small neural networks step by step and watch every neuron "
        "as the logistic regression it is.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    app.include_router(health.router)
    app.include_router(datasets.router)
    app.include_router(pages.router)
    return app


app = create_app()

"""The app factory: builds the FastAPI app, mounts static files and includes the routers."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app import __version__, errors
from app.allocator import keep_freed_memory
from app.config import ROOT, Settings, get_settings
from app.data.store import open_store
from app.routes import (
    datasets,
    docs,
    gradients,
    health,
    lessons,
    pages,
    sessions,
    stream,
    vocabulary,
)
from app.security import AccessGuard, access_token, token_notice
from app.training.leases import LeaseKeeper
from app.training.player import Players
from app.training.registry import SessionRegistry


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build an app bound to `settings` (the environment's when omitted)."""
    settings = settings or get_settings()
    token = access_token(settings)
    keep_freed_memory()  # frames and history flushes reuse memory instead of faulting it in

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = store = open_store(settings)
        app.state.registry = registry = SessionRegistry(store, settings)
        app.state.players = players = Players(registry)
        keeper = LeaseKeeper(registry, players, settings)  # renews leases, hands sessions over
        keeper.start()
        sweeper = asyncio.create_task(_sweep_idle(registry, settings))
        flusher = asyncio.create_task(_flush_changes(registry, settings))
        print(token_notice(settings, token), flush=True)
        try:
            yield
        finally:
            sweeper.cancel()
            flusher.cancel()
            await players.pause_all()  # the keeper still renews while the players save
            await keeper.stop()
            registry.save_all()  # and releases every lease
            store.close()

    app = FastAPI(
        title="Logistic Lens",
        version=__version__,
        description="Train small neural networks step by step and watch every neuron "
        "as the logistic regression it is.",
        lifespan=lifespan,
        docs_url=None,  # app.routes.docs serves /docs from local files (FastAPI's uses a CDN)
        redoc_url=None,  # ReDoc 2 fetches fonts and a logo from CDNs: no /redoc
    )
    app.state.settings = settings
    app.add_middleware(AccessGuard, settings=settings, token=token)
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    app.include_router(health.router)
    app.include_router(datasets.router)
    app.include_router(sessions.router)
    app.include_router(gradients.router)
    app.include_router(stream.router)
    app.include_router(vocabulary.router)
    app.include_router(pages.router)
    app.include_router(lessons.router)
    app.include_router(docs.router)
    errors.install(app, settings.max_error_echo_chars)
    return app


async def _flush_changes(registry: SessionRegistry, settings: Settings) -> None:
    """Make what requests changed durable within about a second of the answer."""
    while True:
        await asyncio.sleep(settings.durable_seconds)
        if registry.has_changes:
            await asyncio.to_thread(registry.flush)


async def _sweep_idle(registry: SessionRegistry, settings: Settings) -> None:
    """Every little while: save sessions and drop the idle ones from memory."""
    while True:
        await asyncio.sleep(min(30.0, settings.idle_seconds / 2))
        await asyncio.to_thread(registry.evict_idle)


app = create_app()

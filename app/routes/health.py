"""Liveness: GET /api/health (answers without the token, so container health checks work)."""

import os

from fastapi import APIRouter, Request

from app import __version__
from app.security import TRUSTED

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", summary="Is the server up, and which process answered?")
async def health(request: Request) -> dict[str, str | int]:
    """Answer `{"status": "ok"}` while the server can take requests; loopback clients and
    those with the token also get the version and the process that answered: `worker` (its
    LL_WORKER name in a class, "main" alone) and `pid`."""
    if request.scope.get(TRUSTED):
        return {"status": "ok", "version": __version__,
                "worker": request.app.state.settings.worker, "pid": os.getpid()}
    return {"status": "ok"}

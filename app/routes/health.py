"""Liveness: GET /api/health (answers without the token, so container health checks work)."""

from fastapi import APIRouter, Request

from app import __version__
from app.security import TRUSTED

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", summary="Is the server up?")
async def health(request: Request) -> dict[str, str]:
    """Answer `{"status": "ok"}` while the server can take requests; loopback clients and
    those with the token also get the version."""
    if request.scope.get(TRUSTED):
        return {"status": "ok", "version": __version__}
    return {"status": "ok"}

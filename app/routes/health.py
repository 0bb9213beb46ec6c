"""Liveness: GET /api/health."""

from fastapi import APIRouter

from app import __version__

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", summary="Is the server up?")
async def health() -> dict[str, str]:
    """Answer `{"status": "ok"}` while the server can take requests."""
    return {"status": "ok", "version": __version__}

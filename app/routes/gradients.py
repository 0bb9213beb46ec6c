"""Gradients of the loss for the teaching views (filled in by the teaching issue, #15 §5)."""

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["sessions"])

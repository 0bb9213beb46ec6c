"""The error body every 4xx/5xx answer carries, and a helper to document it on routes."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ValidationIssue(BaseModel):
    """One problem with a request's shape (FastAPI's request validation)."""

    model_config = ConfigDict(extra="allow")

    loc: list[str | int] = Field(description="where: e.g. ['body', 'steps']")
    msg: str
    type: str


class ErrorDetail(BaseModel):
    """`{"detail": ...}`: a message a person can act on, or the list of validation issues."""

    detail: str | list[ValidationIssue]


DESCRIPTIONS = {
    400: "Unreadable request (e.g. not a CSV file)",
    404: "No such dataset or session",
    409: "Not possible in the current state (e.g. the session diverged)",
    413: "Over a size, row or column limit",
    422: "Invalid or unusable arguments",
    429: "Every live session is playing and the live-session limit is reached",
    503: "The store cannot be written",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` documenting `codes` with the ErrorDetail body."""
    return {code: {"model": ErrorDetail, "description": DESCRIPTIONS[code]} for code in codes}

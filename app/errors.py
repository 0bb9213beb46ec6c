"""Every error answer in one place: which exception gets which status, and what it repeats.

Bodies are `{"detail": message}` or, for malformed requests, `{"detail": [issue, …]}`. An
answer never echoes a huge input back: each issue's `input` is cut to a short summary and
at most MAX_ISSUES issues are listed.
"""

import json
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.routing import Match, Mount

from app.data.store import DatasetError, StoreError
from app.training.session import SessionError

MAX_ISSUES = 10


def install(app: FastAPI, echo_chars: int) -> None:
    """Register the handlers on `app`; inputs are repeated up to `echo_chars` characters."""

    async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        issues = [_capped(issue, echo_chars) for issue in exc.errors()[:MAX_ISSUES]]
        extra = len(exc.errors()) - MAX_ISSUES
        if extra > 0:
            issues.append({"type": "more_issues", "loc": ["body"],
                           "msg": f"{extra} more issues of the same request not listed"})
        return JSONResponse({"detail": jsonable_encoder(issues)}, status_code=422)

    app.add_exception_handler(RequestValidationError, invalid_request)
    for error in (SessionError, DatasetError, StoreError):
        app.add_exception_handler(error, _error_detail)
    app.add_exception_handler(405, _method_not_allowed)


def _capped(raw: Any, limit: int) -> dict[str, Any]:
    """One validation issue, its `input` made JSON-safe and at most `limit` characters."""
    issue: dict[str, Any] = dict(raw)
    issue.pop("url", None)
    if "input" in issue:
        issue["input"] = _summary(issue["input"], limit)
    if "ctx" in issue:
        issue["ctx"] = {k: _summary(v, limit) for k, v in issue["ctx"].items()}
    return issue


def _summary(value: Any, limit: int) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, bool | float | None) or (
            isinstance(value, int) and abs(value) < 10**limit):
        return value
    try:
        text, safe = json.dumps(jsonable_encoder(value), allow_nan=False), True
    except (TypeError, ValueError):  # not JSON (an object, a NaN inside a list): its repr
        text, safe = repr(value), False
    if len(text) <= limit:
        return value if safe else text
    size = f"{len(value)} items" if isinstance(value, list | dict) else f"{len(text)} characters"
    return f"{text[: limit // 2]}… ({type(value).__name__} of {size}, not repeated in full)"


async def _error_detail(request: Request, exc: Exception) -> JSONResponse:
    """Our own errors carry a message for people and a status (503: the store cannot write)."""
    status = getattr(exc, "status_code", 503 if isinstance(exc, StoreError) else 400)
    return JSONResponse({"detail": str(exc)}, status_code=status)


async def _method_not_allowed(request: Request, exc: Exception) -> JSONResponse:
    """405 whose `Allow` names every method the path takes (the router names one route's)."""
    routes = [r for r in request.app.router.routes if not isinstance(r, Mount)]
    clean = {"type": "http", "path": request.url.path, "root_path": "", "headers": [],
             "query_string": b""}
    allowed = [m for m in ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")
               if any(r.matches({**clean, "method": m})[0] == Match.FULL for r in routes)]
    return JSONResponse({"detail": "Method Not Allowed"}, status_code=405,
                        headers={"Allow": ", ".join(allowed or ["GET", "HEAD"])})  # static files

"""JSON request bodies as RFC 8259 defines them: `NaN`, `Infinity` and numbers that overflow
to infinity (`1e400`) are refused with a 422 that names the field, before any validation;
a body over LL_MAX_BODY_BYTES is refused with a 413 before it is all read.

Python's `json.loads` accepts all three, and a non-finite number that reaches a model or an
answer ends as a 500 (JSON responses cannot carry it). Routers opt in with
`APIRouter(route_class=StrictJSONRoute)`.
"""

import json
import math
import re
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute


class _NonFinite:
    """Stands in for a non-finite number while parsing, so its place can be found."""

    def __init__(self, text: str):
        self.text = text


def _first_non_finite(value: Any) -> tuple[tuple[str | int, ...], str] | None:
    """The location and text of the first non-finite number in a parsed document."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        item, where = stack.pop()
        if isinstance(item, _NonFinite):
            return where, item.text
        if isinstance(item, dict):
            stack.extend((v, (*where, k)) for k, v in reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend((v, (*where, i)) for i, v in reversed(list(enumerate(item))))
    return None


def _number(text: str) -> float | _NonFinite:
    value = float(text)
    return value if math.isfinite(value) else _NonFinite(text)


# One decoder for every body (a decoder per call, with closures, leaves garbage behind).
_DECODER = json.JSONDecoder(parse_constant=_NonFinite, parse_float=_number)
# Where a non-finite number can hide: the constants, or an exponent of three digits or more.
_SUSPECT = re.compile(rb"NaN|Infinity|[eE][+-]?\d{3}")


def loads(body: bytes) -> Any:
    """Parse JSON; raise a 422 HTTPException naming the first non-finite number's field."""
    parsed = _DECODER.decode(body.decode("utf-8"))
    found = _first_non_finite(parsed) if _SUSPECT.search(body) else None
    if found is not None:
        where, text = found
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise HTTPException(422, detail=[{
            "type": "finite_number",
            "loc": ["body", *where],
            "msg": f"Input should be a finite number, not {shown} (NaN, Infinity and "
                   "numbers beyond ±1.8e308 are not accepted)",
            "input": shown,
        }])
    return parsed


class StrictJSONRequest(Request):
    async def body(self) -> bytes:
        if not hasattr(self, "_body"):
            limit: int = self.app.state.settings.max_body_bytes
            chunks, size = [], 0
            async for chunk in self.stream():
                size += len(chunk)
                if size > limit:
                    raise HTTPException(413, f"the request body is over the limit of {limit} "
                                             "bytes (LL_MAX_BODY_BYTES); send less per request")
                chunks.append(chunk)
            self._body = b"".join(chunks)
        return self._body

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads(await self.body())
        return self._json


class StrictJSONRoute(APIRoute):
    """A route whose JSON body is parsed by `loads`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict

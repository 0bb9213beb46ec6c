"""JSON request bodies as RFC 8259 defines them: `NaN`, `Infinity` and numbers that overflow
to infinity (`1e400`) are refused with a 422 that names the field, before any validation;
a body over LL_MAX_BODY_BYTES is refused with a 413 before it is all read.

Python's `json.loads` accepts all three, and a non-finite number that reaches a model or an
answer ends as a 500 (JSON responses cannot carry it). Routers opt in with
`APIRouter(route_class=StrictJSONRoute)`.
"""

import json
import math
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute


class _NonFinite:
    """Stands in for a non-finite number while parsing, so its place can be found."""

    def __init__(self, text: str):
        self.text = text


def _path_to(value: Any, path: tuple[str | int, ...] = ()) -> tuple[tuple[str | int, ...], str]:
    """The location and text of the first non-finite number in a parsed document."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, _NonFinite):
            return where, item.text
        if isinstance(item, dict):
            stack.extend((v, (*where, k)) for k, v in reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend((v, (*where, i)) for i, v in reversed(list(enumerate(item))))
    raise AssertionError("no non-finite number found")  # pragma: no cover


def loads(body: bytes | str) -> Any:
    """Parse JSON; raise a 422 HTTPException naming the first non-finite number's field."""
    seen: list[bool] = []

    def non_finite(text: str) -> _NonFinite:
        seen.append(True)
        return _NonFinite(text)

    def number(text: str) -> float | _NonFinite:
        value = float(text)
        return value if math.isfinite(value) else non_finite(text)

    parsed = json.loads(body, parse_constant=non_finite, parse_float=number)
    if seen:
        where, text = _path_to(parsed)
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

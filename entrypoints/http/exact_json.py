"""Request JSON parsed with Decimal for fractions, so a price is never rounded through a float."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

# No body of this API has more than a handful of fields; past this many, each would cost the
# validator an error of its own (a megabyte of unknown names made a 9 MB answer and held the
# event loop 1.5 s), so the body is refused as one error instead.
MAX_BODY_FIELDS = 64


def _no_constants(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not valid JSON", name, 0)


class ExactJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as error:  # answered as a 422 like any malformed JSON
                raise json.JSONDecodeError(
                    "the body is not UTF-8", repr(body[:20]), error.start
                ) from None
            try:
                parsed = json.loads(text, parse_float=Decimal, parse_constant=_no_constants)
            except RecursionError:  # pathological nesting: malformed for us, not a crash
                raise json.JSONDecodeError("the JSON is nested too deeply", text[:20], 0) from None
            if isinstance(parsed, dict) and len(parsed) > MAX_BODY_FIELDS:
                raise json.JSONDecodeError(
                    f"the object has {len(parsed)} fields; at most {MAX_BODY_FIELDS} are read",
                    text[:20],
                    0,
                )
            self._json = parsed
        return self._json


class ExactJsonRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def exact_json_handler(request: Request) -> Response:
            return await handler(ExactJsonRequest(request.scope, request.receive))

        return exact_json_handler

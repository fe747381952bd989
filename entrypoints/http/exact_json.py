"""Request JSON parsed with Decimal for fractions, so a price is never rounded through a float."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute


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
                self._json = json.loads(text, parse_float=Decimal, parse_constant=_no_constants)
            except RecursionError:  # pathological nesting: malformed for us, not a crash
                raise json.JSONDecodeError("the JSON is nested too deeply", text[:20], 0) from None
        return self._json


class ExactJsonRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def exact_json_handler(request: Request) -> Response:
            return await handler(ExactJsonRequest(request.scope, request.receive))

        return exact_json_handler

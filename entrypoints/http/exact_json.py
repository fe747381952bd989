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
            self._json = json.loads(
                await self.body(), parse_float=Decimal, parse_constant=_no_constants
            )
        return self._json


class ExactJsonRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def exact_json_handler(request: Request) -> Response:
            return await handler(ExactJsonRequest(request.scope, request.receive))

        return exact_json_handler

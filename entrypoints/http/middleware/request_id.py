"""Every request gets an id: the client's `X-Request-ID` when it is safe to echo, else a new
one. It is in every response's headers and every log line about the request."""

from __future__ import annotations

import re
import uuid

from starlette.types import Message, Receive, Scope, Send

from entrypoints.http.middleware.base import HttpMiddleware
from entrypoints.logging import REQUEST_ID

# Echoed ids are printed in logs and headers: accept only what cannot forge a log line.
_SAFE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
_HEADER = b"x-request-id"
_STATE_KEY = "request_id"


def request_id_of(scope: Scope) -> str:
    """The id RequestIdMiddleware gave this request ("-" outside it)."""
    request_id: str = scope.get("state", {}).get(_STATE_KEY, "-")
    return request_id


def _incoming(scope: Scope) -> str | None:
    for key, value in scope["headers"]:
        if key == _HEADER:
            return value.decode("ascii") if _SAFE_REQUEST_ID.fullmatch(value) else None
    return None


class RequestIdMiddleware(HttpMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = _incoming(scope) or uuid.uuid4().hex
        scope.setdefault("state", {})[_STATE_KEY] = request_id
        header = (_HEADER, request_id.encode("ascii"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        context = REQUEST_ID.set(request_id)  # for every log line made meanwhile
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(context)

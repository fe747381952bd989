"""One log line per request, when it is done: method, path (never the query string, which may
carry secrets), status, duration and request id."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from starlette.types import Message, Receive, Scope, Send

from entrypoints.http.middleware.base import HttpMiddleware
from entrypoints.http.middleware.request_id import request_id_of

access_logger = logging.getLogger("itemhub.access")


@dataclass(slots=True)
class _Outcome:
    status: int = 500
    """What was sent; a request that never started a response counts as a failure."""


class AccessLogMiddleware(HttpMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        outcome = _Outcome()

        async def send_noting_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                outcome.status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            path = (scope.get("raw_path") or scope["path"].encode()).decode("ascii", "replace")
            duration_ms = round((time.perf_counter() - started) * 1000, 2)
            method = scope["method"]
            access_logger.info(
                "method=%s path=%s status=%s duration_ms=%.2f request_id=%s",
                method,
                path,
                outcome.status,
                duration_ms,
                request_id_of(scope),
                extra={
                    "method": method,
                    "path": path,
                    "status": outcome.status,
                    "duration_ms": duration_ms,
                },
            )

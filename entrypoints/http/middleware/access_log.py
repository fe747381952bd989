"""When a request is done: one log line (method, path without the query string, which may
carry secrets, status, duration, request id), and whoever else watches requests is told.

Watchers (the metrics) ride on this middleware's one measurement rather than wrapping the
app in a layer of their own: each ASGI layer costs every request a frame on every await.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.http.middleware.base import HttpMiddleware
from entrypoints.http.middleware.request_id import request_id_of

access_logger = logging.getLogger("itemhub.access")


class RequestWatcher(Protocol):
    def started(self) -> None: ...

    def finished(self, scope: Scope, status: int, seconds: float) -> None:
        """The request was answered with `status` (500 if no answer started) in `seconds`."""
        ...


@dataclass(slots=True)
class _Outcome:
    status: int = 500
    """What was sent; a request that never started a response counts as a failure."""


class AccessLogMiddleware(HttpMiddleware):
    def __init__(self, app: ASGIApp, watchers: Sequence[RequestWatcher] = ()) -> None:
        super().__init__(app)
        self._watchers = tuple(watchers)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        outcome = _Outcome()
        for watcher in self._watchers:
            watcher.started()

        async def send_noting_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                outcome.status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            seconds = time.perf_counter() - started
            for watcher in self._watchers:
                watcher.finished(scope, outcome.status, seconds)
            path = (scope.get("raw_path") or scope["path"].encode()).decode("ascii", "replace")
            duration_ms = round(seconds * 1000, 2)
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

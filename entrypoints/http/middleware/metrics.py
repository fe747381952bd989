"""Counts and times every request for `/metrics`, by method, route template and status; a
503 or a 429 also by its problem type (which `problems.py` notes in the request's state)."""

from __future__ import annotations

import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.http.middleware.base import HttpMiddleware
from entrypoints.metrics import UNMATCHED_ROUTE, Metrics

PROBLEM_STATE_KEY = "problem_type"


def note_problem(scope: Scope, slug: str) -> None:
    scope.setdefault("state", {})[PROBLEM_STATE_KEY] = slug


def route_template(scope: Scope) -> str:
    """The matched route's path template with its router's prefix (`/api/v1/items/{item_id}`):
    FastAPI keeps it in the route context it matched (a route of an included router knows only
    its own part); a route of the app itself has it whole. Nothing matched: UNMATCHED_ROUTE."""
    context: Any = scope.get("fastapi", {}).get("effective_route_context")
    if context is not None:
        return str(getattr(context, "path_format", None) or context.path)
    route: Any = scope.get("route")
    return str(getattr(route, "path_format", UNMATCHED_ROUTE))


class MetricsMiddleware(HttpMiddleware):
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        super().__init__(app)
        self._metrics = metrics

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        metrics = self._metrics
        started = time.perf_counter()
        status = 500  # a request that never started a response counts as a failure

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        metrics.in_flight.inc()
        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            metrics.in_flight.dec()
            template = route_template(scope)
            method = scope["method"]
            metrics.requests.labels(method, template, status).inc()
            metrics.latency.labels(method, template).observe(time.perf_counter() - started)
            if status in (429, 503):
                slug = scope.get("state", {}).get(PROBLEM_STATE_KEY, "other")
                counter = metrics.throttled if status == 429 else metrics.unavailable
                counter.labels(slug).inc()

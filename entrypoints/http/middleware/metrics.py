"""Counts and times every request for `/metrics`, by method, route template and status; a
503 or a 429 also by its problem type (which `problems.py` notes in the request's state).
It watches requests through AccessLogMiddleware's measurement (no ASGI layer of its own)."""

from __future__ import annotations

from typing import Any

from prometheus_client.metrics import Counter, Histogram
from starlette.types import Scope

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


class RequestMetrics:
    """A RequestWatcher. The labelled children are looked up once per (method, route, status)
    and kept: prometheus-client's `labels()` costs more than the increment itself. Requests in
    flight are a count the metrics read when they sample, not a gauge set twice per request."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self._in_flight = 0
        metrics.watch_in_flight(self.in_flight)

    def in_flight(self) -> int:
        return self._in_flight

    def started(self) -> None:
        self._in_flight += 1

    def finished(self, scope: Scope, status: int, seconds: float) -> None:
        self._in_flight -= 1
        metrics = self._metrics
        key = (scope["method"], route_template(scope), status)
        children = self._children.get(key)
        if children is None:
            method, template, _ = key
            children = self._children[key] = (
                metrics.requests.labels(method, template, status),
                metrics.latency.labels(method, template),
            )
        count, latency = children
        count.inc()
        latency.observe(seconds)
        if status in (429, 503):
            slug = scope.get("state", {}).get(PROBLEM_STATE_KEY, "other")
            counter = metrics.throttled if status == 429 else metrics.unavailable
            counter.labels(slug).inc()

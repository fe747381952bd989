"""Logging for `itemhub serve`: one line per record on stderr, uvicorn's access log replaced.

`ITEMHUB_LOG_FORMAT=text` (the default) writes `time LEVEL logger message`; `json` writes one
JSON object per line (python-json-logger, encoded by orjson: the standard library's encoder
was three quarters of JSON logging's cost) with the same facts as fields, the access line's
included (method, path, status, duration_ms) and the time in RFC 3339, UTC. Every record made
while a request is answered carries its request id and, when tracing is on, its trace id.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

from entrypoints.tracing import current_trace_id

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
"""The id of the request being answered (set by RequestIdMiddleware)."""


class RequestContext(logging.Filter):
    """Adds `request_id` and `trace_id` to every record (None outside a request)."""

    tracing = False
    """Set when tracing is installed: only then is there a trace id to look up."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        record.trace_id = current_trace_id() if RequestContext.tracing else None
        return True


_FORMATTERS: dict[str, dict[str, Any]] = {
    "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    "json": {
        "()": "pythonjsonlogger.orjson.OrjsonFormatter",
        "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s %(trace_id)s",
        "rename_fields": {"levelname": "level", "name": "logger"},
        "timestamp": "time",  # RFC 3339 in UTC, which log shippers parse without a pattern
    },
}


def log_config(log_format: str = "text") -> dict[str, Any]:
    """The logging configuration uvicorn applies in every worker."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request": {"()": RequestContext}},
        "formatters": {"line": _FORMATTERS[log_format]},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "line",
                "filters": ["request"],
                "stream": "ext://sys.stderr",
            },
        },
        "loggers": {
            "itemhub": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }

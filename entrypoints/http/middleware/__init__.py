"""Pure ASGI middlewares, one job each, outermost first: request id, access log, last-resort
500, body limit."""

from entrypoints.http.middleware.access_log import AccessLogMiddleware
from entrypoints.http.middleware.body_limit import BodyLimitMiddleware
from entrypoints.http.middleware.last_resort import LastResortMiddleware
from entrypoints.http.middleware.request_id import RequestIdMiddleware, request_id_of

__all__ = [
    "AccessLogMiddleware",
    "BodyLimitMiddleware",
    "LastResortMiddleware",
    "RequestIdMiddleware",
    "request_id_of",
]

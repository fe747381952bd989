"""The FastAPI application factory: one app per container, nothing built at import time."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware

from domain.errors import DomainError, InvalidValue
from entrypoints.container import Container, shutdown
from entrypoints.http import pages
from entrypoints.http.docs import OPENAPI_URL, install_docs
from entrypoints.http.middleware import (
    AccessLogMiddleware,
    BodyLimitMiddleware,
    LastResortMiddleware,
    RequestIdMiddleware,
)
from entrypoints.http.middleware.access_log import RequestWatcher
from entrypoints.http.middleware.metrics import RequestMetrics
from entrypoints.http.openapi import install_openapi
from entrypoints.http.problems import (
    domain_error_handler,
    http_error_handler,
    invalid_value_handler,
    request_validation_handler,
)
from entrypoints.http.routes import account_mail, auth, health, items, metrics, sessions, users
from entrypoints.mail_relay import RelayTask
from entrypoints.tracing import install_tracing

logger = logging.getLogger("itemhub.http")
API_PREFIX = "/api/v1"
DESCRIPTION = """Register, log in with the OAuth2 password flow, and publish items that anyone can
browse.

To try it: register with `POST /api/v1/users`, then log in with your email or username and
password (in the interactive docs at `/docs`, the **Authorize** button does it for every
request after). Every error is `application/problem+json` (RFC 9457)."""
# In the order a newcomer needs them.
TAGS = [
    {"name": "auth", "description": "Log in and out, refresh a session, recover an account."},
    {"name": "users", "description": "Register, and read or change accounts."},
    {"name": "sessions", "description": "See and end where an account is signed in."},
    {"name": "items", "description": "Publish, browse, change and remove items."},
    {"name": "health", "description": "Liveness and readiness, for load balancers."},
]


def _request_watchers(container: Container) -> list[RequestWatcher]:
    """The metrics, when on: told of each request, and given the hashing queue to read."""
    if not container.settings().metrics_enabled:
        return []
    metrics, hasher = container.metrics(), container.hasher()
    metrics.watch_hashes(lambda: hasher.pending)
    return [RequestMetrics(metrics)]


def create_app(container: Container | None = None) -> FastAPI:
    """Build the app around a container: uvicorn calls it bare; tests pass one with overrides."""
    container = container or Container()
    # Resolved now, so a bad configuration (signing key, database URL, mail URL) stops start-up.
    container.tokens()
    container.database()
    container.mailer()
    settings = container.settings()
    if settings.env == "production" and settings.mail_url.startswith("console:"):
        logger.warning(
            "ITEMHUB_MAIL_URL is console://: mails, with their reset and verification links, "
            "go to this log and to nobody's mailbox; set an smtp:// URL"
        )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Everything built so far (modules, the app, the container) lives as long as the
        # process. Frozen, the cyclic collector stops walking it: under load its full
        # collections ran every ~0.5 s, took ~60 ms each and found nothing (BENCHMARKS.md).
        gc.collect()
        gc.freeze()
        relay = RelayTask(
            container.relay_mail(), settings.mail_relay_poll_seconds, container.observer()
        )
        if settings.mail_relay_in_serve:
            relay.start()
        sampling = None
        if settings.metrics_enabled and container.metrics().multiprocess:
            sampling = asyncio.create_task(container.metrics().sample_every())
        yield
        if sampling is not None:
            sampling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sampling
        await relay.stop()
        gc.unfreeze()  # an app stopped inside a longer-lived process (tests) leaves nothing behind
        await shutdown(container)

    docs = settings.docs_enabled
    app = FastAPI(
        title="itemhub",
        version="1.1.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        # FastAPI's own pages load their scripts from a CDN; docs.py serves them itself.
        docs_url=None,
        redoc_url=None,
        openapi_url=OPENAPI_URL if docs else None,
    )
    app.state.container = container

    app.add_exception_handler(DomainError, domain_error_handler)
    app.add_exception_handler(InvalidValue, invalid_value_handler)
    app.add_exception_handler(RequestValidationError, request_validation_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)

    origins = settings.cors_origins
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["Location", "X-Request-ID", "Retry-After"],
        )
    # Added innermost first: a request passes RequestId, AccessLog (which tells the metrics,
    # when on), LastResort, BodyLimit.
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(LastResortMiddleware)
    app.add_middleware(AccessLogMiddleware, watchers=_request_watchers(container))
    app.add_middleware(RequestIdMiddleware)

    # Included one by one rather than under one /api/v1 router: FastAPI walks each level of
    # included routers per request, and a level costs every request a little.
    app.include_router(health.router)
    # The hot paths first: a request is matched against routes in the order they were added.
    for module in (auth, users, sessions, items, account_mail):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(pages.router)
    if settings.metrics_enabled:
        app.include_router(metrics.router)
    if docs:
        install_openapi(app)
        install_docs(app)
    install_tracing(app, container.database())
    return app

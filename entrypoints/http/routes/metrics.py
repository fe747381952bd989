"""`GET /metrics`: Prometheus's text format (no `/api/v1` prefix, not in the API document).
Expose it on a private network only: it tells how busy and how healthy the service is."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from entrypoints.http.dependencies import Services

router = APIRouter(include_in_schema=False)
logger = logging.getLogger("itemhub.metrics")
OUTBOX_READ_SECONDS = 1.0


@router.get("/metrics")
async def metrics(services: Services) -> Response:
    """The outbox's counts are read from the database now; when it does not answer in time,
    the last counts stay and the rest is answered anyway (a scrape must not hang)."""
    collected = services.metrics()
    try:
        async with asyncio.timeout(OUTBOX_READ_SECONDS):
            collected.outbox_counts(await services.mail_queries().counts())
    except Exception as error:
        logger.warning("metrics: outbox counts unavailable: %s", type(error).__name__)
    return Response(collected.exposition(), media_type=CONTENT_TYPE_LATEST)

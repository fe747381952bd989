"""Liveness and readiness, outside the versioned API."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from starlette.responses import Response

from entrypoints.http.dependencies import container_of
from entrypoints.http.openapi import problems
from entrypoints.http.problems import problem_response
from entrypoints.http.schemas import Health

router = APIRouter(tags=["health"])
logger = logging.getLogger("itemhub.http")


@router.get("/health", response_model=Health, operation_id="health")
async def health() -> Health:
    """The process is up; the database is not touched."""
    return Health()


@router.get(
    "/health/ready", response_model=Health, operation_id="readiness", responses=problems(503)
)
async def readiness(request: Request) -> Health | Response:
    """The database answers a trivial query within two seconds."""
    try:
        await container_of(request).database_probe().check()
    except Exception as error:  # any failure of any driver means "not ready", never a 500
        logger.warning("database not ready: %s", type(error).__name__)
        return problem_response(503, "The database does not answer.", slug="database-unavailable")
    return Health()

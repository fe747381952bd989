"""Liveness and readiness, outside the versioned API."""

from __future__ import annotations

from fastapi import APIRouter

from application.errors import StorageUnavailable
from entrypoints.http.dependencies import Services
from entrypoints.http.openapi import problems
from entrypoints.http.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, operation_id="health")
async def health() -> Health:
    """The process is up; the database is not touched."""
    return Health()


@router.get(
    "/health/ready",
    response_model=Health,
    operation_id="readiness",
    responses=problems(StorageUnavailable),
)
async def readiness(services: Services) -> Health:
    """The database answers a trivial query within two seconds."""
    await services.database().check()  # StorageUnavailable: 503
    return Health()

"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel


class Health(BaseModel):
    status: str


def create_app() -> FastAPI:
    """Build a new app; nothing is built at import time, so tests and workers each get their own."""
    app = FastAPI(title="itemhub", version="0.1.0")

    @app.get("/health", response_model=Health, operation_id="health", tags=["health"])
    async def health() -> Health:
        """Liveness: answers without touching the database."""
        return Health(status="ok")

    return app

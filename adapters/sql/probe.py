"""Readiness: does the database answer a trivial query within a bound?"""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


class SqlDatabaseProbe:
    def __init__(self, engine: AsyncEngine, timeout_seconds: float = 2.0) -> None:
        self._engine = engine
        self._timeout = timeout_seconds

    async def check(self) -> None:
        """Raises (TimeoutError, OSError or a SQLAlchemy error) when the database is not usable."""
        async with asyncio.timeout(self._timeout), self._engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

"""The SQL adapter as one object: engine, connection gate, units of work, read ports, probe."""

from __future__ import annotations

import asyncio

from adapters.options import DatabaseOptions
from adapters.sql.availability import unavailable
from adapters.sql.connections import Connections
from adapters.sql.engine import create_engine
from adapters.sql.gate import ConnectionGate
from adapters.sql.queries import (
    Reader,
    SqlItemQueries,
    SqlMailQueries,
    SqlSessionQueries,
    SqlUserQueries,
)
from adapters.sql.unit_of_work import SqlUnitOfWork
from application.ports import Migrated

READINESS_TIMEOUT_SECONDS = 2.0


class SqlDatabase:
    """SQLite or PostgreSQL behind the persistence ports. Building one opens no connection."""

    def __init__(self, url: str, options: DatabaseOptions | None = None) -> None:
        options = options or DatabaseOptions()
        self._url = url
        self.engine = create_engine(url, options)
        networked = self.engine.dialect.name == "postgresql"
        permits = options.pool_size + options.max_overflow if networked and options.pooled else None
        deadline = options.request_timeout_seconds if networked else None
        self._connections = Connections(
            self.engine,
            ConnectionGate(permits, options.pool_timeout_seconds, options.observer),
            deadline,
        )
        reader = Reader(self._connections, self.engine)
        self.users = SqlUserQueries(reader)
        self.items = SqlItemQueries(reader)
        self.sessions = SqlSessionQueries(reader)
        self.mail = SqlMailQueries(reader)
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._connections)

    async def check(self) -> None:
        """Any failure of any driver within the bound means "not ready"."""
        try:
            async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
                connection = await self._autocommit.connect()
                try:
                    await connection.exec_driver_sql("SELECT 1")
                except BaseException:
                    await connection.invalidate()  # not waited on: the server may be silent
                    raise
                await connection.close()
        except Exception as error:
            raise unavailable(error) from error

    def migrate(self) -> Migrated:
        """Apply the Alembic migrations (a one-off: it opens a connection of its own)."""
        # Imported here: Alembic (and Mako) would add ~13 MB to every worker `serve` starts.
        from adapters.sql.migrate import upgrade  # noqa: PLC0415

        return upgrade(self._url)

    async def close(self) -> None:
        await self.engine.dispose()

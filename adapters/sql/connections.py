"""How this adapter holds a pooled connection: through the gate, and within a deadline.

A database that stops answering (frozen, partitioned) must not hold requests for as long as it
stays silent. Everything a request does with one connection (waiting for it, connecting, its
statements, the commit) shares one deadline; when it passes, the connection is abandoned
rather than rolled back (a rollback would wait on the same silent server) and the request gets
StorageUnavailable, a 503. Abandoned connections are replaced by new ones, so the service
recovers by itself once the server answers again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sql.availability import is_unavailable, unavailable
from adapters.sql.gate import ConnectionGate


class Connections:
    def __init__(self, engine: AsyncEngine, gate: ConnectionGate, deadline: float | None) -> None:
        """`deadline`: seconds for all of one connection's use; None waits as long as the
        engine's own timeouts allow (SQLite, whose only wait is the write lock's)."""
        self._engine = engine
        self._gate = gate
        self._deadline = deadline

    @asynccontextmanager
    async def held(self, engine: AsyncEngine | None = None) -> AsyncIterator[AsyncConnection]:
        """A connection from `engine` (this adapter's, or one with other execution options).
        On every request's path: written without nested context managers, which cost."""
        try:
            async with asyncio.timeout(self._deadline):
                await self._gate.acquire()
                try:
                    connection = await (engine or self._engine).connect()
                    try:
                        yield connection
                    except BaseException as error:
                        await _release(connection, error)
                        raise
                    await connection.close()
                finally:
                    self._gate.release()
        except Exception as error:
            if is_unavailable(error):
                raise unavailable(error) from error
            raise


async def _release(connection: AsyncConnection, error: BaseException) -> None:
    if isinstance(error, asyncio.CancelledError) or is_unavailable(error):
        # The deadline passed or the server went away: do not wait on it to roll back.
        with contextlib.suppress(Exception):
            await connection.invalidate()
        return
    try:
        await connection.close()  # rolls back whatever was not committed
    except Exception as closing:
        if not is_unavailable(closing):
            raise
        # The request's own error says more than a connection lost while rolling back.

"""One connection and one transaction per use case; leaving without commit rolls back.

The transaction begins with the first statement (SQLAlchemy's autobegin), so a unit of work
that reads nothing costs no round trip. The whole unit shares the connection's deadline
(connections.py); a database that cannot be reached surfaces as StorageUnavailable.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.connections import Connections
from adapters.sql.repositories import (
    SqlAccountTokenRepository,
    SqlItemRepository,
    SqlOutbox,
    SqlSessionRepository,
    SqlUserRepository,
)


class SqlUnitOfWork:
    users: SqlUserRepository
    items: SqlItemRepository
    sessions: SqlSessionRepository
    account_tokens: SqlAccountTokenRepository
    outbox: SqlOutbox

    def __init__(self, connections: Connections) -> None:
        self._connections = connections
        self._held: AsyncExitStack | None = None
        self._connection: AsyncConnection | None = None

    async def __aenter__(self) -> Self:
        held = AsyncExitStack()
        self._connection = await held.enter_async_context(self._connections.held())
        self._held = held
        self.users = SqlUserRepository(self._connection)
        self.items = SqlItemRepository(self._connection)
        self.sessions = SqlSessionRepository(self._connection)
        self.account_tokens = SqlAccountTokenRepository(self._connection)
        self.outbox = SqlOutbox(self._connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        held, self._held, self._connection = self._held, None, None
        if held is not None:
            await held.__aexit__(exc_type, exc, tb)

    async def commit(self) -> None:
        if self._connection is None:
            raise RuntimeError("commit() outside `async with`")
        await self._connection.commit()

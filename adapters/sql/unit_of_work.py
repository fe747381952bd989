"""One connection and one transaction per use case; leaving without commit rolls back.

A database that cannot be reached surfaces as StorageUnavailable.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sql.availability import is_unavailable, unavailable
from adapters.sql.gate import ConnectionGate
from adapters.sql.repositories import SqlItemRepository, SqlUserRepository


class SqlUnitOfWork:
    """The transaction begins with the first statement (SQLAlchemy's autobegin), so a unit of
    work that reads nothing costs no round trip."""

    users: SqlUserRepository
    items: SqlItemRepository

    def __init__(self, engine: AsyncEngine, gate: ConnectionGate) -> None:
        self._engine = engine
        self._gate = gate
        self._held: AbstractAsyncContextManager[None] | None = None
        self._connection: AsyncConnection | None = None

    async def __aenter__(self) -> Self:
        held = self._gate.held()
        await held.__aenter__()  # raises StorageUnavailable when no connection comes free
        try:
            self._connection = await self._engine.connect()
        except Exception as error:
            await held.__aexit__(None, None, None)
            if is_unavailable(error):
                raise unavailable(error) from error
            raise
        self._held = held
        self.users = SqlUserRepository(self._connection)
        self.items = SqlItemRepository(self._connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection, self._connection = self._connection, None
        held, self._held = self._held, None
        if connection is None:
            return
        try:
            await connection.close()  # rolls back whatever was not committed
        except Exception as error:
            if not is_unavailable(error):
                raise
            if exc is None:  # a lost connection while rolling back is only worth reporting alone
                raise unavailable(error) from error
        finally:
            if held is not None:
                await held.__aexit__(None, None, None)
        if exc is not None and is_unavailable(exc):
            raise unavailable(exc) from exc

    async def commit(self) -> None:
        if self._connection is None:
            raise RuntimeError("commit() outside `async with`")
        await self._connection.commit()

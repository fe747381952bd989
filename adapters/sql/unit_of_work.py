"""One SQL session and one transaction per use case; leaving without commit rolls back.

A database that cannot be reached surfaces as StorageUnavailable when the block is left.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.sql.availability import is_unavailable, unavailable
from adapters.sql.gate import OPEN, ConnectionGate
from adapters.sql.repositories import SqlItemRepository, SqlUserRepository


class SqlUnitOfWork:
    users: SqlUserRepository
    items: SqlItemRepository

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], gate: ConnectionGate = OPEN
    ) -> None:
        self._sessions = sessions
        self._gate = gate
        self._held: AbstractAsyncContextManager[None] | None = None
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        held = self._gate.held()
        await held.__aenter__()  # raises StorageUnavailable when no connection comes free
        self._held = held
        self._session = self._sessions()
        self.users = SqlUserRepository(self._session)
        self.items = SqlItemRepository(self._session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        held, self._held = self._held, None
        if session is None:
            return
        try:
            await session.close()  # rolls back whatever was not committed
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
        if self._session is None:
            raise RuntimeError("commit() outside `async with`")
        await self._session.commit()

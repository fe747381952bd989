"""One SQL session and one transaction per use case; leaving without commit rolls back.

A database that cannot be reached surfaces as StorageUnavailable when the block is left.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.sql.availability import is_unavailable, unavailable
from adapters.sql.repositories import SqlItemRepository, SqlUserRepository


class SqlUnitOfWork:
    users: SqlUserRepository
    items: SqlItemRepository

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
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
        if session is None:
            return
        try:
            await session.close()  # rolls back whatever was not committed
        except Exception as error:
            if not is_unavailable(error):
                raise
            if exc is None:  # a lost connection while rolling back is only worth reporting alone
                raise unavailable(error) from error
        if exc is not None and is_unavailable(exc):
            raise unavailable(exc) from exc

    async def commit(self) -> None:
        if self._session is None:
            raise RuntimeError("commit() outside `async with`")
        await self._session.commit()

"""Which database failures mean "unavailable, try later" rather than a bug."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from application.errors import StorageUnavailable

# Connection refused or lost, connect or statement timeout, pool exhausted, SQLite locked.
UNAVAILABLE = (OSError, TimeoutError, OperationalError, InterfaceError, PoolTimeoutError)


def is_unavailable(error: BaseException) -> bool:
    """Also a connection the driver lost mid-statement: SQLAlchemy reports that as a plain
    DBAPIError (asyncpg's ConnectionDoesNotExistError), flagged as a disconnect."""
    return isinstance(error, UNAVAILABLE) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )


def unavailable(error: BaseException) -> StorageUnavailable:
    return StorageUnavailable(
        f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    )


@asynccontextmanager
async def translated() -> AsyncIterator[None]:
    try:
        yield
    except Exception as error:
        if is_unavailable(error):
            raise unavailable(error) from error
        raise

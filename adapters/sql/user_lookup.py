"""The caller look-up every authenticated request makes: one statement, no transaction."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.availability import translated
from adapters.sql.gate import gate_of
from adapters.sql.mapping import user_from_record
from adapters.sql.records import UserRecord
from domain.user import User

_users = UserRecord.__table__  # type: ignore[attr-defined]
_BY_ID = select(_users).where(_users.c.id == bindparam("user_id"))


class SqlUserLookup:
    """Autocommit, like the item listing: a single-row read needs no BEGIN and ROLLBACK, which
    were two of the three round trips of reading the caller inside a unit of work."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._gate = gate_of(engine)

    async def get(self, user_id: int) -> User | None:
        async with translated(), self._gate.held(), self._engine.connect() as connection:
            row = (await connection.execute(_BY_ID, {"user_id": user_id})).one_or_none()
        return user_from_record(row) if row is not None else None

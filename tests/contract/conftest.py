"""The adapters under contract: each test runs once per persistence adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.memory import (
    InMemoryDatabase,
    InMemoryItemListing,
    InMemoryUnitOfWork,
    InMemoryUserLookup,
)
from adapters.sql import (
    SqlItemListing,
    SqlUnitOfWork,
    SqlUserLookup,
    create_engine,
    create_session_factory,
    gate_of,
)
from application.ports import ItemListing, UnitOfWork, UnitOfWorkFactory, UserLookup
from tests.databases import empty_tables, migrated_database


@dataclass
class StatementLog:
    """The SQL statements an engine sent, so tests can count round trips."""

    statements: list[str] = field(default_factory=list)

    def attach(self, engine: AsyncEngine) -> None:
        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            self.statements.append(statement)

    def count_during(self) -> _Counting:
        return _Counting(self)


class _Counting:
    def __init__(self, log: StatementLog) -> None:
        self._log = log
        self.count = 0

    def __enter__(self) -> _Counting:
        self._start = len(self._log.statements)
        return self

    def __exit__(self, *_: object) -> None:
        self.count = len(self._log.statements) - self._start


@dataclass
class Adapter:
    name: str
    uow: UnitOfWorkFactory
    listing: ItemListing
    lookup: UserLookup
    log: StatementLog | None = None


def _sql_adapter(name: str, engine: AsyncEngine) -> Adapter:
    log = StatementLog()
    log.attach(engine)
    sessions = create_session_factory(engine)

    def uow() -> UnitOfWork:
        return SqlUnitOfWork(sessions, gate_of(engine))

    return Adapter(name, uow, SqlItemListing(engine), SqlUserLookup(engine), log)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    return migrated_database(request.param, request, tmp_path)


@pytest.fixture(params=["sqlite", "postgres"])
def sql_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    return migrated_database(request.param, request, tmp_path)


async def _adapter(database_url: str | None) -> AsyncIterator[Adapter]:
    if database_url is None:
        db = InMemoryDatabase()

        def uow() -> UnitOfWork:
            return InMemoryUnitOfWork(db)

        yield Adapter("memory", uow, InMemoryItemListing(db), InMemoryUserLookup(db))
        return

    engine = create_engine(database_url)
    await empty_tables(engine)
    try:
        yield _sql_adapter(engine.dialect.name, engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def adapter(database_url: str | None) -> AsyncIterator[Adapter]:
    async for each in _adapter(database_url):
        yield each


@pytest.fixture
async def sql_adapter(sql_database_url: str) -> AsyncIterator[Adapter]:
    """The SQL adapters only, for what only they have: statements to count."""
    async for each in _adapter(sql_database_url):
        yield each

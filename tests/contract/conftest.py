"""The adapters under contract: each test runs once per persistence adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.options import DatabaseOptions
from adapters.sql import SqlDatabase
from application.ports import Database, ItemQueries, UnitOfWork, UserQueries
from entrypoints.container import open_database
from tests.databases import empty_tables, migrated_database


@dataclass
class StatementLog:
    """The SQL statements an engine sent, so tests can count round trips."""

    statements: list[str] = field(default_factory=list)

    def attach(self, engine: AsyncEngine) -> None:
        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if not statement.startswith("BEGIN"):  # transaction control is not counted
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
    """A persistence adapter under contract: its Database object, and for SQL its statements."""

    name: str
    database: Database
    log: StatementLog | None = None

    def uow(self) -> UnitOfWork:
        return self.database.unit_of_work()

    @property
    def items(self) -> ItemQueries:
        return self.database.items

    @property
    def users(self) -> UserQueries:
        return self.database.users


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    return migrated_database(request.param, request, tmp_path)


@pytest.fixture(params=["sqlite", "postgres"])
def sql_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    return migrated_database(request.param, request, tmp_path)


async def _adapter(database_url: str | None) -> AsyncIterator[Adapter]:
    """The adapter the app would open for this URL (`None`: the in-memory one)."""
    database = open_database(database_url or "memory://", DatabaseOptions())
    log = None
    if isinstance(database, SqlDatabase):
        await empty_tables(database.engine)
        log = StatementLog()
        log.attach(database.engine)
    try:
        yield Adapter(database_url.partition(":")[0] if database_url else "memory", database, log)
    finally:
        await database.close()


@pytest.fixture
async def adapter(database_url: str | None) -> AsyncIterator[Adapter]:
    async for each in _adapter(database_url):
        yield each


@pytest.fixture
async def sql_adapter(sql_database_url: str) -> AsyncIterator[Adapter]:
    """The SQL adapters only, for what only they have: statements to count."""
    async for each in _adapter(sql_database_url):
        yield each

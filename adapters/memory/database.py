"""The in-memory adapter as one object: its committed rows, units of work over them, and the
read ports. Nothing survives the process: for tests, demos (`ITEMHUB_DATABASE_URL=memory://`)
and experiments."""

from __future__ import annotations

from adapters.memory.queries import (
    InMemoryItemQueries,
    InMemoryMailQueries,
    InMemorySessionQueries,
    InMemoryUserQueries,
)
from adapters.memory.state import CommittedState
from adapters.memory.unit_of_work import InMemoryUnitOfWork
from adapters.options import DatabaseOptions
from application.ports import Migrated


class InMemoryDatabase:
    def __init__(self, url: str = "memory://", options: DatabaseOptions | None = None) -> None:
        """Any `memory://` URL gives a new, empty database; there are no bounds to keep."""
        self.state = CommittedState()
        self.users = InMemoryUserQueries(self.state)
        self.items = InMemoryItemQueries(self.state)
        self.sessions = InMemorySessionQueries(self.state)
        self.mail = InMemoryMailQueries(self.state)

    def unit_of_work(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.state)

    async def check(self) -> None:
        """Always ready: it lives as long as the process."""

    def migrate(self) -> Migrated:
        """Nothing to migrate: every process starts with an empty database."""
        return Migrated()

    async def close(self) -> None:
        """Nothing to release."""

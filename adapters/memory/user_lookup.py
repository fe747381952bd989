"""The in-memory caller look-up: committed users only, like the SQL adapter's."""

from __future__ import annotations

from dataclasses import replace

from adapters.memory.database import InMemoryDatabase
from domain.user import User


class InMemoryUserLookup:
    def __init__(self, db: InMemoryDatabase) -> None:
        self._db = db

    async def get(self, user_id: int) -> User | None:
        user = self._db.users.get(user_id)
        return replace(user) if user is not None else None  # a copy: callers may change theirs

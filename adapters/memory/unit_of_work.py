"""In-memory repositories and unit of work: changes stay private until commit."""

from __future__ import annotations

from dataclasses import replace
from typing import Self

from adapters.memory.state import CommittedState, PendingChanges, first_conflict
from domain.errors import ItemNotFound, UserNotFound
from domain.item import Item
from domain.user import User
from domain.values import Email, Username


class InMemoryUserRepository:
    def __init__(self, state: CommittedState, pending: PendingChanges) -> None:
        self._state = state
        self._pending = pending

    def _visible(self) -> dict[int, User]:
        return self._pending.visible_users(self._state.users)

    def _check_unique(self, user: User) -> None:
        if conflict := first_conflict(self._visible().values(), user):
            raise conflict

    async def add(self, user: User) -> User:
        stored = replace(user, id=self._state.next_user_id())
        self._check_unique(stored)
        self._pending.users[stored.id] = stored
        self._pending.added_users.add(stored.id)
        return replace(stored)

    async def get(self, user_id: int) -> User | None:
        user = self._visible().get(user_id)
        return replace(user) if user is not None else None

    async def get_by_email(self, email: Email) -> User | None:
        return next((replace(u) for u in self._visible().values() if u.email == email), None)

    async def get_by_username(self, username: Username) -> User | None:
        return next((replace(u) for u in self._visible().values() if u.username == username), None)

    async def update(self, user: User) -> None:
        if user.id not in self._visible():
            raise UserNotFound(user.id)
        self._check_unique(user)
        self._pending.users[user.id] = replace(user)

    async def active_superuser_ids(self) -> set[int]:
        """No locks needed: a use case's steps between here and commit never yield."""
        return {
            user.id for user in self._visible().values() if user.is_active and user.is_superuser
        }

    async def delete(self, user_id: int) -> None:
        self._pending.users[user_id] = None
        for item_id, item in self._pending.visible_items(self._state.items).items():
            if item.owner_id == user_id:
                self._pending.items[item_id] = None


class InMemoryItemRepository:
    def __init__(
        self, state: CommittedState, pending: PendingChanges, users: InMemoryUserRepository
    ) -> None:
        self._state = state
        self._pending = pending
        self._users = users

    def _visible(self) -> dict[int, Item]:
        return self._pending.visible_items(self._state.items)

    async def add(self, item: Item) -> Item:
        if await self._users.get(item.owner_id) is None:
            raise UserNotFound(item.owner_id)
        stored = replace(item, id=self._state.next_item_id())
        self._pending.items[stored.id] = stored
        self._pending.added_items.add(stored.id)
        return replace(stored)

    async def get(self, item_id: int) -> Item | None:
        item = self._visible().get(item_id)
        return replace(item) if item is not None else None

    async def update(self, item: Item) -> None:
        if item.id not in self._visible():
            raise ItemNotFound(item.id)
        self._pending.items[item.id] = replace(item)

    async def delete(self, item_id: int) -> None:
        self._pending.items[item_id] = None


class InMemoryUnitOfWork:
    """One transaction over the committed state; build a new one for each use case."""

    users: InMemoryUserRepository
    items: InMemoryItemRepository

    def __init__(self, state: CommittedState) -> None:
        self._state = state
        self._begin()

    def _begin(self) -> None:
        self._pending = PendingChanges()
        self.users = InMemoryUserRepository(self._state, self._pending)
        self.items = InMemoryItemRepository(self._state, self._pending, self.users)

    async def __aenter__(self) -> Self:
        self._begin()
        return self

    async def __aexit__(self, *_exc_info: object) -> None:
        self._begin()  # whatever was not committed is dropped

    async def commit(self) -> None:
        pending = self._pending
        self._begin()
        self._state.commit(pending)

"""In-memory repositories and unit of work: changes stay private until commit."""

from __future__ import annotations

from dataclasses import replace
from types import TracebackType
from typing import Self

from adapters.memory.database import InMemoryDatabase, PendingChanges, first_conflict
from application.paging import UserCursor
from domain.errors import ItemNotFound, UserNotFound
from domain.item import Item, NewItem
from domain.user import NewUser, User
from domain.values import Email, Username


class InMemoryUserRepository:
    def __init__(self, db: InMemoryDatabase, pending: PendingChanges) -> None:
        self._db = db
        self._pending = pending

    def _visible(self) -> dict[int, User]:
        users = dict(self._db.users)
        for user_id, user in self._pending.users.items():
            if user is None:
                users.pop(user_id, None)
            else:
                users[user_id] = user
        return users

    def _check_unique(self, user: User) -> None:
        if conflict := first_conflict(self._visible().values(), user):
            raise conflict

    async def add(self, user: NewUser) -> User:
        stored = User.from_new(user, self._db.next_user_id())
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

    async def delete(self, user_id: int) -> None:
        self._pending.users[user_id] = None
        owned = [
            item_id
            for item_id, item in _visible_items(self._db, self._pending).items()
            if item.owner_id == user_id
        ]
        for item_id in owned:
            self._pending.items[item_id] = None

    async def list_page(self, *, after: UserCursor | None, offset: int, limit: int) -> list[User]:
        users = sorted(self._visible().values(), key=lambda user: user.id)
        if after is not None:
            users = [user for user in users if user.id > after.id]
        return [replace(user) for user in users[offset : offset + limit]]


def _visible_items(db: InMemoryDatabase, pending: PendingChanges) -> dict[int, Item]:
    items = dict(db.items)
    for item_id, item in pending.items.items():
        if item is None:
            items.pop(item_id, None)
        else:
            items[item_id] = item
    return items


class InMemoryItemRepository:
    def __init__(
        self, db: InMemoryDatabase, pending: PendingChanges, users: InMemoryUserRepository
    ) -> None:
        self._db = db
        self._pending = pending
        self._users = users

    async def add(self, item: NewItem) -> Item:
        if await self._users.get(item.owner_id) is None:
            raise UserNotFound(item.owner_id)
        stored = Item.from_new(item, self._db.next_item_id())
        self._pending.items[stored.id] = stored
        self._pending.added_items.add(stored.id)
        return replace(stored)

    async def get(self, item_id: int) -> Item | None:
        item = _visible_items(self._db, self._pending).get(item_id)
        return replace(item) if item is not None else None

    async def update(self, item: Item) -> None:
        if item.id not in _visible_items(self._db, self._pending):
            raise ItemNotFound(item.id)
        self._pending.items[item.id] = replace(item)

    async def delete(self, item_id: int) -> None:
        self._pending.items[item_id] = None


class InMemoryUnitOfWork:
    """One transaction over an InMemoryDatabase; build a new one for each use case."""

    users: InMemoryUserRepository
    items: InMemoryItemRepository

    def __init__(self, db: InMemoryDatabase) -> None:
        self._db = db
        self._pending = PendingChanges()

    async def __aenter__(self) -> Self:
        self._pending = PendingChanges()
        self.users = InMemoryUserRepository(self._db, self._pending)
        self.items = InMemoryItemRepository(self._db, self._pending, self.users)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()

    async def commit(self) -> None:
        pending, self._pending = self._pending, PendingChanges()
        self._db.commit(pending)
        self.users = InMemoryUserRepository(self._db, self._pending)
        self.items = InMemoryItemRepository(self._db, self._pending, self.users)

    async def rollback(self) -> None:
        self._pending.users.clear()
        self._pending.items.clear()
        self._pending.added_items.clear()
        self._pending.added_users.clear()

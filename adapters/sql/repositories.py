"""SQL repositories: Core statements inside the unit of work's transaction; they never commit."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Row, Table, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql import integrity
from adapters.sql.queries import UserFinder
from adapters.sql.records import items_table, users_table
from adapters.sql.rows import entity_reader, to_row
from domain.errors import EmailAlreadyRegistered, ItemNotFound, UsernameTaken, UserNotFound
from domain.item import Item
from domain.user import User


def _by_id(table: Table) -> Any:
    return table.c.id == bindparam("row_id")


# Built once: reusing a statement object reuses SQLAlchemy's compiled form of it.

_INSERT_USER = insert(users_table).returning(users_table.c.id)
_UPDATE_USER = update(users_table).where(_by_id(users_table))
_DELETE_USER = delete(users_table).where(_by_id(users_table))
_ACTIVE_SUPERUSERS = (
    select(users_table.c.id)
    .where(users_table.c.is_superuser, users_table.c.is_active)
    .with_for_update()
)


class SqlUserRepository(UserFinder):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def _first_row(self, statement: Any, values: dict[str, Any]) -> Row[Any] | None:
        return (await self._connection.execute(statement, values)).first()

    async def _check_unique(self, user: User) -> None:
        """Name the email before the username whichever index the database checks first;
        a race lost after this check is still caught by the unique indexes."""
        email, username = func.lower(users_table.c.email), func.lower(users_table.c.username)
        query = select(email, username).where(
            or_(email == user.email.value, username == user.username.key),
            users_table.c.id != user.id,
        )
        rows = (await self._connection.execute(query)).all()
        if any(taken_email == user.email.value for taken_email, _ in rows):
            raise EmailAlreadyRegistered(user.email.value)
        if rows:
            raise UsernameTaken(user.username.value)

    async def _write(self, statement: Any, user: User, **extra: object) -> Any:
        await self._check_unique(user)
        try:
            return await self._connection.execute(statement, to_row(user, users_table) | extra)
        except IntegrityError as error:
            if conflict := integrity.user_conflict(error, user):
                raise conflict from None
            raise

    async def add(self, user: User) -> User:
        result = await self._write(_INSERT_USER, user)
        return replace(user, id=result.scalar_one())

    async def update(self, user: User) -> None:
        if (await self._write(_UPDATE_USER, user, row_id=user.id)).rowcount == 0:
            raise UserNotFound(user.id)

    async def delete(self, user_id: int) -> None:
        """ON DELETE CASCADE removes the items in the same statement."""
        await self._connection.execute(_DELETE_USER, {"row_id": user_id})

    async def active_superuser_ids(self) -> set[int]:
        """FOR UPDATE on PostgreSQL; SQLite's write transactions are serialised from their
        start (BEGIN IMMEDIATE, engine.py), which holds the same."""
        return set((await self._connection.execute(_ACTIVE_SUPERUSERS)).scalars())


def _item_row(item: Item) -> dict[str, Any]:
    return to_row(item, items_table) | {"title_search": item.title.value.lower()}


_INSERT_ITEM = insert(items_table).returning(items_table.c.id)
_GET_ITEM = select(items_table).where(_by_id(items_table))
_item = entity_reader(Item, _GET_ITEM)
_UPDATE_ITEM = update(items_table).where(_by_id(items_table))
_DELETE_ITEM = delete(items_table).where(_by_id(items_table))


class SqlItemRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, item: Item) -> Item:
        try:
            result = await self._connection.execute(_INSERT_ITEM, _item_row(item))
        except IntegrityError as error:
            if missing := integrity.missing_owner(error, item.owner_id):
                raise missing from None
            raise
        return replace(item, id=result.scalar_one())

    async def get(self, item_id: int) -> Item | None:
        row = (await self._connection.execute(_GET_ITEM, {"row_id": item_id})).first()
        return _item(row) if row is not None else None

    async def update(self, item: Item) -> None:
        result = await self._connection.execute(
            _UPDATE_ITEM, {**_item_row(item), "row_id": item.id}
        )
        if result.rowcount == 0:
            raise ItemNotFound(item.id)

    async def delete(self, item_id: int) -> None:
        await self._connection.execute(_DELETE_ITEM, {"row_id": item_id})

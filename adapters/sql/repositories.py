"""SQL repositories: they flush inside the unit of work's transaction and never commit."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import col

from adapters.sql import integrity
from adapters.sql.mapping import (
    copy_item_to_record,
    copy_user_to_record,
    item_from_record,
    new_item_values,
    new_user_record,
    stored_item,
    user_from_record,
)
from adapters.sql.records import ItemRecord, UserRecord
from application.paging import UserCursor
from domain.errors import EmailAlreadyRegistered, ItemNotFound, UsernameTaken, UserNotFound
from domain.item import Item, NewItem
from domain.user import NewUser, User
from domain.values import Email, Username


class SqlUserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _check_unique(self, user: NewUser | User, user_id: int | None) -> None:
        """Name the email before the username whichever index the database checks first;
        a race lost after this check is still caught by the unique indexes at flush."""
        query = select(func.lower(UserRecord.email), func.lower(UserRecord.username)).where(
            or_(
                func.lower(UserRecord.email) == user.email.value,
                func.lower(UserRecord.username) == user.username.key,
            )
        )
        if user_id is not None:
            query = query.where(col(UserRecord.id) != user_id)
        rows = (await self._session.execute(query)).all()
        if any(email == user.email.value for email, _ in rows):
            raise EmailAlreadyRegistered(user.email.value)
        if rows:
            raise UsernameTaken(user.username.value)

    async def _flush(self, user: NewUser | User) -> None:
        try:
            await self._session.flush()
        except IntegrityError as error:
            if conflict := integrity.user_conflict(error, user):
                raise conflict from None
            raise
        except StaleDataError:
            assert isinstance(user, User)  # noqa: S101 - only an update can find its row gone
            raise UserNotFound(user.id) from None

    async def add(self, user: NewUser) -> User:
        await self._check_unique(user, None)
        record = new_user_record(user)
        self._session.add(record)
        await self._flush(user)
        return user_from_record(record)

    async def get(self, user_id: int) -> User | None:
        record = await self._session.get(UserRecord, user_id)
        return user_from_record(record) if record is not None else None

    async def get_by_email(self, email: Email) -> User | None:
        query = select(UserRecord).where(func.lower(UserRecord.email) == email.value)
        record = (await self._session.execute(query)).scalar_one_or_none()
        return user_from_record(record) if record is not None else None

    async def get_by_username(self, username: Username) -> User | None:
        query = select(UserRecord).where(func.lower(UserRecord.username) == username.key)
        record = (await self._session.execute(query)).scalar_one_or_none()
        return user_from_record(record) if record is not None else None

    async def update(self, user: User) -> None:
        record = await self._session.get(UserRecord, user.id)
        if record is None:
            raise UserNotFound(user.id)
        await self._check_unique(user, user.id)
        copy_user_to_record(user, record)
        await self._flush(user)

    async def delete(self, user_id: int) -> None:
        """ON DELETE CASCADE removes the items in the same statement."""
        await self._session.execute(delete(UserRecord).where(col(UserRecord.id) == user_id))

    async def list_page(self, *, after: UserCursor | None, offset: int, limit: int) -> list[User]:
        query = select(UserRecord).order_by(col(UserRecord.id)).offset(offset).limit(limit)
        if after is not None:
            query = query.where(col(UserRecord.id) > after.id)
        records = (await self._session.execute(query)).scalars().all()
        return [user_from_record(record) for record in records]


_items = ItemRecord.__table__  # type: ignore[attr-defined]
_INSERT_ITEM = insert(_items).returning(_items.c.id)


class SqlItemRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, item: NewItem) -> Item:
        """One Core INSERT ... RETURNING id in the unit of work's transaction: the ORM's flush
        machinery (identity map, unit-of-work sort) cost a third of creating an item."""
        try:
            result = await self._session.execute(_INSERT_ITEM, new_item_values(item))
        except IntegrityError as error:
            if missing := integrity.missing_owner(error, item.owner_id):
                raise missing from None
            raise
        return stored_item(result.scalar_one(), item)

    async def get(self, item_id: int) -> Item | None:
        record = await self._session.get(ItemRecord, item_id)
        return item_from_record(record) if record is not None else None

    async def update(self, item: Item) -> None:
        record = await self._session.get(ItemRecord, item.id)
        if record is None:
            raise ItemNotFound(item.id)
        copy_item_to_record(item, record)
        try:
            await self._session.flush()
        except StaleDataError:
            raise ItemNotFound(item.id) from None

    async def delete(self, item_id: int) -> None:
        await self._session.execute(delete(ItemRecord).where(col(ItemRecord.id) == item_id))

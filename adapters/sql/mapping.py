"""Explicit mapping between table records and domain entities, in both directions."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from adapters.sql.records import ItemRecord, UserRecord
from domain.item import Item, NewItem
from domain.user import NewUser, User
from domain.values import Description, Email, Price, Title, Username


class UserColumns(Protocol):
    """A user's stored values: a `UserRecord`, or a Core row read without the ORM."""

    id: int | None
    email: str
    username: str
    hashed_password: str
    is_active: bool
    is_superuser: bool
    created_at: datetime
    updated_at: datetime
    token_version: int


def user_from_record(record: UserColumns) -> User:
    assert record.id is not None  # noqa: S101 - a stored record always has its id
    return User(
        id=record.id,
        email=Email(record.email),
        username=Username(record.username),
        hashed_password=record.hashed_password,
        is_active=record.is_active,
        is_superuser=record.is_superuser,
        created_at=record.created_at,
        updated_at=record.updated_at,
        token_version=record.token_version,
    )


def new_user_record(user: NewUser) -> UserRecord:
    return UserRecord(
        email=user.email.value,
        username=user.username.value,
        hashed_password=user.hashed_password,
        is_active=user.is_active,
        is_superuser=user.is_superuser,
        token_version=0,
        created_at=user.created_at,
        updated_at=user.created_at,
    )


def copy_user_to_record(user: User, record: UserRecord) -> None:
    record.email = user.email.value
    record.username = user.username.value
    record.hashed_password = user.hashed_password
    record.is_active = user.is_active
    record.is_superuser = user.is_superuser
    record.token_version = user.token_version
    record.updated_at = user.updated_at


def item_from_record(record: ItemRecord) -> Item:
    assert record.id is not None  # noqa: S101 - a stored record always has its id
    return Item(
        id=record.id,
        title=Title(record.title),
        description=Description(record.description) if record.description is not None else None,
        price=Price(record.price),
        owner_id=record.user_id,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


def new_item_values(item: NewItem) -> dict[str, object]:
    """The columns of a new item's row, for a Core INSERT."""
    return {
        "title": item.title.value,
        "title_search": item.title.value.lower(),
        "description": item.description.value if item.description is not None else None,
        "price": item.price.amount,
        "user_id": item.owner_id,
        "created_at": item.created_at,
        "updated_at": item.created_at,
    }


def stored_item(item_id: int, item: NewItem) -> Item:
    """The entity a new item becomes once the database has given it an id."""
    return Item(
        id=item_id,
        title=item.title,
        description=item.description,
        price=item.price,
        owner_id=item.owner_id,
        created_at=item.created_at,
        updated_at=item.created_at,
    )


def copy_item_to_record(item: Item, record: ItemRecord) -> None:
    record.title = item.title.value
    record.title_search = item.title.value.lower()
    record.description = item.description.value if item.description is not None else None
    record.price = item.price.amount
    record.updated_at = item.updated_at

"""Table records for users and items; kept apart from the domain entities and mapped explicitly."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, MetaData, String, Text, func
from sqlmodel import Field, SQLModel

from adapters.sql.types import BigIntId, Money, UtcDateTime

# Deterministic constraint names, so migrations can refer to them and errors can be mapped.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata

USERS_EMAIL_UNIQUE = "uq_users_email_lower"
USERS_USERNAME_UNIQUE = "uq_users_username_lower"
ITEMS_OWNER_FK = "fk_items_user_id_users"


# AUTOINCREMENT makes SQLite never reuse a deleted row's id (as PostgreSQL's sequences do not):
# a reused user id would let a deleted user's token act as the next person to register.
_NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


class UserRecord(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = _NEVER_REUSE_IDS

    id: int | None = Field(default=None, sa_column=Column(BigIntId, primary_key=True))
    email: str = Field(sa_column=Column(String(254), nullable=False))
    username: str = Field(sa_column=Column(String(32), nullable=False))
    hashed_password: str = Field(sa_column=Column(String(255), nullable=False))
    is_active: bool = Field(sa_column=Column(Boolean, nullable=False))
    is_superuser: bool = Field(sa_column=Column(Boolean, nullable=False))
    token_version: int = Field(sa_column=Column(Integer, nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class ItemRecord(SQLModel, table=True):
    """`title_search` is the title lower-cased by Python, so a case-insensitive search matches
    the same rows in every database whatever its locale (SQLite's lower() is ASCII-only). It is
    unbounded text: lower-casing can lengthen a string ('İ' becomes two characters)."""

    __tablename__ = "items"
    __table_args__ = _NEVER_REUSE_IDS

    id: int | None = Field(default=None, sa_column=Column(BigIntId, primary_key=True))
    title: str = Field(sa_column=Column(String(200), nullable=False))
    title_search: str = Field(sa_column=Column(Text, nullable=False))
    description: str | None = Field(default=None, sa_column=Column(String(2000), nullable=True))
    price: Decimal = Field(sa_column=Column(Money, nullable=False))
    user_id: int = Field(
        sa_column=Column(
            BigIntId,
            ForeignKey("users.id", ondelete="CASCADE", name=ITEMS_OWNER_FK),
            nullable=False,
        )
    )
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


_users = UserRecord.__table__  # type: ignore[attr-defined]
_items = ItemRecord.__table__  # type: ignore[attr-defined]

# Uniqueness ignores case in the database itself, whatever a client writes.
Index(USERS_EMAIL_UNIQUE, func.lower(_users.c.email), unique=True)
Index(USERS_USERNAME_UNIQUE, func.lower(_users.c.username), unique=True)
# Newest-first listing and its keyset pages; the owner filter (and the cascade) with the same order.
Index("ix_items_newest", _items.c.created_at.desc(), _items.c.id.desc())
Index("ix_items_owner_newest", _items.c.user_id, _items.c.created_at.desc(), _items.c.id.desc())
Index("ix_items_price", _items.c.price)

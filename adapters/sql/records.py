"""The tables, as SQLModel records. Column keys are the entities' field names and column types
give back the domain's value objects, so rows map to entities by name (`rows.py`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, MetaData, String, Text, func
from sqlmodel import Field, SQLModel

from adapters.sql.types import BigIntId, PriceValue, TextValue, UtcDateTime
from domain.values import (
    MAX_DESCRIPTION_CHARS,
    MAX_EMAIL_LENGTH,
    MAX_TITLE_CHARS,
    MAX_USERNAME_CHARS,
    Description,
    Email,
    Price,
    Title,
    Username,
)

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


class Record(SQLModel):
    """Records hold value objects, which pydantic does not know; records are never validated."""

    model_config = {"arbitrary_types_allowed": True}


class UserRecord(Record, table=True):
    __tablename__ = "users"
    __table_args__ = _NEVER_REUSE_IDS

    id: int | None = Field(default=None, sa_column=Column(BigIntId, primary_key=True))
    email: Email = Field(sa_column=Column(TextValue(Email, MAX_EMAIL_LENGTH), nullable=False))
    username: Username = Field(
        sa_column=Column(TextValue(Username, MAX_USERNAME_CHARS), nullable=False)
    )
    hashed_password: str = Field(sa_column=Column(String(255), nullable=False))
    is_active: bool = Field(sa_column=Column(Boolean, nullable=False))
    is_superuser: bool = Field(sa_column=Column(Boolean, nullable=False))
    token_version: int = Field(sa_column=Column(Integer, nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class ItemRecord(Record, table=True):
    """`title_search` is the title lower-cased by Python, so a case-insensitive search matches
    the same rows in every database whatever its locale (SQLite's lower() is ASCII-only). It is
    unbounded text: lower-casing can lengthen a string ('İ' becomes two characters)."""

    __tablename__ = "items"
    __table_args__ = _NEVER_REUSE_IDS

    id: int | None = Field(default=None, sa_column=Column(BigIntId, primary_key=True))
    title: Title = Field(sa_column=Column(TextValue(Title, MAX_TITLE_CHARS), nullable=False))
    title_search: str = Field(sa_column=Column(Text, nullable=False))
    description: Description | None = Field(
        default=None,
        sa_column=Column(TextValue(Description, MAX_DESCRIPTION_CHARS), nullable=True),
    )
    price: Price = Field(sa_column=Column(PriceValue, nullable=False))
    owner_id: int = Field(
        sa_column=Column(
            "user_id",
            BigIntId,
            ForeignKey("users.id", ondelete="CASCADE", name=ITEMS_OWNER_FK),
            key="owner_id",
            nullable=False,
        )
    )
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


users_table = UserRecord.__table__  # type: ignore[attr-defined]
items_table = ItemRecord.__table__  # type: ignore[attr-defined]

# Uniqueness ignores case in the database itself, whatever a client writes.
Index(USERS_EMAIL_UNIQUE, func.lower(users_table.c.email), unique=True)
Index(USERS_USERNAME_UNIQUE, func.lower(users_table.c.username), unique=True)
# Newest-first listing and its keyset pages; the owner filter (and the cascade) with the same order.
Index("ix_items_newest", items_table.c.created_at.desc(), items_table.c.id.desc())
Index(
    "ix_items_owner_newest",
    items_table.c.owner_id,
    items_table.c.created_at.desc(),
    items_table.c.id.desc(),
)
Index("ix_items_price", items_table.c.price)

"""The tables, as SQLModel records. Column keys are the entities' field names and column types
give back the domain's value objects, so rows map to entities by name (`rows.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, MetaData, String, Text, func
from sqlmodel import Field, SQLModel

from adapters.sql.types import BigIntId, PriceValue, StrEnumValue, TextValue, UtcDateTime
from domain.account_token import MAX_PURPOSE_CHARS, TokenPurpose
from domain.mail import MAX_ERROR_CHARS, MAX_STATE_CHARS, MAX_SUBJECT_CHARS, MailState
from domain.opaque_token import DIGEST_CHARS
from domain.session import (
    MAX_ADDRESS_CHARS,
    MAX_END_REASON_CHARS,
    MAX_USER_AGENT_CHARS,
    SESSION_ID_CHARS,
    EndReason,
)
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
SESSIONS_USER_FK = "fk_sessions_user_id_users"
REFRESH_TOKENS_SESSION_FK = "fk_refresh_tokens_session_id_sessions"
ACCOUNT_TOKENS_USER_FK = "fk_account_tokens_user_id_users"


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
    email_verified: bool = Field(sa_column=Column(Boolean, nullable=False))
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


def _session_id() -> Any:
    """Ids compare byte by byte in both databases (PostgreSQL's default collation would order
    them by locale), so keyset pages over (created_at, id) agree with the domain's order."""
    return String(SESSION_ID_CHARS).with_variant(
        String(SESSION_ID_CHARS, collation="C"), "postgresql"
    )


class SessionRecord(Record, table=True):
    __tablename__ = "sessions"

    id: str = Field(sa_column=Column(_session_id(), primary_key=True))
    user_id: int = Field(
        sa_column=Column(
            BigIntId,
            ForeignKey("users.id", ondelete="CASCADE", name=SESSIONS_USER_FK),
            nullable=False,
        )
    )
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    last_used_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    idle_expires_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    absolute_expires_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    user_agent: str | None = Field(
        default=None, sa_column=Column(String(MAX_USER_AGENT_CHARS), nullable=True)
    )
    ip_address: str | None = Field(
        default=None, sa_column=Column(String(MAX_ADDRESS_CHARS), nullable=True)
    )
    ended_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    end_reason: EndReason | None = Field(
        default=None,
        sa_column=Column(StrEnumValue(EndReason, MAX_END_REASON_CHARS), nullable=True),
    )


class RefreshTokenRecord(Record, table=True):
    """Every refresh token a live session was given, spent ones included: a spent token
    presented again must be recognised (reuse detection). They go with their session."""

    __tablename__ = "refresh_tokens"

    digest: str = Field(sa_column=Column(String(DIGEST_CHARS), primary_key=True))
    session_id: str = Field(
        sa_column=Column(
            _session_id(),
            ForeignKey("sessions.id", ondelete="CASCADE", name=REFRESH_TOKENS_SESSION_FK),
            nullable=False,
        )
    )
    issued_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))


class AccountTokenRecord(Record, table=True):
    """Reset and verification tokens by digest; they go with their user."""

    __tablename__ = "account_tokens"

    digest: str = Field(sa_column=Column(String(DIGEST_CHARS), primary_key=True))
    user_id: int = Field(
        sa_column=Column(
            BigIntId,
            ForeignKey("users.id", ondelete="CASCADE", name=ACCOUNT_TOKENS_USER_FK),
            nullable=False,
        )
    )
    purpose: TokenPurpose = Field(
        sa_column=Column(StrEnumValue(TokenPurpose, MAX_PURPOSE_CHARS), nullable=False)
    )
    email: Email = Field(sa_column=Column(TextValue(Email, MAX_EMAIL_LENGTH), nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))


class MailRecord(Record, table=True):
    """The outbox. No foreign key to users: a notice to a deleted account's old address, or
    mail already sent, stays until it is sent or purged."""

    __tablename__ = "outbox"
    __table_args__ = _NEVER_REUSE_IDS

    id: int | None = Field(default=None, sa_column=Column(BigIntId, primary_key=True))
    to: Email = Field(
        sa_column=Column("recipient", TextValue(Email, MAX_EMAIL_LENGTH), key="to", nullable=False)
    )
    subject: str = Field(sa_column=Column(String(MAX_SUBJECT_CHARS), nullable=False))
    body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    state: MailState = Field(
        sa_column=Column(StrEnumValue(MailState, MAX_STATE_CHARS), nullable=False)
    )
    attempts: int = Field(sa_column=Column(Integer, nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    next_attempt_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    last_error: str | None = Field(
        default=None, sa_column=Column(String(MAX_ERROR_CHARS), nullable=True)
    )


users_table = UserRecord.__table__  # type: ignore[attr-defined]
items_table = ItemRecord.__table__  # type: ignore[attr-defined]
sessions_table = SessionRecord.__table__  # type: ignore[attr-defined]
refresh_tokens_table = RefreshTokenRecord.__table__  # type: ignore[attr-defined]
account_tokens_table = AccountTokenRecord.__table__  # type: ignore[attr-defined]
outbox_table = MailRecord.__table__  # type: ignore[attr-defined]

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
# A user's sessions newest first (their list, ending them all, the cascade); a session's tokens.
Index(
    "ix_sessions_user_newest",
    sessions_table.c.user_id,
    sessions_table.c.created_at.desc(),
    sessions_table.c.id.desc(),
)
Index("ix_refresh_tokens_session_id", refresh_tokens_table.c.session_id)
# A user's tokens (voiding them, the cascade); the relay's due mail, oldest first.
Index("ix_account_tokens_user_id", account_tokens_table.c.user_id)
Index("ix_outbox_due", outbox_table.c.state, outbox_table.c.next_attempt_at, outbox_table.c.id)

"""SQL repositories: Core statements inside the unit of work's transaction; they never commit."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, Table, bindparam, delete, func, insert, not_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql import integrity
from adapters.sql.queries import UserFinder, live_sessions
from adapters.sql.records import (
    ACCOUNT_TOKENS_USER_FK,
    account_tokens_table,
    items_table,
    outbox_table,
    refresh_tokens_table,
    sessions_table,
    users_table,
)
from adapters.sql.rows import entity_reader, to_row
from adapters.sql.types import UtcDateTime
from domain.account_token import AccountToken, TokenPurpose
from domain.errors import EmailAlreadyRegistered, ItemNotFound, UsernameTaken, UserNotFound
from domain.item import Item
from domain.mail import Mail, MailState
from domain.session import EndReason, RefreshToken, Session
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


_sessions, _tokens = sessions_table.c, refresh_tokens_table.c
_INSERT_SESSION = insert(sessions_table)
_GET_SESSION = select(sessions_table).where(_sessions.id == bindparam("row_id"))
_session = entity_reader(Session, _GET_SESSION)
# Conditional writes: each takes effect only while the session has not ended, decided by the
# database row by row (a concurrent end is waited for and then seen), never read-then-write.
_UPDATE_SESSION = update(sessions_table).where(
    _sessions.id == bindparam("row_id"), _sessions.ended_at.is_(None)
)
_END_SESSION = update(sessions_table).where(_sessions.id == bindparam("row_id"), live_sessions())
_END_SESSION_OF = _END_SESSION.where(_sessions.user_id == bindparam("owner"))
_END_SESSIONS = update(sessions_table).where(
    _sessions.user_id == bindparam("owner"), _sessions.ended_at.is_(None)
)
_END_SESSIONS_BUT = _END_SESSIONS.where(_sessions.id != bindparam("keep"))
_PURGE_SESSIONS = delete(sessions_table).where(not_(live_sessions()))
_INSERT_TOKEN = insert(refresh_tokens_table)
_SPEND_TOKEN = (
    update(refresh_tokens_table)
    .where(_tokens.digest == bindparam("token_digest"), _tokens.used_at.is_(None))
    .returning(_tokens.session_id)
)
_SESSION_OF_TOKEN = select(_tokens.session_id).where(_tokens.digest == bindparam("token_digest"))


class SqlSessionRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def _count(self, statement: Any, values: dict[str, Any]) -> int:
        rowcount: int = (await self._connection.execute(statement, values)).rowcount
        return rowcount

    async def add(self, session: Session) -> None:
        try:
            await self._connection.execute(_INSERT_SESSION, to_row(session, sessions_table))
        except IntegrityError as error:
            if missing := integrity.missing_session_user(error, session.user_id):
                raise missing from None
            raise

    async def get(self, session_id: str) -> Session | None:
        row = (await self._connection.execute(_GET_SESSION, {"row_id": session_id})).first()
        return _session(row) if row is not None else None

    async def update(self, session: Session) -> bool:
        values = to_row(session, sessions_table) | {"row_id": session.id}
        return await self._count(_UPDATE_SESSION, values) == 1

    async def end(
        self, session_id: str, now: datetime, reason: EndReason, *, user_id: int | None = None
    ) -> bool:
        values = {"row_id": session_id, "now": now, "ended_at": now, "end_reason": reason}
        if user_id is None:
            return await self._count(_END_SESSION, values) == 1
        return await self._count(_END_SESSION_OF, values | {"owner": user_id}) == 1

    async def end_all(
        self, user_id: int, now: datetime, reason: EndReason, *, keep: str | None = None
    ) -> int:
        values: dict[str, Any] = {"owner": user_id, "ended_at": now, "end_reason": reason}
        if keep is None:
            return await self._count(_END_SESSIONS, values)
        return await self._count(_END_SESSIONS_BUT, values | {"keep": keep})

    async def add_refresh_token(self, token: RefreshToken) -> None:
        await self._connection.execute(_INSERT_TOKEN, to_row(token, refresh_tokens_table))

    async def spend_refresh_token(self, digest: str, now: datetime) -> str | None:
        """One conditional UPDATE: on PostgreSQL a racing spend waits for this transaction's
        row lock and then finds `used_at` set; SQLite runs one write transaction at a time."""
        result = await self._connection.execute(
            _SPEND_TOKEN, {"token_digest": digest, "used_at": now}
        )
        spent: str | None = result.scalar_one_or_none()
        return spent

    async def session_of_refresh_token(self, digest: str) -> str | None:
        result = await self._connection.execute(_SESSION_OF_TOKEN, {"token_digest": digest})
        found: str | None = result.scalar_one_or_none()
        return found

    async def purge(self, now: datetime) -> int:
        """Their refresh tokens go in the same statement (ON DELETE CASCADE)."""
        return await self._count(_PURGE_SESSIONS, {"now": now})


_account_tokens = account_tokens_table.c
_INSERT_ACCOUNT_TOKEN = insert(account_tokens_table)
_GET_ACCOUNT_TOKEN = select(account_tokens_table).where(
    _account_tokens.digest == bindparam("token_digest")
)
_account_token = entity_reader(AccountToken, _GET_ACCOUNT_TOKEN)
_UNSPENT = _account_tokens.used_at.is_(None)
# `AccountToken.is_spendable` in SQL, decided row by row by the database: of two racing
# spends one finds the row changed (PostgreSQL re-checks it after the lock) and spends nothing.
_SPEND_ACCOUNT_TOKEN = (
    update(account_tokens_table)
    .where(
        _account_tokens.digest == bindparam("token_digest"),
        _account_tokens.purpose == bindparam("token_purpose"),
        _UNSPENT,
        _account_tokens.expires_at > bindparam("now", type_=UtcDateTime()),
    )
    .returning(*account_tokens_table.c)
)
_VOID_ACCOUNT_TOKENS = update(account_tokens_table).where(
    _account_tokens.user_id == bindparam("owner"),
    _account_tokens.purpose == bindparam("token_purpose"),
    _UNSPENT,
)
_PURGE_ACCOUNT_TOKENS = delete(account_tokens_table).where(
    or_(
        _account_tokens.used_at.is_not(None),
        _account_tokens.expires_at <= bindparam("now", type_=UtcDateTime()),
    )
)


class SqlAccountTokenRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, token: AccountToken) -> None:
        try:
            await self._connection.execute(
                _INSERT_ACCOUNT_TOKEN, to_row(token, account_tokens_table)
            )
        except IntegrityError as error:
            if missing := integrity.missing_user(error, ACCOUNT_TOKENS_USER_FK, token.user_id):
                raise missing from None
            raise

    async def get(self, digest: str) -> AccountToken | None:
        result = await self._connection.execute(_GET_ACCOUNT_TOKEN, {"token_digest": digest})
        row = result.first()
        return _account_token(row) if row is not None else None

    async def spend(self, digest: str, purpose: TokenPurpose, now: datetime) -> AccountToken | None:
        values = {"token_digest": digest, "token_purpose": purpose, "now": now, "used_at": now}
        row = (await self._connection.execute(_SPEND_ACCOUNT_TOKEN, values)).first()
        return _account_token(row) if row is not None else None  # RETURNING the same columns

    async def void(self, user_id: int, purpose: TokenPurpose, now: datetime) -> int:
        values = {"owner": user_id, "token_purpose": purpose, "used_at": now}
        rowcount: int = (await self._connection.execute(_VOID_ACCOUNT_TOKENS, values)).rowcount
        return rowcount

    async def purge(self, now: datetime) -> int:
        rowcount: int = (
            await self._connection.execute(_PURGE_ACCOUNT_TOKENS, {"now": now})
        ).rowcount
        return rowcount


_mails = outbox_table.c
_INSERT_MAIL = insert(outbox_table).returning(_mails.id)
_DUE = (
    select(_mails.id)
    .where(
        _mails.state == MailState.PENDING.value,
        _mails.next_attempt_at <= bindparam("now", type_=UtcDateTime()),
    )
    .order_by(_mails.id)
    .limit(bindparam("batch"))
    # PostgreSQL: rows another relay holds are passed over, not waited for; SQLite has no row
    # locks and needs none (one write transaction at a time), and leaves the clause out.
    .with_for_update(skip_locked=True)
)
_CLAIM_DUE = (
    update(outbox_table)
    .where(_mails.id.in_(_DUE.scalar_subquery()))
    .values(attempts=_mails.attempts + 1, next_attempt_at=bindparam("lease_until"))
    .returning(*outbox_table.c)
)
_mail = entity_reader(Mail, select(*outbox_table.c))
_UPDATE_MAIL = update(outbox_table).where(_by_id(outbox_table))
_PURGE_MAILS = delete(outbox_table).where(_mails.state == MailState.SENT.value)


class SqlOutbox:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, mail: Mail) -> None:
        await self._connection.execute(_INSERT_MAIL, to_row(mail, outbox_table))

    async def claim_due(self, now: datetime, lease: timedelta, limit: int) -> list[Mail]:
        values = {"now": now, "batch": limit, "lease_until": now + lease}
        rows = (await self._connection.execute(_CLAIM_DUE, values)).all()
        return sorted((_mail(row) for row in rows), key=lambda mail: mail.id)

    async def update(self, mail: Mail) -> None:
        await self._connection.execute(
            _UPDATE_MAIL, to_row(mail, outbox_table) | {"row_id": mail.id}
        )

    async def purge(self) -> int:
        rowcount: int = (await self._connection.execute(_PURGE_MAILS)).rowcount
        return rowcount

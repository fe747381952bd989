"""The read ports: one Core statement per query, on an autocommit connection (a single
statement needs no BEGIN and ROLLBACK round trips), mapped to entities by name."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Row,
    Select,
    String,
    and_,
    bindparam,
    func,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.connections import Connections
from adapters.sql.records import items_table, outbox_table, sessions_table, users_table
from adapters.sql.rows import entity_reader, field_names
from adapters.sql.types import UtcDateTime
from application.paging import ItemPosition, SessionPosition, UserPosition
from application.read_models import ItemFilters, ItemWithOwner, PublicProfile, SignedIn
from domain.item import Item
from domain.mail import Mail, MailState
from domain.session import Session
from domain.user import User
from domain.values import Email, Username


class Reader:
    """Runs one statement on a pooled autocommit connection."""

    def __init__(self, connections: Connections, engine: AsyncEngine) -> None:
        self._connections = connections
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")

    async def rows(self, statement: Any, values: dict[str, Any]) -> Sequence[Row[Any]]:
        async with self._connections.held(self._engine) as connection:
            return (await connection.execute(statement, values)).all()

    async def row(self, statement: Any, values: dict[str, Any]) -> Row[Any] | None:
        rows = await self.rows(statement, values)
        return rows[0] if rows else None


_USER_BY = {
    "id": users_table.c.id == bindparam("key"),
    "email": func.lower(users_table.c.email) == bindparam("key"),
    "username": func.lower(users_table.c.username) == bindparam("key"),
}
_USER = {name: select(users_table).where(condition) for name, condition in _USER_BY.items()}
_user = entity_reader(User, select(users_table))
_USER_PAGE = (
    select(users_table)
    .order_by(users_table.c.id)
    .offset(bindparam("offset"))
    .limit(bindparam("limit"))
)
_USER_PAGE_AFTER = _USER_PAGE.where(users_table.c.id > bindparam("after_id"))


class UserFinder:
    """The three ways to find one user, over whatever runs a statement: the read port outside
    a transaction, and the repository inside one."""

    async def _first_row(self, statement: Any, values: dict[str, Any]) -> Row[Any] | None:
        raise NotImplementedError

    async def _one(self, by: str, key: object) -> User | None:
        row = await self._first_row(_USER[by], {"key": key})
        return _user(row) if row is not None else None

    async def get(self, user_id: int) -> User | None:
        return await self._one("id", user_id)

    async def get_by_email(self, email: Email) -> User | None:
        return await self._one("email", email.value)

    async def get_by_username(self, username: Username) -> User | None:
        return await self._one("username", username.key)


class SqlUserQueries(UserFinder):
    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def _first_row(self, statement: Any, values: dict[str, Any]) -> Row[Any] | None:
        return await self._reader.row(statement, values)

    async def page(self, *, after: UserPosition | None, offset: int, limit: int) -> list[User]:
        values: dict[str, Any] = {"offset": offset, "limit": limit}
        if after is not None:
            values["after_id"] = after.id
        statement = _USER_PAGE if after is None else _USER_PAGE_AFTER
        return [_user(row) for row in await self._reader.rows(statement, values)]


_ITEMS_WITH_OWNER = select(
    *(items_table.c[name] for name in field_names(Item)), users_table.c.username
).join_from(items_table, users_table, users_table.c.id == items_table.c.owner_id)
_ITEM_BY_ID = _ITEMS_WITH_OWNER.where(items_table.c.id == bindparam("item_id"))
_LIKE_ESCAPE = "/"
_item = entity_reader(Item, _ITEMS_WITH_OWNER)
_USERNAME = len(_ITEMS_WITH_OWNER.selected_columns) - 1


def _with_owner(row: Row[Any]) -> ItemWithOwner:
    item = _item(row)
    return ItemWithOwner(item, PublicProfile(item.owner_id, row[_USERNAME]))


def _literal_pattern(text: str) -> str:
    """`%text%` with LIKE's wildcards in `text` taken literally."""
    escaped = (
        text.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2)
        .replace("%", _LIKE_ESCAPE + "%")
        .replace("_", _LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"


@cache  # one per combination of filters: 32 at most
def _page_statement(bound: frozenset[str]) -> Select[Any]:
    """The page query for the filters whose values are `bound`, built once: reusing one
    statement object also reuses SQLAlchemy's cache key for it, which building the query per
    request recomputed every time (a fifth of a page's time in the adapter)."""
    query = _ITEMS_WITH_OWNER
    if "owner_id" in bound:
        query = query.where(items_table.c.owner_id == bindparam("owner_id"))
    if "pattern" in bound:
        query = query.where(
            items_table.c.title_search.like(bindparam("pattern"), escape=_LIKE_ESCAPE)
        )
    if "min_price" in bound:
        query = query.where(items_table.c.price >= bindparam("min_price"))
    if "max_price" in bound:
        query = query.where(items_table.c.price <= bindparam("max_price"))
    if "after_id" in bound:
        position = tuple_(
            bindparam("after_created_at", type_=UtcDateTime()),
            bindparam("after_id", type_=BigInteger()),
        )
        query = query.where(tuple_(items_table.c.created_at, items_table.c.id) < position)
    return (
        query.order_by(items_table.c.created_at.desc(), items_table.c.id.desc())
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )


class SqlItemQueries:
    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def get(self, item_id: int) -> ItemWithOwner | None:
        row = await self._reader.row(_ITEM_BY_ID, {"item_id": item_id})
        return _with_owner(row) if row is not None else None

    async def page(
        self, filters: ItemFilters, *, after: ItemPosition | None, offset: int, limit: int
    ) -> list[ItemWithOwner]:
        filtering = {
            "owner_id": filters.owner_id,
            "pattern": _literal_pattern(filters.q.lower()) if filters.q else None,
            "min_price": filters.min_price,
            "max_price": filters.max_price,
            "after_created_at": after.created_at if after is not None else None,
            "after_id": after.id if after is not None else None,
        }
        values = {name: value for name, value in filtering.items() if value is not None}
        statement = _page_statement(frozenset(values))
        values |= {"offset": offset, "limit": limit}
        return [_with_owner(row) for row in await self._reader.rows(statement, values)]


def live_sessions() -> ColumnElement[bool]:
    """`Session.is_live(now)` in SQL, for the statements that must pick live sessions in the
    database (a page of them, ending one, purging the rest); `now` is bound by the caller, from
    the same clock as everything else. The contract tests hold the two to the same answers."""
    now = bindparam("now", type_=UtcDateTime())
    columns = sessions_table.c
    return and_(
        columns.ended_at.is_(None), columns.idle_expires_at > now, columns.absolute_expires_at > now
    )


_SIGNED_IN = (
    select(users_table, sessions_table)
    .join_from(sessions_table, users_table, users_table.c.id == sessions_table.c.user_id)
    .where(
        sessions_table.c.id == bindparam("session_id"),
        sessions_table.c.user_id == bindparam("user_id"),
    )
)
_signed_in_user = entity_reader(User, _SIGNED_IN, users_table)
_signed_in_session = entity_reader(Session, _SIGNED_IN, sessions_table)
_SESSION_PAGE = (
    select(sessions_table)
    .where(sessions_table.c.user_id == bindparam("user_id"), live_sessions())
    .order_by(sessions_table.c.created_at.desc(), sessions_table.c.id.desc())
    .offset(bindparam("offset"))
    .limit(bindparam("limit"))
)
_SESSION_PAGE_AFTER = _SESSION_PAGE.where(
    tuple_(sessions_table.c.created_at, sessions_table.c.id)
    < tuple_(
        bindparam("after_created_at", type_=UtcDateTime()),
        bindparam("after_id", type_=String()),
    )
)
_session = entity_reader(Session, _SESSION_PAGE)


class SqlSessionQueries:
    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def signed_in(self, user_id: int, session_id: str) -> SignedIn | None:
        row = await self._reader.row(_SIGNED_IN, {"user_id": user_id, "session_id": session_id})
        if row is None:
            return None
        return SignedIn(_signed_in_user(row), _signed_in_session(row))

    async def page(
        self,
        user_id: int,
        now: datetime,
        *,
        after: SessionPosition | None,
        offset: int,
        limit: int,
    ) -> list[Session]:
        values: dict[str, Any] = {"user_id": user_id, "now": now, "offset": offset, "limit": limit}
        statement = _SESSION_PAGE
        if after is not None:
            values |= {"after_created_at": after.created_at, "after_id": after.id}
            statement = _SESSION_PAGE_AFTER
        return [_session(row) for row in await self._reader.rows(statement, values)]


_MAIL_COUNTS = select(outbox_table.c.state, func.count()).group_by(outbox_table.c.state)
_FAILED_MAILS = (
    select(outbox_table)
    .where(outbox_table.c.state == MailState.FAILED.value)
    .order_by(outbox_table.c.id.desc())
    .limit(bindparam("limit"))
)
_failed_mail = entity_reader(Mail, _FAILED_MAILS)


class SqlMailQueries:
    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def counts(self) -> dict[MailState, int]:
        return dict(await self._reader.rows(_MAIL_COUNTS, {}))  # type: ignore[arg-type]

    async def failed(self, limit: int) -> list[Mail]:
        return [
            _failed_mail(row) for row in await self._reader.rows(_FAILED_MAILS, {"limit": limit})
        ]

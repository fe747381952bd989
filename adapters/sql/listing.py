"""The read side: one joined SQL statement per listing or look-up, mapped to read models."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Select, bindparam, select, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.availability import translated
from adapters.sql.gate import gate_of
from adapters.sql.records import ItemRecord, UserRecord
from adapters.sql.types import UtcDateTime
from application.paging import ItemCursor
from application.read_models import ItemFilters, ItemWithOwner, PublicProfile

_items = ItemRecord.__table__  # type: ignore[attr-defined]
_users = UserRecord.__table__  # type: ignore[attr-defined]

_ITEMS_WITH_OWNER = select(
    _items.c.id,
    _items.c.title,
    _items.c.description,
    _items.c.price,
    _items.c.user_id,
    _items.c.created_at,
    _items.c.updated_at,
    _users.c.username,
).join_from(_items, _users, _users.c.id == _items.c.user_id)


def _view(row: Sequence[Any]) -> ItemWithOwner:
    """Unpacked by position, in `_ITEMS_WITH_OWNER`'s column order: cheaper than by name, row
    by row, on every page."""
    item_id, title, description, price, owner_id, created_at, updated_at, username = row
    return ItemWithOwner(
        id=item_id,
        title=title,
        description=description,
        price=price,
        owner_id=owner_id,
        created_at=created_at,
        updated_at=updated_at,
        owner=PublicProfile(id=owner_id, username=username),
    )


_LIKE_ESCAPE = "/"


def _literal_pattern(text: str) -> str:
    """`%text%` with LIKE's wildcards in `text` taken literally."""
    escaped = (
        text.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2)
        .replace("%", _LIKE_ESCAPE + "%")
        .replace("_", _LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"


_BY_ID = _ITEMS_WITH_OWNER.where(_items.c.id == bindparam("item_id"))


@cache  # one per combination of filters: 32 at most
def _page_statement(bound: frozenset[str]) -> Select[Any]:
    """The page query for the filters whose values are `bound`, built once: reusing one
    statement object also reuses SQLAlchemy's cache key for it, which building the query per
    request recomputed every time (a fifth of a page's time in the adapter)."""
    query = _ITEMS_WITH_OWNER
    if "owner_id" in bound:
        query = query.where(_items.c.user_id == bindparam("owner_id"))
    if "pattern" in bound:
        query = query.where(_items.c.title_search.like(bindparam("pattern"), escape=_LIKE_ESCAPE))
    if "min_price" in bound:
        query = query.where(_items.c.price >= bindparam("min_price"))
    if "max_price" in bound:
        query = query.where(_items.c.price <= bindparam("max_price"))
    if "after_id" in bound:
        position = tuple_(
            bindparam("after_created_at", type_=UtcDateTime()),
            bindparam("after_id", type_=BigInteger()),
        )
        query = query.where(tuple_(_items.c.created_at, _items.c.id) < position)
    return (
        query.order_by(_items.c.created_at.desc(), _items.c.id.desc())
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )


class SqlItemListing:
    """Each read is one statement, so it runs without a transaction: no BEGIN and ROLLBACK
    round trips around it (three round trips become one)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._gate = gate_of(engine)

    async def get(self, item_id: int) -> ItemWithOwner | None:
        async with translated(), self._gate.held(), self._engine.connect() as connection:
            result = await connection.execute(_BY_ID, {"item_id": item_id})
            row = result.one_or_none()
        return _view(row) if row is not None else None

    async def page(
        self, filters: ItemFilters, *, after: ItemCursor | None, offset: int, limit: int
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
        async with translated(), self._gate.held(), self._engine.connect() as connection:
            rows = (await connection.execute(statement, values)).all()
        return [_view(row) for row in rows]

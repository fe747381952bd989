"""The read side: one joined SQL statement per listing or look-up, mapped to read models."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Select, literal, select, tuple_
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.availability import translated
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


def _view(row: RowMapping) -> ItemWithOwner:
    return ItemWithOwner(
        id=row["id"],
        title=row["title"],
        description=row["description"],
        price=row["price"],
        owner_id=row["user_id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        owner=PublicProfile(id=row["user_id"], username=row["username"]),
    )


def _filtered(query: Select[Any], filters: ItemFilters) -> Select[Any]:
    if filters.owner_id is not None:
        query = query.where(_items.c.user_id == filters.owner_id)
    if filters.q:
        query = query.where(_items.c.title_search.contains(filters.q.lower(), autoescape=True))
    if filters.min_price is not None:
        query = query.where(_items.c.price >= filters.min_price)
    if filters.max_price is not None:
        query = query.where(_items.c.price <= filters.max_price)
    return query


class SqlItemListing:
    """Each read is one statement, so it runs without a transaction: no BEGIN and ROLLBACK
    round trips around it (three round trips become one)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")

    async def get(self, item_id: int) -> ItemWithOwner | None:
        async with translated(), self._engine.connect() as connection:
            result = await connection.execute(_ITEMS_WITH_OWNER.where(_items.c.id == item_id))
            row = result.mappings().one_or_none()
        return _view(row) if row is not None else None

    async def page(
        self, filters: ItemFilters, *, after: ItemCursor | None, offset: int, limit: int
    ) -> list[ItemWithOwner]:
        query = _filtered(_ITEMS_WITH_OWNER, filters)
        if after is not None:
            position = tuple_(
                literal(after.created_at, UtcDateTime()), literal(after.id, BigInteger())
            )
            query = query.where(tuple_(_items.c.created_at, _items.c.id) < position)
        query = (
            query.order_by(_items.c.created_at.desc(), _items.c.id.desc())
            .offset(offset)
            .limit(limit)
        )
        async with translated(), self._engine.connect() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_view(row) for row in rows]

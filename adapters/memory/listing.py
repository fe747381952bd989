"""The in-memory read side: item listings with the owner's public profile, from committed rows."""

from __future__ import annotations

from adapters.memory.database import InMemoryDatabase
from application.paging import ItemCursor
from application.read_models import ItemFilters, ItemWithOwner, PublicProfile
from domain.item import Item


def _matches(item: Item, filters: ItemFilters) -> bool:
    price = item.price.amount
    return (
        (filters.owner_id is None or item.owner_id == filters.owner_id)
        and (not filters.q or filters.q.lower() in item.title.value.lower())
        and (filters.min_price is None or price >= filters.min_price)
        and (filters.max_price is None or price <= filters.max_price)
    )


class InMemoryItemListing:
    def __init__(self, db: InMemoryDatabase) -> None:
        self._db = db

    def _view(self, item: Item) -> ItemWithOwner:
        owner = self._db.users[item.owner_id]
        return ItemWithOwner(
            id=item.id,
            title=item.title.value,
            description=item.description.value if item.description is not None else None,
            price=item.price.amount,
            owner_id=item.owner_id,
            created_at=item.created_at,
            updated_at=item.updated_at,
            owner=PublicProfile(id=owner.id, username=owner.username.value),
        )

    async def get(self, item_id: int) -> ItemWithOwner | None:
        item = self._db.items.get(item_id)
        return self._view(item) if item is not None else None

    async def page(
        self, filters: ItemFilters, *, after: ItemCursor | None, offset: int, limit: int
    ) -> list[ItemWithOwner]:
        rows = sorted(
            (item for item in self._db.items.values() if _matches(item, filters)),
            key=lambda item: (item.created_at, item.id),
            reverse=True,
        )
        if after is not None:
            rows = [
                item for item in rows if (item.created_at, item.id) < (after.created_at, after.id)
            ]
        return [self._view(item) for item in rows[offset : offset + limit]]

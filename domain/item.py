"""The Item entity: something a user publishes with a title, an optional description and a price.

An item's fields are written once, here. `ItemDetails` holds what its owner writes; `Item`
adds what the system keeps (id, owner, times). Every other shape of an item (the table, the
HTTP bodies) maps to these by field name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from domain.values import NOT_STORED, Description, Price, Title


@dataclass(slots=True, kw_only=True)
class ItemDetails:
    """What an item's owner writes: all of it on publishing, any of it on a change."""

    title: Title
    price: Price
    description: Description | None = None


EDITABLE_FIELDS = frozenset(field.name for field in fields(ItemDetails))


@dataclass(slots=True, kw_only=True)
class Item(ItemDetails):
    owner_id: int
    created_at: datetime
    updated_at: datetime
    id: int = NOT_STORED

    @classmethod
    def publish(cls, details: ItemDetails, owner_id: int, now: datetime) -> Item:
        """A new item, not stored yet: a repository's `add` gives it its id."""
        written = {name: getattr(details, name) for name in EDITABLE_FIELDS}
        return cls(**written, owner_id=owner_id, created_at=now, updated_at=now)

    def revise(self, changes: Mapping[str, Any], now: datetime) -> None:
        """Apply a partial update of the owner's fields (`ItemDetails`'s names, valid values)."""
        unknown = changes.keys() - EDITABLE_FIELDS
        if unknown:
            raise TypeError(f"not an editable field of an item: {', '.join(sorted(unknown))}")
        for name, value in changes.items():
            setattr(self, name, value)
        self.updated_at = now

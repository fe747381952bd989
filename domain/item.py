"""The Item entity: something a user publishes with a title, an optional description and a price."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.values import Description, Price, Title


@dataclass(slots=True)
class NewItem:
    """An item that has not been stored yet, so it has no id."""

    title: Title
    description: Description | None
    price: Price
    owner_id: int
    created_at: datetime


@dataclass(slots=True)
class Item:
    id: int
    title: Title
    description: Description | None
    price: Price
    owner_id: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_new(cls, new: NewItem, item_id: int) -> Item:
        return cls(
            id=item_id,
            title=new.title,
            description=new.description,
            price=new.price,
            owner_id=new.owner_id,
            created_at=new.created_at,
            updated_at=new.created_at,
        )

    def retitle(self, title: Title, now: datetime) -> None:
        self.title = title
        self.updated_at = now

    def describe(self, description: Description | None, now: datetime) -> None:
        self.description = description
        self.updated_at = now

    def reprice(self, price: Price, now: datetime) -> None:
        self.price = price
        self.updated_at = now

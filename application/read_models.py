"""Read models: exactly what a listing shows, built by a query port without loading aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from application.errors import InvalidPriceRange, InvalidSearch
from domain.values import MAX_TITLE_CHARS


@dataclass(frozen=True, slots=True)
class PublicProfile:
    """What anyone may see of a user."""

    id: int
    username: str


@dataclass(frozen=True, slots=True)
class ItemWithOwner:
    id: int
    title: str
    description: str | None
    price: Decimal
    owner_id: int
    created_at: datetime
    updated_at: datetime
    owner: PublicProfile


@dataclass(frozen=True, slots=True)
class ItemFilters:
    """Listing filters: `q` is a literal, case-insensitive title substring; prices inclusive."""

    owner_id: int | None = None
    q: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None

    def __post_init__(self) -> None:
        if self.q is not None and len(self.q) > MAX_TITLE_CHARS:
            raise InvalidSearch(f"must be at most {MAX_TITLE_CHARS} characters")
        if (
            self.min_price is not None
            and self.max_price is not None
            and self.min_price > self.max_price
        ):
            raise InvalidPriceRange("must not be less than min_price")

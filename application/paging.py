"""Page requests and pages: offset paging, or keyset paging after a position in the order.

Positions are plain values here; how a client carries one between requests (an opaque cursor)
is the business of the edge that speaks to it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from domain.errors import InvalidValue

MIN_LIMIT = 1
MAX_LIMIT = 100
DEFAULT_LIMIT = 20
# Offsets beyond this are refused rather than passed to a database as an out-of-range integer.
MAX_SKIP = 2**31 - 1

T = TypeVar("T")
P = TypeVar("P")


@dataclass(frozen=True, slots=True)
class ItemPosition:
    """Where a page stops in the newest-first item order: (created_at, id) descending."""

    created_at: datetime
    id: int


@dataclass(frozen=True, slots=True)
class UserPosition:
    """Where a page stops in the user order: id ascending."""

    id: int


@dataclass(frozen=True, slots=True)
class SessionPosition:
    """Where a page stops in the newest-first session order: (created_at, id) descending."""

    created_at: datetime
    id: str


@dataclass(frozen=True, slots=True)
class PageRequest(Generic[P]):
    """Offset paging (`skip`) or keyset paging (`after` a position), never both."""

    limit: int = DEFAULT_LIMIT
    skip: int | None = None
    after: P | None = None

    def __post_init__(self) -> None:
        if not MIN_LIMIT <= self.limit <= MAX_LIMIT:
            raise InvalidValue(f"must be between {MIN_LIMIT} and {MAX_LIMIT}", field="limit")
        if self.skip is not None and self.after is not None:
            raise InvalidValue("give either skip or cursor, not both", field="skip")
        if self.skip is not None and not 0 <= self.skip <= MAX_SKIP:
            raise InvalidValue(f"must be between 0 and {MAX_SKIP}", field="skip")

    @property
    def offset(self) -> int:
        return self.skip or 0


@dataclass(frozen=True, slots=True)
class Page(Generic[T, P]):
    data: list[T]
    next_after: P | None
    """The position to ask for the next page after; None when no row follows."""


def build_page(rows: Sequence[T], limit: int, position_of: Callable[[T], P]) -> Page[T, P]:
    """Turn up to `limit + 1` fetched rows into a page; the extra row only says that more follow."""
    data = list(rows[:limit])
    return Page(data=data, next_after=position_of(data[-1]) if len(rows) > limit else None)

"""Page requests, pages and the opaque cursors of keyset paging.

A cursor is the position after the last row of a page, encoded as URL-safe base64 of a small
JSON array. It is opaque to clients: they may only send back what they were given.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from application.errors import InvalidCursor, InvalidLimit, InvalidSkip

MIN_LIMIT = 1
MAX_LIMIT = 100
DEFAULT_LIMIT = 20
# Offsets beyond this are refused rather than passed to a database as an out-of-range integer.
MAX_SKIP = 2**31 - 1
MAX_CURSOR_LENGTH = 256

T = TypeVar("T")
C = TypeVar("C")


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Offset paging (`skip`) or keyset paging (`cursor`), never both."""

    limit: int = DEFAULT_LIMIT
    skip: int | None = None
    cursor: str | None = None

    def __post_init__(self) -> None:
        if not MIN_LIMIT <= self.limit <= MAX_LIMIT:
            raise InvalidLimit(f"must be between {MIN_LIMIT} and {MAX_LIMIT}")
        if self.skip is not None and self.cursor is not None:
            raise InvalidSkip("give either skip or cursor, not both")
        if self.skip is not None and not 0 <= self.skip <= MAX_SKIP:
            raise InvalidSkip(f"must be between 0 and {MAX_SKIP}")

    @property
    def offset(self) -> int:
        return self.skip or 0


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    data: list[T]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class ItemCursor:
    """Position in the newest-first item order: (created_at, id) descending."""

    created_at: datetime
    id: int


@dataclass(frozen=True, slots=True)
class UserCursor:
    """Position in the user order: id ascending."""

    id: int


def _encode(parts: list[object]) -> str:
    raw = json.dumps(parts, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode(cursor: str, kind: str) -> list[object]:
    if len(cursor) > MAX_CURSOR_LENGTH or not cursor.isascii():
        raise InvalidCursor("is not a cursor this service issued")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = json.loads(raw)
    except (binascii.Error, ValueError):
        raise InvalidCursor("is not a cursor this service issued") from None
    if not isinstance(parts, list) or not parts or parts[0] != kind:
        raise InvalidCursor("is not a cursor for this listing")
    return parts[1:]


def _positive_id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidCursor("is not a cursor this service issued")
    return value


def encode_item_cursor(position: ItemCursor) -> str:
    return _encode(["items", position.created_at.isoformat(), position.id])


def decode_item_cursor(cursor: str) -> ItemCursor:
    parts = _decode(cursor, "items")
    if len(parts) != 2 or not isinstance(parts[0], str):
        raise InvalidCursor("is not a cursor this service issued")
    try:
        created_at = datetime.fromisoformat(parts[0])
    except ValueError:
        raise InvalidCursor("is not a cursor this service issued") from None
    if created_at.utcoffset() is None:
        raise InvalidCursor("is not a cursor this service issued")
    return ItemCursor(created_at=created_at, id=_positive_id(parts[1]))


def encode_user_cursor(position: UserCursor) -> str:
    return _encode(["users", position.id])


def decode_user_cursor(cursor: str) -> UserCursor:
    parts = _decode(cursor, "users")
    if len(parts) != 1:
        raise InvalidCursor("is not a cursor this service issued")
    return UserCursor(id=_positive_id(parts[0]))


def build_page(rows: Sequence[T], limit: int, cursor_of: Callable[[T], str]) -> Page[T]:
    """Turn up to `limit + 1` fetched rows into a page; the extra row only says that more follow."""
    data = list(rows[:limit])
    next_cursor = cursor_of(data[-1]) if len(rows) > limit else None
    return Page(data=data, next_cursor=next_cursor)

"""Opaque cursors: a position in a listing, as the HTTP API hands it to clients and back.

A cursor is URL-safe base64 of a small JSON array naming its listing. Clients may only send
back what they were given; anything else is a 422 naming the `cursor` parameter.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from application.paging import ItemPosition, Page, SessionPosition, UserPosition
from domain.session import is_session_id
from domain.values import MAX_ID

P = TypeVar("P")
MAX_CURSOR_LENGTH = 256
NOT_ISSUED = "is not a cursor this service issued"


class InvalidCursor(ValueError):
    """The text is not a cursor this service issued for this listing."""


def _encode(parts: list[object]) -> str:
    raw = json.dumps(parts, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode(cursor: str, listing: str) -> list[object]:
    if len(cursor) > MAX_CURSOR_LENGTH or not cursor.isascii():
        raise InvalidCursor(NOT_ISSUED)
    try:
        parts = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        raise InvalidCursor(NOT_ISSUED) from None
    if not isinstance(parts, list) or not parts or parts[0] != listing:
        raise InvalidCursor("is not a cursor for this listing")
    return parts[1:]


def _id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise InvalidCursor(NOT_ISSUED)
    return value


def _time(value: object) -> datetime:
    if not isinstance(value, str):
        raise InvalidCursor(NOT_ISSUED)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidCursor(NOT_ISSUED) from None
    if moment.utcoffset() != timedelta(0):  # issued cursors carry UTC times, nothing else
        raise InvalidCursor(NOT_ISSUED)
    return moment


def encode_item_cursor(position: ItemPosition) -> str:
    return _encode(["items", position.created_at.isoformat(), position.id])


def decode_item_cursor(cursor: str) -> ItemPosition:
    parts = _decode(cursor, "items")
    if len(parts) != 2:
        raise InvalidCursor(NOT_ISSUED)
    return ItemPosition(created_at=_time(parts[0]), id=_id(parts[1]))


def encode_session_cursor(position: SessionPosition) -> str:
    return _encode(["sessions", position.created_at.isoformat(), position.id])


def decode_session_cursor(cursor: str) -> SessionPosition:
    parts = _decode(cursor, "sessions")
    if len(parts) != 2 or not isinstance(parts[1], str) or not is_session_id(parts[1]):
        raise InvalidCursor(NOT_ISSUED)
    return SessionPosition(created_at=_time(parts[0]), id=parts[1])


def encode_user_cursor(position: UserPosition) -> str:
    return _encode(["users", position.id])


def decode_user_cursor(cursor: str) -> UserPosition:
    parts = _decode(cursor, "users")
    if len(parts) != 1:
        raise InvalidCursor(NOT_ISSUED)
    return UserPosition(id=_id(parts[0]))


def page_body(page: Page[Any, P], encode: Callable[[P], str]) -> dict[str, Any]:
    """A page as the API shows it: its rows, and the cursor of the next page (null at the end)."""
    after = page.next_after
    return {"data": page.data, "next_cursor": encode(after) if after is not None else None}

"""Page requests, and the opaque cursors the HTTP API carries positions in."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.paging import ItemPosition, PageRequest, UserPosition
from domain.errors import InvalidValue
from entrypoints.http.cursors import (
    InvalidCursor,
    _encode,
    decode_item_cursor,
    decode_user_cursor,
    encode_item_cursor,
    encode_user_cursor,
)

ids = st.integers(min_value=1, max_value=2**63 - 1)
# Positions come from the store, always in UTC; that is all a cursor the service issues holds.
moments = st.datetimes(timezones=st.just(UTC))
elsewhere = st.builds(lambda m: timezone(timedelta(minutes=m)), st.integers(-1439, 1439)).filter(
    lambda zone: zone.utcoffset(None) != timedelta(0)
)


@pytest.mark.parametrize("limit", [0, -1, 101])
def test_limit_must_be_between_1_and_100(limit: int) -> None:
    with pytest.raises(InvalidValue, match=r"^limit: "):
        PageRequest(limit=limit)


def test_skip_must_not_be_negative() -> None:
    with pytest.raises(InvalidValue, match=r"^skip: "):
        PageRequest(skip=-1)


def test_skip_and_cursor_together_are_refused() -> None:
    with pytest.raises(InvalidValue, match=r"^skip: "):
        PageRequest(skip=0, after=UserPosition(1))


def test_defaults_are_the_first_twenty_rows() -> None:
    request: PageRequest[UserPosition] = PageRequest()
    assert (request.limit, request.offset, request.after) == (20, 0, None)


@given(moments, ids)
def test_item_cursors_round_trip(created_at: datetime, item_id: int) -> None:
    cursor = encode_item_cursor(ItemPosition(created_at, item_id))
    assert cursor.isascii() and "=" not in cursor
    decoded = decode_item_cursor(cursor)
    assert decoded == ItemPosition(created_at, item_id)


@given(ids)
def test_user_cursors_round_trip(user_id: int) -> None:
    assert decode_user_cursor(encode_user_cursor(UserPosition(user_id))) == UserPosition(user_id)


@given(st.text(max_size=300))
def test_any_text_is_a_cursor_or_refused_as_invalid(text: str) -> None:
    with contextlib.suppress(InvalidCursor):
        decode_item_cursor(text)
    with contextlib.suppress(InvalidCursor):
        decode_user_cursor(text)


@given(st.datetimes(timezones=elsewhere))
def test_a_cursor_holding_a_time_not_in_utc_was_not_issued_here(moment: datetime) -> None:
    forged = _encode(["items", moment.isoformat(), 1])
    with pytest.raises(InvalidCursor):
        decode_item_cursor(forged)


def test_cursor_of_a_naive_time_or_non_positive_id_is_refused() -> None:
    naive = encode_item_cursor(ItemPosition(datetime(2026, 1, 1), 1))
    with pytest.raises(InvalidCursor):
        decode_item_cursor(naive)
    with pytest.raises(InvalidCursor):
        decode_user_cursor(encode_user_cursor(UserPosition(0)))
    with pytest.raises(InvalidCursor):
        decode_user_cursor(encode_user_cursor(UserPosition(2**63)))


@pytest.mark.parametrize("cursor", ["", "garbage", "!!!!", "eyJ4IjoxfQ", "W10", "x" * 1000, "é"])
def test_malformed_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_item_cursor(cursor)


def test_a_cursor_of_one_listing_is_refused_by_the_other() -> None:
    with pytest.raises(InvalidCursor):
        decode_item_cursor(encode_user_cursor(UserPosition(1)))

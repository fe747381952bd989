"""Path and query parameters shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from application.paging import DEFAULT_LIMIT, MAX_CURSOR_LENGTH, MAX_LIMIT, MAX_SKIP, PageRequest

MAX_ID = 2**63 - 1  # ids are 64-bit in every database itemhub supports

UserId = Annotated[int, Path(ge=1, le=MAX_ID, description="A user's id.")]
ItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="An item's id.")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Rows per page.")]
Skip = Annotated[
    int | None,
    Query(ge=0, le=MAX_SKIP, description="Offset paging: rows to skip. Not with `cursor`."),
]
Cursor = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=MAX_CURSOR_LENGTH,
        description="Keyset paging: the `next_cursor` of the previous page. Not with `skip`.",
    ),
]


async def page_request(  # async: a plain def would run in a thread
    limit: Limit = DEFAULT_LIMIT, skip: Skip = None, cursor: Cursor = None
) -> PageRequest:
    return PageRequest(limit=limit, skip=skip, cursor=cursor)

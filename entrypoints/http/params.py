"""Path and query parameters, turned into the core's own types at the edge.

The core checks its rules once (PageRequest, ItemFilters); the OpenAPI document shows the
same limits, imported from where they are defined. A rule broken by a query parameter is
answered as FastAPI answers its own: a 422 whose `loc` names the parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Query
from fastapi.exceptions import RequestValidationError

from application.paging import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_SKIP,
    MIN_LIMIT,
    ItemPosition,
    PageRequest,
    SessionPosition,
    UserPosition,
)
from application.read_models import ItemFilters
from domain.errors import InvalidValue
from domain.values import MAX_ID, MAX_TITLE_CHARS
from entrypoints.http.cursors import (
    MAX_CURSOR_LENGTH,
    InvalidCursor,
    decode_item_cursor,
    decode_session_cursor,
    decode_user_cursor,
)
from entrypoints.http.fields import PriceQuery

P = TypeVar("P")


def _id(description: str) -> Any:
    return Path(ge=1, le=MAX_ID, description=description)


UserId = Annotated[int, _id("A user's id.")]
ItemId = Annotated[int, _id("An item's id.")]


def _query_error(name: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("query", name), "msg": message, "type": "value_error"}])


@contextmanager
def query_rules() -> Iterator[None]:
    """The core's rules about query values, answered as 422s naming the parameter."""
    try:
        yield
    except InvalidValue as error:
        raise _query_error(error.field, error.reason) from None


Limit = Annotated[
    int,
    Query(
        description="Rows per page.",
        json_schema_extra={"minimum": MIN_LIMIT, "maximum": MAX_LIMIT},
    ),
]
Skip = Annotated[
    int | None,
    Query(
        description="Offset paging: rows to skip. Not with `cursor`.",
        json_schema_extra={"minimum": 0, "maximum": MAX_SKIP},
    ),
]
Cursor = Annotated[
    str | None,
    Query(
        description="Keyset paging: the `next_cursor` of the previous page. Not with `skip`.",
        json_schema_extra={"minLength": 1, "maxLength": MAX_CURSOR_LENGTH},
    ),
]


def _page_request(decode: Callable[[str], P]) -> Callable[..., Any]:
    async def page_request(  # async: FastAPI runs a plain def in a thread
        limit: Limit = DEFAULT_LIMIT, skip: Skip = None, cursor: Cursor = None
    ) -> PageRequest[P]:
        try:
            after = decode(cursor) if cursor is not None else None
        except InvalidCursor as error:
            raise _query_error("cursor", str(error)) from None
        with query_rules():
            return PageRequest(limit=limit, skip=skip, after=after)

    return page_request


ItemPages = Annotated[PageRequest[ItemPosition], Depends(_page_request(decode_item_cursor))]
UserPages = Annotated[PageRequest[UserPosition], Depends(_page_request(decode_user_cursor))]
SessionPages = Annotated[
    PageRequest[SessionPosition], Depends(_page_request(decode_session_cursor))
]


async def _item_filters(
    owner_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this user's items.")
    ] = None,
    q: Annotated[
        str | None,
        Query(
            description="Case-insensitive substring of the title, literally.",
            json_schema_extra={"maxLength": MAX_TITLE_CHARS},
        ),
    ] = None,
    min_price: Annotated[PriceQuery | None, Query(description="Inclusive.")] = None,
    max_price: Annotated[PriceQuery | None, Query(description="Inclusive.")] = None,
) -> ItemFilters:
    with query_rules():
        return ItemFilters(owner_id=owner_id, q=q or None, min_price=min_price, max_price=max_price)


Filters = Annotated[ItemFilters, Depends(_item_filters)]

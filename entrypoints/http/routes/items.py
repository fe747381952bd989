"""Items: anyone browses; owners and superusers change and remove."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from application.paging import PageRequest
from application.partial import UNSET
from application.read_models import ItemFilters
from application.use_cases.items import (
    CreateItem,
    DeleteItem,
    GetItem,
    ItemChanges,
    ItemDraft,
    ListItems,
    UpdateItem,
)
from domain.values import MAX_TITLE_CHARS
from entrypoints.http.dependencies import CurrentUser, provided
from entrypoints.http.exact_json import ExactJsonRoute
from entrypoints.http.openapi import add_partial_update, links_to, problems
from entrypoints.http.routes.params import MAX_ID, ItemId, page_request
from entrypoints.http.schemas import ItemCreate, ItemPage, ItemRead, ItemReadWithOwner, ItemUpdate

router = APIRouter(prefix="/items", tags=["items"], route_class=ExactJsonRoute)

PriceBound = Annotated[
    Decimal | None, Query(ge=0, le=1_000_000_000, decimal_places=2, description="Inclusive.")
]


async def item_filters(  # async: a plain def would run in a thread
    owner_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this user's items.")
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=MAX_TITLE_CHARS,
            description="Case-insensitive substring of the title, literally.",
        ),
    ] = None,
    min_price: PriceBound = None,
    max_price: PriceBound = None,
) -> ItemFilters:
    return ItemFilters(owner_id=owner_id, q=q or None, min_price=min_price, max_price=max_price)


@router.post(
    "",
    response_model=ItemRead,
    status_code=status.HTTP_201_CREATED,
    operation_id="create_item",
    responses=problems(401, 422)
    | links_to("item", "item_id", "read_item", "update_item", "replace_item", "delete_item"),
)
async def create_item(
    body: ItemCreate,
    actor: CurrentUser,
    response: Response,
    create: Annotated[CreateItem, Depends(provided(lambda c: c.create_item()))],
) -> ItemRead:
    """Publish an item owned by the caller."""
    item = await create(actor, ItemDraft(body.title, body.price, body.description))
    response.headers["Location"] = f"/api/v1/items/{item.id}"
    return ItemRead.of(item)


@router.get("", response_model=ItemPage, operation_id="list_items", responses=problems(422))
async def list_items(
    filters: Annotated[ItemFilters, Depends(item_filters)],
    page: Annotated[PageRequest, Depends(page_request)],
    list_items: Annotated[ListItems, Depends(provided(lambda c: c.list_items()))],
) -> ItemPage:
    """Items newest first, with their owner's public profile (anyone)."""
    return ItemPage.of(await list_items(filters, page))


@router.get(
    "/{item_id:int}",
    response_model=ItemReadWithOwner,
    operation_id="read_item",
    responses=problems(404, 422),
)
async def read_item(
    item_id: ItemId,
    get_item: Annotated[GetItem, Depends(provided(lambda c: c.get_item()))],
) -> ItemReadWithOwner:
    return ItemReadWithOwner.of_view(await get_item(item_id))


async def update_item(
    item_id: ItemId,
    body: ItemUpdate,
    actor: CurrentUser,
    update: Annotated[UpdateItem, Depends(provided(lambda c: c.update_item()))],
) -> ItemRead:
    """A partial update by the owner or a superuser (PUT behaves as PATCH)."""
    changes = ItemChanges(
        title=body.title if body.title is not None else UNSET,
        description=body.description if "description" in body.model_fields_set else UNSET,
        price=body.price if body.price is not None else UNSET,
    )
    return ItemRead.of(await update(actor, item_id, changes))


add_partial_update(
    router,
    "/{item_id:int}",
    update_item,
    resource="item",
    response_model=ItemRead,
    errors=(401, 403, 404, 422),
)


@router.delete(
    "/{item_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="delete_item",
    responses=problems(401, 403, 404, 422),
)
async def delete_item(
    item_id: ItemId,
    actor: CurrentUser,
    delete: Annotated[DeleteItem, Depends(provided(lambda c: c.delete_item()))],
) -> Response:
    """Remove an item (its owner or a superuser)."""
    await delete(actor, item_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

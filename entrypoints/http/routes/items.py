"""Items: anyone browses; owners and superusers change and remove."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from application.errors import NotAuthenticated
from application.read_models import ItemWithOwner
from domain.errors import ItemNotFound, NotAllowed
from domain.item import Item
from entrypoints.http.cursors import encode_item_cursor, page_body
from entrypoints.http.dependencies import CurrentUser, Services
from entrypoints.http.exact_json import ExactJsonRoute
from entrypoints.http.openapi import add_partial_update, links_from_created, problems
from entrypoints.http.params import Filters, ItemId, ItemPages
from entrypoints.http.problems import VALIDATION
from entrypoints.http.schemas import ItemCreate, ItemPage, ItemRead, ItemReadWithOwner, ItemUpdate

router = APIRouter(prefix="/items", tags=["items"], route_class=ExactJsonRoute)
# What changing or deleting an item can answer besides success.
MANAGING = (NotAuthenticated, NotAllowed, ItemNotFound, VALIDATION)


@router.post(
    "",
    response_model=ItemRead,
    status_code=status.HTTP_201_CREATED,
    operation_id="create_item",
    responses=problems(NotAuthenticated, VALIDATION) | links_from_created("item"),
)
async def create_item(
    body: ItemCreate, actor: CurrentUser, response: Response, services: Services
) -> Item:
    """Publish an item owned by the caller."""
    item = await services.create_item()(actor, body.details())
    response.headers["Location"] = f"/api/v1/items/{item.id}"
    return item


@router.get("", response_model=ItemPage, operation_id="list_items", responses=problems(VALIDATION))
async def list_items(filters: Filters, page: ItemPages, services: Services) -> dict[str, Any]:
    """Items newest first, with their owner's public profile (anyone)."""
    return page_body(await services.list_items()(filters, page), encode_item_cursor)


@router.get(
    "/{item_id:int}",
    response_model=ItemReadWithOwner,
    operation_id="read_item",
    responses=problems(ItemNotFound, VALIDATION),
)
async def read_item(item_id: ItemId, services: Services) -> ItemWithOwner:
    """One item with its owner's public profile (anyone)."""
    return await services.get_item()(item_id)


async def update_item(
    item_id: ItemId, body: ItemUpdate, actor: CurrentUser, services: Services
) -> Item:
    """A partial update by the owner or a superuser; `description: null` clears it."""
    return await services.update_item()(actor, item_id, body.sent())


add_partial_update(
    router,
    "/{item_id:int}",
    update_item,
    resource="item",
    described_as="an item",
    response_model=ItemRead,
    answers=MANAGING,
)


@router.delete(
    "/{item_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="delete_item",
    responses=problems(*MANAGING),
)
async def delete_item(item_id: ItemId, actor: CurrentUser, services: Services) -> None:
    """Remove an item (its owner or a superuser)."""
    await services.delete_item()(actor, item_id)

"""Publishing, browsing, changing and removing items."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from application.errors import NotAuthenticated
from application.paging import ItemPosition, Page, PageRequest, build_page
from application.ports import Clock, ItemQueries, ItemRepository, UnitOfWorkFactory
from application.read_models import ItemFilters, ItemWithOwner
from domain import policies
from domain.errors import EmailNotVerified, ItemNotFound, NotAllowed, UserNotFound
from domain.item import Item, ItemDetails
from domain.user import User


def _check_writer(actor: User, require_verified_email: bool) -> None:
    if not policies.may_write_items(actor, require_verified_email=require_verified_email):
        raise EmailNotVerified


class CreateItem:
    """Publish an item owned by the caller.

    Raises EmailNotVerified when the operator requires a verified address and the caller's
    is not; NotAuthenticated when the caller's account was deleted while the request ran.
    """

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, *, require_verified_email: bool = False
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._require_verified_email = require_verified_email

    async def __call__(self, actor: User, details: ItemDetails) -> Item:
        _check_writer(actor, self._require_verified_email)
        new = Item.publish(details, owner_id=actor.id, now=self._clock.now())
        try:
            async with self._uow() as uow:
                item = await uow.items.add(new)
                await uow.commit()
        except UserNotFound:
            raise NotAuthenticated from None
        return item


class GetItem:
    """Anyone may read any item, with its owner's public profile; ItemNotFound if missing."""

    def __init__(self, items: ItemQueries) -> None:
        self._items = items

    async def __call__(self, item_id: int) -> ItemWithOwner:
        found = await self._items.get(item_id)
        if found is None:
            raise ItemNotFound(item_id)
        return found


def _position(row: ItemWithOwner) -> ItemPosition:
    return ItemPosition(created_at=row.item.created_at, id=row.item.id)


class ListItems:
    """A page of items, newest first, filtered by owner, title substring and price range."""

    def __init__(self, items: ItemQueries) -> None:
        self._items = items

    async def __call__(
        self, filters: ItemFilters, page: PageRequest[ItemPosition]
    ) -> Page[ItemWithOwner, ItemPosition]:
        rows = await self._items.page(
            filters, after=page.after, offset=page.offset, limit=page.limit + 1
        )
        return build_page(rows, page.limit, _position)


async def _managed_item(items: ItemRepository, actor: User, item_id: int, action: str) -> Item:
    """The item, when the actor may manage it: ItemNotFound, then NotAllowed."""
    item = await items.get(item_id)
    if item is None:
        raise ItemNotFound(item_id)
    if not policies.may_manage_item(actor, item):
        raise NotAllowed(f"{action} another user's item")
    return item


class UpdateItem:
    """Change any of an item's details (`ItemDetails`' fields): its owner or a superuser
    (NotAllowed otherwise); ItemNotFound if missing; EmailNotVerified as CreateItem."""

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, *, require_verified_email: bool = False
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._require_verified_email = require_verified_email

    async def __call__(self, actor: User, item_id: int, changes: Mapping[str, Any]) -> Item:
        _check_writer(actor, self._require_verified_email)
        async with self._uow() as uow:
            item = await _managed_item(uow.items, actor, item_id, "change")
            item.revise(changes, self._clock.now())
            await uow.items.update(item)
            await uow.commit()
        return item


class DeleteItem:
    """Remove an item: its owner or a superuser (NotAllowed otherwise); ItemNotFound if
    missing; EmailNotVerified as CreateItem."""

    def __init__(self, uow: UnitOfWorkFactory, *, require_verified_email: bool = False) -> None:
        self._uow = uow
        self._require_verified_email = require_verified_email

    async def __call__(self, actor: User, item_id: int) -> None:
        _check_writer(actor, self._require_verified_email)
        async with self._uow() as uow:
            await _managed_item(uow.items, actor, item_id, "delete")
            await uow.items.delete(item_id)
            await uow.commit()

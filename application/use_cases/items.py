"""Publishing, browsing, changing and removing items."""

from __future__ import annotations

from dataclasses import dataclass

from application.errors import NotAuthenticated
from application.paging import (
    ItemCursor,
    Page,
    PageRequest,
    build_page,
    decode_item_cursor,
    encode_item_cursor,
)
from application.partial import UNSET, Unset
from application.ports import Clock, ItemListing, UnitOfWorkFactory
from application.read_models import ItemFilters, ItemWithOwner
from domain import policies
from domain.errors import ItemNotFound, NotAllowed, UserNotFound
from domain.item import Item, NewItem
from domain.user import User
from domain.values import Description, Price, Title


@dataclass(frozen=True, slots=True)
class ItemDraft:
    title: Title
    price: Price
    description: Description | None = None


class CreateItem:
    """Publish an item owned by the caller.

    Raises NotAuthenticated when the caller's account was deleted while the request ran.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, actor: User, draft: ItemDraft) -> Item:
        new = NewItem(
            title=draft.title,
            description=draft.description,
            price=draft.price,
            owner_id=actor.id,
            created_at=self._clock.now(),
        )
        try:
            async with self._uow() as uow:
                item = await uow.items.add(new)
                await uow.commit()
        except UserNotFound:
            raise NotAuthenticated from None
        return item


class GetItem:
    """Anyone may read any item, with its owner's public profile; ItemNotFound if missing."""

    def __init__(self, listing: ItemListing) -> None:
        self._listing = listing

    async def __call__(self, item_id: int) -> ItemWithOwner:
        item = await self._listing.get(item_id)
        if item is None:
            raise ItemNotFound(item_id)
        return item


def _item_cursor(item: ItemWithOwner) -> str:
    return encode_item_cursor(ItemCursor(created_at=item.created_at, id=item.id))


class ListItems:
    """A page of items, newest first, filtered by owner, title substring and price range."""

    def __init__(self, listing: ItemListing) -> None:
        self._listing = listing

    async def __call__(self, filters: ItemFilters, page: PageRequest) -> Page[ItemWithOwner]:
        after = decode_item_cursor(page.cursor) if page.cursor is not None else None
        rows = await self._listing.page(
            filters, after=after, offset=page.offset, limit=page.limit + 1
        )
        return build_page(rows, page.limit, _item_cursor)


@dataclass(frozen=True, slots=True)
class ItemChanges:
    """A partial update: UNSET fields stay as they are; a description may be set to None."""

    title: Title | Unset = UNSET
    description: Description | Unset | None = UNSET
    price: Price | Unset = UNSET


class UpdateItem:
    """Change an item: its owner or a superuser (NotAllowed otherwise); ItemNotFound if missing."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, actor: User, item_id: int, changes: ItemChanges) -> Item:
        async with self._uow() as uow:
            item = await uow.items.get(item_id)
            if item is None:
                raise ItemNotFound(item_id)
            if not policies.may_edit_item(actor, item):
                raise NotAllowed("change another user's item")
            now = self._clock.now()
            if not isinstance(changes.title, Unset):
                item.retitle(changes.title, now)
            if not isinstance(changes.description, Unset):
                item.describe(changes.description, now)
            if not isinstance(changes.price, Unset):
                item.reprice(changes.price, now)
            await uow.items.update(item)
            await uow.commit()
        return item


class DeleteItem:
    """Remove an item: its owner or a superuser (NotAllowed otherwise); ItemNotFound if missing."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, actor: User, item_id: int) -> None:
        async with self._uow() as uow:
            item = await uow.items.get(item_id)
            if item is None:
                raise ItemNotFound(item_id)
            if not policies.may_delete_item(actor, item):
                raise NotAllowed("delete another user's item")
            await uow.items.delete(item_id)
            await uow.commit()

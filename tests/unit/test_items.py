"""Publishing, browsing, changing and removing items."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from application.errors import InvalidCursor, InvalidPriceRange, InvalidSearch, NotAuthenticated
from application.paging import PageRequest
from application.read_models import ItemFilters
from application.use_cases.items import ItemChanges, ItemDraft
from domain.errors import ItemNotFound, NotAllowed
from domain.values import Description, Price, Title
from tests.unit.core import START, Core


async def test_created_item_belongs_to_the_caller_and_is_public(core: Core) -> None:
    alice = await core.user("alice")
    item = await core.create_item(alice, ItemDraft(Title("  Desk lamp "), Price(Decimal("19.9"))))
    assert item.owner_id == alice.id
    assert item.title.value == "Desk lamp"
    assert item.description is None
    assert item.created_at == item.updated_at == START
    shown = await core.get_item(item.id)
    assert shown.price == Decimal("19.90")
    assert (shown.owner.id, shown.owner.username) == (alice.id, "alice")


async def test_missing_item_is_not_found(core: Core) -> None:
    with pytest.raises(ItemNotFound):
        await core.get_item(12345)


async def test_item_created_by_an_account_deleted_meanwhile_is_refused(core: Core) -> None:
    alice = await core.user("alice")
    await core.delete_own_account(alice)
    with pytest.raises(NotAuthenticated):
        await core.item(alice)


async def test_items_are_listed_newest_first(core: Core) -> None:
    alice = await core.user("alice")
    for n in range(3):
        await core.item(alice, f"item {n}")
        core.clock.advance(timedelta(seconds=1))
    page = await core.list_items(ItemFilters(), PageRequest())
    assert [item.title for item in page.data] == ["item 2", "item 1", "item 0"]


async def test_items_created_in_the_same_instant_are_ordered_by_id(core: Core) -> None:
    alice = await core.user("alice")
    ids = [(await core.item(alice, f"item {n}")).id for n in range(3)]
    page = await core.list_items(ItemFilters(), PageRequest())
    assert [item.id for item in page.data] == sorted(ids, reverse=True)


async def test_keyset_pages_have_no_duplicates_or_gaps_while_items_are_added(core: Core) -> None:
    alice = await core.user("alice")
    originals = [(await core.item(alice, f"old {n}")).id for n in range(25)]
    seen: list[int] = []
    page = await core.list_items(ItemFilters(), PageRequest(limit=7))
    while True:
        seen += [item.id for item in page.data]
        core.clock.advance(timedelta(seconds=1))
        await core.item(alice, "newer than every cursor")
        if page.next_cursor is None:
            break
        page = await core.list_items(ItemFilters(), PageRequest(limit=7, cursor=page.next_cursor))
    assert seen == sorted(originals, reverse=True)


async def test_offset_paging_skips_rows(core: Core) -> None:
    alice = await core.user("alice")
    ids = [(await core.item(alice, f"item {n}")).id for n in range(5)]
    page = await core.list_items(ItemFilters(), PageRequest(limit=2, skip=2))
    assert [item.id for item in page.data] == [ids[2], ids[1]]
    assert page.next_cursor is not None
    rest = await core.list_items(ItemFilters(), PageRequest(limit=2, cursor=page.next_cursor))
    assert [item.id for item in rest.data] == [ids[0]]


async def test_filters_by_owner(core: Core) -> None:
    alice = await core.user("alice")
    bob = await core.user("bob")
    await core.item(alice)
    bobs = await core.item(bob)
    page = await core.list_items(ItemFilters(owner_id=bob.id), PageRequest())
    assert [item.id for item in page.data] == [bobs.id]


async def test_search_is_a_case_insensitive_literal_substring(core: Core) -> None:
    alice = await core.user("alice")
    await core.item(alice, "100% Cotton shirt")
    await core.item(alice, "1000 cotton balls")
    await core.item(alice, "snake_case mug")
    await core.item(alice, "snakeXcase mug")

    async def titles(q: str) -> set[str]:
        page = await core.list_items(ItemFilters(q=q), PageRequest())
        return {item.title for item in page.data}

    assert await titles("COTTON") == {"100% Cotton shirt", "1000 cotton balls"}
    assert await titles("0% c") == {"100% Cotton shirt"}
    assert await titles("e_c") == {"snake_case mug"}
    assert await titles("%") == {"100% Cotton shirt"}


async def test_price_filters_are_inclusive(core: Core) -> None:
    alice = await core.user("alice")
    for price in ["9.99", "10.00", "20.00", "20.01"]:
        await core.item(alice, f"costs {price}", price)
    filters = ItemFilters(min_price=Decimal("10"), max_price=Decimal("20.00"))
    page = await core.list_items(filters, PageRequest())
    assert sorted(item.price for item in page.data) == [Decimal("10.00"), Decimal("20.00")]


def test_min_price_above_max_price_is_refused() -> None:
    with pytest.raises(InvalidPriceRange):
        ItemFilters(min_price=Decimal(5), max_price=Decimal(4))


def test_search_longer_than_any_title_is_refused() -> None:
    with pytest.raises(InvalidSearch):
        ItemFilters(q="x" * 201)


@pytest.mark.parametrize("cursor", ["", "garbage", "!!!!", "eyJ4IjoxfQ", "W10", "x" * 1000, "é"])
async def test_malformed_cursor_is_refused(core: Core, cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        await core.list_items(ItemFilters(), PageRequest(cursor=cursor))


async def test_owner_updates_only_the_fields_sent(core: Core) -> None:
    alice = await core.user("alice")
    item = await core.item(alice, "Lamp", "10.00")
    core.clock.advance(timedelta(hours=1))
    changed = await core.update_item(alice, item.id, ItemChanges(price=Price(Decimal("12.50"))))
    assert changed.title.value == "Lamp"
    assert changed.description == Description("Bright")
    assert changed.price.amount == Decimal("12.50")
    assert changed.updated_at == START + timedelta(hours=1)
    assert (await core.get_item(item.id)).price == Decimal("12.50")


async def test_description_can_be_cleared_with_none(core: Core) -> None:
    alice = await core.user("alice")
    item = await core.item(alice)
    changed = await core.update_item(alice, item.id, ItemChanges(description=None))
    assert changed.description is None
    assert (await core.get_item(item.id)).description is None


async def test_other_user_cannot_change_or_delete_an_item(core: Core) -> None:
    alice = await core.user("alice")
    bob = await core.user("bob")
    item = await core.item(alice)
    with pytest.raises(NotAllowed):
        await core.update_item(bob, item.id, ItemChanges(title=Title("Mine now")))
    with pytest.raises(NotAllowed):
        await core.delete_item(bob, item.id)
    assert (await core.get_item(item.id)).title == "A lamp"


async def test_superuser_changes_and_deletes_anyones_item(core: Core) -> None:
    admin = await core.user("admin", superuser=True)
    alice = await core.user("alice")
    item = await core.item(alice)
    changed = await core.update_item(admin, item.id, ItemChanges(title=Title("Moderated")))
    assert changed.title.value == "Moderated"
    assert changed.owner_id == alice.id
    await core.delete_item(admin, item.id)
    with pytest.raises(ItemNotFound):
        await core.get_item(item.id)


async def test_owner_deletes_own_item(core: Core) -> None:
    alice = await core.user("alice")
    item = await core.item(alice)
    await core.delete_item(alice, item.id)
    with pytest.raises(ItemNotFound):
        await core.delete_item(alice, item.id)
    with pytest.raises(ItemNotFound):
        await core.update_item(alice, item.id, ItemChanges(title=Title("gone")))

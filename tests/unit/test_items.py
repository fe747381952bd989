"""Publishing, browsing, changing and removing items."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from application.errors import NotAuthenticated
from application.paging import PageRequest
from application.read_models import ItemFilters, ItemWithOwner
from domain.errors import InvalidValue, ItemNotFound, NotAllowed
from domain.item import ItemDetails
from domain.values import Description, Price, Title
from tests.unit.core import START, Core


def titles(rows: list[ItemWithOwner]) -> list[str]:
    return [row.item.title.value for row in rows]


def ids(rows: list[ItemWithOwner]) -> list[int]:
    return [row.item.id for row in rows]


async def test_created_item_belongs_to_the_caller_and_is_public(core: Core) -> None:
    alice = await core.user("alice")
    details = ItemDetails(title=Title("  Desk lamp "), price=Price(Decimal("19.9")))
    item = await core.create_item(alice, details)
    assert item.owner_id == alice.id
    assert item.title.value == "Desk lamp"
    assert item.description is None
    assert item.created_at == item.updated_at == START
    shown = await core.get_item(item.id)
    assert shown.item.price == Price(Decimal("19.90"))
    assert (shown.owner.id, shown.owner.username.value) == (alice.id, "alice")


async def test_missing_item_is_not_found(core: Core) -> None:
    with pytest.raises(ItemNotFound):
        await core.get_item(12345)


async def test_item_created_by_an_account_deleted_meanwhile_is_refused(core: Core) -> None:
    alice = await core.user("alice")
    await core.delete_own_account(await core.caller(alice))
    with pytest.raises(NotAuthenticated):
        await core.item(alice)


async def test_items_are_listed_newest_first(core: Core) -> None:
    alice = await core.user("alice")
    for n in range(3):
        await core.item(alice, f"item {n}")
        core.clock.advance(timedelta(seconds=1))
    page = await core.list_items(ItemFilters(), PageRequest())
    assert titles(page.data) == ["item 2", "item 1", "item 0"]


async def test_items_created_in_the_same_instant_are_ordered_by_id(core: Core) -> None:
    alice = await core.user("alice")
    made = [(await core.item(alice, f"item {n}")).id for n in range(3)]
    page = await core.list_items(ItemFilters(), PageRequest())
    assert ids(page.data) == sorted(made, reverse=True)


async def test_keyset_pages_have_no_duplicates_or_gaps_while_items_are_added(core: Core) -> None:
    alice = await core.user("alice")
    originals = [(await core.item(alice, f"old {n}")).id for n in range(25)]
    seen: list[int] = []
    page = await core.list_items(ItemFilters(), PageRequest(limit=7))
    while True:
        seen += ids(page.data)
        core.clock.advance(timedelta(seconds=1))
        await core.item(alice, "newer than every position")
        if page.next_after is None:
            break
        page = await core.list_items(ItemFilters(), PageRequest(limit=7, after=page.next_after))
    assert seen == sorted(originals, reverse=True)


async def test_offset_paging_skips_rows(core: Core) -> None:
    alice = await core.user("alice")
    made = [(await core.item(alice, f"item {n}")).id for n in range(5)]
    page = await core.list_items(ItemFilters(), PageRequest(limit=2, skip=2))
    assert ids(page.data) == [made[2], made[1]]
    assert page.next_after is not None
    rest = await core.list_items(ItemFilters(), PageRequest(limit=2, after=page.next_after))
    assert ids(rest.data) == [made[0]]


async def test_filters_by_owner(core: Core) -> None:
    alice = await core.user("alice")
    bob = await core.user("bob")
    await core.item(alice)
    bobs = await core.item(bob)
    page = await core.list_items(ItemFilters(owner_id=bob.id), PageRequest())
    assert ids(page.data) == [bobs.id]


async def test_search_is_a_case_insensitive_literal_substring(core: Core) -> None:
    alice = await core.user("alice")
    await core.item(alice, "100% Cotton shirt")
    await core.item(alice, "1000 cotton balls")
    await core.item(alice, "snake_case mug")
    await core.item(alice, "snakeXcase mug")

    async def found(q: str) -> set[str]:
        page = await core.list_items(ItemFilters(q=q), PageRequest())
        return set(titles(page.data))

    assert await found("COTTON") == {"100% Cotton shirt", "1000 cotton balls"}
    assert await found("0% c") == {"100% Cotton shirt"}
    assert await found("e_c") == {"snake_case mug"}
    assert await found("%") == {"100% Cotton shirt"}


async def test_price_filters_are_inclusive(core: Core) -> None:
    alice = await core.user("alice")
    for price in ["9.99", "10.00", "20.00", "20.01"]:
        await core.item(alice, f"costs {price}", price)
    filters = ItemFilters(min_price=Price(Decimal("10")), max_price=Price(Decimal("20.00")))
    page = await core.list_items(filters, PageRequest())
    prices = sorted(row.item.price.value for row in page.data)
    assert prices == [Decimal("10.00"), Decimal("20.00")]


def test_min_price_above_max_price_is_refused() -> None:
    with pytest.raises(InvalidValue, match=r"^max_price: "):
        ItemFilters(min_price=Price(5), max_price=Price(4))


def test_search_longer_than_any_title_is_refused() -> None:
    with pytest.raises(InvalidValue, match=r"^q: "):
        ItemFilters(q="x" * 201)


async def test_owner_updates_only_the_fields_sent(core: Core) -> None:
    alice = await core.user("alice")
    item = await core.item(alice, "Lamp", "10.00")
    core.clock.advance(timedelta(hours=1))
    changed = await core.update_item(alice, item.id, {"price": Price(Decimal("12.50"))})
    assert changed.title.value == "Lamp"
    assert changed.description == Description("Bright")
    assert changed.price == Price(Decimal("12.50"))
    assert changed.updated_at == START + timedelta(hours=1)
    assert (await core.get_item(item.id)).item.price == Price(Decimal("12.50"))


async def test_description_can_be_cleared_with_none(core: Core) -> None:
    alice = await core.user("alice")
    item = await core.item(alice)
    changed = await core.update_item(alice, item.id, {"description": None})
    assert changed.description is None
    assert (await core.get_item(item.id)).item.description is None


async def test_other_user_cannot_change_or_delete_an_item(core: Core) -> None:
    alice = await core.user("alice")
    bob = await core.user("bob")
    item = await core.item(alice)
    with pytest.raises(NotAllowed):
        await core.update_item(bob, item.id, {"title": Title("Mine now")})
    with pytest.raises(NotAllowed):
        await core.delete_item(bob, item.id)
    assert (await core.get_item(item.id)).item.title == Title("A lamp")


async def test_superuser_changes_and_deletes_anyones_item(core: Core) -> None:
    admin = await core.user("admin", superuser=True)
    alice = await core.user("alice")
    item = await core.item(alice)
    changed = await core.update_item(admin, item.id, {"title": Title("Moderated")})
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
        await core.update_item(alice, item.id, {"title": Title("gone")})


async def test_only_the_owners_fields_can_be_changed(core: Core) -> None:
    alice = await core.user("alice")
    item = await core.item(alice)
    with pytest.raises(TypeError, match="owner_id"):
        await core.update_item(alice, item.id, {"owner_id": 99})
    assert (await core.get_item(item.id)).item.owner_id == alice.id

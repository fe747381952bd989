"""One behaviour suite for every persistence adapter: identical assertions for each."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from application.paging import ItemPosition, UserPosition
from application.read_models import ItemFilters
from domain.errors import (
    DomainError,
    EmailAlreadyRegistered,
    ItemNotFound,
    UsernameTaken,
    UserNotFound,
)
from domain.item import Item, ItemDetails
from domain.user import User
from domain.values import Description, Email, Price, Title, Username
from tests.contract.conftest import Adapter

T0 = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


def new_user(name: str, email: str | None = None, at: datetime = T0) -> User:
    return User.register(
        Email(email or f"{name}@example.com"), Username(name), f"$2b$04$hash-of-{name}", at
    )


def new_item(
    owner: User,
    title: str = "Lamp",
    price: str = "10.00",
    at: datetime = T0,
    description: str | None = None,
) -> Item:
    details = ItemDetails(
        title=Title(title),
        price=Price(Decimal(price)),
        description=Description(description) if description is not None else None,
    )
    return Item.publish(details, owner.id, at)


async def add_user(adapter: Adapter, name: str, email: str | None = None) -> User:
    async with adapter.uow() as uow:
        user = await uow.users.add(new_user(name, email))
        await uow.commit()
    return user


async def add_item(adapter: Adapter, owner: User, **kwargs: object) -> Item:
    async with adapter.uow() as uow:
        item = await uow.items.add(new_item(owner, **kwargs))  # type: ignore[arg-type]
        await uow.commit()
    return item


async def save_user(adapter: Adapter, user: User) -> None:
    """A conflict may surface at update (SQL) or at commit (in memory): either is the contract."""
    async with adapter.uow() as uow:
        await uow.users.update(user)
        await uow.commit()


async def save_item(adapter: Adapter, item: Item) -> None:
    async with adapter.uow() as uow:
        await uow.items.update(item)
        await uow.commit()


async def listed_ids(
    adapter: Adapter, filters: ItemFilters | None = None, limit: int = 100
) -> list[int]:
    rows = await adapter.items.page(filters or ItemFilters(), after=None, offset=0, limit=limit)
    return [row.item.id for row in rows]


class TestUsers:
    async def test_a_stored_user_reads_back_identically(self, adapter: Adapter) -> None:
        user = await add_user(adapter, "Alice")
        assert user.id > 0
        async with adapter.uow() as uow:
            loaded = await uow.users.get(user.id)
        assert loaded == user
        assert loaded.created_at == T0
        assert loaded.created_at.utcoffset() == timedelta(0)
        assert (loaded.is_active, loaded.is_superuser) == (True, False)

    async def test_look_ups_by_email_and_username_ignore_case(self, adapter: Adapter) -> None:
        user = await add_user(adapter, "Alice")
        async with adapter.uow() as uow:
            by_email = await uow.users.get_by_email(Email("ALICE@EXAMPLE.COM"))
            by_name = await uow.users.get_by_username(Username("aLiCe"))
            missing = await uow.users.get_by_username(Username("bob"))
        assert by_email == by_name == user
        assert missing is None

    async def test_email_is_unique_ignoring_case(self, adapter: Adapter) -> None:
        await add_user(adapter, "alice")
        with pytest.raises(EmailAlreadyRegistered):
            await add_user(adapter, "alice2", "Alice@Example.com")

    async def test_username_is_unique_ignoring_case(self, adapter: Adapter) -> None:
        await add_user(adapter, "alice")
        with pytest.raises(UsernameTaken):
            await add_user(adapter, "ALICE", "other@example.com")

    async def test_email_is_named_when_both_are_taken(self, adapter: Adapter) -> None:
        await add_user(adapter, "alice")
        with pytest.raises(EmailAlreadyRegistered):
            await add_user(adapter, "Alice", "alice@example.com")

    async def test_update_persists_every_field(self, adapter: Adapter) -> None:
        user = await add_user(adapter, "alice")
        later = T0 + timedelta(hours=1)
        user.change_email(Email("new@example.com"), later)
        user.rename(Username("Alicia"), later)
        user.change_password("$2b$04$another", later)
        user.set_active(False, later)
        user.set_superuser(True, later)
        await save_user(adapter, user)
        async with adapter.uow() as uow:
            assert await uow.users.get(user.id) == user

    async def test_update_to_a_taken_email_fails_and_changes_nothing(
        self, adapter: Adapter
    ) -> None:
        alice = await add_user(adapter, "alice")
        await add_user(adapter, "bob")
        alice.change_email(Email("BOB@example.com"), T0)
        with pytest.raises(EmailAlreadyRegistered):
            await save_user(adapter, alice)
        async with adapter.uow() as uow:
            stored = await uow.users.get(alice.id)
        assert stored is not None
        assert stored.email.value == "alice@example.com"

    async def test_a_user_may_keep_their_own_email_and_username(self, adapter: Adapter) -> None:
        alice = await add_user(adapter, "alice")
        alice.rename(Username("ALICE"), T0)
        await save_user(adapter, alice)
        async with adapter.uow() as uow:
            stored = await uow.users.get(alice.id)
        assert stored is not None
        assert stored.username.value == "ALICE"

    async def test_updating_a_user_deleted_meanwhile_reports_it_missing(
        self, adapter: Adapter
    ) -> None:
        alice = await add_user(adapter, "alice")
        async with adapter.uow() as uow:
            await uow.users.delete(alice.id)
            await uow.commit()
        alice.rename(Username("ghost"), T0)
        with pytest.raises(UserNotFound):
            await save_user(adapter, alice)

    async def test_users_page_by_id_after_a_position_or_an_offset(self, adapter: Adapter) -> None:
        ids = [(await add_user(adapter, f"user{n}")).id for n in range(5)]
        first = await adapter.users.page(after=None, offset=0, limit=2)
        after = await adapter.users.page(after=UserPosition(ids[1]), offset=0, limit=10)
        skipped = await adapter.users.page(after=None, offset=3, limit=10)
        assert [u.id for u in first] == ids[:2]
        assert [u.id for u in after] == ids[2:]
        assert [u.id for u in skipped] == ids[3:]

    async def test_ids_are_never_reused_after_a_delete(self, adapter: Adapter) -> None:
        first = await add_user(adapter, "first")
        async with adapter.uow() as uow:
            await uow.users.delete(first.id)
            await uow.commit()
        second = await add_user(adapter, "second")
        assert second.id > first.id


class TestTransactions:
    async def test_leaving_without_commit_discards_the_work(self, adapter: Adapter) -> None:
        async with adapter.uow() as uow:
            user = await uow.users.add(new_user("alice"))
        async with adapter.uow() as uow:
            assert await uow.users.get(user.id) is None
            assert await uow.users.get_by_email(Email("alice@example.com")) is None

    async def test_an_error_midway_keeps_nothing_of_the_unit_of_work(
        self, adapter: Adapter
    ) -> None:
        async def register_then_fail() -> None:
            async with adapter.uow() as uow:
                owner = await uow.users.add(new_user("alice"))
                await uow.items.add(new_item(owner))
                raise RuntimeError("something broke before commit")

        with pytest.raises(RuntimeError):
            await register_then_fail()
        assert await listed_ids(adapter) == []
        async with adapter.uow() as uow:
            assert await uow.users.get_by_username(Username("alice")) is None

    async def test_commit_makes_all_of_it_visible(self, adapter: Adapter) -> None:
        async with adapter.uow() as uow:
            owner = await uow.users.add(new_user("alice"))
            item = await uow.items.add(new_item(owner))
            await uow.commit()
        assert await listed_ids(adapter) == [item.id]

    @pytest.mark.parametrize(
        ("second", "error"),
        [
            (("alice2", "ALICE@example.com"), EmailAlreadyRegistered),
            (("ALICE", "b@example.com"), UsernameTaken),
        ],
    )
    async def test_racing_inserts_end_with_one_winner_and_one_domain_error(
        self, adapter: Adapter, second: tuple[str, str], error: type[DomainError]
    ) -> None:
        async def register(name: str, email: str) -> User:
            async with adapter.uow() as uow:
                user = await uow.users.add(new_user(name, email))
                await asyncio.sleep(0.05)  # hold the transaction open while the other one runs
                await uow.commit()
            return user

        results = await asyncio.gather(
            register("alice", "alice@example.com"), register(*second), return_exceptions=True
        )
        winners = [r for r in results if isinstance(r, User)]
        losers = [r for r in results if isinstance(r, BaseException)]
        assert len(winners) == 1
        assert len(losers) == 1
        assert isinstance(losers[0], error), repr(losers[0])
        async with adapter.uow() as uow:
            assert await uow.users.get(winners[0].id) == winners[0]


class TestItems:
    @pytest.mark.parametrize("price", ["0.00", "0.01", "19.99", "123456789.10", "1000000000.00"])
    async def test_prices_are_stored_exactly(self, adapter: Adapter, price: str) -> None:
        owner = await add_user(adapter, "alice")
        item = await add_item(adapter, owner, price=price)
        async with adapter.uow() as uow:
            loaded = await uow.items.get(item.id)
        shown = await adapter.items.get(item.id)
        assert loaded is not None
        assert shown is not None
        assert loaded.price == shown.item.price == Price(Decimal(price))
        assert str(shown.item.price) == price

    async def test_a_stored_item_reads_back_identically_with_its_owner(
        self, adapter: Adapter
    ) -> None:
        owner = await add_user(adapter, "Alice")
        item = await add_item(adapter, owner, title="Zürich Ärger ☕", description="line\nbreak")
        async with adapter.uow() as uow:
            assert await uow.items.get(item.id) == item
        shown = await adapter.items.get(item.id)
        assert shown is not None
        assert shown.item == item
        assert (shown.item.title.value, shown.item.description) == (
            "Zürich Ärger ☕",
            Description("line\nbreak"),
        )
        assert (shown.owner.id, shown.owner.username.value) == (owner.id, "Alice")
        assert shown.item.created_at == shown.item.updated_at == T0

    async def test_an_item_needs_an_existing_owner(self, adapter: Adapter) -> None:
        owner = await add_user(adapter, "alice")
        async with adapter.uow() as uow:
            await uow.users.delete(owner.id)
            await uow.commit()
        with pytest.raises(UserNotFound):
            await add_item(adapter, owner)

    async def test_update_and_delete(self, adapter: Adapter) -> None:
        owner = await add_user(adapter, "alice")
        item = await add_item(adapter, owner, description="old")
        later = T0 + timedelta(minutes=1)
        item.revise(
            {"title": Title("Renamed"), "description": None, "price": Price(Decimal("5.5"))}, later
        )
        async with adapter.uow() as uow:
            await uow.items.update(item)
            await uow.commit()
        async with adapter.uow() as uow:
            assert await uow.items.get(item.id) == item
            await uow.items.delete(item.id)
            await uow.commit()
        async with adapter.uow() as uow:
            assert await uow.items.get(item.id) is None
        assert await adapter.items.get(item.id) is None

    async def test_updating_an_item_deleted_meanwhile_reports_it_missing(
        self, adapter: Adapter
    ) -> None:
        owner = await add_user(adapter, "alice")
        item = await add_item(adapter, owner)
        async with adapter.uow() as uow:
            await uow.items.delete(item.id)
            await uow.commit()
        item.revise({"title": Title("Too late")}, T0)
        with pytest.raises(ItemNotFound):
            await save_item(adapter, item)

    async def test_deleting_a_user_deletes_their_items_only(self, adapter: Adapter) -> None:
        alice = await add_user(adapter, "alice")
        bob = await add_user(adapter, "bob")
        alices = [await add_item(adapter, alice) for _ in range(3)]
        bobs = await add_item(adapter, bob)
        async with adapter.uow() as uow:
            await uow.users.delete(alice.id)
            await uow.commit()
        assert await listed_ids(adapter) == [bobs.id]
        async with adapter.uow() as uow:
            assert [await uow.items.get(item.id) for item in alices] == [None, None, None]


class TestListing:
    async def test_newest_first_and_ties_by_id(self, adapter: Adapter) -> None:
        owner = await add_user(adapter, "alice")
        old = await add_item(adapter, owner, at=T0)
        tie_a = await add_item(adapter, owner, at=T0 + timedelta(seconds=5))
        tie_b = await add_item(adapter, owner, at=T0 + timedelta(seconds=5))
        newest = await add_item(adapter, owner, at=T0 + timedelta(microseconds=5_000_001))
        assert await listed_ids(adapter) == [newest.id, tie_b.id, tie_a.id, old.id]

    async def test_keyset_pages_have_no_duplicates_or_gaps_while_rows_are_added(
        self, adapter: Adapter
    ) -> None:
        owner = await add_user(adapter, "alice")
        existing = [
            (await add_item(adapter, owner, at=T0 + timedelta(seconds=n // 3))).id
            for n in range(23)
        ]
        expected = sorted(
            existing, key=lambda i: (T0 + timedelta(seconds=(i - existing[0]) // 3), i)
        )
        seen: list[int] = []
        after: ItemPosition | None = None
        newer = T0 + timedelta(days=1)
        while True:
            rows = await adapter.items.page(ItemFilters(), after=after, offset=0, limit=5)
            seen += [row.item.id for row in rows]
            await add_item(adapter, owner, at=newer)  # lands before every cursor: never seen
            newer += timedelta(seconds=1)
            if len(rows) < 5:
                break
            after = ItemPosition(rows[-1].item.created_at, rows[-1].item.id)
        assert seen == list(reversed(expected))

    async def test_offset_pages(self, adapter: Adapter) -> None:
        owner = await add_user(adapter, "alice")
        ids = [(await add_item(adapter, owner, at=T0 + timedelta(seconds=n))).id for n in range(6)]
        rows = await adapter.items.page(ItemFilters(), after=None, offset=2, limit=3)
        assert [row.item.id for row in rows] == [ids[3], ids[2], ids[1]]

    async def test_filter_by_owner(self, adapter: Adapter) -> None:
        alice = await add_user(adapter, "alice")
        bob = await add_user(adapter, "bob")
        await add_item(adapter, alice)
        bobs = await add_item(adapter, bob)
        assert await listed_ids(adapter, ItemFilters(owner_id=bob.id)) == [bobs.id]
        assert await listed_ids(adapter, ItemFilters(owner_id=9999)) == []

    async def test_search_is_a_literal_case_insensitive_substring(self, adapter: Adapter) -> None:
        owner = await add_user(adapter, "alice")
        titles = [
            "100% Cotton",
            "1000 cotton balls",
            "snake_case mug",
            "snakeXcase mug",
            "ÄRGER im Büro",
            r"back\slash",
            "either/or",
            "eitheror",
            "a//b%_c",
        ]
        by_title = {title: (await add_item(adapter, owner, title=title)).id for title in titles}

        async def search(q: str) -> set[str]:
            found = set(await listed_ids(adapter, ItemFilters(q=q)))
            return {title for title, item_id in by_title.items() if item_id in found}

        assert await search("COTTON") == {"100% Cotton", "1000 cotton balls"}
        assert await search("0%") == {"100% Cotton"}
        assert await search("e_c") == {"snake_case mug"}
        assert await search("ärger") == {"ÄRGER im Büro"}
        assert await search("BÜRO") == {"ÄRGER im Büro"}
        assert await search("\\") == {r"back\slash"}
        assert await search("r/o") == {"either/or"}
        assert await search("//b%_") == {"a//b%_c"}

    async def test_price_range_is_inclusive(self, adapter: Adapter) -> None:
        owner = await add_user(adapter, "alice")
        by_price = {
            p: (await add_item(adapter, owner, price=p)).id
            for p in ["9.99", "10.00", "15.50", "20.00", "20.01"]
        }
        filters = ItemFilters(min_price=Price(Decimal("10")), max_price=Price(Decimal("20.00")))
        assert set(await listed_ids(adapter, filters)) == {
            by_price["10.00"],
            by_price["15.50"],
            by_price["20.00"],
        }
        assert set(await listed_ids(adapter, ItemFilters(min_price=Price(Decimal("20.01"))))) == {
            by_price["20.01"]
        }
        assert set(await listed_ids(adapter, ItemFilters(max_price=Price(Decimal("9.99"))))) == {
            by_price["9.99"]
        }

    async def test_filters_combine(self, adapter: Adapter) -> None:
        alice = await add_user(adapter, "alice")
        bob = await add_user(adapter, "bob")
        hit = await add_item(adapter, alice, title="Red lamp", price="30.00")
        await add_item(adapter, alice, title="Red lamp", price="300.00")
        await add_item(adapter, alice, title="Blue lamp", price="30.00")
        await add_item(adapter, bob, title="Red lamp", price="30.00")
        filters = ItemFilters(owner_id=alice.id, q="red", max_price=Price(100))
        assert await listed_ids(adapter, filters) == [hit.id]


class TestUserQueries:
    """User reads see committed users only, outside any unit of work."""

    async def test_finds_a_committed_user_with_every_field(self, adapter: Adapter) -> None:
        alice = await add_user(adapter, "Alice", "alice@example.com")
        assert await adapter.users.get(alice.id) == alice

    async def test_an_unknown_id_is_none(self, adapter: Adapter) -> None:
        alice = await add_user(adapter, "alice")
        assert await adapter.users.get(alice.id + 1) is None

    async def test_sees_neither_uncommitted_nor_deleted_users(self, adapter: Adapter) -> None:
        alice = await add_user(adapter, "alice")
        async with adapter.uow() as uow:
            bob = await uow.users.add(new_user("bob"))
            await uow.users.delete(alice.id)
            assert await adapter.users.get(bob.id) is None
            assert await adapter.users.get(alice.id) == alice
            await uow.commit()
        assert await adapter.users.get(alice.id) is None
        assert await adapter.users.get(bob.id) == bob

    async def test_look_ups_by_email_and_username_ignore_case(self, adapter: Adapter) -> None:
        alice = await add_user(adapter, "Alice")
        assert await adapter.users.get_by_email(Email("ALICE@example.com")) == alice
        assert await adapter.users.get_by_username(Username("aLICE")) == alice
        assert await adapter.users.get_by_username(Username("bob")) is None

    async def test_sees_a_committed_change(self, adapter: Adapter) -> None:
        alice = await add_user(adapter, "alice")
        async with adapter.uow() as uow:
            stored = await uow.users.get(alice.id)
            assert stored is not None
            stored.set_active(False, T0 + timedelta(days=1))
            await uow.users.update(stored)
            await uow.commit()
        found = await adapter.users.get(alice.id)
        assert found is not None
        assert (found.is_active, found.updated_at) == (False, T0 + timedelta(days=1))


class TestStatementCounts:
    """SQL round trips per operation are fixed, whatever the page size (no N+1)."""

    async def test_a_listing_page_is_one_statement(self, sql_adapter: Adapter) -> None:
        adapter = sql_adapter
        assert adapter.log is not None
        owners = [await add_user(adapter, f"owner{n}") for n in range(5)]
        for n in range(40):
            await add_item(adapter, owners[n % 5])
        for limit in (1, 20, 41):
            with adapter.log.count_during() as counted:
                rows = await adapter.items.page(
                    ItemFilters(q="lamp"), after=None, offset=0, limit=limit
                )
            assert len(rows) == min(limit, 40)
            assert counted.count == 1

    async def test_an_item_or_a_user_is_one_statement(self, sql_adapter: Adapter) -> None:
        adapter = sql_adapter
        assert adapter.log is not None
        owner = await add_user(adapter, "alice")
        item = await add_item(adapter, owner)
        with adapter.log.count_during() as counted:
            await adapter.items.get(item.id)
        assert counted.count == 1
        with adapter.log.count_during() as counted:
            async with adapter.uow() as uow:
                await uow.users.get(owner.id)
        assert counted.count == 1
        with adapter.log.count_during() as counted:
            await adapter.users.get(owner.id)
        assert counted.count == 1

    async def test_creating_an_item_is_one_statement(self, sql_adapter: Adapter) -> None:
        adapter = sql_adapter
        assert adapter.log is not None
        owner = await add_user(adapter, "alice")
        with adapter.log.count_during() as counted:
            await add_item(adapter, owner)
        assert counted.count == 1

"""The in-memory adapter keeps the promises of a transactional database."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from adapters.memory.state import CommittedState
from adapters.memory.unit_of_work import InMemoryUnitOfWork
from domain.errors import EmailAlreadyRegistered, ItemNotFound, UsernameTaken, UserNotFound
from domain.item import Item, ItemDetails
from domain.user import User
from domain.values import Email, Price, Title, Username

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def new_user(name: str, email: str | None = None) -> User:
    return User.register(Email(email or f"{name}@example.com"), Username(name), "$2b$hash", NOW)


def new_item(owner_id: int) -> Item:
    return Item.publish(ItemDetails(title=Title("Lamp"), price=Price(Decimal(1))), owner_id, NOW)


@pytest.fixture
def db() -> CommittedState:
    return CommittedState()


async def test_commit_makes_changes_visible_to_later_units_of_work(db: CommittedState) -> None:
    async with InMemoryUnitOfWork(db) as uow:
        user = await uow.users.add(new_user("alice"))
        await uow.commit()
    async with InMemoryUnitOfWork(db) as uow:
        assert await uow.users.get(user.id) == user


async def test_leaving_without_commit_discards_everything(db: CommittedState) -> None:
    async with InMemoryUnitOfWork(db) as uow:
        user = await uow.users.add(new_user("alice"))
        assert await uow.users.get(user.id) is not None
    async with InMemoryUnitOfWork(db) as uow:
        assert await uow.users.get(user.id) is None


async def test_an_error_inside_rolls_back(db: CommittedState) -> None:
    async def fail_halfway() -> None:
        async with InMemoryUnitOfWork(db) as uow:
            await uow.users.add(new_user("alice"))
            raise RuntimeError

    with pytest.raises(RuntimeError):
        await fail_halfway()
    assert db.users == {}


async def test_uncommitted_changes_are_invisible_to_other_units_of_work(
    db: CommittedState,
) -> None:
    async with InMemoryUnitOfWork(db) as writer, InMemoryUnitOfWork(db) as reader:
        user = await writer.users.add(new_user("alice"))
        assert await reader.users.get(user.id) is None


async def test_changing_a_loaded_user_without_update_changes_nothing(db: CommittedState) -> None:
    async with InMemoryUnitOfWork(db) as uow:
        user = await uow.users.add(new_user("alice"))
        await uow.commit()
    async with InMemoryUnitOfWork(db) as uow:
        loaded = await uow.users.get(user.id)
        assert loaded is not None
        loaded.rename(Username("mallory"), NOW)
        await uow.commit()
    assert db.users[user.id].username.value == "alice"


async def test_racing_registrations_end_with_one_winner_and_one_domain_error(
    db: CommittedState,
) -> None:
    async with InMemoryUnitOfWork(db) as first, InMemoryUnitOfWork(db) as second:
        await first.users.add(new_user("alice"))
        await second.users.add(new_user("alice2", "ALICE@example.com"))
        await first.commit()
        with pytest.raises(EmailAlreadyRegistered):
            await second.commit()
    assert [u.username.value for u in db.users.values()] == ["alice"]


async def test_racing_usernames_conflict_case_insensitively(db: CommittedState) -> None:
    async with InMemoryUnitOfWork(db) as first, InMemoryUnitOfWork(db) as second:
        await first.users.add(new_user("alice"))
        await second.users.add(new_user("ALICE", "other@example.com"))
        await first.commit()
        with pytest.raises(UsernameTaken):
            await second.commit()


async def test_item_for_an_owner_deleted_by_another_unit_of_work_is_refused(
    db: CommittedState,
) -> None:
    async with InMemoryUnitOfWork(db) as uow:
        user = await uow.users.add(new_user("alice"))
        await uow.commit()
    async with InMemoryUnitOfWork(db) as creator, InMemoryUnitOfWork(db) as deleter:
        await creator.items.add(new_item(user.id))
        await deleter.users.delete(user.id)
        await deleter.commit()
        with pytest.raises(UserNotFound):
            await creator.commit()
    assert db.items == {}


async def test_deleting_a_user_cascades_to_items_committed_meanwhile(db: CommittedState) -> None:
    async with InMemoryUnitOfWork(db) as uow:
        user = await uow.users.add(new_user("alice"))
        await uow.commit()
    async with InMemoryUnitOfWork(db) as deleter, InMemoryUnitOfWork(db) as creator:
        await deleter.users.delete(user.id)
        await creator.items.add(new_item(user.id))
        await creator.commit()
        await deleter.commit()
    assert db.items == {}
    assert db.users == {}


async def test_updating_an_item_deleted_meanwhile_reports_it_missing(db: CommittedState) -> None:
    async with InMemoryUnitOfWork(db) as uow:
        user = await uow.users.add(new_user("alice"))
        item = await uow.items.add(new_item(user.id))
        await uow.commit()
    async with InMemoryUnitOfWork(db) as editor, InMemoryUnitOfWork(db) as deleter:
        loaded = await editor.items.get(item.id)
        assert loaded is not None
        loaded.revise({"title": Title("Renamed")}, NOW)
        await editor.items.update(loaded)
        await deleter.items.delete(item.id)
        await deleter.commit()
        with pytest.raises(ItemNotFound):
            await editor.commit()


async def test_item_needs_an_existing_owner(db: CommittedState) -> None:
    async with InMemoryUnitOfWork(db) as uow:
        with pytest.raises(UserNotFound):
            await uow.items.add(new_item(42))


async def test_ids_are_never_reused_after_a_rollback(db: CommittedState) -> None:
    async with InMemoryUnitOfWork(db) as uow:
        discarded = await uow.users.add(new_user("alice"))
    async with InMemoryUnitOfWork(db) as uow:
        kept = await uow.users.add(new_user("alice"))
        await uow.commit()
    assert kept.id > discarded.id

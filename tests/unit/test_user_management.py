"""Reading, changing and deleting accounts, and who may do each."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.errors import NotAuthenticated, RecentLoginRequired, SuperuserIdentityConflict
from application.paging import PageRequest
from application.read_models import ItemFilters
from application.use_cases.users import Registration, UserChanges
from domain.errors import (
    EmailAlreadyRegistered,
    LastSuperuser,
    NotAllowed,
    UsernameTaken,
    UserNotFound,
    WrongCurrentPassword,
)
from domain.values import Email, PlainPassword, Username
from tests.unit.core import PASSWORD, START, Core


async def test_user_can_read_own_account(core: Core) -> None:
    alice = await core.user("alice")
    assert (await core.get_user(alice, alice.id)).email == alice.email


async def test_user_cannot_read_another_account(core: Core) -> None:
    alice = await core.user("alice")
    bob = await core.user("bob")
    with pytest.raises(NotAllowed):
        await core.get_user(alice, bob.id)


async def test_ordinary_user_gets_not_allowed_rather_than_not_found_for_missing_ids(
    core: Core,
) -> None:
    alice = await core.user("alice")
    with pytest.raises(NotAllowed):
        await core.get_user(alice, 9999)


async def test_superuser_reads_any_account_and_learns_which_do_not_exist(core: Core) -> None:
    admin = await core.user("admin", superuser=True)
    bob = await core.user("bob")
    assert (await core.get_user(admin, bob.id)).username.value == "bob"
    with pytest.raises(UserNotFound):
        await core.get_user(admin, 9999)


async def test_only_superusers_list_users(core: Core) -> None:
    alice = await core.user("alice")
    with pytest.raises(NotAllowed):
        await core.list_users(alice, PageRequest())


async def test_users_are_listed_by_id_with_offset_and_keyset_paging(core: Core) -> None:
    admin = await core.user("admin", superuser=True)
    for n in range(5):
        await core.user(f"user{n}")
    first = await core.list_users(admin, PageRequest(limit=4))
    assert [u.username.value for u in first.data] == ["admin", "user0", "user1", "user2"]
    assert first.next_after is not None
    second = await core.list_users(admin, PageRequest(limit=4, after=first.next_after))
    assert [u.username.value for u in second.data] == ["user3", "user4"]
    assert second.next_after is None
    skipped = await core.list_users(admin, PageRequest(limit=2, skip=4))
    assert [u.username.value for u in skipped.data] == ["user3", "user4"]
    assert skipped.next_after is None


async def test_full_last_page_has_no_next_position(core: Core) -> None:
    admin = await core.user("admin", superuser=True)
    await core.user("bob")
    page = await core.list_users(admin, PageRequest(limit=2))
    assert len(page.data) == 2
    assert page.next_after is None


async def test_user_changes_own_email_and_username(core: Core) -> None:
    alice = await core.user("alice")
    core.clock.advance(timedelta(minutes=5))
    changes = UserChanges(
        email=Email("Alice@New.example"), username=Username("Alicia"), current_password=PASSWORD
    )
    changed = await core.update_user(alice, alice.id, changes)
    assert changed.email.value == "alice@new.example"
    assert changed.username.value == "Alicia"
    assert changed.created_at == START
    assert changed.updated_at == START + timedelta(minutes=5)
    assert (await core.get_user(alice, alice.id)).username.value == "Alicia"


async def test_user_keeps_own_email_in_another_case(core: Core) -> None:
    alice = await core.user("alice")
    changed = await core.update_user(alice, alice.id, UserChanges(username=Username("ALICE")))
    assert changed.username.value == "ALICE"


async def test_changing_to_a_taken_email_or_username_is_a_conflict(core: Core) -> None:
    alice = await core.user("alice")
    await core.user("bob")
    with pytest.raises(EmailAlreadyRegistered):
        await core.update_user(
            alice,
            alice.id,
            UserChanges(email=Email("BOB@example.com"), current_password=PASSWORD),
        )
    with pytest.raises(UsernameTaken):
        await core.update_user(alice, alice.id, UserChanges(username=Username("Bob")))
    assert (await core.get_user(alice, alice.id)).email.value == "alice@example.com"


async def test_user_cannot_change_another_account(core: Core) -> None:
    alice = await core.user("alice")
    bob = await core.user("bob")
    with pytest.raises(NotAllowed):
        await core.update_user(alice, bob.id, UserChanges(username=Username("bobby")))


@pytest.mark.parametrize(
    "changes",
    [UserChanges(is_active=True), UserChanges(is_superuser=False), UserChanges(is_superuser=True)],
)
async def test_ordinary_user_cannot_send_account_flags_even_unchanged(
    core: Core, changes: UserChanges
) -> None:
    alice = await core.user("alice")
    with pytest.raises(NotAllowed):
        await core.update_user(alice, alice.id, changes)


async def test_own_password_change_needs_the_current_password(core: Core) -> None:
    alice = await core.user("alice")
    new = PlainPassword("another password")
    with pytest.raises(WrongCurrentPassword):
        await core.update_user(alice, alice.id, UserChanges(password=new))
    with pytest.raises(WrongCurrentPassword):
        await core.update_user(alice, alice.id, UserChanges(password=new, current_password="nope"))
    await core.login("alice")  # the old password still works


async def test_superuser_changing_own_password_also_needs_the_current_one(core: Core) -> None:
    admin = await core.user("admin", superuser=True)
    with pytest.raises(WrongCurrentPassword):
        await core.update_user(
            admin, admin.id, UserChanges(password=PlainPassword("new password!"))
        )


async def test_superuser_resets_another_password_without_knowing_it(core: Core) -> None:
    admin = await core.user("admin", superuser=True)
    bob = await core.user("bob")
    await core.update_user(admin, bob.id, UserChanges(password=PlainPassword("reset by admin")))
    await core.login("bob", "reset by admin")


async def test_superuser_promotes_and_deactivates_others(core: Core) -> None:
    admin = await core.user("admin", superuser=True)
    bob = await core.user("bob")
    bob = await core.update_user(admin, bob.id, UserChanges(is_superuser=True, is_active=False))
    assert bob.is_superuser and not bob.is_active


async def test_superuser_changing_a_missing_user_gets_not_found(core: Core) -> None:
    admin = await core.user("admin", superuser=True)
    with pytest.raises(UserNotFound):
        await core.update_user(admin, 9999, UserChanges(username=Username("ghost")))


async def test_deleting_own_account_takes_its_items_and_leaves_others(core: Core) -> None:
    alice = await core.user("alice")
    bob = await core.user("bob")
    await core.item(alice, "alice's lamp")
    bobs = await core.item(bob, "bob's chair")
    await core.delete_own_account(await core.caller(alice))
    page = await core.list_items(ItemFilters(), PageRequest())
    assert [row.item.id for row in page.data] == [bobs.id]
    with pytest.raises(UserNotFound):
        await core.get_user(await core.user("admin", superuser=True), alice.id)


async def test_only_superusers_delete_accounts_by_id(core: Core) -> None:
    alice = await core.user("alice")
    bob = await core.user("bob")
    with pytest.raises(NotAllowed):
        await core.delete_user(await core.caller(alice), bob.id)
    with pytest.raises(NotAllowed):
        await core.delete_user(await core.caller(alice), alice.id)


async def test_superuser_deletes_an_account_with_its_items(core: Core) -> None:
    admin = await core.user("admin", superuser=True)
    bob = await core.user("bob")
    await core.item(bob)
    await core.delete_user(await core.caller(admin), bob.id)
    assert (await core.list_items(ItemFilters(owner_id=bob.id), PageRequest())).data == []
    with pytest.raises(UserNotFound):
        await core.delete_user(await core.caller(admin), bob.id)


async def test_create_superuser_creates_an_active_superuser_who_can_log_in(core: Core) -> None:
    result = await core.create_superuser(
        Registration(Email("root@example.com"), Username("root"), PlainPassword(PASSWORD))
    )
    assert result.created
    assert result.user.is_superuser and result.user.is_active
    await core.login("root")


async def test_create_superuser_promotes_and_reactivates_an_existing_user(core: Core) -> None:
    admin = await core.user("admin", superuser=True)
    bob = await core.user("bob")
    await core.update_user(admin, bob.id, UserChanges(is_active=False))
    result = await core.create_superuser(
        Registration(Email("bob@example.com"), Username("BOB"), PlainPassword("ignored password"))
    )
    assert not result.created
    assert result.user.id == bob.id
    assert result.user.is_superuser and result.user.is_active
    await core.login("bob")  # the password was left alone


@pytest.mark.parametrize(
    ("email", "username"),
    [("bob@example.com", "someone"), ("someone@example.com", "bob"), ("bob@example.com", "carol")],
)
async def test_create_superuser_refuses_an_email_and_username_of_different_accounts(
    core: Core, email: str, username: str
) -> None:
    await core.user("bob")
    await core.user("carol")
    with pytest.raises(SuperuserIdentityConflict):
        await core.create_superuser(
            Registration(Email(email), Username(username), PlainPassword(PASSWORD))
        )


async def test_changing_ones_own_email_needs_the_current_password(core: Core) -> None:
    """A stolen token alone cannot move the account to the thief's address (then reset it)."""
    alice = await core.user("alice")
    for current in (None, "a wrong guess"):
        changes = UserChanges(email=Email("thief@example.com"), current_password=current)
        with pytest.raises(WrongCurrentPassword):
            await core.update_user(alice, alice.id, changes)
    assert (await core.get_user(alice, alice.id)).email.value == "alice@example.com"
    same = await core.update_user(alice, alice.id, UserChanges(email=Email("ALICE@example.com")))
    assert same.email.value == "alice@example.com"  # not a change: nothing to confirm


async def test_a_superuser_changes_anothers_email_without_their_password(core: Core) -> None:
    admin = await core.user("admin", superuser=True)
    alice = await core.user("alice")
    changes = UserChanges(email=Email("alice@new.example"))
    assert (await core.update_user(admin, alice.id, changes)).email.value == "alice@new.example"


async def test_deleting_ones_own_account_needs_a_recent_login(core: Core) -> None:
    alice = await core.user("alice")
    token = await core.login("alice")
    core.clock.advance(timedelta(minutes=10, seconds=1))  # the token itself is still valid
    with pytest.raises(RecentLoginRequired) as raised:
        await core.delete_own_account(await core.current_user(token))
    assert raised.value.max_age_seconds == 600
    await core.delete_own_account(await core.current_user(await core.login("alice")))
    with pytest.raises(NotAuthenticated):
        await core.current_user(token)
    assert alice.id not in core.db.state.users


async def test_a_superuser_deletes_another_account_without_a_recent_login(core: Core) -> None:
    admin = await core.user("admin", superuser=True)
    alice = await core.user("alice")
    stale = await core.caller(admin)
    core.clock.advance(timedelta(hours=1))
    await core.delete_user(stale, alice.id)
    with pytest.raises(RecentLoginRequired):  # but their own account is their own
        await core.delete_user(stale, admin.id)


@pytest.mark.parametrize(
    "changes",
    [UserChanges(is_active=False), UserChanges(is_superuser=False)],
    ids=["deactivate", "demote"],
)
async def test_the_last_active_superuser_stays(core: Core, changes: UserChanges) -> None:
    admin = await core.user("admin", superuser=True)
    with pytest.raises(LastSuperuser):
        await core.update_user(admin, admin.id, changes)
    with pytest.raises(LastSuperuser):
        await core.delete_own_account(await core.caller(admin))
    other = await core.user("other", superuser=True)
    await core.update_user(admin, admin.id, changes)  # not the last any more
    with pytest.raises(LastSuperuser):
        await core.update_user(other, other.id, changes)


async def test_deactivation_ends_tokens_for_good(core: Core) -> None:
    """Reactivating an account does not bring back the tokens it had."""
    admin = await core.user("admin", superuser=True)
    alice = await core.user("alice")
    token = await core.login("alice")
    await core.update_user(admin, alice.id, UserChanges(is_active=False))
    await core.update_user(admin, alice.id, UserChanges(is_active=True))
    with pytest.raises(NotAuthenticated):
        await core.current_user(token)
    assert (await core.current_user(await core.login("alice"))).user.id == alice.id

"""Registering, logging in, and resolving the caller from a token."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.errors import InvalidCredentials, InvalidToken, LoginThrottled, NotAuthenticated
from application.use_cases.auth import Credentials
from application.use_cases.users import Registration, UserChanges
from domain.errors import EmailAlreadyRegistered, UsernameTaken
from domain.values import Email, PlainPassword, Username
from tests.unit.core import PASSWORD, START, Core


async def test_registered_user_is_active_ordinary_and_timestamped(core: Core) -> None:
    user = await core.user("alice")
    assert user.id > 0
    assert user.email.value == "alice@example.com"
    assert user.is_active and not user.is_superuser
    assert user.created_at == user.updated_at == START


async def test_password_is_stored_as_a_bcrypt_hash(core: Core) -> None:
    user = await core.user("alice")
    assert user.hashed_password.startswith("$2b$")
    assert PASSWORD not in user.hashed_password


async def test_email_taken_in_another_case_is_a_conflict(core: Core) -> None:
    await core.user("alice")
    registration = Registration(
        Email("ALICE@Example.com"), Username("alice2"), PlainPassword(PASSWORD)
    )
    with pytest.raises(EmailAlreadyRegistered) as raised:
        await core.register_user(registration)
    assert raised.value.detail == "The email alice@example.com is already registered"


async def test_username_taken_in_another_case_is_a_conflict(core: Core) -> None:
    await core.user("alice")
    registration = Registration(
        Email("other@example.com"), Username("ALICE"), PlainPassword(PASSWORD)
    )
    with pytest.raises(UsernameTaken, match="ALICE"):
        await core.register_user(registration)


async def test_email_conflict_is_reported_before_username_conflict(core: Core) -> None:
    await core.user("alice")
    registration = Registration(
        Email("alice@example.com"), Username("alice"), PlainPassword(PASSWORD)
    )
    with pytest.raises(EmailAlreadyRegistered):
        await core.register_user(registration)


@pytest.mark.parametrize("login", ["alice", "ALICE", "alice@example.com", "Alice@EXAMPLE.com"])
async def test_login_by_email_or_username_in_any_case(core: Core, login: str) -> None:
    alice = await core.user("alice")
    token = await core.login(login)
    assert (await core.current_user(token)).id == alice.id


async def test_token_says_how_long_it_lives(core: Core) -> None:
    await core.user("alice")
    issued = await core.authenticate(Credentials("alice", PASSWORD))
    assert issued.expires_in == 30 * 60


@pytest.mark.parametrize(
    ("login", "password"),
    [
        ("alice", "wrong password"),
        ("nobody", PASSWORD),
        ("nobody@example.com", PASSWORD),
        ("not a login!", PASSWORD),
        ("alice", "x" * 100),  # over bcrypt's 72 bytes: no password can match, still 401
        ("alice", ""),
    ],
)
async def test_bad_credentials_all_get_the_same_error(
    core: Core, login: str, password: str
) -> None:
    await core.user("alice")
    with pytest.raises(InvalidCredentials) as raised:
        await core.login(login, password)
    assert raised.value.detail == "Incorrect username or password"


async def test_inactive_user_cannot_log_in_even_with_the_right_password(core: Core) -> None:
    admin = await core.user("admin", superuser=True)
    alice = await core.user("alice")
    await core.update_user(admin, alice.id, UserChanges(is_active=False))
    with pytest.raises(InvalidCredentials):
        await core.login("alice")


async def test_garbage_token_is_not_authenticated(core: Core) -> None:
    with pytest.raises(InvalidToken):
        await core.current_user("not.a.jwt")


async def test_token_of_a_deleted_user_is_rejected(core: Core) -> None:
    alice = await core.user("alice")
    token = await core.login("alice")
    await core.delete_own_account(alice)
    with pytest.raises(NotAuthenticated):
        await core.current_user(token)


async def test_token_of_a_deactivated_user_is_rejected(core: Core) -> None:
    admin = await core.user("admin", superuser=True)
    alice = await core.user("alice")
    token = await core.login("alice")
    await core.update_user(admin, alice.id, UserChanges(is_active=False))
    with pytest.raises(NotAuthenticated):
        await core.current_user(token)


async def test_password_change_revokes_earlier_tokens_but_not_later_ones(core: Core) -> None:
    alice = await core.user("alice")
    old_token = await core.login("alice")
    await core.update_user(
        alice,
        alice.id,
        UserChanges(password=PlainPassword("a brand new secret"), current_password=PASSWORD),
    )
    with pytest.raises(NotAuthenticated):
        await core.current_user(old_token)
    with pytest.raises(InvalidCredentials):
        await core.login("alice")
    new_token = await core.login("alice", "a brand new secret")
    assert (await core.current_user(new_token)).id == alice.id


async def test_token_expires_after_its_lifetime(core: Core) -> None:
    await core.user("alice")
    token = await core.login("alice")
    core.clock.advance(timedelta(minutes=29, seconds=59))
    assert (await core.current_user(token)).username.value == "alice"
    core.clock.advance(timedelta(seconds=1))
    with pytest.raises(InvalidToken) as raised:
        await core.current_user(token)
    assert raised.value.reason == "the token has expired"


async def test_ten_failures_for_an_account_from_one_address_block_it_there(core: Core) -> None:
    await core.user("alice")
    for _ in range(10):
        with pytest.raises(InvalidCredentials):
            await core.login("alice", "wrong password", "198.51.100.7")
    with pytest.raises(LoginThrottled) as raised:
        await core.login("alice", PASSWORD, "198.51.100.7")  # even the right password waits
    assert 1 <= raised.value.retry_after_seconds <= 300


async def test_email_and_username_of_one_account_share_the_failure_count(core: Core) -> None:
    await core.user("alice")
    for n in range(10):
        login = "alice" if n % 2 else "ALICE@example.com"
        with pytest.raises(InvalidCredentials):
            await core.login(login, "wrong password", "198.51.100.7")
    with pytest.raises(LoginThrottled):
        await core.login("alice@example.com", PASSWORD, "198.51.100.7")


async def test_a_blocked_address_does_not_lock_the_user_out_elsewhere(core: Core) -> None:
    alice = await core.user("alice")
    for _ in range(10):
        with pytest.raises(InvalidCredentials):
            await core.login("alice", "wrong password", "198.51.100.7")
    token = await core.login("alice", PASSWORD, "203.0.113.9")
    assert (await core.current_user(token)).id == alice.id


async def test_a_success_clears_the_account_count_for_that_address(core: Core) -> None:
    await core.user("alice")
    for _ in range(9):
        with pytest.raises(InvalidCredentials):
            await core.login("alice", "wrong password", "198.51.100.7")
    await core.login("alice", PASSWORD, "198.51.100.7")
    for _ in range(9):
        with pytest.raises(InvalidCredentials):
            await core.login("alice", "wrong password", "198.51.100.7")
    await core.login("alice", PASSWORD, "198.51.100.7")


async def test_one_address_failing_on_many_accounts_is_blocked_for_all(core: Core) -> None:
    await core.user("alice")
    for n in range(100):
        with pytest.raises(InvalidCredentials):
            await core.login(f"nobody{n}", "wrong password", "198.51.100.7")
    with pytest.raises(LoginThrottled):
        await core.login("alice", PASSWORD, "198.51.100.7")
    await core.login("alice", PASSWORD, "203.0.113.9")

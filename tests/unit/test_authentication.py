"""Registering, logging in, and resolving the caller from a token."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from adapters.security import BcryptPasswordHasher
from application.errors import (
    HashingBusy,
    InvalidCredentials,
    InvalidToken,
    LoginThrottled,
    NotAuthenticated,
)
from application.use_cases.auth import Credentials
from application.use_cases.users import Registration, UserChanges
from domain.errors import EmailAlreadyRegistered, UsernameTaken
from domain.values import Email, PlainPassword, Username
from tests.unit.core import CLIENT, PASSWORD, START, Core, build_core


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
        await core.register_user(registration, CLIENT)
    assert raised.value.detail == "The email alice@example.com is already registered"


async def test_username_taken_in_another_case_is_a_conflict(core: Core) -> None:
    await core.user("alice")
    registration = Registration(
        Email("other@example.com"), Username("ALICE"), PlainPassword(PASSWORD)
    )
    with pytest.raises(UsernameTaken, match="ALICE"):
        await core.register_user(registration, CLIENT)


async def test_email_conflict_is_reported_before_username_conflict(core: Core) -> None:
    await core.user("alice")
    registration = Registration(
        Email("alice@example.com"), Username("alice"), PlainPassword(PASSWORD)
    )
    with pytest.raises(EmailAlreadyRegistered):
        await core.register_user(registration, CLIENT)


@pytest.mark.parametrize("login", ["alice", "ALICE", "alice@example.com", "Alice@EXAMPLE.com"])
async def test_login_by_email_or_username_in_any_case(core: Core, login: str) -> None:
    alice = await core.user("alice")
    token = await core.login(login)
    assert (await core.current_user(token)).user.id == alice.id


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
    await core.delete_own_account(await core.caller(alice))
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
    assert (await core.current_user(new_token)).user.id == alice.id


async def test_token_expires_after_its_lifetime(core: Core) -> None:
    await core.user("alice")
    token = await core.login("alice")
    core.clock.advance(timedelta(minutes=29, seconds=59))
    assert (await core.current_user(token)).user.username.value == "alice"
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


async def test_names_are_counted_apart_so_a_429_never_links_an_email_to_a_username(
    core: Core,
) -> None:
    await core.user("alice")
    for _ in range(10):
        with pytest.raises(InvalidCredentials):
            await core.login("ALICE@example.com", "wrong password", "198.51.100.7")
    with pytest.raises(LoginThrottled):
        await core.login("alice@example.com", PASSWORD, "198.51.100.7")
    # The username is a different name: its own count, as for any name nobody has.
    await core.login("alice", PASSWORD, "198.51.100.7")


async def test_unknown_names_count_by_their_stored_form_as_known_ones_do(core: Core) -> None:
    """Trimmed and lower-cased, whether or not an account has the name: the 429 comes at the
    same attempt for both, so it does not tell which names exist."""
    await core.user("alice")
    for name in ("alice@example.com", "ghost@example.com"):
        for n in range(10):
            spelled = f" {name.upper()} " if n % 2 else name
            with pytest.raises(InvalidCredentials):
                await core.login(spelled, "wrong password", "198.51.100.7")
        with pytest.raises(LoginThrottled):
            await core.login(name, "wrong password", "198.51.100.7")


async def test_a_burst_of_parallel_guesses_checks_at_most_the_limit(core: Core) -> None:
    """All in flight together: each takes its attempt before any password is checked."""
    await core.user("alice")
    guesses = ["wrong password"] * 49
    guesses.insert(30, PASSWORD)  # a right guess beyond the limit must not get in

    async def attempt(password: str) -> str:
        try:
            await core.login("alice", password, "198.51.100.7")
        except InvalidCredentials:
            return "checked and wrong"
        except LoginThrottled:
            return "throttled"
        return "logged in"

    outcomes = await asyncio.gather(*(attempt(password) for password in guesses))
    assert outcomes.count("checked and wrong") == 10
    assert outcomes.count("throttled") == 40
    assert outcomes[30] == "throttled"


async def test_a_blocked_address_does_not_lock_the_user_out_elsewhere(core: Core) -> None:
    alice = await core.user("alice")
    for _ in range(10):
        with pytest.raises(InvalidCredentials):
            await core.login("alice", "wrong password", "198.51.100.7")
    token = await core.login("alice", PASSWORD, "203.0.113.9")
    assert (await core.current_user(token)).user.id == alice.id


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


async def test_an_attempt_that_could_not_be_judged_does_not_count() -> None:
    """Hashing refused (too many waiting): 503 for the client, and its attempt is given back."""
    busy = BcryptPasswordHasher(rounds=4, max_pending=1)
    core = build_core(busy, login_max_failures_per_account=1)
    await core.user("alice")
    blocker = asyncio.create_task(busy.hash("occupies the only admitted place"))
    await asyncio.sleep(0)
    with pytest.raises(HashingBusy):
        await core.login("alice", "wrong password", "198.51.100.7")
    await blocker
    with pytest.raises(InvalidCredentials):  # the quota of one was not spent by the busy try
        await core.login("alice", "wrong password", "198.51.100.7")
    with pytest.raises(LoginThrottled):
        await core.login("alice", "wrong password", "198.51.100.7")
    busy.close()


async def test_one_address_failing_on_many_accounts_is_blocked_for_all(core: Core) -> None:
    await core.user("alice")
    for n in range(100):
        with pytest.raises(InvalidCredentials):
            await core.login(f"nobody{n}", "wrong password", "198.51.100.7")
    with pytest.raises(LoginThrottled):
        await core.login("alice", PASSWORD, "198.51.100.7")
    await core.login("alice", PASSWORD, "203.0.113.9")

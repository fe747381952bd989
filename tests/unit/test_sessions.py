"""Sessions through the use cases, on the in-memory adapter: the rules of domain/session.py as
a user meets them (log in, refresh for weeks, see and end sessions, lose them on a password
change), each in milliseconds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.errors import InvalidRefreshToken, NotAuthenticated
from application.paging import PageRequest
from application.use_cases.auth import Caller, SessionTokens
from application.use_cases.users import UserChanges
from domain.errors import NotAllowed, SessionNotFound, UserNotFound
from domain.opaque_token import TOKEN_CHARS, digest_of
from domain.session import EndReason, RefreshToken, Session, SessionLifetime
from domain.values import Email, PlainPassword, Username
from tests.unit.core import CLIENT, PASSWORD, START, Core

DAY = timedelta(days=1)


async def signed_in(core: Core, name: str = "alice", **kwargs: str) -> SessionTokens:
    if name not in {user.username.value for user in core.db.state.users.values()}:
        await core.user(name)
    return await core.sign_in(name, **kwargs)


async def works(core: Core, tokens: SessionTokens) -> bool:
    """Whether the access token still gets its caller in."""
    try:
        await core.current_user(tokens.access_token)
    except NotAuthenticated:
        return False
    return True


async def refreshes(core: Core, refresh_token: str) -> bool:
    try:
        await core.refresh_session(refresh_token)
    except InvalidRefreshToken:
        return False
    return True


async def listed(core: Core, caller: Caller) -> list[tuple[str, bool]]:
    page = await core.list_own_sessions(caller, PageRequest(limit=100))
    return [(each.session.id, each.current) for each in page.data]


class TestTheSessionRules:
    """domain/session.py on its own."""

    LIFETIME = SessionLifetime(idle=timedelta(days=14), maximum=timedelta(days=30))

    def test_a_session_lives_until_its_idle_or_absolute_expiry_whichever_comes_first(
        self,
    ) -> None:
        session = Session.start(1, START, self.LIFETIME)
        assert session.expires_at == START + 14 * DAY
        assert session.is_live(START + 14 * DAY - timedelta(microseconds=1))
        assert not session.is_live(START + 14 * DAY)
        for day in (13, 26):
            session.refresh(START + day * DAY, self.LIFETIME)
        assert session.expires_at == START + 30 * DAY  # not day 40: the maximum holds
        assert not session.is_live(START + 30 * DAY)

    def test_an_ended_or_expired_session_cannot_be_refreshed(self) -> None:
        session = Session.start(1, START, self.LIFETIME)
        with pytest.raises(ValueError, match="live"):
            session.refresh(START + 15 * DAY, self.LIFETIME)
        session.end(START, EndReason.LOGOUT)
        with pytest.raises(ValueError, match="live"):
            session.refresh(START, self.LIFETIME)

    def test_the_first_reason_to_end_is_kept(self) -> None:
        session = Session.start(1, START, self.LIFETIME)
        session.end(START, EndReason.REFRESH_TOKEN_REUSE)
        session.end(START + DAY, EndReason.LOGOUT)
        assert (session.ended_at, session.end_reason) == (START, EndReason.REFRESH_TOKEN_REUSE)

    def test_what_a_session_keeps_of_the_client_is_printable_and_bounded(self) -> None:
        agent = "Mozilla/5.0\x00\x1b[31m" + "x" * 300
        session = Session.start(1, START, self.LIFETIME, user_agent=agent, ip_address="  ")
        assert session.user_agent is not None
        assert len(session.user_agent) == 200
        assert session.user_agent.startswith("Mozilla/5.0[31mxxx")
        assert session.ip_address is None

    def test_session_ids_are_random_and_refresh_tokens_are_stored_as_their_hash(self) -> None:
        ids = {Session.start(1, START, self.LIFETIME).id for _ in range(100)}
        assert len(ids) == 100
        plain, stored = RefreshToken.issue("s" * 22, START)
        assert len(plain) == TOKEN_CHARS
        assert stored.digest == digest_of(plain) != plain
        assert plain not in repr(stored)
        assert digest_of(plain + "x") is None
        assert digest_of("é" * TOKEN_CHARS) is None


async def test_a_login_starts_a_session_with_the_clients_address_and_agent(core: Core) -> None:
    tokens = await signed_in(core, user_agent="curl/8.5")
    caller = await core.current_user(tokens.access_token)
    assert caller.session.id == tokens.session_id
    assert (caller.session.user_agent, caller.session.ip_address) == ("curl/8.5", CLIENT)
    assert caller.authenticated_at == START
    assert await listed(core, caller) == [(tokens.session_id, True)]


async def test_a_refresh_rotates_the_token_and_keeps_the_login_time(core: Core) -> None:
    first = await signed_in(core)
    core.clock.advance(timedelta(hours=5))
    second = await core.refresh_session(first.refresh_token)
    assert second.session_id == first.session_id
    assert second.refresh_token != first.refresh_token
    caller = await core.current_user(second.access_token)
    assert caller.authenticated_at == START  # auth_time stays the password's time
    assert caller.session.last_used_at == START + timedelta(hours=5)
    assert await refreshes(core, second.refresh_token)


async def test_a_replayed_refresh_token_ends_the_whole_session(core: Core) -> None:
    """RFC 9700 4.14.2: the thief refreshes first, the owner's next refresh replays the
    spent token, and both lose the session."""
    owner = await signed_in(core)
    thief = await core.refresh_session(owner.refresh_token)
    assert await works(core, thief)
    assert not await refreshes(core, owner.refresh_token)  # the replay
    assert not await works(core, thief)
    assert not await works(core, owner)
    assert not await refreshes(core, thief.refresh_token)
    session = core.db.state.sessions[owner.session_id]
    assert session.end_reason == EndReason.REFRESH_TOKEN_REUSE


async def test_unknown_and_malformed_refresh_tokens_are_refused_alike(core: Core) -> None:
    tokens = await signed_in(core)
    for presented in ("", "x", tokens.refresh_token[:-1] + "A", tokens.access_token):
        if presented != tokens.refresh_token:
            assert not await refreshes(core, presented)
    assert await works(core, tokens)  # none of that touched the real session


async def test_refreshing_keeps_a_session_for_weeks_but_never_past_its_maximum(
    core: Core,
) -> None:
    tokens = await signed_in(core)
    for _ in range(2):  # days 13 and 26: each within the 14 idle days
        core.clock.advance(13 * DAY)
        tokens = await core.refresh_session(tokens.refresh_token)
    assert await works(core, tokens)
    core.clock.advance(4 * DAY)  # day 30: the maximum, whatever the refreshes
    assert not await refreshes(core, tokens.refresh_token)
    assert not await works(core, tokens)


async def test_an_idle_session_expires(core: Core) -> None:
    tokens = await signed_in(core)
    core.clock.advance(14 * DAY)
    assert not await refreshes(core, tokens.refresh_token)


async def test_an_expired_session_is_not_listed(core: Core) -> None:
    old = await signed_in(core)
    core.clock.advance(10 * DAY)
    new = await signed_in(core)
    caller = await core.current_user(new.access_token)
    assert await listed(core, caller) == [(new.session_id, True), (old.session_id, False)]
    core.clock.advance(4 * DAY)
    caller = await core.current_user((await core.refresh_session(new.refresh_token)).access_token)
    assert await listed(core, caller) == [(new.session_id, True)]


async def test_logout_ends_that_session_only(core: Core) -> None:
    laptop = await signed_in(core)
    phone = await signed_in(core)
    await core.log_out(await core.current_user(laptop.access_token))
    assert not await works(core, laptop)
    assert not await refreshes(core, laptop.refresh_token)
    assert await works(core, phone)
    assert await refreshes(core, phone.refresh_token)


async def test_log_out_everywhere_else(core: Core) -> None:
    sessions = [await signed_in(core) for _ in range(3)]
    bobs = await signed_in(core, "bob")
    here = await core.current_user(sessions[0].access_token)
    assert await core.end_other_own_sessions(here) == 2
    assert [await works(core, each) for each in sessions] == [True, False, False]
    assert await works(core, bobs)
    assert await listed(core, here) == [(sessions[0].session_id, True)]


async def test_ending_one_of_ones_own_sessions_by_id(core: Core) -> None:
    laptop = await signed_in(core)
    phone = await signed_in(core)
    bobs = await signed_in(core, "bob")
    here = await core.current_user(laptop.access_token)
    await core.end_own_session(here, phone.session_id)
    assert not await works(core, phone)
    for not_mine in (phone.session_id, bobs.session_id, "B" * 22, "not an id", "x" * 10_000):
        with pytest.raises(SessionNotFound):
            await core.end_own_session(here, not_mine)
    assert await works(core, bobs)
    await core.end_own_session(here, laptop.session_id)  # this one: like logging out
    assert not await works(core, laptop)


async def test_a_password_change_ends_every_session_of_the_account(core: Core) -> None:
    laptop = await signed_in(core)
    phone = await signed_in(core)
    bobs = await signed_in(core, "bob")
    alice = (await core.current_user(laptop.access_token)).user
    changes = UserChanges(password=PlainPassword("a new passphrase"), current_password=PASSWORD)
    await core.update_user(alice, alice.id, changes)
    for tokens in (laptop, phone):
        assert not await works(core, tokens)
        assert not await refreshes(core, tokens.refresh_token)
    assert await works(core, bobs)
    assert {s.end_reason for s in core.db.state.sessions.values() if s.user_id == alice.id} == {
        EndReason.PASSWORD_CHANGED
    }


async def test_other_changes_to_an_account_keep_its_sessions(core: Core) -> None:
    admin = await core.user("admin", superuser=True)
    tokens = await signed_in(core)
    alice = (await core.current_user(tokens.access_token)).user
    new_email = UserChanges(email=Email("alice@example.org"), current_password=PASSWORD)
    await core.update_user(alice, alice.id, new_email)
    await core.update_user(alice, alice.id, UserChanges(username=Username("alice2")))
    await core.update_user(admin, alice.id, UserChanges(is_superuser=True))
    assert await works(core, tokens)


async def test_deactivation_ends_every_session_and_reactivation_revives_none(
    core: Core,
) -> None:
    admin = await core.user("admin", superuser=True)
    tokens = await signed_in(core)
    alice = (await core.current_user(tokens.access_token)).user
    await core.update_user(admin, alice.id, UserChanges(is_active=False))
    await core.update_user(admin, alice.id, UserChanges(is_active=True))
    assert not await works(core, tokens)
    assert not await refreshes(core, tokens.refresh_token)
    assert await works(core, await signed_in(core))  # a new login works again


async def test_deleting_an_account_deletes_its_sessions(core: Core) -> None:
    tokens = await signed_in(core)
    await core.delete_own_account(await core.current_user(tokens.access_token))
    assert core.db.state.sessions == {}
    assert core.db.state.refresh_tokens == {}
    assert not await refreshes(core, tokens.refresh_token)


async def test_superusers_see_and_end_anyones_sessions(core: Core) -> None:
    admin = await core.user("admin", superuser=True)
    tokens = await signed_in(core)
    alice = (await core.current_user(tokens.access_token)).user
    page = await core.list_user_sessions(admin, alice.id, PageRequest())
    assert [(each.session.id, each.current) for each in page.data] == [(tokens.session_id, False)]
    assert await core.end_user_sessions(admin, alice.id) == 1
    assert not await works(core, tokens)
    assert (await core.list_user_sessions(admin, alice.id, PageRequest())).data == []


async def test_only_superusers_manage_sessions_by_user_id(core: Core) -> None:
    admin = await core.user("admin", superuser=True)
    tokens = await signed_in(core)
    alice = (await core.current_user(tokens.access_token)).user
    for target in (admin.id, alice.id, 999):  # not even one's own, nor a missing id
        with pytest.raises(NotAllowed):
            await core.list_user_sessions(alice, target, PageRequest())
        with pytest.raises(NotAllowed):
            await core.end_user_sessions(alice, target)
    with pytest.raises(UserNotFound):
        await core.list_user_sessions(admin, 999, PageRequest())
    with pytest.raises(UserNotFound):
        await core.end_user_sessions(admin, 999)


async def test_session_pages_have_no_gaps_or_duplicates_when_logins_share_a_time(
    core: Core,
) -> None:
    """The clock stands still: every session starts at the same instant, ties go by id."""
    ids = {(await signed_in(core)).session_id for _ in range(7)}
    caller = await core.caller((await core.current_user((await signed_in(core)).access_token)).user)
    ids.add(caller.session.id)
    seen: list[str] = []
    page = await core.list_own_sessions(caller, PageRequest(limit=3))
    while True:
        seen += [each.session.id for each in page.data]
        if page.next_after is None:
            break
        page = await core.list_own_sessions(caller, PageRequest(limit=3, after=page.next_after))
    assert len(seen) == len(set(seen)) == 9
    assert ids < set(seen)
    assert seen == sorted(seen, reverse=True)


async def test_purge_deletes_ended_and_expired_sessions_with_their_tokens(core: Core) -> None:
    ended = await signed_in(core)
    await core.log_out(await core.current_user(ended.access_token))
    idle = await signed_in(core)
    core.clock.advance(13 * DAY)
    live = await signed_in(core)
    live = await core.refresh_session(live.refresh_token)  # leaves a spent token behind
    core.clock.advance(2 * DAY)  # `idle` is now past its 14 days
    assert (await core.purge()).sessions == 2
    assert set(core.db.state.sessions) == {live.session_id}
    assert {t.session_id for t in core.db.state.refresh_tokens.values()} == {live.session_id}
    assert len(core.db.state.refresh_tokens) == 2
    assert await refreshes(core, live.refresh_token)
    assert not await refreshes(core, idle.refresh_token)
    assert (await core.purge()).sessions == 0

"""Sessions and refresh tokens: one behaviour suite for every persistence adapter.

The conditional writes (spend a token once, end a live session once, refresh only what has
not ended) are what keep rotation and revocation race-safe, so each is checked here against
its rule, including with two units of work racing, and the stores' own filter for live
sessions against `Session.is_live`.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from application.paging import SessionPosition
from domain.errors import UserNotFound
from domain.session import EndReason, RefreshToken, Session, SessionLifetime
from domain.user import User
from tests.contract.conftest import Adapter
from tests.contract.test_persistence_contract import T0, add_user

LIFETIME = SessionLifetime(idle=timedelta(days=14), maximum=timedelta(days=30))
DAY = timedelta(days=1)


async def add_session(
    adapter: Adapter, user: User, at: timedelta = timedelta(0), **client: str | None
) -> tuple[Session, str]:
    """A stored session started at T0 + `at`, and its first refresh token."""
    session = Session.start(user.id, T0 + at, LIFETIME, **client)
    _, token = RefreshToken.issue(session.id, T0 + at)
    async with adapter.uow() as uow:
        await uow.sessions.add(session)
        await uow.sessions.add_refresh_token(token)
        await uow.commit()
    return session, token.digest


async def stored(adapter: Adapter, session_id: str) -> Session | None:
    async with adapter.uow() as uow:
        return await uow.sessions.get(session_id)


async def live_ids(adapter: Adapter, user: User, at: timedelta = timedelta(0)) -> list[str]:
    rows = await adapter.database.sessions.page(user.id, T0 + at, after=None, offset=0, limit=100)
    return [row.id for row in rows]


class TestSessions:
    async def test_a_stored_session_reads_back_identically(self, adapter: Adapter) -> None:
        alice = await add_user(adapter, "alice")
        session, _ = await add_session(
            adapter, alice, user_agent="Firefox/133 ünïcode", ip_address="2001:db8::1"
        )
        loaded = await stored(adapter, session.id)
        assert loaded == session
        assert loaded is not None
        assert loaded.created_at.utcoffset() == timedelta(0)
        bare, _ = await add_session(adapter, alice)
        assert await stored(adapter, bare.id) == bare
        assert (bare.user_agent, bare.ip_address, bare.ended_at, bare.end_reason) == (
            None,
            None,
            None,
            None,
        )

    async def test_a_session_needs_an_existing_user(self, adapter: Adapter) -> None:
        alice = await add_user(adapter, "alice")
        ghost = Session.start(alice.id + 1000, T0, LIFETIME)

        async def add_ghost() -> None:
            """The store may refuse at the insert (SQL) or at commit (memory)."""
            async with adapter.uow() as uow:
                await uow.sessions.add(ghost)
                await uow.commit()

        with pytest.raises(UserNotFound):
            await add_ghost()
        assert await stored(adapter, ghost.id) is None

    async def test_an_end_reason_is_kept(self, adapter: Adapter) -> None:
        alice = await add_user(adapter, "alice")
        session, _ = await add_session(adapter, alice)
        async with adapter.uow() as uow:
            assert await uow.sessions.end(session.id, T0 + DAY, EndReason.REFRESH_TOKEN_REUSE)
            await uow.commit()
        loaded = await stored(adapter, session.id)
        assert loaded is not None
        assert (loaded.ended_at, loaded.end_reason) == (T0 + DAY, EndReason.REFRESH_TOKEN_REUSE)


class TestRefreshTokens:
    async def test_a_token_is_spent_once(self, adapter: Adapter) -> None:
        alice = await add_user(adapter, "alice")
        session, digest = await add_session(adapter, alice)
        async with adapter.uow() as uow:
            assert await uow.sessions.spend_refresh_token(digest, T0 + DAY) == session.id
            assert await uow.sessions.spend_refresh_token(digest, T0 + DAY) is None
            await uow.commit()
        async with adapter.uow() as uow:
            assert await uow.sessions.spend_refresh_token(digest, T0 + DAY) is None
            assert await uow.sessions.session_of_refresh_token(digest) == session.id
            assert await uow.sessions.session_of_refresh_token("0" * 64) is None
            assert await uow.sessions.spend_refresh_token("0" * 64, T0) is None

    async def test_a_spend_that_is_rolled_back_leaves_the_token_unspent(
        self, adapter: Adapter
    ) -> None:
        alice = await add_user(adapter, "alice")
        session, digest = await add_session(adapter, alice)
        async with adapter.uow() as uow:
            assert await uow.sessions.spend_refresh_token(digest, T0) == session.id
        async with adapter.uow() as uow:
            assert await uow.sessions.spend_refresh_token(digest, T0) == session.id

    async def test_two_units_of_work_racing_to_spend_one_token_have_one_winner(
        self, adapter: Adapter
    ) -> None:
        alice = await add_user(adapter, "alice")
        session, digest = await add_session(adapter, alice)

        async def spend() -> str | None:
            async with adapter.uow() as uow:
                spent = await uow.sessions.spend_refresh_token(digest, T0)
                await asyncio.sleep(0.05)  # hold the transaction open while the other tries
                await uow.commit()
            return spent

        results = await asyncio.gather(*(spend() for _ in range(5)))
        assert (results.count(session.id), results.count(None)) == (1, 4)


class TestConditionalWrites:
    async def test_a_session_ends_once(self, adapter: Adapter) -> None:
        alice = await add_user(adapter, "alice")
        session, _ = await add_session(adapter, alice)
        async with adapter.uow() as uow:
            assert await uow.sessions.end(session.id, T0, EndReason.LOGOUT)
            assert not await uow.sessions.end(session.id, T0 + DAY, EndReason.REVOKED)
            await uow.commit()
        loaded = await stored(adapter, session.id)
        assert loaded is not None
        assert (loaded.ended_at, loaded.end_reason) == (T0, EndReason.LOGOUT)

    async def test_ending_by_owner_spares_other_users_sessions(self, adapter: Adapter) -> None:
        alice = await add_user(adapter, "alice")
        bob = await add_user(adapter, "bob")
        bobs, _ = await add_session(adapter, bob)
        async with adapter.uow() as uow:
            assert not await uow.sessions.end(bobs.id, T0, EndReason.REVOKED, user_id=alice.id)
            assert not await uow.sessions.end("B" * 22, T0, EndReason.REVOKED, user_id=alice.id)
            assert await uow.sessions.end(bobs.id, T0, EndReason.REVOKED, user_id=bob.id)
            await uow.commit()

    async def test_an_expired_session_is_not_ended_again(self, adapter: Adapter) -> None:
        alice = await add_user(adapter, "alice")
        session, _ = await add_session(adapter, alice)
        async with adapter.uow() as uow:
            assert not await uow.sessions.end(session.id, T0 + 14 * DAY, EndReason.LOGOUT)

    async def test_an_ended_session_is_not_refreshed(self, adapter: Adapter) -> None:
        alice = await add_user(adapter, "alice")
        session, _ = await add_session(adapter, alice)
        async with adapter.uow() as uow:
            await uow.sessions.end(session.id, T0, EndReason.LOGOUT)
            await uow.commit()
        session.refresh(T0, LIFETIME)  # as read before it ended
        session.last_used_at = T0 + DAY
        async with adapter.uow() as uow:
            assert not await uow.sessions.update(session)
            await uow.commit()
        loaded = await stored(adapter, session.id)
        assert loaded is not None
        assert (loaded.last_used_at, loaded.end_reason) == (T0, EndReason.LOGOUT)

    async def test_a_refresh_is_written_back(self, adapter: Adapter) -> None:
        alice = await add_user(adapter, "alice")
        session, _ = await add_session(adapter, alice)
        session.refresh(T0 + 3 * DAY, LIFETIME)
        async with adapter.uow() as uow:
            assert await uow.sessions.update(session)
            await uow.commit()
        assert await stored(adapter, session.id) == session

    async def test_end_all_ends_every_session_of_the_user_but_the_one_kept(
        self, adapter: Adapter
    ) -> None:
        alice = await add_user(adapter, "alice")
        bob = await add_user(adapter, "bob")
        alices = [(await add_session(adapter, alice, at=n * DAY))[0] for n in range(3)]
        bobs, _ = await add_session(adapter, bob)
        async with adapter.uow() as uow:
            ended = await uow.sessions.end_all(
                alice.id, T0 + 3 * DAY, EndReason.REVOKED, keep=alices[0].id
            )
            await uow.commit()
        assert ended == 2
        assert await live_ids(adapter, alice, 3 * DAY) == [alices[0].id]
        assert await live_ids(adapter, bob) == [bobs.id]
        async with adapter.uow() as uow:
            assert await uow.sessions.end_all(alice.id, T0 + 3 * DAY, EndReason.DEACTIVATED) == 1
            await uow.commit()
        assert await live_ids(adapter, alice, 3 * DAY) == []


class TestLiveSessions:
    async def test_a_page_lists_live_sessions_newest_first_ties_by_id(
        self, adapter: Adapter
    ) -> None:
        alice = await add_user(adapter, "alice")
        bob = await add_user(adapter, "bob")
        older, _ = await add_session(adapter, alice)
        tied = [(await add_session(adapter, alice, at=DAY))[0] for _ in range(6)]
        await add_session(adapter, bob, at=2 * DAY)
        expected = [s.id for s in sorted(tied, key=lambda s: s.id, reverse=True)] + [older.id]
        assert await live_ids(adapter, alice, DAY) == expected
        first = await adapter.database.sessions.page(
            alice.id, T0 + DAY, after=None, offset=0, limit=3
        )
        after = SessionPosition(first[-1].created_at, first[-1].id)
        rest = await adapter.database.sessions.page(
            alice.id, T0 + DAY, after=after, offset=0, limit=10
        )
        assert [s.id for s in first + rest] == expected
        skipped = await adapter.database.sessions.page(
            alice.id, T0 + DAY, after=None, offset=5, limit=10
        )
        assert [s.id for s in skipped] == expected[5:]

    async def test_live_means_what_the_domain_says_to_the_microsecond(
        self, adapter: Adapter
    ) -> None:
        alice = await add_user(adapter, "alice")
        idle, _ = await add_session(adapter, alice)
        capped, _ = await add_session(adapter, alice)
        ended, _ = await add_session(adapter, alice, at=DAY)
        capped.refresh(T0 + 13 * DAY, LIFETIME)
        capped.refresh(T0 + 26 * DAY, LIFETIME)
        async with adapter.uow() as uow:
            assert await uow.sessions.update(capped)
            assert await uow.sessions.end(ended.id, T0 + DAY, EndReason.LOGOUT)
            await uow.commit()
        ended = await stored(adapter, ended.id)  # type: ignore[assignment]
        sessions = [idle, capped, ended]
        tick = timedelta(microseconds=1)
        for moment in (
            T0 + DAY,
            T0 + 14 * DAY - tick,
            T0 + 14 * DAY,
            T0 + 30 * DAY - tick,
            T0 + 30 * DAY,
        ):
            expected = [s.id for s in sessions if s.is_live(moment)]
            rows = await adapter.database.sessions.page(
                alice.id, moment, after=None, offset=0, limit=10
            )
            assert sorted(r.id for r in rows) == sorted(expected), moment

    async def test_signed_in_reads_the_user_and_their_session(self, adapter: Adapter) -> None:
        alice = await add_user(adapter, "alice")
        bob = await add_user(adapter, "bob")
        session, _ = await add_session(adapter, alice)
        found = await adapter.database.sessions.signed_in(alice.id, session.id)
        assert found is not None
        assert (found.user, found.session) == (alice, session)
        assert await adapter.database.sessions.signed_in(bob.id, session.id) is None
        assert await adapter.database.sessions.signed_in(alice.id, "B" * 22) is None
        async with adapter.uow() as uow:
            await uow.sessions.end(session.id, T0, EndReason.LOGOUT)
            await uow.commit()
        ended = await adapter.database.sessions.signed_in(alice.id, session.id)
        assert ended is not None  # found, and ended: the caller judges
        assert not ended.session.is_live(T0)

    async def test_purge_deletes_what_is_not_live_with_its_tokens(self, adapter: Adapter) -> None:
        alice = await add_user(adapter, "alice")
        live, live_token = await add_session(adapter, alice, at=DAY)
        expired, expired_token = await add_session(adapter, alice)
        ended, ended_token = await add_session(adapter, alice, at=DAY)
        async with adapter.uow() as uow:
            await uow.sessions.end(ended.id, T0 + DAY, EndReason.LOGOUT)
            await uow.commit()
        async with adapter.uow() as uow:
            assert await uow.sessions.purge(T0 + 14 * DAY) == 2
            await uow.commit()
        assert await stored(adapter, live.id) == live
        assert await stored(adapter, expired.id) is None
        assert await stored(adapter, ended.id) is None
        async with adapter.uow() as uow:
            assert await uow.sessions.session_of_refresh_token(live_token) == live.id
            assert await uow.sessions.session_of_refresh_token(expired_token) is None
            assert await uow.sessions.session_of_refresh_token(ended_token) is None

    async def test_deleting_a_user_deletes_their_sessions_and_tokens(
        self, adapter: Adapter
    ) -> None:
        alice = await add_user(adapter, "alice")
        bob = await add_user(adapter, "bob")
        session, digest = await add_session(adapter, alice)
        bobs, _ = await add_session(adapter, bob)
        async with adapter.uow() as uow:
            await uow.users.delete(alice.id)
            await uow.commit()
        assert await stored(adapter, session.id) is None
        assert await stored(adapter, bobs.id) == bobs
        async with adapter.uow() as uow:
            assert await uow.sessions.session_of_refresh_token(digest) is None


async def test_the_caller_and_session_are_one_statement(sql_adapter: Adapter) -> None:
    """Every authenticated request runs this: one statement, however the session stands."""
    adapter = sql_adapter
    assert adapter.log is not None
    alice = await add_user(adapter, "alice")
    session, _ = await add_session(adapter, alice)
    with adapter.log.count_during() as counted:
        assert await adapter.database.sessions.signed_in(alice.id, session.id) is not None
    assert counted.count == 1

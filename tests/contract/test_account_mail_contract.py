"""Account tokens and the outbox: one behaviour suite for every persistence adapter.

What keeps the mail features safe is in the stores: a link token is spent once, atomically;
due mail is claimed by one relay at a time; mail written in a unit of work that rolls back
never exists. Each is checked here, with units of work racing where it matters.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from domain.account_token import AccountToken, AccountTokenLifetimes, TokenPurpose
from domain.errors import UserNotFound
from domain.mail import Mail, MailState
from domain.user import User
from domain.values import Email
from tests.contract.conftest import Adapter
from tests.contract.test_persistence_contract import T0, add_user

LIFETIMES = AccountTokenLifetimes()
RESET = TokenPurpose.PASSWORD_RESET
VERIFY = TokenPurpose.EMAIL_VERIFICATION
LEASE = timedelta(minutes=5)
MINUTE = timedelta(minutes=1)


async def add_token(adapter: Adapter, user: User, purpose: TokenPurpose = RESET) -> AccountToken:
    _, token = AccountToken.issue(user, purpose, T0, LIFETIMES)
    async with adapter.uow() as uow:
        await uow.account_tokens.add(token)
        await uow.commit()
    return token


async def add_mails(adapter: Adapter, count: int, at: timedelta = timedelta(0)) -> None:
    async with adapter.uow() as uow:
        for n in range(count):
            await uow.outbox.add(
                Mail.compose(Email(f"user{n}@example.com"), f"Mail {n}", f"Body {n}\n", T0 + at)
            )
        await uow.commit()


async def claim(adapter: Adapter, at: timedelta = timedelta(0), limit: int = 10) -> list[Mail]:
    async with adapter.uow() as uow:
        claimed = await uow.outbox.claim_due(T0 + at, LEASE, limit)
        await uow.commit()
    return claimed


class TestAccountTokens:
    async def test_a_stored_token_reads_back_identically(self, adapter: Adapter) -> None:
        alice = await add_user(adapter, "alice")
        token = await add_token(adapter, alice, VERIFY)
        async with adapter.uow() as uow:
            assert await uow.account_tokens.get(token.digest) == token

    async def test_a_token_needs_an_existing_user_and_goes_with_it(self, adapter: Adapter) -> None:
        alice = await add_user(adapter, "alice")
        token = await add_token(adapter, alice)
        ghost = AccountToken.issue(alice, RESET, T0, LIFETIMES)[1]
        async with adapter.uow() as uow:
            await uow.users.delete(alice.id)
            await uow.commit()
        async with adapter.uow() as uow:
            assert await uow.account_tokens.get(token.digest) is None

        async def add_ghost() -> None:
            async with adapter.uow() as uow:
                await uow.account_tokens.add(ghost)
                await uow.commit()

        with pytest.raises(UserNotFound):
            await add_ghost()

    async def test_a_token_is_spent_once_for_its_purpose_before_it_expires(
        self, adapter: Adapter
    ) -> None:
        alice = await add_user(adapter, "alice")
        token = await add_token(adapter, alice)
        expires = T0 + LIFETIMES.password_reset
        async with adapter.uow() as uow:
            assert await uow.account_tokens.spend(token.digest, VERIFY, T0) is None
            assert await uow.account_tokens.spend(token.digest, RESET, expires) is None
            assert await uow.account_tokens.spend("0" * 64, RESET, T0) is None
            spent = await uow.account_tokens.spend(token.digest, RESET, expires - MINUTE)
            assert spent is not None
            assert (spent.user_id, spent.email, spent.used_at) == (
                alice.id,
                alice.email,
                expires - MINUTE,
            )
            assert await uow.account_tokens.spend(token.digest, RESET, T0) is None
            await uow.commit()

    async def test_a_spend_that_rolls_back_leaves_the_token_unspent(self, adapter: Adapter) -> None:
        alice = await add_user(adapter, "alice")
        token = await add_token(adapter, alice)
        async with adapter.uow() as uow:
            assert await uow.account_tokens.spend(token.digest, RESET, T0) is not None
        async with adapter.uow() as uow:
            assert await uow.account_tokens.spend(token.digest, RESET, T0) is not None

    async def test_units_of_work_racing_to_spend_one_token_have_one_winner(
        self, adapter: Adapter
    ) -> None:
        alice = await add_user(adapter, "alice")
        token = await add_token(adapter, alice)

        async def spend() -> bool:
            async with adapter.uow() as uow:
                spent = await uow.account_tokens.spend(token.digest, RESET, T0)
                await asyncio.sleep(0.05)  # hold the transaction open while the others try
                await uow.commit()
            return spent is not None

        results = await asyncio.gather(*(spend() for _ in range(5)))
        assert (results.count(True), results.count(False)) == (1, 4)

    async def test_void_spends_the_users_unspent_tokens_of_one_purpose(
        self, adapter: Adapter
    ) -> None:
        alice = await add_user(adapter, "alice")
        bob = await add_user(adapter, "bob")
        resets = [await add_token(adapter, alice) for _ in range(2)]
        verification = await add_token(adapter, alice, VERIFY)
        bobs = await add_token(adapter, bob)
        async with adapter.uow() as uow:
            assert await uow.account_tokens.void(alice.id, RESET, T0) == 2
            await uow.commit()
        async with adapter.uow() as uow:
            for token in resets:
                assert await uow.account_tokens.spend(token.digest, RESET, T0) is None
            assert await uow.account_tokens.spend(verification.digest, VERIFY, T0) is not None
            assert await uow.account_tokens.spend(bobs.digest, RESET, T0) is not None

    async def test_purge_deletes_spent_and_expired_tokens_only(self, adapter: Adapter) -> None:
        alice = await add_user(adapter, "alice")
        spent, first, second = [await add_token(adapter, alice) for _ in range(3)]
        long = await add_token(adapter, alice, VERIFY)
        later = T0 + LIFETIMES.password_reset  # the reset tokens have expired, `long` not
        async with adapter.uow() as uow:
            assert await uow.account_tokens.spend(spent.digest, RESET, T0) is not None
            await uow.commit()
        async with adapter.uow() as uow:
            assert await uow.account_tokens.purge(T0 + MINUTE) == 1
            assert await uow.account_tokens.purge(later) == 2
            await uow.commit()
        async with adapter.uow() as uow:
            assert [await uow.account_tokens.get(t.digest) for t in (first, second)] == [None, None]
            assert await uow.account_tokens.get(long.digest) == long


class TestOutbox:
    async def test_mail_in_a_unit_of_work_that_rolls_back_never_exists(
        self, adapter: Adapter
    ) -> None:
        async with adapter.uow() as uow:
            await uow.outbox.add(Mail.compose(Email("a@example.com"), "Hi", "Body\n", T0))
        assert await claim(adapter) == []
        assert await adapter.database.mail.counts() in ({}, {MailState.PENDING: 0})

    async def test_due_mail_is_claimed_oldest_first_and_not_again_within_the_lease(
        self, adapter: Adapter
    ) -> None:
        await add_mails(adapter, 3)
        await add_mails(adapter, 1, at=MINUTE)  # not due yet at T0
        first = await claim(adapter, limit=2)
        assert [mail.subject for mail in first] == ["Mail 0", "Mail 1"]
        assert all(mail.attempts == 1 for mail in first)
        assert all(mail.next_attempt_at == T0 + LEASE for mail in first)
        assert [mail.subject for mail in await claim(adapter)] == ["Mail 2"]
        assert [mail.subject for mail in await claim(adapter, MINUTE)] == ["Mail 0"]
        again = await claim(adapter, LEASE)  # a relay that died leaves its claims due again
        assert sorted(mail.subject for mail in again) == ["Mail 0", "Mail 1", "Mail 2"]
        assert {mail.subject: mail.attempts for mail in again}["Mail 0"] == 2

    async def test_relays_racing_claim_disjoint_mails_and_miss_none(self, adapter: Adapter) -> None:
        await add_mails(adapter, 9)

        async def relay() -> list[int]:
            async with adapter.uow() as uow:
                claimed = await uow.outbox.claim_due(T0, LEASE, 3)
                await asyncio.sleep(0.05)  # hold the claims uncommitted while the others run
                await uow.commit()
            return [mail.id for mail in claimed]

        batches = await asyncio.gather(*(relay() for _ in range(3)))
        claimed = [mail_id for batch in batches for mail_id in batch]
        assert len(claimed) == len(set(claimed)) == 9

    async def test_an_outcome_is_written_back_and_counted(self, adapter: Adapter) -> None:
        await add_mails(adapter, 3)
        sent, failed, retrying = await claim(adapter)
        sent.sent(T0)
        failed.state, failed.body, failed.last_error = MailState.FAILED, None, "550 no mailbox"
        retrying.next_attempt_at, retrying.last_error = T0 + MINUTE, "421 busy"
        async with adapter.uow() as uow:
            for mail in (sent, failed, retrying):
                await uow.outbox.update(mail)
            await uow.commit()
        counts = await adapter.database.mail.counts()
        assert {state: counts.get(state, 0) for state in MailState} == {
            MailState.PENDING: 1,
            MailState.SENT: 1,
            MailState.FAILED: 1,
        }
        [listed] = await adapter.database.mail.failed(10)
        assert (listed.id, listed.last_error, listed.body) == (failed.id, "550 no mailbox", None)
        assert [mail.id for mail in await claim(adapter, MINUTE)] == [retrying.id]
        async with adapter.uow() as uow:
            assert await uow.outbox.purge() == 1  # the sent one
            await uow.commit()
        assert MailState.SENT not in await adapter.database.mail.counts()

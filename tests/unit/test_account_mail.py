"""Account recovery, email verification and the outbox through the use cases, in memory: the
rules as a user meets them (forgot the password, got a link, set a new one), in milliseconds."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from adapters.mail.console import ConsoleMailer
from adapters.security import BcryptPasswordHasher
from application.errors import MailNotSent, MailRequestThrottled, NotAuthenticated
from application.use_cases.users import UserChanges
from domain.errors import EmailNotVerified, InvalidAccountToken
from domain.item import ItemDetails
from domain.mail import MailState, RetryPolicy
from domain.session import EndReason
from domain.values import Email, PlainPassword, Price, Title
from tests.unit.core import CLIENT, PASSWORD, Core, build_core

NEW_PASSWORD = PlainPassword("a brand new passphrase")
LINK = re.compile(r"http://127\.0\.0\.1:8000/(reset-password|verify-email)\?token=\S+")


async def delivered(core: Core) -> list[tuple[str, str, str]]:
    """Run the relay once; what reached the mail server: (to, subject, body)."""
    await core.relay_mail()
    sent = [(mail.to, mail.subject, mail.body) for mail in core.mailer.sent]
    core.mailer.sent.clear()
    return sent


def token_in(body: str) -> str:
    match = LINK.search(body)
    assert match is not None, body
    return parse_qs(urlsplit(match.group(0)).query)["token"][0]


async def reset_token(core: Core, email: str = "alice@example.com") -> str:
    await core.request_password_reset(Email(email))
    (to, subject, body), *_ = await delivered(core)
    assert (to, subject) == (email, "Reset your itemhub password")
    return token_in(body)


async def logs_in(core: Core, name: str, password: str) -> bool:
    try:
        await core.login(name, password)
    except Exception:
        return False
    return True


class TestRegistrationAndVerification:
    async def test_a_new_account_is_unverified_and_is_mailed_a_link_that_verifies_it(
        self, core: Core
    ) -> None:
        alice = await core.user("alice")
        assert not alice.email_verified
        [(to, subject, body)] = await delivered(core)
        assert (to, subject) == ("alice@example.com", "Confirm your email address for itemhub")
        assert "/verify-email?token=" in body
        await core.verify_email(token_in(body))
        assert (await core.get_user(alice, alice.id)).email_verified

    async def test_a_verification_link_works_once(self, core: Core) -> None:
        await core.user("alice")
        [(_, _, body)] = await delivered(core)
        await core.verify_email(token_in(body))
        with pytest.raises(InvalidAccountToken) as used:
            await core.verify_email(token_in(body))
        assert used.value.reason == InvalidAccountToken.USED

    async def test_a_verification_link_expires_after_its_hours(self, core: Core) -> None:
        await core.user("alice")
        [(_, _, body)] = await delivered(core)
        core.clock.advance(timedelta(hours=48))
        with pytest.raises(InvalidAccountToken) as expired:
            await core.verify_email(token_in(body))
        assert expired.value.reason == InvalidAccountToken.EXPIRED

    async def test_superusers_made_by_the_operator_are_verified_and_mailed_nothing(
        self, core: Core
    ) -> None:
        root = await core.user("root", superuser=True)
        assert root.email_verified
        assert await delivered(core) == []

    async def test_changing_the_email_unverifies_it_mails_the_new_one_and_tells_the_old(
        self, core: Core
    ) -> None:
        alice = await core.user("alice")
        [(_, _, first_link)] = await delivered(core)
        await core.verify_email(token_in(first_link))
        alice = await core.get_user(alice, alice.id)
        changed = await core.update_user(
            alice,
            alice.id,
            UserChanges(email=Email("alice@new.example"), current_password=PASSWORD),
        )
        assert not changed.email_verified
        mails = {to: (subject, body) for to, subject, body in await delivered(core)}
        assert set(mails) == {"alice@new.example", "alice@example.com"}
        assert mails["alice@example.com"][0] == "Your itemhub email address was changed"
        assert "alice@new.example" in mails["alice@example.com"][1]
        await core.verify_email(token_in(mails["alice@new.example"][1]))
        assert (await core.get_user(changed, alice.id)).email_verified

    async def test_a_link_sent_to_an_address_the_account_has_left_does_not_verify_it(
        self, core: Core
    ) -> None:
        alice = await core.user("alice")
        [(_, _, old_link)] = await delivered(core)
        await core.update_user(
            alice,
            alice.id,
            UserChanges(email=Email("alice@new.example"), current_password=PASSWORD),
        )
        with pytest.raises(InvalidAccountToken) as stale:
            await core.verify_email(token_in(old_link))
        assert stale.value.reason == InvalidAccountToken.STALE
        assert not (await core.get_user(alice, alice.id)).email_verified

    async def test_resend_mails_a_new_link_unless_verified_and_is_limited(self, core: Core) -> None:
        alice = await core.user("alice")
        await delivered(core)
        caller = await core.caller(alice)
        await core.resend_verification(caller, CLIENT)
        [(_, _, body)] = await delivered(core)
        await core.verify_email(token_in(body))
        await core.resend_verification(caller, CLIENT)  # verified now: nothing to send
        assert await delivered(core) == []
        for _ in range(3):  # 5 an hour per account, verified or not: the 6th is refused
            await core.resend_verification(caller, CLIENT)
        with pytest.raises(MailRequestThrottled):
            await core.resend_verification(caller, CLIENT)


class TestPasswordReset:
    async def test_a_reset_link_sets_a_new_password_and_ends_every_session(
        self, core: Core
    ) -> None:
        alice = await core.user("alice")
        await delivered(core)
        phone = await core.sign_in("alice")
        await core.confirm_password_reset(await reset_token(core), NEW_PASSWORD)
        assert not await logs_in(core, "alice", PASSWORD)
        assert await logs_in(core, "alice", NEW_PASSWORD.value)
        with pytest.raises(NotAuthenticated):
            await core.current_user(phone.access_token)
        ended = core.db.state.sessions[phone.session_id]
        assert ended.end_reason is EndReason.PASSWORD_RESET
        [(to, subject, _)] = await delivered(core)
        assert (to, subject) == ("alice@example.com", "Your itemhub password was changed")
        assert (await core.get_user(alice, alice.id)).email_verified  # the link proved it

    async def test_a_reset_link_works_once_and_voids_the_accounts_other_links(
        self, core: Core
    ) -> None:
        await core.user("alice")
        await delivered(core)
        first, second = await reset_token(core), await reset_token(core)
        await core.confirm_password_reset(second, NEW_PASSWORD)
        for token in (first, second):
            with pytest.raises(InvalidAccountToken) as refused:
                await core.confirm_password_reset(token, PlainPassword("yet another one"))
            assert refused.value.reason == InvalidAccountToken.USED

    async def test_a_reset_link_expires_after_its_minutes(self, core: Core) -> None:
        await core.user("alice")
        await delivered(core)
        token = await reset_token(core)
        core.clock.advance(timedelta(minutes=30))
        with pytest.raises(InvalidAccountToken) as expired:
            await core.confirm_password_reset(token, NEW_PASSWORD)
        assert expired.value.reason == InvalidAccountToken.EXPIRED
        assert await logs_in(core, "alice", PASSWORD)

    async def test_unknown_and_inactive_addresses_get_no_mail(self, core: Core) -> None:
        root = await core.user("root", superuser=True)
        bob = await core.user("bob")
        await core.update_user(root, bob.id, UserChanges(is_active=False))
        await delivered(core)
        await core.request_password_reset(Email("nobody@example.com"))
        await core.request_password_reset(Email("bob@example.com"))
        assert await delivered(core) == []

    async def test_requests_are_limited_per_email_and_per_address_whether_or_not_it_exists(
        self, core: Core
    ) -> None:
        for _ in range(5):
            await core.request_password_reset.admit(Email("nobody@example.com"), CLIENT)
        with pytest.raises(MailRequestThrottled):
            await core.request_password_reset.admit(Email("NOBODY@example.com"), CLIENT)
        for n in range(15):  # 20 an hour from one address, whatever the email
            await core.request_password_reset.admit(Email(f"x{n}@example.com"), CLIENT)
        with pytest.raises(MailRequestThrottled):
            await core.request_password_reset.admit(Email("fresh@example.com"), CLIENT)
        await core.request_password_reset.admit(Email("fresh@example.com"), "198.51.100.7")

    async def test_a_garbage_token_is_refused_without_hashing_a_password(self, core: Core) -> None:
        calls = 0
        original = core.container.hasher().hash

        async def counting(password: str) -> str:
            nonlocal calls
            calls += 1
            return await original(password)

        core.container.hasher().hash = counting  # type: ignore[method-assign]
        for token in ("short", "A" * 43):
            with pytest.raises(InvalidAccountToken):
                await core.confirm_password_reset(token, NEW_PASSWORD)
        assert calls == 0


class TestTheOutbox:
    async def test_a_change_that_rolls_back_leaves_no_mail(self, core: Core) -> None:
        alice = await core.user("alice")
        await core.user("bob")
        await delivered(core)
        with pytest.raises(Exception, match="already registered"):
            await core.update_user(
                alice,
                alice.id,
                UserChanges(email=Email("bob@example.com"), current_password=PASSWORD),
            )
        assert core.db.state.mails == {} or all(
            mail.state is MailState.SENT for mail in core.db.state.mails.values()
        )
        assert await delivered(core) == []

    async def test_a_mail_server_outage_is_ridden_out_and_each_mail_arrives_once(
        self, core: Core
    ) -> None:
        core.mailer.refuse = MailNotSent("connection refused")
        await core.user("alice")
        for _ in range(3):
            assert await delivered(core) == []
            core.clock.advance(timedelta(hours=1))
        core.mailer.refuse = None
        [(to, _, _)] = await delivered(core)
        assert to == "alice@example.com"
        core.clock.advance(timedelta(hours=1))
        assert await delivered(core) == []
        [mail] = core.db.state.mails.values()
        assert (mail.state, mail.attempts, mail.body) == (MailState.SENT, 4, None)

    async def test_a_failed_attempt_waits_longer_each_time_and_gives_up_with_the_reason(
        self, core: Core
    ) -> None:
        core.mailer.refuse = MailNotSent("451 try later")
        await core.user("alice")
        waits = []
        policy = RetryPolicy()
        for _ in range(policy.max_attempts):
            await delivered(core)
            [mail] = core.db.state.mails.values()
            waits.append(mail.next_attempt_at - core.clock.now())
            core.clock.advance(timedelta(hours=1))
        [mail] = core.db.state.mails.values()
        assert (mail.state, mail.attempts, mail.last_error) == (
            MailState.FAILED,
            8,
            "451 try later",
        )
        assert mail.body is None  # its token does not linger
        assert waits[:4] == [timedelta(seconds=30 * 2**n) for n in range(4)]
        core.mailer.refuse = None
        assert await delivered(core) == []

    async def test_a_permanent_refusal_fails_at_once(self, core: Core) -> None:
        core.mailer.refuse = MailNotSent("550 no such mailbox", permanent=True)
        await core.user("alice")
        await delivered(core)
        [mail] = core.db.state.mails.values()
        assert (mail.state, mail.attempts) == (MailState.FAILED, 1)

    async def test_purge_removes_sent_mail_and_spent_or_expired_tokens(self, core: Core) -> None:
        await core.user("alice")
        [(_, _, body)] = await delivered(core)
        await core.verify_email(token_in(body))
        await reset_token(core)  # unspent, unexpired: kept
        purged = await core.purge()
        assert (purged.mails, purged.account_tokens) == (2, 1)
        assert len(core.db.state.account_tokens) == 1


class TestVerifiedEmailRequirement:
    async def test_unverified_accounts_cannot_write_items_when_the_operator_requires_it(
        self, hasher: BcryptPasswordHasher
    ) -> None:
        core = build_core(hasher, require_verified_email=True)
        alice = await core.user("alice")
        details = ItemDetails(title=Title("Lamp"), price=Price(Decimal("10")))
        with pytest.raises(EmailNotVerified):
            await core.create_item(alice, details)
        [(_, _, body)] = await delivered(core)
        await core.verify_email(token_in(body))
        alice = await core.get_user(alice, alice.id)
        item = await core.create_item(alice, details)
        assert item.owner_id == alice.id


async def test_the_console_mailer_writes_the_whole_mail_to_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The development default: a `make run` user follows the link from the terminal."""
    mailer = ConsoleMailer("console://", "itemhub <no-reply@localhost>")
    body = "Open this link:\n\nhttp://127.0.0.1:8000/verify-email?token=abc\n"
    with caplog.at_level("INFO", logger="itemhub.mail"):
        await mailer.send("alice@example.com", "Confirm your email address", body)
    [record] = caplog.records
    assert "To: alice@example.com" in record.getMessage()
    assert "Subject: Confirm your email address" in record.getMessage()
    assert body in record.getMessage()

"""Account recovery and email verification: the mailed single-use links and what they do.

Every mail here is written to the outbox in the unit of work of the change it reports, so a
change that rolls back sends nothing and one that commits cannot lose its mail
(`mail_relay.py` sends it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from application import letters
from application.attempts import MailLimits, mail_request_quotas
from application.errors import MailRequestThrottled
from application.letters import Links
from application.ports import (
    AttemptLimiter,
    Clock,
    PasswordHasher,
    UnitOfWork,
    UnitOfWorkFactory,
)
from application.use_cases.auth import Caller
from domain.account_token import AccountToken, AccountTokenLifetimes, TokenPurpose
from domain.errors import InvalidAccountToken
from domain.opaque_token import digest_of
from domain.session import EndReason
from domain.user import User
from domain.values import Email, PlainPassword

RESET = TokenPurpose.PASSWORD_RESET
VERIFICATION = TokenPurpose.EMAIL_VERIFICATION


@dataclass(frozen=True, slots=True)
class AccountMail:
    """Where links point and how long they work: what every use case that mails a link needs."""

    links: Links
    lifetimes: AccountTokenLifetimes

    async def send_verification(self, uow: UnitOfWork, user: User, clock: Clock) -> None:
        """Store a verification token for the user's current address and queue its mail."""
        now = clock.now()
        token, stored = AccountToken.issue(user, VERIFICATION, now, self.lifetimes)
        await uow.account_tokens.add(stored)
        link = self.links.verify(token)
        await uow.outbox.add(
            letters.email_verification(user, link, self.lifetimes.email_verification, now)
        )

    async def send_reset(self, uow: UnitOfWork, user: User, clock: Clock) -> None:
        now = clock.now()
        token, stored = AccountToken.issue(user, RESET, now, self.lifetimes)
        await uow.account_tokens.add(stored)
        link = self.links.reset(token)
        await uow.outbox.add(letters.password_reset(user, link, self.lifetimes.password_reset, now))


class _MailRequest:
    """What a use case that mails a link on request needs, and its limits: each request is
    counted per recipient and per client address (MailRequestThrottled past either)."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        mail: AccountMail,
        limiter: AttemptLimiter,
        limits: MailLimits,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._mail = mail
        self._limiter = limiter
        self._limits = limits

    async def _admit(self, kind: str, recipient: str, client_address: str) -> None:
        quotas = mail_request_quotas(kind, recipient, client_address, self._limits)
        attempt = await self._limiter.reserve(*quotas)
        if not attempt.granted:
            raise MailRequestThrottled(attempt.retry_after)


class RequestPasswordReset(_MailRequest):
    """Mail a reset link to an active account's address (POST /auth/password-reset).

    Rules:
    - `admit` counts the request per client address and per email, whether or not an account
      has the email, and raises MailRequestThrottled past either limit: nobody's inbox can be
      flooded, and a 429 tells nothing about which addresses have accounts;
    - the answer is the same whether or not an account exists, and so is its timing: the edge
      answers once `admit` passes and runs the rest (`__call__`) after the answer is sent;
    - only an active account gets a mail; earlier links stay valid until one is used.
    """

    async def admit(self, email: Email, client_address: str) -> None:
        await self._admit("reset", email.value, client_address)

    async def __call__(self, email: Email) -> None:
        async with self._uow() as uow:
            user = await uow.users.get_by_email(email)
            if user is None or not user.is_active:
                return
            await self._mail.send_reset(uow, user, self._clock)
            await uow.commit()


async def _check(
    uow_factory: UnitOfWorkFactory, clock: Clock, token: str, purpose: TokenPurpose
) -> str:
    """The token's digest if it could be spent now; InvalidAccountToken saying why not. Only
    a look-up: spending it (atomically) is what decides."""
    digest = digest_of(token)
    if digest is None:
        raise InvalidAccountToken
    async with uow_factory() as uow:
        found = await uow.account_tokens.get(digest)
    if found is None or found.purpose is not purpose:
        raise InvalidAccountToken
    if reason := found.why_not_spendable(clock.now()):
        raise InvalidAccountToken(reason)
    return digest


async def _spend(uow: UnitOfWork, digest: str, purpose: TokenPurpose, now: datetime) -> User:
    """Spend the token and give its account, or raise InvalidAccountToken: spent meanwhile
    (by a racing request), or for an address the account no longer has."""
    spent = await uow.account_tokens.spend(digest, purpose, now)
    if spent is None:
        raise InvalidAccountToken(InvalidAccountToken.USED)
    user = await uow.users.get(spent.user_id)
    if user is None or not spent.still_applies_to(user):
        raise InvalidAccountToken(InvalidAccountToken.STALE)
    return user


class ConfirmPasswordReset:
    """Set a new password with a reset link's token (POST /auth/password-reset/confirm).

    Rules: the token must be an unspent, unexpired reset token for the address the active
    account still has (InvalidAccountToken otherwise). It is spent atomically, so of two
    confirmations with one token one wins. The password changes, every session of the account
    ends, every other reset link of the account stops working, and the account's address is
    told. Following the link proved the address, so it counts as verified too.
    """

    def __init__(self, uow: UnitOfWorkFactory, hasher: PasswordHasher, clock: Clock) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock

    async def check(self, token: str) -> None:
        """Could the token set a password now? (The page asks before showing its form.)"""
        await _check(self._uow, self._clock, token, RESET)

    async def __call__(self, token: str, new_password: PlainPassword) -> None:
        # Checked first, so a token nobody was sent costs no bcrypt hash; hashed outside the
        # transaction, so no connection waits on bcrypt; spent inside it.
        digest = await _check(self._uow, self._clock, token, RESET)
        hashed = await self._hasher.hash(new_password.value)
        now = self._clock.now()
        async with self._uow() as uow:
            user = await _spend(uow, digest, RESET, now)
            user.change_password(hashed, now)
            user.verify_email(now)
            await uow.users.update(user)
            await uow.sessions.end_all(user.id, now, EndReason.PASSWORD_RESET)
            await uow.account_tokens.void(user.id, RESET, now)
            await uow.outbox.add(letters.password_changed(user, now))
            await uow.commit()


class VerifyEmail:
    """Mark an address verified with a verification link's token (POST /auth/verify-email).

    Rules: the token must be an unspent, unexpired verification token for the address the
    account still has (InvalidAccountToken otherwise); it is spent atomically.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def check(self, token: str) -> None:
        await _check(self._uow, self._clock, token, VERIFICATION)

    async def __call__(self, token: str) -> None:
        digest = await _check(self._uow, self._clock, token, VERIFICATION)
        now = self._clock.now()
        async with self._uow() as uow:
            user = await _spend(uow, digest, VERIFICATION, now)
            user.verify_email(now)
            await uow.users.update(user)
            await uow.commit()


class ResendVerification(_MailRequest):
    """Mail a new verification link to the caller's address, unless it is verified already
    (POST /auth/verify-email/resend). Counted per account and per client address
    (MailRequestThrottled past either limit), verified or not, so the answer tells nothing."""

    async def __call__(self, caller: Caller, client_address: str) -> None:
        account = f"user-{caller.user.id}"
        await self._admit("verify", account, client_address)
        async with self._uow() as uow:
            user = await uow.users.get(caller.user.id)
            if user is None or user.email_verified:
                return
            await self._mail.send_verification(uow, user, self._clock)
            await uow.commit()

"""Account tokens: the single-use links mailed to prove who holds an address.

A password-reset link and an email-verification link carry an opaque token (`opaque_token.py`):
the service keeps its digest, the account, the address it was mailed to and an expiry. The
rules of using one live here:

- a token is spent once, atomically, by whoever presents it first; spent or expired, it is
  worthless (the stores spend it with one conditional write, so two clicks cannot both pass);
- a token works only while the account still has the address it was mailed to: a link sent
  to an address the account has since left proves nothing about the account now;
- a reset needs an active account; confirming a reset voids the account's other reset links.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import InvalidAccountToken
from domain.opaque_token import OpaqueToken
from domain.user import User
from domain.values import Email


class TokenPurpose(StrEnum):
    PASSWORD_RESET = "password-reset"  # noqa: S105 - a purpose, not a secret
    EMAIL_VERIFICATION = "email-verification"


MAX_PURPOSE_CHARS = 32


@dataclass(frozen=True, slots=True)
class AccountTokenLifetimes:
    """How long a mailed link works: a reset link briefly (it grants the account), a
    verification link long enough for mail that is read the next day."""

    password_reset: timedelta = timedelta(minutes=30)
    email_verification: timedelta = timedelta(hours=48)

    def __post_init__(self) -> None:
        if self.password_reset <= timedelta(0) or self.email_verification <= timedelta(0):
            raise ValueError("token lifetimes must be positive")

    def of(self, purpose: TokenPurpose) -> timedelta:
        if purpose is TokenPurpose.PASSWORD_RESET:
            return self.password_reset
        return self.email_verification


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountToken:
    """An account token as stored: never the token itself, only its digest."""

    digest: str
    user_id: int
    purpose: TokenPurpose
    email: Email
    """The address the link was mailed to."""
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    @classmethod
    def issue(
        cls, user: User, purpose: TokenPurpose, now: datetime, lifetimes: AccountTokenLifetimes
    ) -> tuple[str, AccountToken]:
        """The token for the link (shown once, in the mail) and what is stored of it."""
        token = OpaqueToken.new()
        stored = cls(
            digest=token.digest,
            user_id=user.id,
            purpose=purpose,
            email=user.email,
            created_at=now,
            expires_at=now + lifetimes.of(purpose),
        )
        return token.plain, stored

    def is_spendable(self, now: datetime) -> bool:
        """Unspent and unexpired: the condition the stores spend a token under."""
        return self.used_at is None and now < self.expires_at

    def why_not_spendable(self, now: datetime) -> str | None:
        """InvalidAccountToken's reason for a token that cannot be spent; None if it can."""
        if self.used_at is not None:
            return InvalidAccountToken.USED
        if now >= self.expires_at:
            return InvalidAccountToken.EXPIRED
        return None

    def still_applies_to(self, user: User) -> bool:
        """Does the spent token still act on this account? Only while the account keeps the
        address it was mailed to (and, for a reset, is active)."""
        if user.id != self.user_id or user.email != self.email:
            return False
        return user.is_active or self.purpose is not TokenPurpose.PASSWORD_RESET

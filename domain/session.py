"""Sessions: one password login, kept going by refresh tokens until it ends.

Every rule about a session's life is here: how long it lives (idle and absolute lifetime),
what refreshing does (`refresh`), when it ends (`end`, and `ends_sessions` for changes to an
account), and what a refresh token is (a single-use opaque token naming its session). The
use cases apply these rules; the stores keep their outcome.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.opaque_token import OpaqueToken
from domain.user import User

MAX_USER_AGENT_CHARS = 200
SESSION_ID_BYTES = 16
SESSION_ID_CHARS = 22
"""An id is SESSION_ID_BYTES random bytes in unpadded URL-safe base64."""
SESSION_ID_PATTERN = f"^[A-Za-z0-9_-]{{{SESSION_ID_CHARS}}}$"
_SESSION_ID_RE = re.compile(SESSION_ID_PATTERN, re.ASCII)
MAX_ADDRESS_CHARS = 64


def is_session_id(text: str) -> bool:
    """Could `text` be a session id? Anything else names no session, without a look-up."""
    return _SESSION_ID_RE.fullmatch(text) is not None


class EndReason(StrEnum):
    """Why a session ended, kept until it is purged (for support and audits)."""

    LOGOUT = "logout"
    REVOKED = "revoked"
    """Ended by its user from another session ("log out there", "everywhere else")."""
    REVOKED_BY_SUPERUSER = "revoked-by-superuser"
    REFRESH_TOKEN_REUSE = "refresh-token-reuse"  # noqa: S105 - a reason, not a secret
    PASSWORD_CHANGED = "password-changed"  # noqa: S105 - a reason, not a secret
    PASSWORD_RESET = "password-reset"  # noqa: S105 - a reason, not a secret
    DEACTIVATED = "deactivated"


MAX_END_REASON_CHARS = 32
"""Room for reasons added later without a migration; every reason must fit (the SQL column
type refuses, at import, an enumeration longer than its column)."""


@dataclass(frozen=True, slots=True)
class SessionLifetime:
    """A session ends after `idle` without a refresh, and `maximum` after its login whatever
    happens: a stolen refresh token is worth weeks at most, never forever."""

    idle: timedelta = timedelta(days=14)
    maximum: timedelta = timedelta(days=30)

    def __post_init__(self) -> None:
        if self.idle <= timedelta(0) or self.maximum <= timedelta(0):
            raise ValueError("session lifetimes must be positive")


def _printable(text: str | None, limit: int) -> str | None:
    """Header text as kept for a person to read: control characters dropped, cut to `limit`."""
    if text is None:
        return None
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")[:limit].strip()
    return kept or None


@dataclass(slots=True, kw_only=True)
class Session:
    """One login of one user. `created_at` is when the password was given (a token's
    `auth_time`); `last_used_at` the last refresh. It is live until it ends or expires."""

    id: str
    user_id: int
    created_at: datetime
    last_used_at: datetime
    idle_expires_at: datetime
    absolute_expires_at: datetime
    user_agent: str | None = None
    ip_address: str | None = None
    ended_at: datetime | None = None
    end_reason: EndReason | None = None

    @classmethod
    def start(
        cls,
        user_id: int,
        now: datetime,
        lifetime: SessionLifetime,
        *,
        user_agent: str | None = None,
        ip_address: str | None = None,
    ) -> Session:
        """A new session at a password login; its id is random, so it is known before it is
        stored and says nothing about how many sessions there are."""
        return cls(
            id=secrets.token_urlsafe(SESSION_ID_BYTES),
            user_id=user_id,
            created_at=now,
            last_used_at=now,
            idle_expires_at=now + lifetime.idle,
            absolute_expires_at=now + lifetime.maximum,
            user_agent=_printable(user_agent, MAX_USER_AGENT_CHARS),
            ip_address=_printable(ip_address, MAX_ADDRESS_CHARS),
        )

    @property
    def expires_at(self) -> datetime:
        """When it ends unless refreshed first (and never later than its absolute expiry)."""
        return min(self.idle_expires_at, self.absolute_expires_at)

    def is_live(self, now: datetime) -> bool:
        """Not ended and not expired: its tokens work. Stores that filter live sessions in
        their own query language state this same rule (and the contract tests hold them to it)."""
        return (
            self.ended_at is None and now < self.idle_expires_at and now < self.absolute_expires_at
        )

    def refresh(self, now: datetime, lifetime: SessionLifetime) -> None:
        """A refresh token was exchanged: the idle clock starts again; the absolute one never."""
        if not self.is_live(now):
            raise ValueError("only a live session can be refreshed")
        self.last_used_at = now
        self.idle_expires_at = now + lifetime.idle

    def end(self, now: datetime, reason: EndReason) -> None:
        """End it for good; the first reason is the one kept."""
        if self.ended_at is None:
            self.ended_at = now
            self.end_reason = reason


def ends_sessions(before: User, after: User) -> EndReason | None:
    """A change to an account that must end all its sessions, so that every token issued
    before it stops working: a new password (a thief who knew the old one is out), or a
    deactivation (reactivating later revives nothing)."""
    if after.hashed_password != before.hashed_password:
        return EndReason.PASSWORD_CHANGED
    if before.is_active and not after.is_active:
        return EndReason.DEACTIVATED
    return None


@dataclass(frozen=True, slots=True)
class RefreshToken:
    """A refresh token as stored: its digest, its session, and whether it was spent.

    Rotation (RFC 9700 4.14.2): each refresh spends the token presented and issues the next,
    and a token is spent once, atomically, by whoever gets there first. A spent token
    presented again means two parties hold the session's tokens, one of them a thief, and
    nobody can tell which: the whole session ends.
    """

    digest: str
    session_id: str
    issued_at: datetime
    used_at: datetime | None = None

    @classmethod
    def issue(cls, session_id: str, now: datetime) -> tuple[str, RefreshToken]:
        """The token for the client (shown once) and what is stored of it."""
        token = OpaqueToken.new()
        return token.plain, cls(digest=token.digest, session_id=session_id, issued_at=now)

"""The ports: what the use cases need from the outside world, named by role, free of technology.

The rule for persistence: **commands go through the unit of work, queries through the read
ports.** A command (anything that writes) opens one unit of work, reads what its rules need
inside it, writes, and commits: all or nothing. A query (a use case that only reads) asks a
read port, which answers from committed data outside any transaction.

Repositories never commit: the unit of work around them does. Any persistence port raises
StorageUnavailable when its store cannot be reached.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType
from typing import Protocol, Self

from application.paging import ItemPosition, SessionPosition, UserPosition
from application.read_models import ItemFilters, ItemWithOwner, SignedIn
from domain.account_token import AccountToken, TokenPurpose
from domain.item import Item
from domain.mail import Mail, MailState
from domain.session import EndReason, RefreshToken, Session
from domain.user import User
from domain.values import Email, Username


class UserRepository(Protocol):
    async def add(self, user: User) -> User:
        """Store a new user and return it with its id; raises EmailAlreadyRegistered, then
        UsernameTaken, on a conflict."""
        ...

    async def get(self, user_id: int) -> User | None: ...

    async def get_by_email(self, email: Email) -> User | None: ...

    async def get_by_username(self, username: Username) -> User | None:
        """Find a user whatever the case of the username."""
        ...

    async def update(self, user: User) -> None:
        """Write back a changed user; raises as `add` does on a taken email or username, and
        UserNotFound when the user is gone."""
        ...

    async def delete(self, user_id: int) -> None:
        """Remove the user; the items they own go with them."""
        ...

    async def active_superuser_ids(self) -> set[int]:
        """The active superusers, held until the unit of work ends: no other unit of work can
        change them meanwhile (row locks), so a rule about how many there are holds at commit."""
        ...


class ItemRepository(Protocol):
    async def add(self, item: Item) -> Item:
        """Store a new item and return it with its id; raises UserNotFound when its owner does
        not exist (any more)."""
        ...

    async def get(self, item_id: int) -> Item | None: ...

    async def update(self, item: Item) -> None:
        """Write back a changed item; raises ItemNotFound when it is gone."""
        ...

    async def delete(self, item_id: int) -> None: ...


class SessionRepository(Protocol):
    """Sessions and their refresh tokens. Every write that a racing unit of work could
    invalidate is conditional in the store itself (spending a token, ending or refreshing a
    session), and says whether it took effect."""

    async def add(self, session: Session) -> None:
        """Store a new session; raises UserNotFound when its user does not exist (any more)."""
        ...

    async def get(self, session_id: str) -> Session | None: ...

    async def update(self, session: Session) -> bool:
        """Write back a refreshed session unless it ended meanwhile: False when it had."""
        ...

    async def end(
        self, session_id: str, now: datetime, reason: EndReason, *, user_id: int | None = None
    ) -> bool:
        """End the session if it is live at `now` (and, given `user_id`, is that user's):
        True when this call ended it."""
        ...

    async def end_all(
        self, user_id: int, now: datetime, reason: EndReason, *, keep: str | None = None
    ) -> int:
        """End every session of the user that has not ended, but `keep`; how many ended."""
        ...

    async def add_refresh_token(self, token: RefreshToken) -> None: ...

    async def spend_refresh_token(self, digest: str, now: datetime) -> str | None:
        """Mark the token spent if it is not yet, in one atomic step: its session's id when
        this call spent it; None when it is unknown or already spent (also by a unit of work
        racing this one: only one of them can spend it)."""
        ...

    async def session_of_refresh_token(self, digest: str) -> str | None:
        """The session a token (spent or not) was issued for; None for an unknown token."""
        ...

    async def purge(self, now: datetime) -> int:
        """Delete every session that is not live at `now`, with its refresh tokens."""
        ...


class AccountTokenRepository(Protocol):
    """Reset and verification tokens, by digest. Spending is conditional in the store itself."""

    async def add(self, token: AccountToken) -> None:
        """Store a new token; raises UserNotFound when its user does not exist (any more)."""
        ...

    async def get(self, digest: str) -> AccountToken | None: ...

    async def spend(self, digest: str, purpose: TokenPurpose, now: datetime) -> AccountToken | None:
        """Mark the token spent if it is unspent and unexpired at `now` (`is_spendable`), in
        one atomic step: the token when this call spent it; None otherwise (unknown, another
        purpose, spent, also by a racing unit of work, or expired)."""
        ...

    async def void(self, user_id: int, purpose: TokenPurpose, now: datetime) -> int:
        """Spend every unspent token of the user for `purpose`; how many there were."""
        ...

    async def purge(self, now: datetime) -> int:
        """Delete every token spent or expired at `now`."""
        ...


class Outbox(Protocol):
    """Mail waiting to be sent, written in the unit of work of the change it reports."""

    async def add(self, mail: Mail) -> None: ...

    async def claim_due(self, now: datetime, lease: timedelta, limit: int) -> list[Mail]:
        """Up to `limit` due mails, oldest first, each claimed (`Mail.claim`) in this one step:
        a relay running the same query at the same time gets other mails, never these."""
        ...

    async def update(self, mail: Mail) -> None:
        """Write back a mail after an attempt (sent, to retry, or failed)."""
        ...

    async def purge(self) -> int:
        """Delete sent mail (only its envelope is left); failed mail stays for the operator."""
        ...


class UnitOfWork(Protocol):
    """One transaction: `async with uow: ...; await uow.commit()`; no commit means rollback."""

    @property
    def users(self) -> UserRepository: ...

    @property
    def items(self) -> ItemRepository: ...

    @property
    def sessions(self) -> SessionRepository: ...

    @property
    def account_tokens(self) -> AccountTokenRepository: ...

    @property
    def outbox(self) -> Outbox: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None:
        """Make the changes permanent; a uniqueness race lost here raises the domain error."""
        ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


class UserQueries(Protocol):
    """Reading accounts: committed data, no transaction."""

    async def get(self, user_id: int) -> User | None: ...

    async def get_by_email(self, email: Email) -> User | None: ...

    async def get_by_username(self, username: Username) -> User | None:
        """Find a user whatever the case of the username."""
        ...

    async def page(self, *, after: UserPosition | None, offset: int, limit: int) -> list[User]:
        """Users by id ascending, after the position or skipping `offset`; up to `limit`."""
        ...


class ItemQueries(Protocol):
    """Reading items, each with its owner's public profile: committed data, no transaction."""

    async def get(self, item_id: int) -> ItemWithOwner | None: ...

    async def page(
        self, filters: ItemFilters, *, after: ItemPosition | None, offset: int, limit: int
    ) -> list[ItemWithOwner]:
        """Items newest first, (created_at, id) descending; up to `limit` rows."""
        ...


class SessionQueries(Protocol):
    """Reading sessions: committed data, no transaction."""

    async def signed_in(self, user_id: int, session_id: str) -> SignedIn | None:
        """The user and their session, read together in one statement (this runs on every
        authenticated request); None unless the session exists and is that user's. Whether
        it is live is the caller's to judge (`Session.is_live`)."""
        ...

    async def page(
        self,
        user_id: int,
        now: datetime,
        *,
        after: SessionPosition | None,
        offset: int,
        limit: int,
    ) -> list[Session]:
        """The user's sessions live at `now`, newest first ((created_at, id) descending)."""
        ...


class MailQueries(Protocol):
    """The outbox as an operator sees it: committed data, no transaction."""

    async def counts(self) -> dict[MailState, int]:
        """How many mails are in each state (a state with none may be missing)."""
        ...

    async def failed(self, limit: int) -> list[Mail]:
        """The most recent failed mails (no body), newest first."""
        ...


@dataclass(frozen=True, slots=True)
class Migrated:
    """What `Database.migrate` did: the revisions applied, in order, and the one the store is
    at now (None for a store without revisions)."""

    applied: tuple[str, ...] = ()
    current: str | None = None


class Database(Protocol):
    """One persistence adapter, whole: what the composition root builds and closes."""

    @property
    def users(self) -> UserQueries: ...

    @property
    def items(self) -> ItemQueries: ...

    @property
    def sessions(self) -> SessionQueries: ...

    @property
    def mail(self) -> MailQueries: ...

    def unit_of_work(self) -> UnitOfWork: ...

    async def check(self) -> None:
        """Raise StorageUnavailable unless the store answers now (readiness)."""
        ...

    def migrate(self) -> Migrated:
        """Bring the store's schema up to date (`itemhub migrate`); blocking, a one-off."""
        ...

    async def close(self) -> None:
        """Release connections; the object is not used afterwards."""
        ...


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str:
        """Hash off the event loop; raises PasswordTooLong past 72 UTF-8 bytes, and HashingBusy
        when too many hashes are waiting already."""
        ...

    async def verify(self, password: str, hashed: str | None) -> bool:
        """Check a password; with `hashed=None` (no such user) take as long and answer False.
        Raises HashingBusy as `hash` does."""
        ...


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    expires_in: int


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: int
    session_id: str
    authenticated_at: datetime
    """When the password was given at the login this token descends from (`auth_time`)."""


class TokenService(Protocol):
    """Access tokens: short-lived, self-contained, naming their user and session."""

    def issue(self, user_id: int, session_id: str, authenticated_at: datetime) -> IssuedToken: ...

    def read(self, token: str) -> TokenClaims:
        """Verify and decode; raises InvalidToken for anything but a valid, unexpired token."""
        ...


@dataclass(frozen=True, slots=True)
class Quota:
    """At most `limit` attempts under `key` within any `window_seconds`."""

    key: str
    limit: int
    window_seconds: int


@dataclass(frozen=True, slots=True)
class Reservation:
    """One attempt taken from each of `quotas`, or none (then `retry_after` says how long until
    one would be granted)."""

    quotas: tuple[Quota, ...]
    token: str
    retry_after: float = 0.0

    @property
    def granted(self) -> bool:
        return self.retry_after == 0


class AttemptLimiter(Protocol):
    """Counts attempts in moving windows. Taking an attempt is one atomic step for all the
    quotas it names, so however many requests arrive at once, no quota grants more than its
    limit; an attempt that turns out not to count is given back."""

    async def reserve(self, *quotas: Quota) -> Reservation:
        """Take one attempt from every quota, or from none if any is spent."""
        ...

    async def give_back(self, reservation: Reservation) -> None:
        """Return a granted reservation's attempts (a success, or a request that failed for
        another reason)."""
        ...

    async def reset(self, quota: Quota) -> None:
        """Forget every attempt counted under the quota's key."""
        ...


class Mailer(Protocol):
    """Hands one message to the mail system; raises application.errors.MailNotSent. The
    sender address is the adapter's configuration."""

    async def send(self, to: str, subject: str, body: str) -> None: ...

    async def close(self) -> None: ...


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...

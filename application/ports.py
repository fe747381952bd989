"""The ports: what the use cases need from the outside world, named by role, free of technology.

Repositories never commit: the unit of work around them does, so a use case is all or nothing.
Any persistence port raises StorageUnavailable when its store cannot be reached.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from application.paging import ItemCursor, UserCursor
from application.read_models import ItemFilters, ItemWithOwner
from domain.item import Item, NewItem
from domain.user import NewUser, User
from domain.values import Email, Username


class UserRepository(Protocol):
    async def add(self, user: NewUser) -> User:
        """Store a new user; raises EmailAlreadyRegistered, then UsernameTaken, on a conflict."""
        ...

    async def get(self, user_id: int) -> User | None: ...

    async def get_by_email(self, email: Email) -> User | None: ...

    async def get_by_username(self, username: Username) -> User | None:
        """Find a user whatever the case of the username."""
        ...

    async def update(self, user: User) -> None:
        """Write back a changed user; raises as `add` does on a taken email or username."""
        ...

    async def delete(self, user_id: int) -> None:
        """Remove the user; the items they own go with them."""
        ...

    async def list_page(self, *, after: UserCursor | None, offset: int, limit: int) -> list[User]:
        """Users by id ascending, after the cursor or skipping `offset`; up to `limit` rows."""
        ...


class ItemRepository(Protocol):
    async def add(self, item: NewItem) -> Item:
        """Store a new item; raises UserNotFound when its owner does not exist (any more)."""
        ...

    async def get(self, item_id: int) -> Item | None: ...

    async def update(self, item: Item) -> None: ...

    async def delete(self, item_id: int) -> None: ...


class UnitOfWork(Protocol):
    """One transaction: `async with uow: ...; await uow.commit()`; no commit means rollback."""

    @property
    def users(self) -> UserRepository: ...

    @property
    def items(self) -> ItemRepository: ...

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


class ItemListing(Protocol):
    """The read side of items: each call is one query returning items with their owner's profile."""

    async def get(self, item_id: int) -> ItemWithOwner | None: ...

    async def page(
        self, filters: ItemFilters, *, after: ItemCursor | None, offset: int, limit: int
    ) -> list[ItemWithOwner]:
        """Items newest first, (created_at, id) descending; up to `limit` rows."""
        ...


class UserLookup(Protocol):
    """Who is calling, on every authenticated request: one query outside any transaction.

    A separate read port rather than `uow.users.get` because a unit of work costs a transaction
    (BEGIN and ROLLBACK round trips) that a single-row read does not need."""

    async def get(self, user_id: int) -> User | None: ...


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str:
        """Hash off the event loop; raises PasswordTooLong past 72 UTF-8 bytes."""
        ...

    async def verify(self, password: str, hashed: str | None) -> bool:
        """Check a password; with `hashed=None` (no such user) take as long and answer False."""
        ...


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    expires_in: int


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: int
    token_version: int


class TokenService(Protocol):
    def issue(self, user_id: int, token_version: int) -> IssuedToken: ...

    def read(self, token: str) -> TokenClaims:
        """Verify and decode; raises InvalidToken for anything but a valid, unexpired token."""
        ...


class LoginThrottle(Protocol):
    """Counts failed logins per account and client address, and per address alone."""

    async def retry_after(self, account: str, address: str) -> float | None:
        """Seconds until `account` may be tried again from `address`; None when it may now."""
        ...

    async def record_failure(self, account: str, address: str) -> None: ...

    async def record_success(self, account: str, address: str) -> None:
        """Clear the account's count for this address (the address's own count stays)."""
        ...


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...

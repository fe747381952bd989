"""Read models: what a query shows, composed of entities rather than copies of their fields."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import InvalidValue
from domain.item import Item
from domain.session import Session
from domain.user import User
from domain.values import MAX_TITLE_CHARS, Price, Username, is_storable_line


@dataclass(frozen=True, slots=True)
class PublicProfile:
    """What anyone may see of a user."""

    id: int
    username: Username


@dataclass(frozen=True, slots=True)
class ItemWithOwner:
    item: Item
    owner: PublicProfile


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A user and one of their sessions, as an authenticated request finds them."""

    user: User
    session: Session


@dataclass(frozen=True, slots=True)
class ListedSession:
    """A session as its list shows it: `current` when it is the one asking."""

    session: Session
    current: bool


@dataclass(frozen=True, slots=True)
class ItemFilters:
    """Listing filters: `q` is a literal, case-insensitive title substring; prices inclusive."""

    owner_id: int | None = None
    q: str | None = None
    min_price: Price | None = None
    max_price: Price | None = None

    def __post_init__(self) -> None:
        if self.q is not None and len(self.q) > MAX_TITLE_CHARS:
            raise InvalidValue(f"must be at most {MAX_TITLE_CHARS} characters", field="q")
        if self.q is not None and not is_storable_line(self.q):
            raise InvalidValue("must not contain control characters", field="q")
        if (
            self.min_price is not None
            and self.max_price is not None
            and self.min_price.value > self.max_price.value
        ):
            raise InvalidValue("must not be less than min_price", field="max_price")

"""The in-memory read ports: committed rows only, as a SQL read outside a transaction sees."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from adapters.memory.state import CommittedState
from application.paging import ItemPosition, SessionPosition, UserPosition
from application.read_models import ItemFilters, ItemWithOwner, PublicProfile, SignedIn
from domain.item import Item
from domain.mail import Mail, MailState
from domain.session import Session
from domain.user import User
from domain.values import Email, Username


def _matches(item: Item, filters: ItemFilters) -> bool:
    price = item.price.value
    return (
        (filters.owner_id is None or item.owner_id == filters.owner_id)
        and (not filters.q or filters.q.lower() in item.title.value.lower())
        and (filters.min_price is None or price >= filters.min_price.value)
        and (filters.max_price is None or price <= filters.max_price.value)
    )


class InMemoryItemQueries:
    def __init__(self, state: CommittedState) -> None:
        self._state = state

    def _with_owner(self, item: Item) -> ItemWithOwner:
        owner = self._state.users[item.owner_id]
        return ItemWithOwner(replace(item), PublicProfile(owner.id, owner.username))

    async def get(self, item_id: int) -> ItemWithOwner | None:
        item = self._state.items.get(item_id)
        return self._with_owner(item) if item is not None else None

    async def page(
        self, filters: ItemFilters, *, after: ItemPosition | None, offset: int, limit: int
    ) -> list[ItemWithOwner]:
        rows = sorted(
            (item for item in self._state.items.values() if _matches(item, filters)),
            key=lambda item: (item.created_at, item.id),
            reverse=True,
        )
        if after is not None:
            rows = [
                item for item in rows if (item.created_at, item.id) < (after.created_at, after.id)
            ]
        return [self._with_owner(item) for item in rows[offset : offset + limit]]


class InMemoryUserQueries:
    """Copies, so a caller changing what it got changes nothing stored."""

    def __init__(self, state: CommittedState) -> None:
        self._state = state

    async def get(self, user_id: int) -> User | None:
        user = self._state.users.get(user_id)
        return replace(user) if user is not None else None

    async def get_by_email(self, email: Email) -> User | None:
        users = self._state.users.values()
        return next((replace(user) for user in users if user.email == email), None)

    async def get_by_username(self, username: Username) -> User | None:
        users = self._state.users.values()
        return next((replace(user) for user in users if user.username == username), None)

    async def page(self, *, after: UserPosition | None, offset: int, limit: int) -> list[User]:
        users = sorted(self._state.users.values(), key=lambda user: user.id)
        if after is not None:
            users = [user for user in users if user.id > after.id]
        return [replace(user) for user in users[offset : offset + limit]]


class InMemorySessionQueries:
    def __init__(self, state: CommittedState) -> None:
        self._state = state

    async def signed_in(self, user_id: int, session_id: str) -> SignedIn | None:
        session = self._state.sessions.get(session_id)
        user = self._state.users.get(user_id)
        if session is None or user is None or session.user_id != user_id:
            return None
        return SignedIn(replace(user), replace(session))

    async def page(
        self,
        user_id: int,
        now: datetime,
        *,
        after: SessionPosition | None,
        offset: int,
        limit: int,
    ) -> list[Session]:
        rows = sorted(
            (s for s in self._state.sessions.values() if s.user_id == user_id and s.is_live(now)),
            key=lambda session: (session.created_at, session.id),
            reverse=True,
        )
        if after is not None:
            rows = [s for s in rows if (s.created_at, s.id) < (after.created_at, after.id)]
        return [replace(session) for session in rows[offset : offset + limit]]


class InMemoryMailQueries:
    def __init__(self, state: CommittedState) -> None:
        self._state = state

    async def counts(self) -> dict[MailState, int]:
        counts: dict[MailState, int] = {}
        for mail in self._state.mails.values():
            counts[mail.state] = counts.get(mail.state, 0) + 1
        return counts

    async def failed(self, limit: int) -> list[Mail]:
        failed = [mail for mail in self._state.mails.values() if mail.state is MailState.FAILED]
        return [replace(mail) for mail in sorted(failed, key=lambda m: m.id, reverse=True)][:limit]

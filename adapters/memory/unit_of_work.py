"""In-memory repositories and unit of work: changes stay private until commit."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Self

from adapters.memory.state import CommittedState, PendingChanges, first_conflict
from domain.account_token import AccountToken, TokenPurpose
from domain.errors import ItemNotFound, UserNotFound
from domain.item import Item
from domain.mail import Mail, MailState
from domain.session import EndReason, RefreshToken, Session
from domain.user import User
from domain.values import Email, Username


class InMemoryUserRepository:
    def __init__(self, state: CommittedState, pending: PendingChanges) -> None:
        self._state = state
        self._pending = pending

    def _visible(self) -> dict[int, User]:
        return self._pending.visible_users(self._state.users)

    def _check_unique(self, user: User) -> None:
        if conflict := first_conflict(self._visible().values(), user):
            raise conflict

    async def add(self, user: User) -> User:
        stored = replace(user, id=self._state.next_user_id())
        self._check_unique(stored)
        self._pending.users[stored.id] = stored
        self._pending.added_users.add(stored.id)
        return replace(stored)

    async def get(self, user_id: int) -> User | None:
        user = self._visible().get(user_id)
        return replace(user) if user is not None else None

    async def get_by_email(self, email: Email) -> User | None:
        return next((replace(u) for u in self._visible().values() if u.email == email), None)

    async def get_by_username(self, username: Username) -> User | None:
        return next((replace(u) for u in self._visible().values() if u.username == username), None)

    async def update(self, user: User) -> None:
        if user.id not in self._visible():
            raise UserNotFound(user.id)
        self._check_unique(user)
        self._pending.users[user.id] = replace(user)

    async def active_superuser_ids(self) -> set[int]:
        """No locks needed: a use case's steps between here and commit never yield."""
        return {
            user.id for user in self._visible().values() if user.is_active and user.is_superuser
        }

    async def delete(self, user_id: int) -> None:
        self._pending.users[user_id] = None
        for item_id, item in self._pending.visible_items(self._state.items).items():
            if item.owner_id == user_id:
                self._pending.items[item_id] = None


class _OwnedRows:
    """A repository of rows that belong to a user: they see the unit of work's users."""

    def __init__(
        self, state: CommittedState, pending: PendingChanges, users: InMemoryUserRepository
    ) -> None:
        self._state = state
        self._pending = pending
        self._users = users


class InMemoryItemRepository(_OwnedRows):
    def _visible(self) -> dict[int, Item]:
        return self._pending.visible_items(self._state.items)

    async def add(self, item: Item) -> Item:
        if await self._users.get(item.owner_id) is None:
            raise UserNotFound(item.owner_id)
        stored = replace(item, id=self._state.next_item_id())
        self._pending.items[stored.id] = stored
        self._pending.added_items.add(stored.id)
        return replace(stored)

    async def get(self, item_id: int) -> Item | None:
        item = self._visible().get(item_id)
        return replace(item) if item is not None else None

    async def update(self, item: Item) -> None:
        if item.id not in self._visible():
            raise ItemNotFound(item.id)
        self._pending.items[item.id] = replace(item)

    async def delete(self, item_id: int) -> None:
        self._pending.items[item_id] = None


class InMemorySessionRepository(_OwnedRows):
    """Spending a refresh token claims it in the committed state at once (as a row lock
    would), so two units of work cannot both spend it, even when they interleave. The other
    conditional writes hold as the use cases use them: their steps between reading and
    commit never yield to another task."""

    def _visible(self) -> dict[str, Session]:
        return self._pending.visible_sessions(self._state.sessions)

    def _tokens(self) -> dict[str, RefreshToken]:
        return self._pending.visible_refresh_tokens(self._state.refresh_tokens)

    async def add(self, session: Session) -> None:
        if await self._users.get(session.user_id) is None:
            raise UserNotFound(session.user_id)
        self._pending.sessions[session.id] = replace(session)
        self._pending.added_sessions.add(session.id)

    async def get(self, session_id: str) -> Session | None:
        session = self._visible().get(session_id)
        return replace(session) if session is not None else None

    async def update(self, session: Session) -> bool:
        stored = self._visible().get(session.id)
        if stored is None or stored.ended_at is not None:
            return False
        self._pending.sessions[session.id] = replace(session)
        return True

    def _end(self, session: Session, now: datetime, reason: EndReason) -> None:
        ended = replace(session)
        ended.end(now, reason)
        self._pending.sessions[session.id] = ended

    async def end(
        self, session_id: str, now: datetime, reason: EndReason, *, user_id: int | None = None
    ) -> bool:
        session = self._visible().get(session_id)
        if session is None or not session.is_live(now):
            return False
        if user_id is not None and session.user_id != user_id:
            return False
        self._end(session, now, reason)
        return True

    async def end_all(
        self, user_id: int, now: datetime, reason: EndReason, *, keep: str | None = None
    ) -> int:
        ending = [
            session
            for session in self._visible().values()
            if session.user_id == user_id and session.ended_at is None and session.id != keep
        ]
        for session in ending:
            self._end(session, now, reason)
        return len(ending)

    async def add_refresh_token(self, token: RefreshToken) -> None:
        self._pending.refresh_tokens[token.digest] = token

    async def spend_refresh_token(self, digest: str, now: datetime) -> str | None:
        token = self._tokens().get(digest)
        if token is None or token.used_at is not None:
            return None
        if not self._state.take(digest, self._pending):
            return None  # spent by a unit of work not committed yet: treated as spent
        self._pending.refresh_tokens[digest] = replace(token, used_at=now)
        return token.session_id

    async def session_of_refresh_token(self, digest: str) -> str | None:
        token = self._tokens().get(digest)
        return token.session_id if token is not None else None

    async def purge(self, now: datetime) -> int:
        gone = [key for key, session in self._visible().items() if not session.is_live(now)]
        for session_id in gone:
            self._pending.sessions[session_id] = None
        for digest, token in self._tokens().items():
            if token.session_id in gone:
                self._pending.refresh_tokens[digest] = None
        return len(gone)


class InMemoryAccountTokenRepository(_OwnedRows):
    """Spending claims the token as refresh tokens are claimed (see above)."""

    def _visible(self) -> dict[str, AccountToken]:
        return self._pending.visible_account_tokens(self._state.account_tokens)

    async def add(self, token: AccountToken) -> None:
        if await self._users.get(token.user_id) is None:
            raise UserNotFound(token.user_id)
        self._pending.account_tokens[token.digest] = token

    async def get(self, digest: str) -> AccountToken | None:
        return self._visible().get(digest)

    async def spend(self, digest: str, purpose: TokenPurpose, now: datetime) -> AccountToken | None:
        token = self._visible().get(digest)
        if token is None or token.purpose is not purpose or not token.is_spendable(now):
            return None
        if not self._state.take(digest, self._pending):
            return None
        spent = replace(token, used_at=now)
        self._pending.account_tokens[digest] = spent
        return spent

    async def void(self, user_id: int, purpose: TokenPurpose, now: datetime) -> int:
        unspent = [
            token
            for token in self._visible().values()
            if token.user_id == user_id and token.purpose is purpose and token.used_at is None
        ]
        for token in unspent:
            self._pending.account_tokens[token.digest] = replace(token, used_at=now)
        return len(unspent)

    async def purge(self, now: datetime) -> int:
        gone = [key for key, token in self._visible().items() if not token.is_spendable(now)]
        for digest in gone:
            self._pending.account_tokens[digest] = None
        return len(gone)


class InMemoryOutbox:
    def __init__(self, state: CommittedState, pending: PendingChanges) -> None:
        self._state = state
        self._pending = pending

    def _visible(self) -> dict[int, Mail]:
        return self._pending.visible_mails(self._state.mails)

    async def add(self, mail: Mail) -> None:
        stored = replace(mail, id=self._state.next_mail_id())
        self._pending.mails[stored.id] = stored

    async def claim_due(self, now: datetime, lease: timedelta, limit: int) -> list[Mail]:
        due = sorted(
            (mail for mail in self._visible().values() if mail.is_due(now)),
            key=lambda mail: mail.id,
        )
        claimed: list[Mail] = []
        for mail in due:
            if len(claimed) == limit:
                break
            if not self._state.take(("mail", mail.id), self._pending):
                continue  # claimed by a unit of work not committed yet: skipped, as SKIP LOCKED
            taken = replace(mail)
            taken.claim(now, lease)
            self._pending.mails[mail.id] = taken
            claimed.append(replace(taken))
        return claimed

    async def update(self, mail: Mail) -> None:
        if mail.id in self._visible():
            self._pending.mails[mail.id] = replace(mail)

    async def purge(self) -> int:
        sent = [key for key, mail in self._visible().items() if mail.state is MailState.SENT]
        for mail_id in sent:
            self._pending.mails[mail_id] = None
        return len(sent)


class InMemoryUnitOfWork:
    """One transaction over the committed state; build a new one for each use case."""

    users: InMemoryUserRepository
    items: InMemoryItemRepository
    sessions: InMemorySessionRepository
    account_tokens: InMemoryAccountTokenRepository
    outbox: InMemoryOutbox

    def __init__(self, state: CommittedState) -> None:
        self._state = state
        self._pending = PendingChanges()
        self._begin()

    def _begin(self) -> None:
        """Start afresh: what was pending is dropped (or was committed), with its claims."""
        self._state.release(self._pending)
        self._pending = PendingChanges()
        self.users = InMemoryUserRepository(self._state, self._pending)
        self.items = InMemoryItemRepository(self._state, self._pending, self.users)
        self.sessions = InMemorySessionRepository(self._state, self._pending, self.users)
        self.account_tokens = InMemoryAccountTokenRepository(self._state, self._pending, self.users)
        self.outbox = InMemoryOutbox(self._state, self._pending)

    async def __aenter__(self) -> Self:
        self._begin()
        return self

    async def __aexit__(self, *_exc_info: object) -> None:
        self._begin()  # whatever was not committed is dropped

    async def commit(self) -> None:
        pending = self._pending
        try:
            self._state.commit(pending)
        finally:
            self._begin()

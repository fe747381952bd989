"""The committed rows of the in-memory adapter and the constraints a SQL schema would enforce."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TypeVar

from domain.account_token import AccountToken
from domain.errors import (
    DomainError,
    EmailAlreadyRegistered,
    ItemNotFound,
    UsernameTaken,
    UserNotFound,
)
from domain.item import Item
from domain.mail import Mail
from domain.session import RefreshToken, Session
from domain.user import User

K = TypeVar("K")
V = TypeVar("V")


def first_conflict(users: Iterable[User], candidate: User) -> DomainError | None:
    """The error a unique index on lower(email), then on lower(username), would raise."""
    others = [user for user in users if user.id != candidate.id]
    if any(user.email == candidate.email for user in others):
        return EmailAlreadyRegistered(candidate.email.value)
    if any(user.username == candidate.username for user in others):
        return UsernameTaken(candidate.username.value)
    return None


@dataclass
class PendingChanges:
    """What one unit of work has written but not committed; `None` marks a deletion."""

    users: dict[int, User | None] = field(default_factory=dict)
    items: dict[int, Item | None] = field(default_factory=dict)
    added_items: set[int] = field(default_factory=set)
    added_users: set[int] = field(default_factory=set)
    sessions: dict[str, Session | None] = field(default_factory=dict)
    added_sessions: set[str] = field(default_factory=set)
    refresh_tokens: dict[str, RefreshToken | None] = field(default_factory=dict)
    account_tokens: dict[str, AccountToken | None] = field(default_factory=dict)
    mails: dict[int, Mail | None] = field(default_factory=dict)

    def visible_users(self, committed: dict[int, User]) -> dict[int, User]:
        return _overlay(committed, self.users)

    def visible_items(self, committed: dict[int, Item]) -> dict[int, Item]:
        return _overlay(committed, self.items)

    def visible_sessions(self, committed: dict[str, Session]) -> dict[str, Session]:
        return _overlay(committed, self.sessions)

    def visible_refresh_tokens(self, committed: dict[str, RefreshToken]) -> dict[str, RefreshToken]:
        return _overlay(committed, self.refresh_tokens)

    def visible_account_tokens(self, committed: dict[str, AccountToken]) -> dict[str, AccountToken]:
        return _overlay(committed, self.account_tokens)

    def visible_mails(self, committed: dict[int, Mail]) -> dict[int, Mail]:
        return _overlay(committed, self.mails)


def _overlay(committed: dict[K, V], pending: dict[K, V | None]) -> dict[K, V]:
    rows = dict(committed)
    for key, row in pending.items():
        if row is None:
            rows.pop(key, None)
        else:
            rows[key] = row
    return rows


class CommittedState:
    """Committed rows, shared by every unit of work built on them.

    Commit is a single synchronous step, so on one event loop it is atomic; it re-checks every
    constraint against what other units of work committed meanwhile. Rows are replaced, never
    changed in place, so a reader holding the old dictionaries sees a consistent snapshot.
    """

    def __init__(self) -> None:
        self.users: dict[int, User] = {}
        self.items: dict[int, Item] = {}
        self.sessions: dict[str, Session] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.account_tokens: dict[str, AccountToken] = {}
        self.mails: dict[int, Mail] = {}
        self.spending: dict[object, PendingChanges] = {}
        """Rows a unit of work has spent or claimed but not committed (tokens by digest, mails
        by id), as a row lock would hold them: no other unit of work can take one meanwhile."""
        self._user_ids = itertools.count(1)
        self._item_ids = itertools.count(1)
        self._mail_ids = itertools.count(1)

    def take(self, key: object, pending: PendingChanges) -> bool:
        """Claim a row for `pending` until it commits or rolls back; False when another unit
        of work holds it."""
        return self.spending.setdefault(key, pending) is pending

    def release(self, pending: PendingChanges) -> None:
        """Drop the claims of a unit of work that committed or rolled back."""
        for digest, owner in list(self.spending.items()):
            if owner is pending:
                del self.spending[digest]

    def next_user_id(self) -> int:
        return next(self._user_ids)

    def next_item_id(self) -> int:
        return next(self._item_ids)

    def next_mail_id(self) -> int:
        return next(self._mail_ids)

    def commit(self, pending: PendingChanges) -> None:
        users = dict(self.users)
        for user_id, user in pending.users.items():
            if user is None:
                users.pop(user_id, None)
            elif user_id in users or user_id in pending.added_users:
                users[user_id] = replace(user)
            else:
                raise UserNotFound(user_id)
        for user in pending.users.values():
            if user is not None and (conflict := first_conflict(users.values(), user)):
                raise conflict

        items = {item_id: item for item_id, item in self.items.items() if item.owner_id in users}
        for item_id, item in pending.items.items():
            if item is None:
                items.pop(item_id, None)
            elif item.owner_id not in users:
                if item_id in pending.added_items:
                    raise UserNotFound(item.owner_id)
                raise ItemNotFound(item_id)
            elif item_id in items or item_id in pending.added_items:
                items[item_id] = replace(item)
            else:
                raise ItemNotFound(item_id)

        sessions, refresh_tokens = self._sessions_after(pending, users)
        account_tokens = self._account_tokens_after(pending, users)
        self.users = users
        self.items = items
        self.sessions = sessions
        self.refresh_tokens = refresh_tokens
        self.account_tokens = account_tokens
        self.mails = _overlay(self.mails, pending.mails)

    def _account_tokens_after(
        self, pending: PendingChanges, users: dict[int, User]
    ) -> dict[str, AccountToken]:
        """A token needs its user, and goes with it (ON DELETE CASCADE)."""
        tokens = {key: row for key, row in self.account_tokens.items() if row.user_id in users}
        for digest, token in pending.account_tokens.items():
            if token is None:
                tokens.pop(digest, None)
            elif token.user_id not in users:
                if digest not in self.account_tokens:
                    raise UserNotFound(token.user_id)
            else:
                tokens[digest] = token
        return tokens

    def _sessions_after(
        self, pending: PendingChanges, users: dict[int, User]
    ) -> tuple[dict[str, Session], dict[str, RefreshToken]]:
        """A session needs its user and a refresh token its session; either goes with them
        (the foreign keys' ON DELETE CASCADE)."""
        sessions = {key: row for key, row in self.sessions.items() if row.user_id in users}
        for session_id, session in pending.sessions.items():
            if session is None:
                sessions.pop(session_id, None)
            elif session.user_id not in users:
                if session_id in pending.added_sessions:
                    raise UserNotFound(session.user_id)
            elif session_id in sessions or session_id in pending.added_sessions:
                sessions[session_id] = replace(session)
        tokens = _overlay(self.refresh_tokens, pending.refresh_tokens)
        return sessions, {key: row for key, row in tokens.items() if row.session_id in sessions}

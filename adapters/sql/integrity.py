"""Turning the database's constraint violations into domain errors, so a lost race is a 409."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from adapters.sql.records import (
    ITEMS_OWNER_FK,
    SESSIONS_USER_FK,
    USERS_EMAIL_UNIQUE,
    USERS_USERNAME_UNIQUE,
)
from domain.errors import DomainError, EmailAlreadyRegistered, UsernameTaken, UserNotFound
from domain.user import User

# SQLite names no constraint when a foreign key fails; PostgreSQL names it.
_SQLITE_FOREIGN_KEY = "FOREIGN KEY constraint failed"


def _message(error: IntegrityError) -> str:
    return str(error.orig)


def user_conflict(error: IntegrityError, user: User) -> DomainError | None:
    message = _message(error)
    if USERS_EMAIL_UNIQUE in message:
        return EmailAlreadyRegistered(user.email.value)
    if USERS_USERNAME_UNIQUE in message:
        return UsernameTaken(user.username.value)
    return None


def missing_user(error: IntegrityError, foreign_key: str, user_id: int) -> DomainError | None:
    """A row refused because the user it belongs to is gone (`foreign_key` names the
    constraint, for PostgreSQL: an item's owner, a session's user)."""
    message = _message(error)
    if foreign_key in message or _SQLITE_FOREIGN_KEY in message:
        return UserNotFound(user_id)
    return None


def missing_owner(error: IntegrityError, owner_id: int) -> DomainError | None:
    return missing_user(error, ITEMS_OWNER_FK, owner_id)


def missing_session_user(error: IntegrityError, user_id: int) -> DomainError | None:
    return missing_user(error, SESSIONS_USER_FK, user_id)

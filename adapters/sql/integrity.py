"""Turning the database's constraint violations into domain errors, so a lost race is a 409."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from adapters.sql.records import ITEMS_OWNER_FK, USERS_EMAIL_UNIQUE, USERS_USERNAME_UNIQUE
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


def missing_owner(error: IntegrityError, owner_id: int) -> DomainError | None:
    message = _message(error)
    if ITEMS_OWNER_FK in message or _SQLITE_FOREIGN_KEY in message:
        return UserNotFound(owner_id)
    return None

"""The User entity: an account that can log in, own items and, as a superuser, manage others."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.values import Email, Username


@dataclass(slots=True)
class NewUser:
    """A user that has not been stored yet, so it has no id."""

    email: Email
    username: Username
    hashed_password: str = field(repr=False)
    created_at: datetime
    is_active: bool = True
    is_superuser: bool = False


@dataclass(slots=True)
class User:
    """A stored account.

    `token_version` goes up whenever the password changes; a token carries the version it was
    issued under, so every older token stops working at once.
    """

    id: int
    email: Email
    username: Username
    hashed_password: str = field(repr=False)
    is_active: bool
    is_superuser: bool
    created_at: datetime
    updated_at: datetime
    token_version: int = 0

    @classmethod
    def from_new(cls, new: NewUser, user_id: int) -> User:
        return cls(
            id=user_id,
            email=new.email,
            username=new.username,
            hashed_password=new.hashed_password,
            is_active=new.is_active,
            is_superuser=new.is_superuser,
            created_at=new.created_at,
            updated_at=new.created_at,
        )

    def change_password(self, hashed_password: str, now: datetime) -> None:
        self.hashed_password = hashed_password
        self.token_version += 1
        self.updated_at = now

    def change_email(self, email: Email, now: datetime) -> None:
        self.email = email
        self.updated_at = now

    def rename(self, username: Username, now: datetime) -> None:
        self.username = username
        self.updated_at = now

    def set_active(self, active: bool, now: datetime) -> None:
        self.is_active = active
        self.updated_at = now

    def set_superuser(self, superuser: bool, now: datetime) -> None:
        self.is_superuser = superuser
        self.updated_at = now

    def accepts_token_version(self, version: int) -> bool:
        return self.is_active and version == self.token_version

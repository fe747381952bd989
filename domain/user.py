"""The User entity: an account that can log in, own items and, as a superuser, manage others."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.values import NOT_STORED, Email, Username


@dataclass(slots=True, kw_only=True)
class User:
    """An account. Who is signed in where is kept in sessions (`domain/session.py`), which
    also say which changes to an account end them."""

    email: Email
    username: Username
    hashed_password: str = field(repr=False)
    is_active: bool = True
    is_superuser: bool = False
    email_verified: bool = False
    """Whether the account proved it receives mail at `email` (`domain/account_token.py`)."""
    created_at: datetime
    updated_at: datetime
    id: int = NOT_STORED

    @classmethod
    def register(
        cls,
        email: Email,
        username: Username,
        hashed_password: str,
        now: datetime,
        *,
        superuser: bool = False,
        email_verified: bool = False,
    ) -> User:
        """A new active account, not stored yet: a repository's `add` gives it its id."""
        return cls(
            email=email,
            username=username,
            hashed_password=hashed_password,
            is_superuser=superuser,
            email_verified=email_verified,
            created_at=now,
            updated_at=now,
        )

    def change_password(self, hashed_password: str, now: datetime) -> None:
        self.hashed_password = hashed_password
        self.updated_at = now

    def change_email(self, email: Email, now: datetime) -> None:
        """A new address is unverified until its owner proves it receives mail there."""
        if email != self.email:
            self.email_verified = False
        self.email = email
        self.updated_at = now

    def verify_email(self, now: datetime) -> None:
        self.email_verified = True
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

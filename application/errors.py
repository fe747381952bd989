"""Errors of the application layer: authentication, throttling, availability, administration.

Invalid paging and filtering values are the domain's InvalidValue, naming the field."""

from __future__ import annotations

from domain.errors import DomainError


class NotAuthenticated(DomainError):
    """No valid credentials: a missing, invalid, expired or revoked token, or its user is gone."""

    def __init__(self, detail: str = "Not authenticated") -> None:
        super().__init__(detail)


class InvalidToken(NotAuthenticated):
    """The token itself is unusable; the reason is kept for logs, clients see one message."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class InvalidCredentials(DomainError):
    """One message for unknown user, wrong password and inactive user, so none can be told apart."""

    def __init__(self) -> None:
        super().__init__("Incorrect username or password")


class LoginThrottled(DomainError):
    """Too many failed logins: from this address for this account, or from this address at all."""

    retry_after_seconds: int

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"Too many failed logins; try again in {retry_after_seconds} seconds")
        self.retry_after_seconds = retry_after_seconds


class StorageUnavailable(DomainError):
    """The store cannot be reached or gave up (connection refused or lost, timeout, locked):
    nothing was done, and the same request may succeed later."""

    retry_after_seconds = 5

    def __init__(self, reason: str) -> None:
        super().__init__("The database is not available; try again shortly")
        self.reason = reason


class SuperuserIdentityConflict(DomainError):
    """The email and the username given for a superuser belong to different accounts."""

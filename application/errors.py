"""Errors of the application layer: authentication, throttling, availability, administration.

Invalid paging and filtering values are the domain's InvalidValue, naming the field."""

from __future__ import annotations

import math

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


class RecentLoginRequired(NotAuthenticated):
    """The action needs a password given recently (RFC 9470), not just a valid token."""

    def __init__(self, max_age_seconds: int) -> None:
        DomainError.__init__(
            self,
            "This needs a recent login: log in with your password again, then retry",
        )
        self.max_age_seconds = max_age_seconds


class InvalidCredentials(DomainError):
    """One message for unknown user, wrong password and inactive user, so none can be told apart."""

    def __init__(self) -> None:
        super().__init__("Incorrect username or password")


class InvalidRefreshToken(DomainError):
    """A refresh token that is unknown, spent, or whose session ended or expired: one message
    for all, so none can be told apart. The client must log in with its password again."""

    def __init__(self) -> None:
        super().__init__("The refresh token is invalid, expired or revoked; log in again")


class UnsupportedGrantType(DomainError):
    """The token endpoint knows the `password` and `refresh_token` grants only."""

    def __init__(self, grant_type: str) -> None:
        shown = grant_type if len(grant_type) <= 40 else f"{grant_type[:39]}…"
        super().__init__(
            f"grant_type {shown!r} is not supported; use 'password' or 'refresh_token'"
        )


class TooManyAttempts(DomainError):
    """A quota of attempts is spent (AttemptLimiter); the answer says when to try again."""

    retry_after_seconds: int
    what = "attempts"

    def __init__(self, retry_after: float) -> None:
        seconds = max(1, math.ceil(retry_after))
        super().__init__(f"Too many {self.what}; try again in {seconds} seconds")
        self.retry_after_seconds = seconds


class LoginThrottled(TooManyAttempts):
    """Too many failed logins: from this address for this login name, or from it at all."""

    what = "failed logins"


class RegistrationThrottled(TooManyAttempts):
    """Too many registrations from this address within the hour."""

    what = "registrations from your address"


class MailRequestThrottled(TooManyAttempts):
    """Too many reset or verification mails asked for, from this address or for this email
    (counted the same whether or not an account has it)."""

    what = "mail requests"


class HashingBusy(DomainError):
    """More passwords are waiting to be hashed than the service admits: nothing was done, and
    the same request may succeed shortly."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__("The service is busy checking passwords; try again shortly")
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


class MailNotSent(Exception):
    """A mail server refused or could not be reached. `permanent` when retrying cannot help
    (a 5xx refusal of the recipient or the message); the reason is for the operator."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent

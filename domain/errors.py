"""Domain errors: one small class each, carrying what an error message needs and nothing secret."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error that itemhub raises on purpose; anything else is a bug."""

    retry_after_seconds: int | None = None
    """When the same request may succeed again; None when retrying cannot help."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidValue(DomainError):
    """A value broke a validation rule; `field` names the input it came from (a subclass says
    it once for all its errors; otherwise the raiser does)."""

    field: str = "value"

    def __init__(self, reason: str, *, field: str | None = None) -> None:
        if field is not None:
            self.field = field
        super().__init__(f"{self.field}: {reason}")
        self.reason = reason


class InvalidEmail(InvalidValue):
    field = "email"


class InvalidUsername(InvalidValue):
    field = "username"


class InvalidPassword(InvalidValue):
    field = "password"


class PasswordTooLong(InvalidPassword):
    """bcrypt looks at 72 bytes only, so a longer password would be silently truncated."""

    def __init__(self) -> None:
        super().__init__("must be at most 72 bytes in UTF-8")


class InvalidPrice(InvalidValue):
    field = "price"


class InvalidTitle(InvalidValue):
    field = "title"


class InvalidDescription(InvalidValue):
    field = "description"


class EmailAlreadyRegistered(DomainError):
    def __init__(self, email: str) -> None:
        super().__init__(f"The email {email} is already registered")
        self.email = email


class UsernameTaken(DomainError):
    def __init__(self, username: str) -> None:
        super().__init__(f"The username {username} is already taken")
        self.username = username


class UserNotFound(DomainError):
    def __init__(self, user_id: int) -> None:
        super().__init__(f"There is no user {user_id}")
        self.user_id = user_id


class ItemNotFound(DomainError):
    def __init__(self, item_id: int) -> None:
        super().__init__(f"There is no item {item_id}")
        self.item_id = item_id


class NotAllowed(DomainError):
    """The actor is known but the policy does not let them do this."""

    def __init__(self, action: str) -> None:
        super().__init__(f"You are not allowed to {action}")
        self.action = action


class WrongCurrentPassword(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "current_password is missing or wrong; "
            "it is required to change your own password or email"
        )


class LastSuperuser(DomainError):
    """The change would leave nobody to administer."""

    def __init__(self, action: str) -> None:
        super().__init__(f"The last active superuser cannot be {action}")


class SessionNotFound(DomainError):
    """Not one of the caller's live sessions (whether it never existed, ended, or is someone
    else's: the answer is the same, so ids cannot be probed)."""

    def __init__(self) -> None:
        super().__init__("There is no such live session of yours")


class InvalidAccountToken(DomainError):
    """A reset or verification link that is unknown, spent, expired, or for an address the
    account no longer has. The API answers one message for all; `reason` lets a page tell the
    person holding the link which it was (they hold the token: it tells them nothing new)."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    STALE = "stale"
    """The account's address changed since the link was sent, or the account is inactive."""

    def __init__(self, reason: str = UNKNOWN) -> None:
        super().__init__("This link is invalid, has expired or was used already; ask for a new one")
        self.reason = reason


class EmailNotVerified(DomainError):
    """The service requires a verified address for this, and the account's is not yet."""

    def __init__(self) -> None:
        super().__init__(
            "Verify your email address first: follow the link we mailed you, "
            "or ask for a new one at POST /api/v1/auth/verify-email/resend"
        )

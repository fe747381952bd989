"""The mails itemhub sends, as plain text, and the links they carry.

Every mail is written here and nowhere else, so its wording can be read (and changed) in one
file. Links point at `public_url` (`ITEMHUB_PUBLIC_URL`): itemhub's own pages by default, or an
operator's front end that serves the same two paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from domain.mail import Mail
from domain.user import User
from domain.values import Email

RESET_PATH = "/reset-password"
VERIFY_PATH = "/verify-email"


@dataclass(frozen=True, slots=True)
class Links:
    public_url: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "public_url", self.public_url.rstrip("/"))

    def _link(self, path: str, token: str) -> str:
        return f"{self.public_url}{path}?token={quote(token, safe='')}"

    def reset(self, token: str) -> str:
        return self._link(RESET_PATH, token)

    def verify(self, token: str) -> str:
        return self._link(VERIFY_PATH, token)


def _duration(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes % (60 * 24) == 0:
        return f"{minutes // (60 * 24)} days" if minutes != 60 * 24 else "1 day"
    if minutes % 60 == 0:
        return f"{minutes // 60} hours" if minutes != 60 else "1 hour"
    return f"{minutes} minutes"


def password_reset(user: User, link: str, valid_for: timedelta, now: datetime) -> Mail:
    body = (
        f"Hello {user.username},\n\n"
        "Someone (we hope you) asked to reset the password of your itemhub account.\n"
        f"To choose a new password, open this link within {_duration(valid_for)}:\n\n"
        f"{link}\n\n"
        "The link works once. Setting a new password signs you out everywhere.\n"
        "If you did not ask for this, ignore this mail: your password stays as it is.\n"
    )
    return Mail.compose(user.email, "Reset your itemhub password", body, now)


def email_verification(user: User, link: str, valid_for: timedelta, now: datetime) -> Mail:
    body = (
        f"Hello {user.username},\n\n"
        f"Please confirm that {user.email} is your address for itemhub.\n"
        f"Open this link within {_duration(valid_for)}:\n\n"
        f"{link}\n\n"
        "If you did not sign up or change your address, ignore this mail.\n"
    )
    return Mail.compose(user.email, "Confirm your email address for itemhub", body, now)


def password_changed(user: User, now: datetime) -> Mail:
    body = (
        f"Hello {user.username},\n\n"
        "The password of your itemhub account was just changed, and every session of the\n"
        "account was signed out.\n\n"
        "If this was not you, reset your password now and tell us.\n"
    )
    return Mail.compose(user.email, "Your itemhub password was changed", body, now)


def email_changed(user: User, old_email: Email, now: datetime) -> Mail:
    """Sent to the address the account had before: its owner hears of the change even if
    the change was not theirs."""
    body = (
        f"Hello {user.username},\n\n"
        f"The email address of your itemhub account was changed from {old_email}\n"
        f"to {user.email}. Mail for the account now goes to the new address.\n\n"
        "If this was not you, contact us at once.\n"
    )
    return Mail.compose(old_email, "Your itemhub email address was changed", body, now)

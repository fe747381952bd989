"""Mail in the outbox: written with the change it reports, sent after commit, retried with
growing delays, and erased once sent (a mail may carry a live token).

The rules of a mail's life are here: when it is due, what a failed attempt does (retry later,
or give up after `RetryPolicy.max_attempts` or at once on a permanent refusal), what sending
leaves behind. The relay (`application/use_cases/mail_relay.py`) applies them; the stores claim
due mail atomically, so two relays never hold the same mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.values import NOT_STORED, Email

MAX_SUBJECT_CHARS = 200
MAX_ERROR_CHARS = 500
MAX_STATE_CHARS = 16


class MailState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Attempt n (1-based) that fails is retried after first_delay * 2**(n-1), at most
    `longest_delay`; the defaults spread 8 attempts over about an hour, long enough to ride
    out a mail server's restart or a short outage without hammering it."""

    max_attempts: int = 8
    first_delay: timedelta = timedelta(seconds=30)
    longest_delay: timedelta = timedelta(hours=1)

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.first_delay <= timedelta(0):
            raise ValueError("a retry policy needs at least one attempt and a positive delay")

    def delay_after(self, attempts: int) -> timedelta:
        return min(self.first_delay * (1 << max(attempts - 1, 0)), self.longest_delay)


@dataclass(slots=True, kw_only=True)
class Mail:
    """One message. `body` is None once sent: only its envelope stays, for the record."""

    to: Email
    subject: str
    body: str | None
    created_at: datetime
    next_attempt_at: datetime
    state: MailState = MailState.PENDING
    attempts: int = 0
    sent_at: datetime | None = None
    last_error: str | None = None
    id: int = NOT_STORED

    @classmethod
    def compose(cls, to: Email, subject: str, body: str, now: datetime) -> Mail:
        """A mail due at once; a line break in the subject could forge headers, so none is."""
        if len(subject) > MAX_SUBJECT_CHARS or any(ch in subject for ch in "\r\n"):
            raise ValueError("a subject is one line of at most 200 characters")
        return cls(to=to, subject=subject, body=body, created_at=now, next_attempt_at=now)

    def is_due(self, now: datetime) -> bool:
        return self.state is MailState.PENDING and self.next_attempt_at <= now

    def claim(self, now: datetime, lease: timedelta) -> None:
        """A relay takes the mail for one attempt. Until `lease` has passed nobody else will
        (it is not due); a relay that dies holding it leaves it due again after the lease, so
        a restart loses no mail."""
        self.attempts += 1
        self.next_attempt_at = now + lease

    def sent(self, now: datetime) -> None:
        self.state = MailState.SENT
        self.sent_at = now
        self.body = None
        self.last_error = None

    def attempt_failed(
        self, now: datetime, error: str, policy: RetryPolicy, *, permanent: bool = False
    ) -> None:
        """`attempts` counts this attempt already (the claim counted it)."""
        self.last_error = error[:MAX_ERROR_CHARS]
        if permanent or self.attempts >= policy.max_attempts:
            self.state = MailState.FAILED
            self.body = None  # never sent, but its token must not linger in the store either
        else:
            self.next_attempt_at = now + policy.delay_after(self.attempts)

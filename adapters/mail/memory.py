"""Mail kept in a list: for tests of the use cases and the relay, without a server."""

from __future__ import annotations

from dataclasses import dataclass

from application.errors import MailNotSent

DEFAULT_SENDER = "itemhub <no-reply@localhost>"


@dataclass(frozen=True, slots=True)
class SentMail:
    to: str
    subject: str
    body: str


class InMemoryMailer:
    """`refuse` makes the next sends fail as a mail server would (for as long as it is set)."""

    def __init__(
        self, url: str = "memory://", sender: str = DEFAULT_SENDER, timeout_seconds: float = 0
    ) -> None:
        """`timeout_seconds` is for the SMTP mailer; nothing waits here."""
        self.sender = sender
        self.sent: list[SentMail] = []
        self.refuse: MailNotSent | None = None

    async def send(self, to: str, subject: str, body: str) -> None:
        if self.refuse is not None:
            raise self.refuse
        self.sent.append(SentMail(to, subject, body))

    async def close(self) -> None:
        """Nothing to release."""

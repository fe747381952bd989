"""Mail written whole to the log: the development default, so a `make run` user can follow a
reset or verification link without a mail server."""

from __future__ import annotations

import logging

DEFAULT_SENDER = "itemhub <no-reply@localhost>"

logger = logging.getLogger("itemhub.mail")


class ConsoleMailer:
    def __init__(
        self, url: str = "console://", sender: str = DEFAULT_SENDER, timeout_seconds: float = 0
    ) -> None:
        """`timeout_seconds` is for the SMTP mailer; nothing waits here."""
        self._sender = sender

    async def send(self, to: str, subject: str, body: str) -> None:
        logger.info(
            "mail (ITEMHUB_MAIL_URL=console://, not sent)\nFrom: %s\nTo: %s\nSubject: %s\n\n%s",
            self._sender,
            to,
            subject,
            body,
        )

    async def close(self) -> None:
        """Nothing to release."""

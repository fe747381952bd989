"""A real SMTP server for the mail tests: aiosmtpd on a loopback port, in a thread of its own,
keeping every message it accepts. It can be stopped and started again on the same port, to
play an outage."""

from __future__ import annotations

import email
import email.policy
import re
import ssl
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.e2e.processes import free_port

LINK = re.compile(r"https?://\S+/(reset-password|verify-email)\?token=\S+")


@dataclass(frozen=True)
class Received:
    to: str
    subject: str
    body: str
    message: EmailMessage

    def link(self) -> tuple[str, str]:
        """(path, token) of the link in the mail."""
        match = LINK.search(self.body)
        assert match is not None, self.body
        parts = urlsplit(match.group(0))
        return parts.path, parse_qs(parts.query)["token"][0]


class _Keeper:
    def __init__(self, inbox: list[Received], lock: threading.Lock) -> None:
        self._inbox = inbox
        self._lock = lock

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        body = message.get_content()
        with self._lock:
            for rcpt in envelope.rcpt_tos:
                self._inbox.append(Received(rcpt, str(message["Subject"]), body, message))
        return "250 OK"


class SmtpServer:
    """Plain by default. With `tls` and `login`: `"starttls"` requires STARTTLS and then the
    login; `"implicit"` speaks TLS from the first byte (smtps)."""

    def __init__(
        self,
        *,
        tls: str | None = None,
        context: ssl.SSLContext | None = None,
        login: tuple[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self._inbox: list[Received] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None
        self._tls = tls
        self._context = context
        self._login = login

    @property
    def url(self) -> str:
        return f"{'smtps' if self._tls == 'implicit' else 'smtp'}://127.0.0.1:{self.port}"

    def _authenticate(
        self, _server: Any, _session: Any, _envelope: Any, _mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and self._login == (
            data.login.decode(),
            data.password.decode(),
        )
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 235 or 535 itself

    def start(self) -> None:
        options: dict[str, Any] = {}
        if self._tls == "starttls":
            options = {"tls_context": self._context, "require_starttls": True}
        elif self._tls == "implicit":
            options = {"ssl_context": self._context}
        if self._login is not None:
            options |= {"authenticator": self._authenticate, "auth_required": True}
        self._controller = Controller(
            _Keeper(self._inbox, self._lock), hostname="127.0.0.1", port=self.port, **options
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def inbox(self) -> list[Received]:
        with self._lock:
            return list(self._inbox)

    def wait_for(self, count: int, timeout: float = 20) -> list[Received]:
        """At least `count` mails, waiting up to `timeout` seconds for them."""
        deadline = time.monotonic() + timeout
        while len(received := self.inbox()) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(received)} mails arrived, expected {count}")
            time.sleep(0.05)
        return received

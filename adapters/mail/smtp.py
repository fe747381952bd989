"""Mail over SMTP with aiosmtplib: `smtp://` upgrades with STARTTLS when the server offers it,
`smtps://` speaks TLS from the first byte.

URL: `smtp[s]://[user:password@]host[:port][?ca_file=/path/to/ca.pem]` (ports 25 and 465 by
default; `ca_file` trusts a private certificate authority besides the system's). A 5xx
refusal of the recipient or the message is permanent (retrying cannot help); anything else,
from a refused connection to a 4xx or a refused login, is worth retrying.
"""

from __future__ import annotations

import email.utils
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from application.errors import MailNotSent

DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
TIMEOUT_SECONDS = 30.0


def _permanent(error: aiosmtplib.SMTPException) -> bool:
    """Only a 5xx refusal of this recipient or this message is final. A refused login or
    sender is the operator's configuration: once fixed, the mail should still go."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(refused.code >= 500 for refused in error.recipients)
    if isinstance(error, aiosmtplib.SMTPRecipientRefused | aiosmtplib.SMTPDataError):
        return error.code >= 500
    return False


def _reason(error: Exception) -> str:
    """One line for the operator, with no credentials in it."""
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class SmtpMailer:
    def __init__(self, url: str, sender: str, timeout_seconds: float = TIMEOUT_SECONDS) -> None:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS or not parts.hostname:
            raise ValueError("a mail URL looks like smtp://[user:password@]host[:port]")
        self._host = parts.hostname
        self._port = parts.port or DEFAULT_PORTS[scheme]
        self._implicit_tls = scheme == "smtps"
        self._username = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._ca_file = parse_qs(parts.query).get("ca_file", [None])[0]
        self._sender = sender
        self._timeout = timeout_seconds

    def _message(self, to: str, subject: str, body: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = email.utils.formatdate(usegmt=True)
        message["Message-ID"] = email.utils.make_msgid(domain="itemhub")
        message.set_content(body, charset="utf-8")
        return message

    async def send(self, to: str, subject: str, body: str) -> None:
        try:
            await aiosmtplib.send(
                self._message(to, subject, body),
                hostname=self._host,
                port=self._port,
                username=self._username,
                password=self._password,
                use_tls=self._implicit_tls,
                start_tls=False if self._implicit_tls else None,  # None: when offered
                cert_bundle=self._ca_file,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPException as error:
            raise MailNotSent(_reason(error), permanent=_permanent(error)) from error
        except OSError as error:  # refused, unreachable, TLS handshake failed
            raise MailNotSent(_reason(error)) from error

    async def close(self) -> None:
        """A connection per send: nothing is held between mails."""

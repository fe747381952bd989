"""The SMTP mailer against a real SMTP server (aiosmtpd): plain, STARTTLS with a login, and
TLS from the first byte, with certificates from a throw-away authority (trustme); and what it
says when the server is away or refuses."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
import trustme

from adapters.mail.smtp import SmtpMailer
from application.errors import MailNotSent
from tests.e2e.processes import free_port
from tests.e2e.smtp_server import SmtpServer

SENDER = "itemhub <no-reply@itemhub.test>"
BODY = "Hello Zoë,\n\nthis line has ünïcode and a link: http://x.test/?token=abc\n"


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(authority: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(path))
    return str(path)


def server_context(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    return context


async def test_a_mail_arrives_whole_in_utf_8() -> None:
    server = SmtpServer()
    server.start()
    try:
        await SmtpMailer(server.url, SENDER).send("zoe@example.com", "Ünïcode subject", BODY)
        [mail] = server.wait_for(1)
    finally:
        server.stop()
    body = mail.body.replace("\r\n", "\n")  # SMTP carries lines ending in CRLF
    assert (mail.to, mail.subject, body) == ("zoe@example.com", "Ünïcode subject", BODY)
    assert mail.message["From"] == SENDER
    assert mail.message["Message-ID"]


async def test_starttls_then_login(authority: trustme.CA, ca_file: str) -> None:
    server = SmtpServer(
        tls="starttls", context=server_context(authority), login=("relay", "s3cret pass")
    )
    server.start()
    try:
        url = f"smtp://relay:s3cret%20pass@127.0.0.1:{server.port}?ca_file={ca_file}"
        await SmtpMailer(url, SENDER).send("zoe@example.com", "Over STARTTLS", BODY)
        [mail] = server.wait_for(1)
        assert mail.subject == "Over STARTTLS"
        wrong = f"smtp://relay:wrong@127.0.0.1:{server.port}?ca_file={ca_file}"
        with pytest.raises(MailNotSent) as refused:
            await SmtpMailer(wrong, SENDER).send("zoe@example.com", "No", BODY)
        assert not refused.value.permanent  # a configuration to fix, then the mail goes
        assert "s3cret" not in refused.value.reason
    finally:
        server.stop()


async def test_implicit_tls_and_an_untrusted_certificate(
    authority: trustme.CA, ca_file: str
) -> None:
    server = SmtpServer(tls="implicit", context=server_context(authority))
    server.start()
    try:
        await SmtpMailer(f"{server.url}?ca_file={ca_file}", SENDER).send(
            "zoe@example.com", "Over TLS", BODY
        )
        [mail] = server.wait_for(1)
        assert mail.subject == "Over TLS"
        with pytest.raises(MailNotSent) as untrusted:  # the system's authorities only
            await SmtpMailer(server.url, SENDER).send("zoe@example.com", "No", BODY)
        assert not untrusted.value.permanent
    finally:
        server.stop()


async def test_no_server_is_a_failure_worth_retrying() -> None:
    with pytest.raises(MailNotSent) as down:
        await SmtpMailer(f"smtp://127.0.0.1:{free_port()}", SENDER).send("a@b.example", "x", "y")
    assert not down.value.permanent


def test_a_mail_url_without_a_host_is_refused() -> None:
    with pytest.raises(ValueError, match="smtp://"):
        SmtpMailer("smtp://", SENDER)

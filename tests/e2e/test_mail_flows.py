"""Recovery and verification end to end: `itemhub serve` as a real process, mail through a real
SMTP server (aiosmtpd), on SQLite and PostgreSQL. Also what the outbox promises: nothing lost
across an SMTP outage and a restart, nothing sent twice by several relays."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.processes import ITEMHUB, itemhub, running_server
from tests.e2e.smtp_server import SmtpServer

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def mail_env(database_url: str, smtp: SmtpServer) -> dict[str, str]:
    return {
        "ITEMHUB_DATABASE_URL": database_url,
        "ITEMHUB_BCRYPT_ROUNDS": "4",
        "ITEMHUB_MAIL_URL": smtp.url,
        "ITEMHUB_MAIL_FROM": "itemhub tests <tests@itemhub.test>",
        "ITEMHUB_MAIL_RELAY_POLL_SECONDS": "0.1",
        "ITEMHUB_MAIL_FIRST_RETRY_SECONDS": "0.2",
    }


@pytest.fixture
def migrated(fresh_database: str, tmp_path: Path) -> str:
    done = itemhub("migrate", cwd=tmp_path, env={"ITEMHUB_DATABASE_URL": fresh_database})
    assert done.returncode == 0, done.stderr
    return fresh_database


def register(client: httpx.Client, name: str) -> None:
    response = client.post(
        "/api/v1/users",
        json={"email": f"{name}@example.com", "username": name, "password": PASSWORD},
    )
    assert response.status_code == 201, response.text


def login(client: httpx.Client, name: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/api/v1/auth/token", data={"username": name, "password": password})


def test_a_user_verifies_their_address_and_recovers_a_forgotten_password(
    migrated: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    with (
        running_server(mail_env(migrated, smtp), tmp_path) as base_url,
        httpx.Client(base_url=base_url) as client,
    ):
        register(client, "alice")
        register(client, "bob")
        [welcome, _] = smtp.wait_for(2)
        assert welcome.to == "alice@example.com"
        assert welcome.message["From"] == "itemhub tests <tests@itemhub.test>"
        path, token = welcome.link()
        assert path == "/verify-email"
        page = client.get(path, params={"token": token})
        assert "Verify my email address" in page.text
        assert client.post(path, data={"token": token}).status_code == 200
        session = {"Authorization": f"Bearer {login(client, 'alice').json()['access_token']}"}
        me = client.get("/api/v1/users/me", headers=session).json()
        assert me["email_verified"] is True

        # A change that fails (the address is bob's) sends nothing.
        taken = client.patch(
            f"/api/v1/users/{me['id']}",
            json={"email": "bob@example.com", "current_password": PASSWORD},
            headers=session,
        )
        assert taken.status_code == 409, taken.text

        assert (
            client.post(
                "/api/v1/auth/password-reset", json={"email": "alice@example.com"}
            ).status_code
            == 202
        )
        [_, _, reset] = smtp.wait_for(3)
        assert (reset.to, reset.subject) == ("alice@example.com", "Reset your itemhub password")
        path, token = reset.link()
        assert path == "/reset-password"
        form = {"token": token, "new_password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD}
        done = client.post(path, data=form)
        assert done.status_code == 200, done.text
        assert client.get("/api/v1/users/me", headers=session).status_code == 401
        assert login(client, "alice").status_code == 401
        assert login(client, "alice", NEW_PASSWORD).status_code == 200
        [*_, notice] = smtp.wait_for(4)
        assert (notice.to, notice.subject) == (
            "alice@example.com",
            "Your itemhub password was changed",
        )
        time.sleep(0.5)  # a relay pass or more: nothing else was queued
        assert len(smtp.inbox()) == 4


# The outbox's claims differ by database only in SQL (row locks on PostgreSQL; SQLite runs one
# writer at a time and the contract suite covers it): these two slow drills run on PostgreSQL.
@pytest.mark.parametrize("fresh_database", ["postgres"], indirect=True)
def test_mail_survives_an_smtp_outage_and_a_restart_and_arrives_once(
    migrated: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    env = mail_env(migrated, smtp)
    smtp.stop()
    with (
        running_server(env, tmp_path) as base_url,
        httpx.Client(base_url=base_url) as client,
    ):
        register(client, "alice")
        time.sleep(0.5)  # the relay tries, and fails, a few times
    status = itemhub("mail-status", cwd=tmp_path, env=env)
    assert status.returncode == 0, status.stderr
    assert "pending 1" in status.stdout
    smtp.start()
    with running_server(env, tmp_path):
        [mail] = smtp.wait_for(1)
        assert mail.to == "alice@example.com"
        time.sleep(0.5)  # several relay passes: none sends it again
    assert len(smtp.inbox()) == 1
    status = itemhub("mail-status", cwd=tmp_path, env=env)
    assert "pending 0, sent 1, failed 0" in status.stdout


@pytest.mark.parametrize("fresh_database", ["postgres"], indirect=True)
def test_several_relays_send_each_mail_exactly_once(
    migrated: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    """Two workers of `itemhub serve` and an `itemhub mail-relay` share one outbox."""
    env = mail_env(migrated, smtp) | {"ITEMHUB_REGISTRATIONS_PER_ADDRESS_PER_HOUR": "1000"}
    relay = subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
        [str(ITEMHUB), "mail-relay"],
        cwd=tmp_path,
        env=os.environ | env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with (
            running_server(env, tmp_path, workers=2) as base_url,
            httpx.Client(base_url=base_url) as client,
        ):
            for n in range(30):
                register(client, f"user{n}")
            smtp.wait_for(30)
            time.sleep(0.5)  # several passes of every relay: none sends a mail again
    finally:
        relay.terminate()
        relay.wait(timeout=10)
    received = smtp.inbox()
    recipients = sorted(mail.to for mail in received)
    assert recipients == sorted(f"user{n}@example.com" for n in range(30))

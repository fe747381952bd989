"""The two pages a mailed link opens, in a real browser with JavaScript switched off: a person
follows the link in the mail, reads the page, fills in the form, and reads what happened."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page

from tests.e2e.processes import running_server
from tests.e2e.smtp_server import SmtpServer
from tests.e2e.test_mail_flows import PASSWORD, mail_env

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, SmtpServer]]:
    """`itemhub serve` on the in-memory adapter, mailing through a real SMTP server. The
    port is chosen at start, so the tests open each mailed link's path and token on it."""
    smtp = SmtpServer()
    smtp.start()
    try:
        env = mail_env("memory://", smtp)
        with running_server(env, tmp_path) as base_url:
            yield base_url, smtp
    finally:
        smtp.stop()


async def open_page(browser: Browser, url: str) -> Page:
    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()
    await page.goto(url)
    return page


def link_to(base_url: str, path: str, token: str) -> str:
    return f"{base_url}{path}?token={token}"


async def test_a_person_verifies_their_address_by_following_the_mailed_link(
    browser: Browser, served: tuple[str, SmtpServer]
) -> None:
    base_url, smtp = served
    async with httpx.AsyncClient(base_url=base_url) as client:
        await client.post(
            "/api/v1/users",
            json={"email": "alice@example.com", "username": "alice", "password": PASSWORD},
        )
        [mail] = await asyncio.to_thread(smtp.wait_for, 1)
        page = await open_page(browser, link_to(base_url, *mail.link()))
        assert await page.title() == "Verify your email address · itemhub"
        await page.get_by_role("button", name="Verify my email address").click()
        await page.wait_for_load_state()
        assert "your email address is verified" in await page.inner_text("main")
        token = (
            await client.post(
                "/api/v1/auth/token", data={"username": "alice", "password": PASSWORD}
            )
        ).json()["access_token"]
        me = await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["email_verified"] is True

        again = await open_page(browser, link_to(base_url, *mail.link()))
        assert "This link was used already" in await again.inner_text("main")


async def test_a_person_sets_a_new_password_through_the_reset_page(
    browser: Browser, served: tuple[str, SmtpServer]
) -> None:
    base_url, smtp = served
    async with httpx.AsyncClient(base_url=base_url) as client:
        await client.post(
            "/api/v1/users",
            json={"email": "alice@example.com", "username": "alice", "password": PASSWORD},
        )
        await client.post("/api/v1/auth/password-reset", json={"email": "alice@example.com"})
        [_, mail] = await asyncio.to_thread(smtp.wait_for, 2)
        url = link_to(base_url, *mail.link())
        page = await open_page(browser, url)
        assert await page.title() == "Choose a new password · itemhub"

        await page.get_by_label("New password").fill(NEW_PASSWORD)
        await page.get_by_label("The same password again").fill("not the same at all")
        await page.get_by_role("button", name="Set new password").click()
        await page.wait_for_load_state()
        assert "The two passwords differ" in await page.inner_text("main")

        await page.get_by_label("New password").fill(NEW_PASSWORD)
        await page.get_by_label("The same password again").fill(NEW_PASSWORD)
        await page.get_by_role("button", name="Set new password").click()
        await page.wait_for_load_state()
        assert "Your new password is set" in await page.inner_text("main")

        old = await client.post(
            "/api/v1/auth/token", data={"username": "alice", "password": PASSWORD}
        )
        new = await client.post(
            "/api/v1/auth/token", data={"username": "alice", "password": NEW_PASSWORD}
        )
        assert (old.status_code, new.status_code) == (401, 200)

        reused = await open_page(browser, url)
        assert "This link was used already" in await reused.inner_text("main")
        broken = await open_page(browser, url[:-5])
        assert "This link is not valid" in await broken.inner_text("main")

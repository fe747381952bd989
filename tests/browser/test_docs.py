"""The interactive docs as a newcomer uses them, in a real browser cut off from the internet:
register with the prefilled example, Authorize, try `GET /users/me` and `POST /items` as they
are prefilled, then open ReDoc. Any request that leaves the machine is refused, so a page that
needs a CDN fails here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, Page, Route, expect

from tests.e2e.processes import running_server

WAIT_MS = 15_000


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    env = {"ITEMHUB_DATABASE_URL": "memory://", "ITEMHUB_BCRYPT_ROUNDS": "4"}
    with running_server(env, tmp_path) as base_url:
        yield base_url


async def offline_page(browser: Browser) -> tuple[Page, list[str]]:
    """A page whose requests to anywhere but this machine fail, as with the cable pulled;
    the second value lists what it tried to fetch from elsewhere."""
    context = await browser.new_context()
    refused: list[str] = []

    async def only_local(route: Route) -> None:
        if urlsplit(route.request.url).hostname in {"127.0.0.1", "localhost"}:
            await route.continue_()
        else:
            refused.append(route.request.url)
            await route.abort("internetdisconnected")

    await context.route("**/*", only_local)
    return await context.new_page(), refused


async def run_as_prefilled(page: Page, operation: str) -> str:
    """Open an operation, press Try it out and Execute without changing anything; the status
    of the answer."""
    block = page.locator(f"#operations-{operation}")
    await block.locator(".opblock-summary").first.click()
    await block.get_by_role("button", name="Try it out").click()
    await block.get_by_role("button", name="Execute").click()
    status = block.locator(".live-responses-table tbody .response-col_status").first
    await expect(status).to_be_visible(timeout=WAIT_MS)
    return (await status.inner_text()).strip()


async def test_docs_work_offline_from_register_to_a_new_item(browser: Browser, served: str) -> None:
    page, refused = await offline_page(browser)
    await page.goto(f"{served}/docs")
    await expect(page.locator(".information-container")).to_contain_text("itemhub", timeout=WAIT_MS)
    tags = await page.locator(".opblock-tag-section h3").all_inner_texts()
    assert [tag.split()[0] for tag in tags] == ["auth", "users", "sessions", "items", "health"]

    assert await run_as_prefilled(page, "users-register_user") == "201"

    await page.locator("button.authorize").first.click()
    await page.locator("#oauth_username").fill("alice")
    await page.locator("#oauth_password").fill("correct horse battery")
    await page.locator(".auth-btn-wrapper button.authorize").click()
    modal = page.locator(".modal-ux")
    await expect(modal.locator("button.authorize")).to_have_text("Logout", timeout=WAIT_MS)
    await page.locator("button.btn-done").click()

    assert await run_as_prefilled(page, "users-read_own_account") == "200"
    me = page.locator("#operations-users-read_own_account .live-responses-table .microlight")
    await expect(me.first).to_contain_text('"username": "alice"')

    assert await run_as_prefilled(page, "items-create_item") == "201"
    item = page.locator("#operations-items-create_item .live-responses-table .microlight")
    await expect(item.first).to_contain_text('"title": "Desk lamp"')

    await page.goto(f"{served}/redoc")
    await expect(page.locator("h1").first).to_contain_text("itemhub", timeout=WAIT_MS)
    for tag in ("auth", "users", "sessions", "items", "health"):
        await expect(page.get_by_role("menuitem", name=tag)).to_be_visible()
    assert refused == []


async def test_the_prefilled_login_form_logs_the_example_account_in(
    browser: Browser, served: str
) -> None:
    page, _ = await offline_page(browser)
    await page.goto(f"{served}/docs")
    assert await run_as_prefilled(page, "users-register_user") == "201"
    assert await run_as_prefilled(page, "auth-login") == "200"

"""A real browser for the pages: Debian's Chromium, headless, driven by Playwright (never a
browser download: `.ci/run` installs the Debian package when it is missing)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

CHROMIUM = Path(os.environ.get("ITEMHUB_TEST_CHROMIUM", "/usr/bin/chromium"))


def require_chromium() -> None:
    """Skip, or under CI=true fail, when Debian's Chromium is not installed."""
    if CHROMIUM.exists():
        return
    reason = f"no browser at {CHROMIUM} (apt-get install chromium; .ci/run does it)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    require_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        try:
            yield browser
        finally:
            await browser.close()

"""A real `tenlog serve` with data, and Debian's Chromium driven by Playwright, for the dashboard tests."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support.server import ServerProcess, start_server

from .seed import seed

CHROMIUM = "/usr/bin/chromium"
# No network beyond loopback, no first-run work, no GPU: the same flags the bench uses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"


@pytest.fixture(scope="session")
def dashboard_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One SQLite server for the dashboard tests: they test the pages, the suites test the backends."""
    url = f"sqlite:///{tmp_path_factory.mktemp('dashboard') / 'tenlog.db'}"
    server = start_server(url, ["--no-bootstrap"])
    server.key = server.mint_key(server.org)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def data(dashboard_server: ServerProcess) -> dict[str, Any]:
    """The seeded completions, session and feedback task, under a fresh tag."""
    tag = "dash" + uuid.uuid4().hex[:6]
    return {"tag": tag, **seed(dashboard_server.http_url, dashboard_server.key, tag)}


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (`make chromium`), never a browser Playwright downloads.

    Package-scoped: Playwright's sync API runs an event loop on this thread while it is open,
    which would make every asyncio test collected after this package fail to start its own.
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Shots:
    """Saves numbered screenshots of a test's steps under test-artifacts/dashboard/ (git-ignored)."""

    def __init__(self, page: Page, name: str) -> None:
        self.page = page
        self.name = re.sub(r"[^\w-]+", "_", name)
        self.step = 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def __call__(self, label: str) -> None:
        self.step += 1
        self.page.screenshot(path=ARTIFACTS / f"{self.name}-{self.step:02d}-{label}.png", full_page=True)


@pytest.fixture
def page(browser: Browser, dashboard_server: ServerProcess, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh tab (its own session storage); fails the test on any uncaught script error."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=dashboard_server.http_url)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert not errors, f"script errors on the page: {errors}"


@pytest.fixture
def shots(page: Page, request: pytest.FixtureRequest) -> Shots:
    """Screenshot helper named after the test."""
    return Shots(page, request.node.name)


@pytest.fixture
def signed_in(page: Page, dashboard_server: ServerProcess, data: dict[str, Any], shots: Shots) -> Page:
    """The tab after signing in through the form with the server's key (with the data seeded)."""
    page.goto("/")
    page.fill("#api-key", dashboard_server.key)
    page.click("button[type=submit]")
    page.wait_for_selector("#completions tbody tr")
    return page

"""Real-browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

Every test in this folder is marked `browser` and `slow`, and runs after the rest of the suite (see the collection
hook).
Chromium comes from Debian (`make browser`), never from Playwright's own download: IPTRIAD_CHROMIUM
names it, /usr/bin/chromium by default. A missing chromium fails these tests; it never skips them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]
from playwright.sync_api import Browser, BrowserContext, Error, Page, Playwright, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from iptriad.accounts.models import User
from tests.conftest import totp_code, totp_device

E2E_DIR = Path(__file__).resolve().parent

CHROMIUM = os.environ.get("IPTRIAD_CHROMIUM", "/usr/bin/chromium")
# Required on this machine: without the background-networking flags chromium keeps trying to reach
# Google's services on a closed network; there is no sandbox or GPU to use in a container.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Short enough that a broken page fails in seconds, long enough for a slow CI machine.
ACTION_TIMEOUT_MS = 10_000
EXPECT_TIMEOUT_MS = 5_000

LogIn = Callable[[Page, str, str], None]


def _is_e2e(item: pytest.Item) -> bool:
    return item.path.is_relative_to(E2E_DIR)


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> Iterator[None]:
    """Mark every test here `browser` and `slow`, and run them after all other tests.

    The markers go on before any other plugin runs, so `-m "not browser"` deselects these tests.
    They run last because Playwright's event loop counts as running in the main thread for as long as
    the session-wide browser lives: a later test calling `asyncio.run()` or `async_to_sync()` would fail.
    """
    for item in items:
        if _is_e2e(item):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)  # a browser, a live server and whole journeys: seconds each
    yield  # pytest-django sorts by database use; `-m` and `-k` deselect
    items.sort(key=_is_e2e)  # stable: every other test keeps its place, the browser tests go last


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    # While Playwright is started, its event loop counts as running in this thread (the sync API drives
    # it from a greenlet), so Django's ORM refuses to run here unless told the loop is not serving
    # requests. Allow it for exactly as long as Playwright runs, not for the whole test session.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as started:
            yield started


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"No chromium at {CHROMIUM}: the browser tests need Debian's chromium. "
            "Run `make browser` (apt-get install chromium) or set IPTRIAD_CHROMIUM to its path.",
            pytrace=False,
        )
    try:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Error as error:
        pytest.fail(f"Chromium at {CHROMIUM} did not start: {error.message}", pytrace=False)
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    yield launched
    launched.close()


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    """A fresh browser profile per test (no cookies carried over), pointed at the live server."""
    fresh = browser.new_context(base_url=live_server.url, locale="en-GB")  # the product speaks en-gb
    fresh.set_default_timeout(ACTION_TIMEOUT_MS)
    yield fresh
    fresh.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A page that fails the test on any uncaught JavaScript error (a broken htmx would show here)."""
    opened = context.new_page()
    script_errors: list[str] = []
    opened.on("pageerror", lambda error: script_errors.append(f"{opened.url}: {error}"))
    yield opened
    assert not script_errors, f"JavaScript errors on the page: {script_errors}"


def _log_in(page: Page, email: str, password: str) -> None:
    """The password, then the authenticator code, both through the real pages.

    The person gets an authenticator device first (as if they had set one up), and the code is computed
    from its key as their phone would. django-otp accepts each code once: the device forgets the last code
    used, so a test may log the same person in twice within one 30-second step.
    """
    device = totp_device(User.objects.get(email=email))
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    page.goto("/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Enter your authenticator code")).to_be_visible()
    device.refresh_from_db()
    page.get_by_label("Code").fill(totp_code(device))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


@pytest.fixture
def log_in() -> LogIn:
    """Log in through the login form, as a person would: `log_in(page, email, password)`."""
    return _log_in

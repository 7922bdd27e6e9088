"""Screenshots for the README, taken from the demo data: IPTRIAD_SCREENSHOTS=1 pytest tests/e2e/test_screenshots.py"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from iptriad.demo.data import demo_load, demo_password
from tests.e2e.conftest import LogIn

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
DESKTOP: ViewportSize = {"width": 1280, "height": 800}

pytestmark = pytest.mark.skipif(
    not os.environ.get("IPTRIAD_SCREENSHOTS"),
    reason="rewrites the README's screenshots in docs/images/: set IPTRIAD_SCREENSHOTS=1 to take them",
)


def test_it_takes_the_client_list_screenshot(page: Page, log_in: LogIn) -> None:
    demo_load()
    page.set_viewport_size(DESKTOP)
    log_in(page, "supervisor@demo.iptriad.example", demo_password())

    page.goto("/clients/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Clients")
    expect(page.get_by_role("navigation", name="Pages of clients")).to_be_visible()

    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=IMAGES / "client-list.png", animations="disabled", caret="hide")

"""The browser tests' shared parts: Debian's Chromium driven by Playwright, a page that fails the
test on any script error, and the widget on the demo page as a patient uses it."""

from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from harness.widget_page import Widget

CHROMIUM = Path("/usr/bin/chromium")

expect.set_options(timeout=30_000)  # a turn through the action server on a busy machine


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package.")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    errors = []
    opened.on("pageerror", lambda error: errors.append(error))
    yield opened
    context.close()
    assert not errors, f"errors in the page: {errors}"


@pytest.fixture
def widget(page, stack) -> Widget:
    return Widget(page, stack.base_url)


@pytest.fixture(scope="module")
def vault(stack):
    opened = stack.vault()
    yield opened
    opened.close()

"""Browser fixtures: Herald under waitress on a loopback port, and a Playwright Chromium.

Chromium is Debian's (`/usr/bin/chromium`, or the path in HERALD_CHROMIUM) when there is one,
Playwright's own download otherwise. When no browser can start the tests skip, except under
CI=true, where they fail: CI must never pass with its browser tests silently skipped.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.browser.pages import log_in

BROWSER_DIR = Path(__file__).resolve().parent
DEFAULT_TIMEOUT_MS = 5_000
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root in CI
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser with the `browser` marker."""
    for item in items:
        if BROWSER_DIR in item.path.parents:
            item.add_marker(pytest.mark.browser)


def running_in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def no_browser(reason: str) -> None:
    """Skip the browser tests, or fail them under CI=true."""
    if running_in_ci():
        pytest.fail(f"browser tests cannot run under CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


def chromium_executable() -> str | None:
    """Debian's Chromium (or HERALD_CHROMIUM); None lets Playwright use its own build."""
    return os.environ.get("HERALD_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session."""
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError as exc:
        no_browser(f"playwright is not installed ({exc})")
    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    playwright = sync_playwright().start()
    executable = chromium_executable()
    try:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
    except Exception as exc:  # any launch failure means "no browser here"
        playwright.stop()
        no_browser(f"Chromium ({executable or 'Playwright build'}) cannot start: {exc}")
    yield chromium
    chromium.close()
    playwright.stop()


@dataclass
class LiveServer:
    """Herald served by waitress on a loopback port."""

    app: Flask
    url: str

    def __call__(self, path: str = "/") -> str:
        return self.url + path


def stop_waitress(server: Any, thread: threading.Thread) -> None:
    """Close every socket from inside waitress's loop so that its run() returns."""

    def close_all() -> None:
        for dispatcher in list(server._map.values()):
            dispatcher.close()

    server.trigger.pull_trigger(close_all)
    thread.join(timeout=5)
    server.task_dispatcher.shutdown(timeout=5)


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """The `app` fixture (a migrated temporary SQLite file) served by waitress on 127.0.0.1.

    Tests seed data with `make_contact_point`, which writes to the same file.
    """
    from waitress import create_server

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    yield LiveServer(app=app, url=f"http://127.0.0.1:{server.effective_port}")
    stop_waitress(server, thread)


def new_page(browser: Any, **options: Any) -> Iterator[Any]:
    """A page in a fresh browser context; uncaught JavaScript errors fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    browser_page = context.new_page()
    errors: list[str] = []
    browser_page.on("pageerror", lambda error: errors.append(str(error)))
    yield browser_page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def anonymous_page(browser: Any) -> Iterator[Any]:
    """A page that has not logged in."""
    yield from new_page(browser)


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A page logged in as the test editor, the role that changes contact points."""
    for browser_page in new_page(browser):
        log_in(browser_page, live_server.url, "editor")
        yield browser_page


@pytest.fixture
def no_js_page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A page logged in as the test editor, with JavaScript turned off."""
    for browser_page in new_page(browser, java_script_enabled=False):
        log_in(browser_page, live_server.url, "editor")
        yield browser_page

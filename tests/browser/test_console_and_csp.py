"""Herald's pages log no console error and break no Content Security Policy rule."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from pytest_httpserver import HTTPServer

from tests.browser.conftest import new_page
from tests.browser.pages import blocks, choose_type, labelled, log_in, row, settled

# Runs before any of Herald's scripts, on every page: a CSP violation becomes a console error.
REPORT_CSP_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', event => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`
                + ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""
INLINE_STYLES = "() => document.querySelectorAll('[style], style').length"


@pytest.fixture
def watched_page(browser: Any, live_server) -> Iterator[tuple[Page, list[str]]]:
    """An editor's page (CSP enforced) and the console errors and CSP violations it logs."""
    problems: list[str] = []

    def keep_errors(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    for browser_page in new_page(browser):
        browser_page.add_init_script(REPORT_CSP_VIOLATIONS)
        browser_page.on("console", keep_errors)
        log_in(browser_page, live_server.url, "editor")
        yield browser_page, problems


def test_create_test_save_and_edit_log_no_error_and_no_csp_violation(
    live_server, watched_page, httpserver: HTTPServer
):
    page, problems = watched_page
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    page.goto(live_server("/contact-points"))
    page.get_by_role("link", name="+ Create contact point").first.click()
    labelled(page, "Name").fill("Watched")
    block = blocks(page).first
    choose_type(block, "Slack")
    choose_type(block, "Webhook")
    labelled(block, "URL").fill(httpserver.url_for("/hook"))
    block.get_by_role("button", name="Test", exact=True).click()
    panel = block.get_by_role("group", name="Test notification")
    panel.get_by_role("button", name="Send test notification").click()
    expect(block.get_by_text("Test notification sent")).to_be_visible()
    assert page.evaluate(INLINE_STYLES) == 0, "an element got an inline style"
    page.get_by_role("button", name="Save contact point").click()
    expect(row(page, "Watched")).to_be_visible()
    row(page, "Watched").get_by_role("button", name="Test").click()
    expect(row(page, "Watched").get_by_text("Test notification sent")).to_be_visible()
    row(page, "Watched").get_by_role("link", name="Edit").click()
    expect(labelled(blocks(page).first, "URL")).to_have_value(httpserver.url_for("/hook"))
    settled(page)

    assert page.evaluate(INLINE_STYLES) == 0, "an element got an inline style"
    assert len(httpserver.log) == 2
    assert problems == []


def test_the_csp_watcher_sees_an_inline_style(live_server, watched_page):
    """The watcher itself works: an inline style on Herald's page is reported."""
    page, problems = watched_page
    page.goto(live_server("/contact-points"))

    with page.expect_console_message(lambda message: "CSP violation" in message.text) as seen:
        page.evaluate("() => { const s = document.createElement('style');"
                      " s.textContent = 'body { color: red }'; document.head.append(s); }")

    assert "style-src" in seen.value.text
    assert any("CSP violation: style-src" in problem for problem in problems), problems

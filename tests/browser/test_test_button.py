"""The "Test" button of an integration block sends a test notification from the form."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Locator, Page, expect
from pytest_httpserver import HTTPServer

from tests.browser.pages import labelled
from tests.loopback import closed_port


def webhook_form(page: Page, live_server, url: str) -> Locator:
    """Open the new contact point form with one Webhook block pointing at url."""
    page.goto(live_server("/contact-points/new"))
    labelled(page, "Name").fill("Tested")
    block = page.locator("fieldset.integration-block").first
    labelled(block, "Integration").select_option(label="Webhook")
    expect(block.locator("summary", has_text="Optional Webhook settings")).to_be_visible()
    labelled(block, "URL").fill(url)
    return block


def send_test(block: Locator) -> None:
    block.get_by_role("button", name="Test", exact=True).click()
    panel = block.get_by_role("group", name="Test notification")
    expect(panel.get_by_role("radio", name="Predefined")).to_be_checked()
    expect(panel.get_by_role("radio", name="Custom")).to_be_visible()
    panel.get_by_role("button", name="Send test notification").click()


def test_test_notification_reaches_the_webhook(live_server, page: Page, httpserver: HTTPServer):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    url = httpserver.url_for("/hook")
    block = webhook_form(page, live_server, url)

    send_test(block)

    expect(block.get_by_text("Test notification sent")).to_be_visible()
    assert len(httpserver.log) == 1
    request, _ = httpserver.log[0]
    body = json.loads(request.get_data(as_text=True))
    assert isinstance(body.get("alerts"), list) and body["alerts"]
    assert request.headers["Content-Type"].startswith("application/json")
    expect(labelled(page, "Name")).to_have_value("Tested")
    expect(labelled(block, "URL")).to_have_value(url)


def test_test_notification_to_a_closed_port_fails_clearly(live_server, page: Page):
    url = f"http://127.0.0.1:{closed_port()}/hook"
    block = webhook_form(page, live_server, url)

    send_test(block)

    expect(block.get_by_text(re.compile(r"Test failed: \S"))).to_be_visible()
    expect(block.get_by_text("Test notification sent")).to_have_count(0)
    expect(labelled(page, "Name")).to_have_value("Tested")
    expect(labelled(block, "URL")).to_have_value(url)
    expect(page).to_have_url(re.compile(r"/contact-points/new$"))

"""Copy buttons: a new API token and an export go to the clipboard in one click."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import new_page
from tests.browser.pages import labelled, log_in


def admin_page(browser, live_server, **options):
    for page in new_page(browser, **options):
        log_in(page, live_server.url, "admin")
        yield page


def test_a_new_token_is_copied_to_the_clipboard(browser, live_server):
    for page in admin_page(browser, live_server,
                           permissions=["clipboard-read", "clipboard-write"]):
        page.goto(live_server("/api-tokens"))
        labelled(page, "Name").fill("deploy script")
        page.get_by_role("button", name="Create token").click()
        value = page.get_by_label(re.compile("Token for deploy script")).input_value()

        page.get_by_role("button", name="Copy token").click()

        expect(page.get_by_text("Copied.")).to_be_visible()
        assert page.evaluate("navigator.clipboard.readText()") == value


def test_an_export_is_copied_and_shown_in_a_monospace_box(page, live_server,
                                                          make_contact_point):
    make_contact_point("ops", [("webhook", {"url": "https://hooks.example/a"})])
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(live_server("/contact-points/export"))
    box = page.get_by_label("Exported document")

    page.get_by_role("button", name="Copy to clipboard").click()

    expect(page.get_by_text("Copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == box.input_value()
    assert "name: ops" in box.input_value()
    assert "monospace" in box.evaluate("element => getComputedStyle(element).fontFamily")


def test_without_the_clipboard_api_the_text_is_selected_to_copy(page, live_server,
                                                                make_contact_point):
    make_contact_point("ops", [("webhook", {"url": "https://hooks.example/a"})])
    page.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    page.goto(live_server("/contact-points/export"))

    page.get_by_role("button", name="Copy to clipboard").click()

    expect(page.get_by_role("status").filter(has_text=re.compile("Copied|Selected"))) \
        .to_be_visible()
    selected = page.evaluate("document.activeElement.selectionEnd"
                             " - document.activeElement.selectionStart")
    assert selected == len(page.get_by_label("Exported document").input_value())


def test_without_javascript_there_is_no_dead_copy_button(no_js_page, live_server):
    no_js_page.goto(live_server("/contact-points/export"))

    expect(no_js_page.get_by_role("button", name="Copy to clipboard")).to_have_count(0)
    expect(no_js_page.get_by_label("Exported document")).to_be_visible()

"""The Notification templates tab in a real browser: write, preview, use in Slack, delete."""

from __future__ import annotations

import json

from playwright.sync_api import Locator, Page, expect
from pytest_httpserver import HTTPServer

from tests.browser.pages import blocks, choose_type, labelled, section, settled

TITLE_TEMPLATE = "Alert {{ CommonLabels.alertname }} is {{ Status|upper }}"


def preview_panel(page: Page) -> Locator:
    return page.get_by_role("region", name="Preview")


def template_row(page: Page, name: str) -> Locator:
    heading = page.get_by_role("heading", name=name, exact=True)
    return page.locator("article.template-row").filter(has=heading)


def create_template(page: Page, live_server, name: str, text: str) -> None:
    """Add a template through the editor, typing its text as a person would."""
    page.goto(live_server("/notification-templates"))
    page.get_by_role("link", name="+ Add notification template").first.click()
    labelled(page, "Name").fill(name)
    labelled(page, "Template").press_sequentially(text)
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_text(f"Notification template “{name}” created.")).to_be_visible()


def choose_title_template(block: Locator, template_name: str) -> None:
    """In a block's optional settings, set the Title field to a saved template."""
    block.locator("summary", has_text="Optional Slack settings").click()
    title = section(block, "Optional Slack settings").locator(".template-field").filter(
        has=block.page.get_by_role("radiogroup", name="Title: message source"))
    title.get_by_label("Template", exact=True).check()
    labelled(title, "Notification template").select_option(label=template_name)


def test_preview_follows_typing_then_slack_sends_the_rendered_template(
    live_server, page: Page, httpserver: HTTPServer
):
    httpserver.expect_request("/slack", method="POST").respond_with_data("ok")
    page.goto(live_server("/notification-templates/new"))
    labelled(page, "Name").fill("Team title")
    editor = labelled(page, "Template")

    editor.press_sequentially("Alert {{ CommonLabels.alertname }}")
    expect(preview_panel(page)).to_contain_text("Alert HighCPU")
    editor.press_sequentially(" is {{ Status|upper }}")
    expect(preview_panel(page)).to_contain_text("Alert HighCPU is FIRING")
    page.get_by_label("Sample resolved group").check()
    expect(preview_panel(page)).to_contain_text("Alert HighCPU is RESOLVED")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_text("Notification template “Team title” created.")).to_be_visible()
    expect(template_row(page, "Team title")).to_have_count(1)

    page.goto(live_server("/contact-points/new"))
    labelled(page, "Name").fill("Slack team")
    block = blocks(page).first
    choose_type(block, "Slack")
    labelled(block, "Webhook URL").fill(httpserver.url_for("/slack"))
    choose_title_template(block, "Team title")
    block.get_by_role("button", name="Test", exact=True).click()
    block.get_by_role("button", name="Send test notification").click()

    expect(block.get_by_text("Test notification sent")).to_be_visible()
    assert len(httpserver.log) == 1
    body = json.loads(httpserver.log[0][0].get_data(as_text=True))
    assert body["attachments"][0]["title"] == "Alert TestAlert is FIRING"


def test_errors_show_their_line_instead_of_the_preview_and_custom_data_is_used(
    live_server, page: Page
):
    page.goto(live_server("/notification-templates/new"))
    labelled(page, "Name").fill("Broken")
    labelled(page, "Template").press_sequentially("first line\n{{ Status }")
    expect(preview_panel(page)).to_contain_text("Line 2: unexpected '}'")
    page.get_by_role("button", name="Save template").click()
    expect(labelled(page, "Template")).to_have_value("first line\n{{ Status }")
    expect(page.get_by_text("Line 2: unexpected '}'").first).to_be_visible()

    labelled(page, "Template").fill("{{ Alerts[0].Labels.alertname }}")
    page.get_by_label("Custom data (JSON)").check()
    data = labelled(page, "Alert group JSON")
    expect(data).to_be_visible()
    data.fill('{"alerts": [{"labels": {"alertname": "DiskFull"}}]}')
    expect(preview_panel(page).locator("pre")).to_have_text("DiskFull")
    data.fill('{"alerts": [')
    expect(preview_panel(page)).to_contain_text("The alert data is not valid JSON")


def test_delete_is_refused_in_place_while_a_contact_point_uses_the_template(
    live_server, page: Page, make_contact_point
):
    create_template(page, live_server, "Used title", TITLE_TEMPLATE)
    create_template(page, live_server, "Spare title", TITLE_TEMPLATE)
    make_contact_point("Ops", [("slack", {"url": "https://hooks.slack.example/x",
                                          "title": '{% include "Used title" %}'})])
    page.goto(live_server("/notification-templates"))
    page.on("dialog", lambda dialog: dialog.accept())

    template_row(page, "Used title").get_by_role("button", name="Delete").click()
    expect(template_row(page, "Used title").get_by_role("alert")).to_have_text(
        "Cannot delete “Used title”: it is used by contact point “Ops”. "
        "Change them to use another template first.")
    settled(page)
    template_row(page, "Spare title").get_by_role("button", name="Delete").click()
    expect(template_row(page, "Spare title")).to_have_count(0)
    page.reload()
    expect(template_row(page, "Used title")).to_have_count(1)
    expect(template_row(page, "Spare title")).to_have_count(0)

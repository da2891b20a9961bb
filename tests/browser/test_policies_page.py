"""Notification policies and silences in a real browser: matcher rows, refusal, preview."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.pages import labelled, settled


def test_a_child_policy_is_written_with_matcher_rows_and_previewed(
    live_server, page: Page, make_contact_point
):
    make_contact_point("Ops", [("webhook", {"url": "http://127.0.0.1:9/a"})])
    make_contact_point("DB team", [("webhook", {"url": "http://127.0.0.1:9/b"})])
    page.goto(live_server("/alerting/routes"))
    expect(page.get_by_role("heading", name="Default policy")).to_be_visible()
    page.get_by_role("link", name="+ New child policy").first.click()
    page.get_by_label("Label", exact=True).first.fill("team")
    page.get_by_label("Operator", exact=True).first.select_option("=~")
    page.get_by_label("Value", exact=True).first.fill("(db")
    page.get_by_role("button", name="+ Add matcher").click()
    expect(page.get_by_label("Label", exact=True)).to_have_count(2)
    settled(page)
    page.get_by_label("Label", exact=True).nth(1).fill("env")
    page.get_by_label("Value", exact=True).nth(1).fill("prod")
    labelled(page, "Contact point").select_option("DB team")
    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_text("does not compile")).to_be_visible()
    expect(page.get_by_label("Value", exact=True).nth(1)).to_have_value("prod")
    page.get_by_label("Value", exact=True).first.fill("db|storage")
    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_text("Notification policy saved.")).to_be_visible()
    expect(page.get_by_text('team=~"db|storage"')).to_be_visible()

    labelled(page, "Alert labels").fill("team=storage\nenv=prod")
    page.get_by_role("button", name="Preview routing").click()
    result = page.locator("#routing-result")
    expect(result).to_contain_text("1 matching policy")
    expect(result).to_contain_text("DB team")


def test_a_silence_link_opens_the_form_prefilled(live_server, page: Page, make_contact_point):
    make_contact_point("Ops", [("webhook", {"url": "http://127.0.0.1:9/a"})])
    page.goto(live_server("/alerting/silence/new?alertmanager=grafana&matcher=alertname%3DDisk"))
    expect(page.get_by_label("Label", exact=True).first).to_have_value("alertname")
    expect(page.get_by_label("Value", exact=True).first).to_have_value("Disk")
    labelled(page, "Comment").fill("disk swap")
    page.get_by_role("button", name="Save silence").click()
    expect(page.get_by_text("Silence saved.")).to_be_visible()
    expect(page.get_by_role("region", name="Active silences")).to_contain_text("disk swap")

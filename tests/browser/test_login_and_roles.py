"""Who sees what: anonymous visitors log in first; viewers look but do not change."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.pages import log_in, row


def test_anonymous_visitor_logs_in_and_lands_on_contact_points(live_server, anonymous_page: Page):
    page = anonymous_page
    page.goto(live_server("/contact-points/new"))
    expect(page).to_have_url(re.compile(r"/login\?next="))

    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("wrong password, surely")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()

    log_in(page, live_server.url, "editor")
    expect(page).to_have_url(re.compile(r"/contact-points$"))
    expect(page.get_by_role("link", name="+ Create contact point").first).to_be_visible()


def test_viewer_sees_contact_points_without_changing_them(
    live_server, anonymous_page: Page, make_contact_point
):
    make_contact_point("Ops", [("email", {"addresses": "ops@example.com"})])
    page = anonymous_page
    log_in(page, live_server.url, "viewer")
    page.goto(live_server("/contact-points"))

    expect(row(page, "Ops")).to_contain_text("ops@example.com")
    expect(page.get_by_role("link", name="+ Create contact point")).to_have_count(0)
    for action in ("Duplicate", "Delete"):
        expect(row(page, "Ops").get_by_role("button", name=action)).to_have_count(0)
    expect(row(page, "Ops").get_by_role("link", name="Edit")).to_have_count(0)

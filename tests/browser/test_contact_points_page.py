"""A person manages contact points in a real browser: list, create, edit, duplicate, delete."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.integrations import types_by_label
from app.models import ContactPoint
from tests.browser.pages import (
    add_block,
    blocks,
    choose_type,
    integration_select,
    labelled,
    row,
    secret_shown_as_configured,
    section,
    settled,
)

# Every registered type, by label, in the dropdown's order.
TYPE_LABELS = [integration_type.label for integration_type in types_by_label()]
SLACK_WEBHOOK = "https://hooks.slack.com/services/T0000/B0000/slack-very-secret-token"
HMAC_SECRET = "hmac-very-secret-value"
BASIC_PASSWORD = "basic-very-secret-password"
LIST_URL = re.compile(r"/contact-points(\?[^/]*)?$")
NEW_URL = re.compile(r"/contact-points/new$")


def open_new_form(page: Page, live_server) -> None:
    page.goto(live_server("/contact-points"))
    page.get_by_role("link", name="+ Create contact point").first.click()
    expect(page).to_have_url(NEW_URL)


def search(page: Page, text: str) -> None:
    """Type into the search box key by key, as a person does."""
    box = page.get_by_label("Search by name or type")
    box.fill("")
    box.press_sequentially(text, delay=30)


def save(page: Page) -> None:
    page.get_by_role("button", name="Save contact point").click()


def test_root_redirects_to_an_empty_contact_points_tab(live_server, page: Page):
    page.goto(live_server("/"))

    expect(page).to_have_url(re.compile(r"/contact-points$"))
    alerting = page.get_by_role("heading", name="Alerting").or_(
        page.get_by_role("navigation", name="Alerting")
    )
    expect(alerting.first).to_be_visible()
    expect(page.get_by_role("link", name="Contact points", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Notification templates", exact=True)).to_be_visible()
    expect(page.locator("article.contact-point")).to_have_count(0)
    create_links = page.get_by_role("link", name="+ Create contact point")
    expect(create_links.first).to_be_visible()
    # One in the header and the same link in the empty state.
    expect(create_links).to_have_count(2)
    for index in range(create_links.count()):
        expect(create_links.nth(index)).to_have_attribute("href", NEW_URL)


def test_create_with_two_email_addresses_and_an_added_webhook(live_server, page: Page):
    open_new_form(page, live_server)
    expect(
        page.get_by_text(
            "If you create a contact point with no integrations, no notifications will be sent."
        )
    ).to_be_visible()
    labelled(page, "Name").fill("Platform on-call")

    expect(blocks(page)).to_have_count(1)
    email = blocks(page).first
    expect(integration_select(email).locator("option:checked")).to_have_text("Email")
    expect(integration_select(email).locator("option")).to_have_text(TYPE_LABELS)
    labelled(email, "Addresses").fill("ann@example.com, bob@example.com")

    optional = section(email, "Optional Email settings")
    single_email = labelled(optional, "Single email")
    expect(single_email).to_be_hidden()
    optional.locator("summary").click()
    expect(single_email).to_be_visible()
    optional.locator("summary").click()
    expect(single_email).to_be_hidden()

    notification = section(email, "Notification settings")
    disable_resolved = labelled(notification, "Disable resolved message")
    expect(disable_resolved).to_be_hidden()
    notification.locator("summary").click()
    expect(disable_resolved).to_be_visible()
    expect(disable_resolved).not_to_be_checked()
    notification.locator("summary").click()
    expect(disable_resolved).to_be_hidden()

    webhook = add_block(page)
    expect(integration_select(webhook).locator("option:checked")).to_have_text("Email")
    choose_type(webhook, "Webhook")
    labelled(webhook, "URL").fill("https://hooks.example.com/alerts")
    webhook.locator("summary", has_text="Notification settings").click()
    labelled(webhook, "Disable resolved message").check()

    save(page)

    expect(page).to_have_url(LIST_URL)
    saved = row(page, "Platform on-call")
    expect(saved).to_have_count(1)
    expect(saved).to_have_attribute("id", re.compile(r"^contact-point-\S+$"))
    expect(saved).to_contain_text("Email")
    expect(saved).to_contain_text("ann@example.com")
    expect(saved).to_contain_text("bob@example.com")
    expect(saved).to_contain_text("Webhook")
    expect(saved).to_contain_text("hooks.example.com")
    expect(saved).not_to_contain_text("No integrations")

    # What was saved comes back in the edit form, block by block, in order.
    saved.get_by_role("link", name="Edit").click()
    expect(labelled(page, "Name")).to_have_value("Platform on-call")
    expect(blocks(page)).to_have_count(2)
    expect(labelled(blocks(page).nth(0), "Addresses")).to_have_value(
        re.compile(r"ann@example\.com.*bob@example\.com", re.S)
    )
    expect(labelled(blocks(page).nth(1), "URL")).to_have_value("https://hooks.example.com/alerts")
    disable_resolved = labelled(page, "Disable resolved message")
    expect(disable_resolved).to_have_count(2)
    expect(disable_resolved.nth(0)).not_to_be_checked()
    expect(disable_resolved.nth(1)).to_be_checked()


def test_switching_one_blocks_type_keeps_the_name_and_the_other_block(live_server, page: Page):
    open_new_form(page, live_server)
    labelled(page, "Name").fill("Mixed team")
    first = blocks(page).first
    labelled(first, "Addresses").fill("first@example.com")
    second = add_block(page)
    labelled(second, "Addresses").fill("second@example.com")

    choose_type(first, "Slack")

    expect(labelled(first, "Recipient")).to_be_visible()
    expect(labelled(first, "Token")).to_be_visible()
    expect(labelled(first, "Webhook URL")).to_be_visible()
    expect(labelled(first, "Addresses")).to_have_count(0)
    expect(labelled(page, "Name")).to_have_value("Mixed team")
    expect(blocks(page)).to_have_count(2)
    expect(integration_select(second).locator("option:checked")).to_have_text("Email")
    expect(labelled(second, "Addresses")).to_have_value("second@example.com")

    choose_type(second, "Webhook")
    expect(integration_select(first).locator("option:checked")).to_have_text("Slack")
    expect(labelled(first, "Recipient")).to_be_visible()


def test_missing_required_field_shows_the_message_and_keeps_every_value(live_server, page: Page):
    open_new_form(page, live_server)
    labelled(page, "Name").fill("Half done")
    email = blocks(page).first
    webhook = add_block(page)
    choose_type(webhook, "Webhook")
    labelled(webhook, "URL").fill("https://hooks.example.com/ok")
    webhook.locator("summary", has_text="Optional Webhook settings").click()
    labelled(webhook, "Max Alerts").fill("7")

    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        save(page)

    assert answer.value.status == 422
    expect(blocks(page)).to_have_count(2)
    expect(email).to_contain_text("Addresses is required.")
    expect(labelled(email, "Addresses")).to_have_attribute("aria-invalid", "true")
    expect(webhook).not_to_contain_text("is required")
    expect(labelled(page, "Name")).to_have_value("Half done")
    expect(integration_select(webhook).locator("option:checked")).to_have_text("Webhook")
    expect(labelled(webhook, "URL")).to_have_value("https://hooks.example.com/ok")
    expect(labelled(webhook, "Max Alerts")).to_have_value("7")

    # Correct one field, break two others: each message sits next to its own field.
    labelled(page, "Name").fill("")
    labelled(email, "Addresses").fill("ops@example.com")
    labelled(webhook, "URL").fill("ftp://hooks.example.com/ok")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        save(page)

    assert answer.value.status == 422
    expect(page.get_by_text("Name is required.")).to_be_visible()
    expect(webhook).to_contain_text("URL must be a valid http:// or https:// URL.")
    expect(email).not_to_contain_text("is required")
    expect(labelled(email, "Addresses")).to_have_value("ops@example.com")
    expect(labelled(webhook, "URL")).to_have_value("ftp://hooks.example.com/ok")

    page.goto(live_server("/contact-points"))
    expect(page.locator("article.contact-point")).to_have_count(0)


def test_edit_shows_secrets_as_configured_and_reset_empties_them(
    live_server, page: Page, make_contact_point
):
    make_contact_point(
        "Secrets",
        [
            ("slack", {"url": SLACK_WEBHOOK}),
            (
                "webhook",
                {
                    "url": "https://hooks.example.com/signed",
                    "username": "herald",
                    "password": BASIC_PASSWORD,
                    "hmacConfig.secret": HMAC_SECRET,
                },
            ),
        ],
    )
    page.goto(live_server("/contact-points"))
    row(page, "Secrets").get_by_role("link", name="Edit").click()
    expect(page).to_have_url(re.compile(r"/contact-points/[^/]+/edit$"))
    slack, webhook = blocks(page).nth(0), blocks(page).nth(1)

    expect(integration_select(slack).locator("option:checked")).to_have_text("Slack")
    secret_shown_as_configured(slack, "Webhook URL")
    expect(slack.get_by_role("button", name="Reset")).to_have_count(1)
    webhook.locator("summary", has_text="Optional Webhook settings").click()
    secret_shown_as_configured(webhook, "HTTP Basic Authentication - Password")
    secret_shown_as_configured(webhook, "HMAC Signature - Secret")
    expect(webhook.get_by_role("button", name="Reset")).to_have_count(2)
    html = page.content()
    for secret in (SLACK_WEBHOOK, HMAC_SECRET, BASIC_PASSWORD):
        assert secret not in html

    slack.get_by_role("button", name="Reset").click()

    webhook_url = labelled(slack, "Webhook URL")
    expect(webhook_url).to_be_editable()
    expect(webhook_url).to_have_value("")
    expect(slack.get_by_role("button", name="Reset")).to_have_count(0)
    settled(page)
    assert SLACK_WEBHOOK not in page.content()
    # A reset in one block leaves the other block's secrets alone.
    secret_shown_as_configured(webhook, "HMAC Signature - Secret")

    webhook_url.fill("https://hooks.slack.com/services/T1/B1/new-token")
    save(page)

    expect(page).to_have_url(LIST_URL)
    with live_server.app.app_context():
        contact_point = db.session.scalars(
            select(ContactPoint).where(ContactPoint.name == "Secrets")
        ).one()
        slack_saved, webhook_saved = contact_point.integrations
        assert slack_saved.secrets["url"] == "https://hooks.slack.com/services/T1/B1/new-token"
        assert webhook_saved.secrets == {
            "password": BASIC_PASSWORD,
            "hmacConfig.secret": HMAC_SECRET,
        }


def test_untouched_secrets_survive_a_rename(live_server, page: Page, make_contact_point):
    make_contact_point("Before", [("discord", {"url": "https://discord.com/api/webhooks/1/abc"})])
    page.goto(live_server("/contact-points"))
    row(page, "Before").get_by_role("link", name="Edit").click()
    labelled(page, "Name").fill("After")
    save(page)

    expect(page).to_have_url(LIST_URL)
    expect(row(page, "Before")).to_have_count(0)
    row(page, "After").get_by_role("link", name="Edit").click()
    secret_shown_as_configured(blocks(page).first, "Webhook URL")


def test_duplicate_adds_a_copy_with_the_same_integrations(
    live_server, page: Page, make_contact_point
):
    make_contact_point("Ops", [("email", {"addresses": "ops@example.com"})])
    page.goto(live_server("/contact-points"))

    row(page, "Ops").get_by_role("button", name="Duplicate").click()

    copy = row(page, "Ops (copy)")
    expect(copy).to_have_count(1)
    expect(copy).to_contain_text("Email")
    expect(copy).to_contain_text("ops@example.com")
    page.goto(live_server("/contact-points"))
    expect(row(page, "Ops")).to_have_count(1)
    expect(row(page, "Ops (copy)")).to_have_count(1)


def test_delete_asks_for_confirmation_and_removes_the_row_in_place(
    live_server, page: Page, make_contact_point
):
    make_contact_point("Doomed", [("email", {"addresses": "doomed@example.com"})])
    make_contact_point("Kept", [("email", {"addresses": "kept@example.com"})])
    page.goto(live_server("/contact-points"))
    url_before = page.url

    page.once("dialog", lambda dialog: dialog.dismiss())
    row(page, "Doomed").get_by_role("button", name="Delete").click()
    expect(row(page, "Doomed")).to_have_count(1)

    messages: list[str] = []

    def accept(dialog) -> None:
        messages.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    row(page, "Doomed").get_by_role("button", name="Delete").click()

    expect(row(page, "Doomed")).to_have_count(0)
    expect(row(page, "Kept")).to_have_count(1)
    assert messages and messages[0].strip(), "the confirmation asks nothing"
    assert page.url == url_before, "delete should remove the row in place, not navigate"
    page.reload()
    expect(row(page, "Doomed")).to_have_count(0)
    expect(row(page, "Kept")).to_have_count(1)


def test_delete_without_javascript_goes_through_a_confirmation_page(
    live_server, no_js_page: Page, make_contact_point
):
    make_contact_point("Doomed", [("email", {"addresses": "doomed@example.com"})])
    page = no_js_page
    page.goto(live_server("/contact-points"))

    row(page, "Doomed").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Delete the contact point “Doomed”")).to_be_visible()
    page.get_by_role("button", name="Delete").click()

    expect(page).to_have_url(re.compile(r"/contact-points$"))
    expect(row(page, "Doomed")).to_have_count(0)


def test_search_narrows_the_list_and_keeps_the_query_in_the_url(
    live_server, page: Page, make_contact_point
):
    make_contact_point("Payments team", [("email", {"addresses": "pay@example.com"})])
    make_contact_point("Search team", [("webhook", {"url": "https://hooks.example.com/s"})])
    make_contact_point("Storage team", [("email", {"addresses": "store@example.com"})])
    page.goto(live_server("/contact-points"))
    expect(page.locator("article.contact-point")).to_have_count(3)

    search(page, "payments")

    expect(page.locator("article.contact-point")).to_have_count(1)
    expect(row(page, "Payments team")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"[?&]search=payments(&|$)"))

    search(page, "webhook")
    expect(page.locator("article.contact-point")).to_have_count(1)
    expect(row(page, "Search team")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"[?&]search=webhook(&|$)"))

    # The URL is shareable: loading it shows the same narrowed list and the query.
    page.reload()
    expect(page.get_by_label("Search by name or type")).to_have_value("webhook")
    expect(page.locator("article.contact-point")).to_have_count(1)


def test_search_works_without_javascript(live_server, no_js_page: Page, make_contact_point):
    make_contact_point("Payments team", [("email", {"addresses": "pay@example.com"})])
    make_contact_point("Storage team", [("email", {"addresses": "store@example.com"})])
    page = no_js_page
    page.goto(live_server("/contact-points"))

    page.get_by_label("Search by name or type").fill("storage")
    page.get_by_label("Search by name or type").press("Enter")

    expect(page).to_have_url(re.compile(r"[?&]search=storage(&|$)"))
    expect(page.locator("article.contact-point")).to_have_count(1)
    expect(row(page, "Storage team")).to_have_count(1)


def test_pagination_shows_25_per_page(live_server, page: Page, make_contact_point):
    for number in range(30):
        make_contact_point(f"Team {number:02d}")
    page.goto(live_server("/contact-points"))

    expect(page.locator("article.contact-point")).to_have_count(25)
    expect(page.get_by_role("link", name="Previous")).to_have_count(0)
    page.get_by_role("link", name="Next").click()
    expect(page.locator("article.contact-point")).to_have_count(5)
    expect(page.get_by_role("link", name="Next")).to_have_count(0)
    page.get_by_role("link", name="Previous").click()
    expect(page.locator("article.contact-point")).to_have_count(25)


def test_block_duplicate_and_delete_buttons(live_server, page: Page):
    open_new_form(page, live_server)
    first = blocks(page).first
    choose_type(first, "Webhook")
    labelled(first, "URL").fill("https://hooks.example.com/one")

    first.get_by_role("button", name="Duplicate").click()

    expect(blocks(page)).to_have_count(2)
    copy = blocks(page).nth(1)
    expect(integration_select(copy).locator("option:checked")).to_have_text("Webhook")
    expect(labelled(copy, "URL")).to_have_value("https://hooks.example.com/one")

    first.get_by_role("button", name="Delete").click()
    expect(blocks(page)).to_have_count(1)
    expect(labelled(blocks(page).first, "URL")).to_have_value("https://hooks.example.com/one")


def test_contact_point_without_integrations_says_nothing_will_be_sent(live_server, page: Page):
    open_new_form(page, live_server)
    labelled(page, "Name").fill("Silent")
    blocks(page).first.get_by_role("button", name="Delete").click()
    expect(blocks(page)).to_have_count(0)

    save(page)

    expect(page).to_have_url(LIST_URL)
    expect(row(page, "Silent")).to_contain_text("No integrations — no notifications will be sent")


def test_cancel_returns_to_the_list_without_saving(live_server, page: Page):
    open_new_form(page, live_server)
    labelled(page, "Name").fill("Never saved")
    labelled(blocks(page).first, "Addresses").fill("x@example.com")

    page.get_by_role("link", name="Cancel").click()

    expect(page).to_have_url(LIST_URL)
    expect(row(page, "Never saved")).to_have_count(0)

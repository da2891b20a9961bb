"""No secret value reaches the browser: every response of a scripted session is scanned."""
from __future__ import annotations

from playwright.sync_api import Page, Response, expect

from tests.browser.conftest import log_in
from tests.browser.pages import blocks, row, section, settled

CLOSED = "http://127.0.0.1:9"  # nothing listens there: tests fail fast and stay on loopback
SECRETS = {
    "slack": {"url": f"{CLOSED}/slack/SECRET-slack-hook", "recipient": "#ops"},
    "discord": {"url": f"{CLOSED}/discord/SECRET-discord-hook"},
    "googlechat": {"url": f"{CLOSED}/chat/SECRET-chat-hook"},
    "pagerduty": {"integrationKey": "SECRET-pd-key", "url": f"{CLOSED}/pd"},
    "opsgenie": {"apiKey": "SECRET-og-key", "apiUrl": f"{CLOSED}/og"},
    "telegram": {"bottoken": "SECRET-tg-token", "chatid": "-1001"},
    "webhook": {"url": f"{CLOSED}/hook", "username": "herald",
                "password": "SECRET-basic-password", "hmacConfig.secret": "SECRET-hmac"},
}
MARKERS = ["SECRET-"]
# Seven deliveries and a page round trip on a machine that may be busy: wait for the
# result's own element as long as that takes, not the default few seconds.
RESULT_TIMEOUT_MS = 60_000


def result_status(container):
    """The status element holding a test's outcome (not the "Sending…" indicator)."""
    return container.get_by_role("status").filter(has_text="Test failed:")


def test_no_response_of_a_session_carries_a_secret(
    anonymous_page: Page, live_server, make_contact_point
):
    live_server.app.config["HERALD_TELEGRAM_API_URL"] = CLOSED
    make_contact_point("everything", list(SECRETS.items()))
    page = anonymous_page
    bodies: list[tuple[str, str]] = []

    def keep(response: Response) -> None:
        if response.url.startswith(live_server.url) and "/static/" not in response.url:
            try:
                bodies.append((response.url, response.text()))
            except Exception:  # redirects have no body to read
                bodies.append((response.url, ""))

    page.on("response", keep)
    log_in(page, live_server.url, "admin")
    page.goto(live_server("/contact-points"))
    page.get_by_label("Search by name or type").fill("every")
    # The search runs 300 ms after typing: wait for its answer, or it may replace the row
    # (and the test result in it) after the Test click.
    expect(page.get_by_role("status").filter(has_text="matching “every”")).to_be_visible(
        timeout=RESULT_TIMEOUT_MS)
    settled(page)
    everything = row(page, "everything")
    everything.get_by_role("button", name="Test").click()
    expect(result_status(everything)).to_be_visible(timeout=RESULT_TIMEOUT_MS)
    row(page, "everything").get_by_role("link", name="Edit").click()
    for block in blocks(page).all():
        section(block, "Notification settings")
    webhook = blocks(page).nth(len(SECRETS) - 1)
    webhook.get_by_role("button", name="Test").click()
    settled(page)
    webhook.get_by_role("button", name="Send test notification").click()
    expect(result_status(webhook)).to_be_visible(timeout=RESULT_TIMEOUT_MS)
    page.get_by_role("button", name="Save contact point").click()
    expect(page.get_by_text('Contact point "everything" updated.')).to_be_visible(
        timeout=RESULT_TIMEOUT_MS)
    for path in ("/audit-log", "/users", "/notification-templates"):
        page.goto(live_server(path))

    assert len(bodies) > 10
    for url, body in bodies:
        for marker in MARKERS:
            assert marker not in body, f"{marker} leaked in {url}"

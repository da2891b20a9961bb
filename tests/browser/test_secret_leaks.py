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
    "mattermost": {"url": f"{CLOSED}/hooks/SECRET-mm-hook"},
    "rocketchat": {"url": f"{CLOSED}/hooks/SECRET-rc-hook"},
    "zulip": {"site": CLOSED, "email": "bot@zulip.test", "api_key": "SECRET-zulip-key",
              "stream": "ops"},
    "matrix": {"homeserver": CLOSED, "room_id": "!ops:matrix.test",
               "access_token": "SECRET-matrix-token"},
    "ntfy": {"server": CLOSED, "topic": "ops", "token": "SECRET-ntfy-token"},
    "gotify": {"url": CLOSED, "token": "SECRET-gotify-token"},
    "twilio": {"account_sid": "AC" + "0" * 32, "auth_token": "SECRET-twilio-token",
               "from": "+14155550100", "to": "+14155550123"},
    "apprise": {"url": "json://herald:SECRET-apprise-password@127.0.0.1:9/SECRET-apprise"},
    "prometheus-alertmanager": {"url": f"{CLOSED}/am", "basicAuthUser": "herald",
                                "basicAuthPassword": "SECRET-am-password"},
    "pushover": {"apiToken": "SECRET-po-token", "userKey": "SECRET-po-user"},
    "victorops": {"url": f"{CLOSED}/vo/SECRET-vo-url"},
    "webex": {"api_url": f"{CLOSED}/webex", "room_id": "r1", "bot_token": "SECRET-webex"},
    "sensugo": {"url": f"{CLOSED}/sensu", "apikey": "SECRET-sensu-key"},
    "kafka": {"kafkaRestProxy": f"{CLOSED}/kafka", "kafkaTopic": "t", "username": "u",
              "password": "SECRET-kafka-password"},
    "threema": {"gateway_id": "*HERALD1", "recipient_id": "ECHOECHO",
                "api_secret": "SECRET-threema"},
    "wecom": {"url": f"{CLOSED}/wecom/SECRET-wecom-url"},
    "dingding": {"url": f"{CLOSED}/ding/SECRET-ding-url"},
    "oncall": {"url": f"{CLOSED}/oncall", "authorization_credentials": "SECRET-oncall"},
    "sns": {"api_url": f"{CLOSED}/sns", "topic_arn": "arn:aws:sns:us-east-1:1:t",
            "sigv4.region": "us-east-1", "sigv4.access_key": "SECRET-aws-access",
            "sigv4.secret_key": "SECRET-aws-secret"},
    "jira": {"api_url": f"{CLOSED}/rest/api/2", "project": "P", "issue_type": "Task",
             "api_token": "SECRET-jira-token"},
    "mqtt": {"brokerUrl": "tcp://127.0.0.1:9", "topic": "t", "username": "u",
             "password": "SECRET-mqtt-password"},
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
    live_server.app.config.update(HERALD_TELEGRAM_API_URL=CLOSED,
                                  HERALD_PUSHOVER_API_URL=f"{CLOSED}/pushover",
                                  HERALD_THREEMA_API_URL=f"{CLOSED}/threema",
                                  HERALD_TWILIO_API_URL=CLOSED)
    # The row's Test sends one per integration: leave room for the block's Test after it.
    live_server.app.extensions["herald_test_limiter"].limit = 2 * len(SECRETS)
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
    expect(page.get_by_text('Contact point “everything” updated.')).to_be_visible(
        timeout=RESULT_TIMEOUT_MS)
    for path in ("/audit-log", "/users", "/notification-templates"):
        page.goto(live_server(path))

    assert len(bodies) > 10
    for url, body in bodies:
        for marker in MARKERS:
            assert marker not in body, f"{marker} leaked in {url}"

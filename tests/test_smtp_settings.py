"""Settings → Email (SMTP): the configuration in effect, a real test email, the form's notice."""
from __future__ import annotations

import html

import pytest

from tests.loopback import closed_port
from tests.smtp_server import running_smtp_server

PASSWORD = "s3cret-smtp-pass"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on 127.0.0.1, set as Herald's, with a login."""
    with running_smtp_server(password=PASSWORD) as server:
        app.config["SMTP"] = server.settings(user="herald", password=PASSWORD)
        yield server


@pytest.fixture
def admin(client_as):
    return client_as("admin")


def test_the_page_shows_the_smtp_configuration_in_effect_but_never_the_password(
        admin, smtp_server):
    page = text(admin.get("/settings/email"))

    assert "Email (SMTP)" in page
    assert "HERALD_SMTP_HOST" in page and "127.0.0.1" in page
    assert str(smtp_server.port) in page
    assert "herald@example.test" in page
    assert "none: plain text" in page
    assert "configured" in page
    assert PASSWORD not in page


def test_without_a_host_the_page_says_smtp_is_not_configured(admin, app):
    app.config["SMTP"] = {"host": "", "port": 0, "user": "", "password": "", "from": "",
                          "tls": "starttls"}

    page = text(admin.get("/settings/email"))

    assert "SMTP is not configured: email cannot be sent." in page
    assert "587 (the default for starttls)" in page
    assert page.count("not set") >= 3


def test_send_test_email_really_sends_through_the_smtp_server(admin, smtp_server):
    page = text(admin.post("/settings/email/test", data={"to": "oncall@example.com"}))

    assert "Test email sent to oncall@example.com." in page
    [mail] = smtp_server.received
    assert mail.rcpt_tos == ["oncall@example.com"]
    assert mail.message["Subject"] == "Herald test email"
    assert mail.message["From"] == "herald@example.test"
    assert "sent by admin" in mail.message.get_content()
    assert smtp_server.logins == [("herald", PASSWORD)]


def test_a_failed_test_email_says_why(admin, app):
    port = closed_port()
    app.config["SMTP"] = {"host": "127.0.0.1", "port": port, "user": "", "password": "",
                          "from": "herald@example.test", "tls": "none"}

    page = text(admin.post("/settings/email/test", data={"to": "oncall@example.com"}))

    assert f"Test email failed: connection refused (127.0.0.1:{port})" in page


def test_a_refused_login_is_reported(admin, smtp_server, app):
    app.config["SMTP"] = smtp_server.settings(user="herald", password="wrong")

    page = text(admin.post("/settings/email/test", data={"to": "oncall@example.com"}))

    assert "Test email failed: SMTP login refused" in page
    assert smtp_server.received == []


@pytest.mark.parametrize(("to", "message"), [
    ("", "Enter the address to send the test email to."),
    ("not an address", "Not a valid email address: not an address"),
    ("a@example.com\r\nBcc: b@example.com", "Not a valid email address"),
])
def test_a_bad_address_is_refused_and_nothing_is_sent(admin, smtp_server, to, message):
    response = admin.post("/settings/email/test", data={"to": to})

    assert response.status_code == 422
    assert message in text(response)
    assert smtp_server.received == []


def test_only_admins_see_and_use_the_settings(client_as, smtp_server):
    editor = client_as("editor")

    assert editor.get("/settings/email").status_code == 403
    assert editor.post("/settings/email/test", data={"to": "a@example.com"}).status_code == 403
    assert smtp_server.received == []
    assert ">Settings</a>" not in text(editor.get("/contact-points"))
    assert ">Settings</a>" in text(client_as("admin").get("/contact-points"))


def test_the_email_block_says_plainly_when_smtp_is_not_configured(client, app):
    app.config["SMTP"] = {"host": ""}

    page = text(client.get("/contact-points/new"))

    assert ("SMTP is not configured: email cannot be sent. "
            "See Settings → Email (SMTP).") in page


def test_the_email_block_has_no_notice_when_smtp_is_configured(client, smtp_server):
    page = text(client.get("/contact-points/new"))

    assert "Email" in page
    assert "SMTP is not configured" not in page

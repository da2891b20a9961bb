"""Email through a real SMTP server on 127.0.0.1: recipients, subject, both parts."""
from __future__ import annotations

import pytest

from app.transport.errors import SendError
from app.transport.smtp import NOT_CONFIGURED
from tests.loopback import closed_port
from tests.smtp_server import running_smtp_server

VALUES = {"addresses": "a@example.test; b@example.test", "subject": "Disk full",
          "message": "Check <the> disk"}


def parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_one_message_per_address_with_text_and_html(smtp_server, deliver, firing):
    result = deliver("email", VALUES, firing)

    assert (result.outcome, result.error) == ("success", "")
    received = smtp_server.received
    assert [mail.rcpt_tos for mail in received] == [["a@example.test"], ["b@example.test"]]
    for mail, address in zip(received, ["a@example.test", "b@example.test"], strict=True):
        assert mail.mail_from == "herald@example.test"
        assert mail.message["To"] == address
        assert mail.message["From"] == "herald@example.test"
        assert mail.message["Subject"] == "Disk full"
        text, html = parts(mail.message)
        assert text.replace("\r\n", "\n").startswith("Check <the> disk\n\n\nSent by Herald v")
        assert "Check &lt;the&gt; disk" in html


def test_single_email_goes_to_everyone_at_once(smtp_server, deliver, resolved):
    deliver("email", {**VALUES, "singleEmail": True}, resolved)

    (mail,) = smtp_server.received
    assert mail.rcpt_tos == ["a@example.test", "b@example.test"]
    assert mail.message["To"] == "a@example.test, b@example.test"


def test_default_message_has_a_built_in_html_body(smtp_server, deliver, firing):
    deliver("email", {"addresses": "a@example.test"}, firing)

    (mail,) = smtp_server.received
    text, html = parts(mail.message)
    assert "DiskFull" in text
    assert "<" in html and "DiskFull" in html
    assert "DiskFull" in mail.message["Subject"]


def test_logs_in_when_a_user_is_configured(app, smtp_server, deliver, firing):
    app.config["SMTP"] = smtp_server.settings(user="herald", password="right")

    result = deliver("email", {"addresses": "a@example.test"}, firing)

    assert result.ok, result.error
    assert smtp_server.logins == [("herald", "right")]


def test_wrong_password_is_a_clear_failure(app, smtp_server, deliver, firing):
    app.config["SMTP"] = smtp_server.settings(user="herald", password="wrong")

    result = deliver("email", {"addresses": "a@example.test"}, firing)

    assert result.outcome == "failure"
    assert result.error.startswith("SMTP login refused: ")
    assert smtp_server.received == []


def test_refused_recipient_is_named(smtp_server, deliver, firing):
    smtp_server.handler.refuse.add("b@example.test")

    result = deliver("email", {**VALUES, "singleEmail": True}, firing)

    assert result.outcome == "failure"
    assert "b@example.test (550 5.1.1 No such user here)" in result.error


B = "b@example.test"


# Ways the server can fail the second of three messages, what the error says of it, and
# whether that is for good.
@pytest.mark.parametrize(("fail", "said", "permanent"), [
    (lambda handler: handler.refuse.add(B),
     f"the SMTP server refused {B} (550 5.1.1 No such user here)", True),
    (lambda handler: handler.refuse_data.update({B: "552 5.2.2 Mailbox full"}),
     f"the SMTP server refused {B} (552 5.2.2 Mailbox full)", True),
    (lambda handler: handler.busy.add(B),
     f"the SMTP server refused {B} (421 4.3.2 Service not available)", False),
    (lambda handler: handler.refuse_data.update({B: "451 4.3.0 Try again later"}),
     "SMTP 451: 4.3.0 Try again later", False),
], ids=["550 address", "552 data", "421", "451 data"])
def test_a_refusal_for_good_lets_the_rest_go_a_transient_one_stops_for_a_retry(
        smtp_server, deliver, firing, fail, said, permanent):
    fail(smtp_server.handler)

    result = deliver("email", {**VALUES, "addresses": f"a@example.test; {B}; c@example.test"},
                     firing)

    reached = ["a@example.test", "c@example.test"] if permanent else ["a@example.test"]
    assert [mail.rcpt_tos for mail in smtp_server.received] == [[to] for to in reached]
    again = "" if permanent else ", not sent again on a retry"
    assert result.error == f"{said} (sent to {len(reached)} of 3 addresses{again})"
    assert result.permanent is permanent
    assert result.done == frozenset(reached)


def test_nothing_is_sent_when_earlier_attempts_reached_everyone(app, firing):
    from app.integrations import REGISTRY
    from app.integrations.base import SendContext
    from app.integrations.email import send

    app.config["SMTP"] = {"host": "127.0.0.1", "port": closed_port(), "tls": "none",
                          "from": "herald@example.test"}
    context = SendContext(REGISTRY["email"], VALUES, firing, app.config,
                          done=frozenset({"a@example.test", "b@example.test"}))

    assert send(context).status is None  # no connection was tried: it would be refused


def test_an_address_the_server_cannot_take_is_said_in_words(app, firing):
    from app.integrations import REGISTRY
    from app.integrations.base import SendContext
    from app.integrations.email import send

    # Without SMTPUTF8 on the server, smtplib refuses a non-ASCII address itself.
    with running_smtp_server(smtputf8=False) as server:
        app.config["SMTP"] = server.settings()
        context = SendContext(REGISTRY["email"], {**VALUES, "addresses": "josé@example.test"},
                              firing, app.config)
        with pytest.raises(SendError) as caught:
            send(context)

    assert caught.value.message.startswith("the SMTP server does not support this message: ")
    assert caught.value.permanent is True
    assert server.received == []


def test_addresses_reached_earlier_are_not_sent_to_again(app, smtp_server, firing):
    from app.integrations import REGISTRY
    from app.integrations.base import SendContext
    from app.integrations.email import send

    context = SendContext(REGISTRY["email"], VALUES, firing, app.config,
                          done=frozenset({"a@example.test"}))
    send(context)

    assert [mail.rcpt_tos for mail in smtp_server.received] == [["b@example.test"]]


def test_without_smtp_host_email_explains_how_to_configure(app, deliver, firing):
    app.config["SMTP"] = {"host": "", "port": 0, "user": "", "password": "", "from": "",
                          "tls": "starttls"}

    result = deliver("email", {"addresses": "a@example.test"}, firing)

    assert (result.outcome, result.error, result.permanent) == ("failure", NOT_CONFIGURED, True)
    assert result.error.startswith("SMTP is not configured: set HERALD_SMTP_HOST")


def test_closed_smtp_port_is_connection_refused(app, deliver, firing):
    port = closed_port()
    app.config["SMTP"] = {"host": "127.0.0.1", "port": port, "tls": "none",
                          "from": "herald@example.test"}

    result = deliver("email", {"addresses": "a@example.test"}, firing)

    assert result.error == f"connection refused (127.0.0.1:{port})"


def test_starttls_against_a_server_without_it_says_what_to_change(app, smtp_server, deliver,
                                                                  firing):
    app.config["SMTP"] = smtp_server.settings(tls="starttls")

    result = deliver("email", {"addresses": "a@example.test"}, firing)

    assert result.error == ("the SMTP server does not offer STARTTLS: set HERALD_SMTP_TLS to "
                            "ssl or none")
    assert smtp_server.received == []

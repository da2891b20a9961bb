"""Email sends the subject and text Grafana's own tests and template give
(tests/senders/grafana_cases/email.py)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.version import __version__
from tests.senders.grafana_cases.email import CASES


@pytest.mark.parametrize(("settings", "group", "subject", "text"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_subject_and_text_are_grafanas(smtp_server, deliver, settings, group, subject, text):
    values = {"addresses": "someops@example.com, somedev@example.com", **settings}

    result = deliver("email", values, group)

    assert result.ok, result.error
    received = smtp_server.received
    assert [mail.rcpt_tos for mail in received] == [["someops@example.com"],
                                                    ["somedev@example.com"]]
    for mail in received:
        assert mail.message["Subject"] == subject
        # Mail travels with CRLF line ends; the text is compared line by line.
        body = mail.message.get_body(preferencelist=("plain",)).get_content().replace(
            "\r\n", "\n")
        year = datetime.now(UTC).year
        assert body == f"{text}\n\n\nSent by Herald v{__version__} (c) {year} Herald\n"

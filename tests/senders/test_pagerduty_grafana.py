"""PagerDuty sends what Grafana's own tests expect (tests/senders/grafana_cases/pagerduty.py)."""
from __future__ import annotations

import json
import socket

import pytest

from tests.senders.conftest import body_of
from tests.senders.grafana_cases.pagerduty import CASES


@pytest.mark.parametrize(("settings", "group", "expected"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_payload_is_grafanas(httpserver, deliver, settings, group, expected):
    httpserver.expect_request("/v2/enqueue", method="POST").respond_with_json({}, status=202)
    values = {"integrationKey": "abcdefgh0123456789",
              "url": httpserver.url_for("/v2/enqueue"), **settings}

    result = deliver("pagerduty", values, group)

    assert result.ok, result.error
    raw = httpserver.log[0][0].get_data()
    assert raw.endswith(b"}\n") and b'": ' not in raw  # Go's encoder: compact, one newline
    body = body_of(httpserver)
    wanted = json.loads(json.dumps(expected).replace('"HOSTNAME"',
                                                     json.dumps(socket.gethostname())))
    assert body == wanted
    assert list(body) == list(wanted)  # Grafana's key order, details sorted like Go's map
    assert list(body["payload"]) == list(wanted["payload"])
    assert list(body["payload"]["custom_details"]) == list(wanted["payload"]["custom_details"])


def test_a_severity_without_a_template_must_be_known(make_contact_point):
    from app.contact_points import IntegrationInput, save_contact_point

    result = save_contact_point(None, "pd", [IntegrationInput(
        type="pagerduty", values={"integrationKey": "k", "severity": "urgent"})])

    assert result.contact_point is None
    assert "Severity must be one of critical, error, warning, info" in str(result.errors)

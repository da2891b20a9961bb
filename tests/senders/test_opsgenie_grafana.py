"""Opsgenie sends what Grafana's own tests expect (tests/senders/grafana_cases/opsgenie.py)."""
from __future__ import annotations

import pytest

from tests.senders.conftest import body_of, request_of
from tests.senders.grafana_cases.opsgenie import CASES


@pytest.mark.parametrize(("settings", "group", "path", "expected"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_request_is_grafanas(httpserver, deliver, settings, group, path, expected):
    httpserver.expect_request(path, method="POST").respond_with_json({}, status=202)
    values = {"apiKey": "abcdefgh0123456789", "apiUrl": httpserver.url_for("/v2/alerts"),
              **settings}

    result = deliver("opsgenie", values, group)

    assert result.ok, result.error
    request = request_of(httpserver)
    assert request.headers["Authorization"] == "GenieKey abcdefgh0123456789"
    if path.endswith("/close"):
        assert request.query_string == b"identifierType=alias"
    body = body_of(httpserver)
    assert body == expected
    assert list(body) == list(expected)  # Grafana's key order

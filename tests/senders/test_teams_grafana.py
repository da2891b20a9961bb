"""Teams sends what Grafana's own tests expect (tests/senders/grafana_cases/teams.py)."""
from __future__ import annotations

import pytest

from tests.senders.conftest import body_of
from tests.senders.grafana_cases.teams import CASES


@pytest.mark.parametrize(("settings", "group", "expected"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_payload_is_grafanas(httpserver, deliver, settings, group, expected):
    httpserver.expect_request("/workflow", method="POST").respond_with_data("", status=202)

    result = deliver("teams", {"url": httpserver.url_for("/workflow"), **settings}, group)

    assert result.ok, result.error
    body = body_of(httpserver)
    assert body == expected
    assert list(body) == list(expected)  # Grafana's key order
    assert list(body["attachments"][0]["content"]) == list(
        expected["attachments"][0]["content"])

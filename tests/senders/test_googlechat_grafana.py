"""Google Chat sends what Grafana's own tests expect (tests/senders/grafana_cases/googlechat.py)."""
from __future__ import annotations

import re

import pytest

from app.version import __version__
from tests.senders.conftest import body_of, request_of
from tests.senders.grafana_cases.googlechat import CASES

# Go's time.RFC822 layout, "02 Jan 06 15:04 MST", in UTC.
VERSION_RE = re.compile(rf"Herald v{re.escape(__version__)} \| \d\d [A-Z][a-z]{{2}} \d\d "
                        r"\d\d:\d\d UTC")


@pytest.mark.parametrize(("settings", "group", "expected"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_card_is_grafanas(httpserver, deliver, settings, group, expected):
    httpserver.expect_request("/hook", method="POST").respond_with_json({})

    result = deliver("googlechat", {"url": httpserver.url_for("/hook"), **settings}, group)

    assert result.ok, result.error
    assert request_of(httpserver).headers["Content-Type"] == "application/json; charset=UTF-8"
    body = body_of(httpserver)
    for widget in body["cards"][0]["sections"][0]["widgets"]:
        text = widget.get("textParagraph", {}).get("text", "")
        if VERSION_RE.fullmatch(text):
            widget["textParagraph"]["text"] = "VERSION"
    assert body == expected

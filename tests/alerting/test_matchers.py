"""Matchers as Alertmanager and Grafana write them."""
from __future__ import annotations

import pytest

from app.alerting.matchers import (
    MatcherError,
    from_object_matchers,
    from_silence_matchers,
    parse_matchers,
)


@pytest.mark.parametrize(("text", "labels", "expected"), [
    ('foo="bar"', {"foo": "bar"}, True),
    ('foo="bar"', {"foo": "barn"}, False),
    ("foo!=bar", {}, True),
    ('{a=~"x|y"}', {"a": "y"}, True),
    ('{a=~"x|y"}', {"a": "xy"}, False),  # anchored: the whole value must match
    ('a!~"prod.*"', {"a": "production"}, False),
    ('a!~"prod.*"', {"a": "staging"}, True),
    ('alertname = Watchdog', {"alertname": "Watchdog"}, True),
    ('{a="1", b=~"2|3"}', {"a": "1", "b": "3"}, True),
    ('a="with \\"quotes\\", and comma"', {"a": 'with "quotes", and comma'}, True),
])
def test_matcher_text_is_read_like_alertmanager(text, labels, expected):
    assert all(m.matches(labels) for m in parse_matchers(text)) is expected


def test_object_matchers_and_silence_matchers_give_the_same_matchers():
    grafana = from_object_matchers([["team", "=~", "a|b"], ["env", "!=", "dev"]])
    silence = from_silence_matchers([
        {"name": "team", "value": "a|b", "isRegex": True, "isEqual": True},
        {"name": "env", "value": "dev", "isRegex": False, "isEqual": False}])
    assert grafana == silence
    assert [str(m) for m in grafana] == ['team=~"a|b"', 'env!="dev"']


def test_an_invalid_regex_is_refused_in_words():
    with pytest.raises(MatcherError, match=r"regular expression '\(' of label a does not compile"):
        from_object_matchers([["a", "=~", "("]])

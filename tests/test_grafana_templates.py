"""Herald's default templates render exactly Grafana's text (templates/default_template_test.go)."""
from __future__ import annotations

import pytest

from app.alerts import Alert, AlertGroup
from app.templating import render_field, render_source
from app.templating.gofloat import go_float
from tests.grafana_cases import default_template as case


def rendered(name: str, group: AlertGroup) -> str:
    result = render_field(None, name, group)
    assert not result.warning
    return result.text


def test_default_title_is_grafanas_with_its_double_space():
    assert rendered("default.title", case.group()) == case.TITLE
    assert case.TITLE == "[FIRING:3, RESOLVED:3]  (alert1)"


def test_default_message_is_grafanas_text_exactly():
    assert rendered("default.message", case.group()) == case.MESSAGE


def test_teams_default_message_is_grafanas_text_exactly():
    assert rendered("teams.default.message", case.group()) == case.TEAMS_MESSAGE


def test_text_alert_list_takes_a_sub_value_like_grafanas_template_call():
    group = case.group()
    text = render_source(
        '{% with dot = Alerts.Resolved %}{% include "__text_alert_list" %}{% endwith %}', group)
    assert text == case.MESSAGE.split("**Resolved**\n", 1)[1]


def _group(status: str, alerts: list[Alert], group_labels: dict[str, str],
           common: dict[str, str]) -> AlertGroup:
    return AlertGroup(receiver="r", status=status, alerts=alerts, group_labels=group_labels,
                      common_labels=common)


def _alert(status: str, **labels: str) -> Alert:
    return Alert(status=status, labels=labels, annotations={}, starts_at=case.NOW)


@pytest.mark.parametrize(("group", "title"), [
    # Resolved groups carry no count; group label values then the other common labels.
    (_group("resolved", [_alert("resolved", alertname="a", x="1")], {"alertname": "a"},
            {"alertname": "a", "x": "1"}), "[RESOLVED] a (1)"),
    (_group("firing", [_alert("firing", alertname="a")], {"alertname": "a"},
            {"alertname": "a"}), "[FIRING:1] a "),
    (_group("firing", [_alert("firing", alertname="a")], {}, {}), "[FIRING:1]  "),
])
def test_subject_keeps_grafanas_spacing(group, title):
    assert rendered("default.title", group) == title


def test_values_print_like_go_floats_in_ref_id_order():
    alert = _alert("firing", alertname="a")
    alert.values = {"B": 1e6, "A": 0.5, "C": 3.0}
    text = rendered("default.message", _group("firing", [alert], {}, {}))
    assert "\nValue: A=0.5, B=1e+06, C=3\n" in text


@pytest.mark.parametrize(("number", "text"), [
    (1234, "1234"), (97.2, "97.2"), (1e6, "1e+06"), (1234567, "1.234567e+06"),
    (123456, "123456"), (0.0001, "0.0001"), (0.00001, "1e-05"), (-0.5, "-0.5"),
    (0.1 + 0.2, "0.30000000000000004"), (float("inf"), "+Inf"), (float("nan"), "NaN"),
])
def test_go_float_matches_fmt_v(number, text):
    assert go_float(number) == text

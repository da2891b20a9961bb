"""receivers/pagerduty/v1/pagerduty_test.go (TestNotify), as data.

Grafana's component and client default "Grafana" are Herald's; "HOSTNAME" stands for
the host name, Grafana's default source. The dedup key is the SHA-256 of the group key.
"""
from __future__ import annotations

from tests.senders.grafana_cases import ALERT1, ANNOTATIONS1, alert, group, silence_url

DEDUP_KEY = "6e3538104c14b583da237e9693b76debbc17f0f8058ef20492e5853096cf8733"
DASHBOARD, PANEL = "http://localhost/d/abcd", "http://localhost/d/abcd?viewPanel=efgh"
LINKS = [{"href": "http://localhost", "text": "External URL"}]
FIELD_LABELS = {**ALERT1, "severity": "critical", "class": "test-class", "group": "test-group",
                "component": "test-component", "source": "test-source"}
TEMPLATED = {"severity": "{{ CommonLabels.severity }}", "class": "{{ CommonLabels.class }}",
             "component": "{{ CommonLabels.component }}", "group": "{{ CommonLabels.group }}",
             "source": "{{ CommonLabels.source }}", "client": "client-{{ CommonLabels.source }}",
             "client_url": "http://localhost:20200/{{ CommonLabels.group }}"}


def firing_list(labels: dict[str, str]) -> str:
    lines = "".join(f" - {name} = {value}\n" for name, value in sorted(labels.items()))
    return (f"\nValue: [no value]\nLabels:\n{lines}Annotations:\n - ann1 = annv1\n"
            f"Silence: {silence_url(labels)}\nDashboard: {DASHBOARD}\nPanel: {PANEL}\n")


def one_alert(labels: dict[str, str] = ALERT1):
    return group(alert(labels, ANNOTATIONS1, dashboard=DASHBOARD, panel=PANEL))


def details(labels: dict[str, str] = ALERT1, **extra: str) -> dict[str, str]:
    return {"firing": firing_list(labels), "num_firing": "1", "num_resolved": "0",
            "resolved": "", **extra}


def event(summary: str, custom_details: dict[str, str], *, source: str = "HOSTNAME",
          severity: str = "critical", klass: str = "default", component: str = "Herald",
          group_name: str = "default", client: str = "Herald",
          client_url: str = "http://localhost") -> dict:
    """Grafana's expected pagerDutyMessage."""
    return {
        "routing_key": "abcdefgh0123456789", "dedup_key": DEDUP_KEY, "event_action": "trigger",
        "payload": {"summary": summary, "source": source, "severity": severity,
                    "class": klass, "component": component, "group": group_name,
                    "custom_details": custom_details},
        "client": client, "client_url": client_url, "links": LINKS,
    }


FIELDS_EXPANDED = {"source": "test-source", "klass": "test-class",
                   "component": "test-component", "group_name": "test-group",
                   "client": "client-test-source",
                   "client_url": "http://localhost:20200/test-group"}
FIELDS_SUMMARY = "[FIRING:1]  (test-class test-component test-group val1 critical test-source)"

TWO_ALERTS_FIRING = (
    "\nValue: [no value]\nLabels:\n - alertname = alert1\n - lbl1 = val1\nAnnotations:\n"
    " - ann1 = annv1\nSilence: http://localhost/alerting/silence/new?alertmanager=grafana"
    "&matcher=alertname%3Dalert1&matcher=lbl1%3Dval1\n\nValue: [no value]\nLabels:\n"
    " - alertname = alert1\n - lbl1 = val2\nAnnotations:\n - ann1 = annv2\nSilence: "
    "http://localhost/alerting/silence/new?alertmanager=grafana&matcher=alertname%3Dalert1"
    "&matcher=lbl1%3Dval2\n")

CASES = [
    ("default config with one alert", {}, one_alert(),
     event("[FIRING:1]  (val1)", details())),
    ("an unknown severity becomes critical", {"severity": "{{ CommonLabels.severity }}"},
     one_alert({**ALERT1, "severity": "invalid-severity"}),
     event("[FIRING:1]  (val1 invalid-severity)",
           details({**ALERT1, "severity": "invalid-severity"}))),
    ("templates in fields are expanded", TEMPLATED, one_alert(FIELD_LABELS),
     event(FIELDS_SUMMARY, details(FIELD_LABELS), **FIELDS_EXPANDED)),
    ("custom details are expanded",
     {**TEMPLATED, "details": {"test-field": "{{ Alerts|length }}",
                               "test-field-2": '{{ "abcde"|length }}'}},
     one_alert(FIELD_LABELS),
     event(FIELDS_SUMMARY, details(FIELD_LABELS, **{"test-field": "1", "test-field-2": "5"}),
           **FIELDS_EXPANDED)),
    ("configured details replace the defaults of the same name",
     {**TEMPLATED, "details": {"firing": '{{ "abcde"|length }}', "resolved": "test value",
                               "num_firing": "{{ ((Alerts.Firing|length) == 100)|lower }}",
                               "num_resolved": "just another test value"}},
     one_alert(FIELD_LABELS),
     event(FIELDS_SUMMARY, {"firing": "5", "num_firing": "false",
                            "num_resolved": "just another test value",
                            "resolved": "test value"}, **FIELDS_EXPANDED)),
    ("default config with one alert and custom summary",
     {"summary": "Alerts firing: {{ Alerts.Firing|length }}"}, one_alert(),
     event("Alerts firing: 1", details())),
    ("custom config with multiple alerts",
     {"severity": "warning", "class": "{{ Status }}", "component": "My Herald",
      "group": "my_group"},
     group(alert(ALERT1, ANNOTATIONS1),
           alert({"alertname": "alert1", "lbl1": "val2"}, {"ann1": "annv2"})),
     event("[FIRING:2]  ", {"firing": TWO_ALERTS_FIRING, "num_firing": "2",
                            "num_resolved": "0", "resolved": ""},
           severity="warning", klass="firing", component="My Herald", group_name="my_group")),
    ("a long summary is cut", {"summary": "1" * 1060}, one_alert(),
     event("1" * 1023 + "…", details())),
    # Grafana's test makes one detail too large; Herald's details are limited in size, so
    # here eight alerts with long annotations make the firing list too large.
    ("custom details are removed when the event is too large", {},
     group(*(alert({**ALERT1, "n": str(n)}, {"long": "a" * 70_000}) for n in range(8))),
     event("[FIRING:8]  (val1)", {"error": "Custom details have been removed because the "
                                           "original event exceeds the maximum size of 512KB"})),
]

"""Alert groups: the test notification, the samples, and Alertmanager's webhook JSON."""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from app.alerts import ZERO_TIME, fingerprint, group_from_dict, group_to_dict, sample_groups
from app.alerts import test_alert_group as make_test_group

# The body Alertmanager posts to a webhook receiver (its docs), with a Grafana extra.
ALERTMANAGER_BODY: dict[str, Any] = {
    "version": "4",
    "groupKey": '{}:{alertname="DiskFull"}',
    "truncatedAlerts": 0,
    "status": "firing",
    "receiver": "ops",
    "groupLabels": {"alertname": "DiskFull"},
    "commonLabels": {"alertname": "DiskFull", "severity": "critical"},
    "commonAnnotations": {"summary": "Disk is full"},
    "externalURL": "http://alertmanager.test:9093",
    "alerts": [
        {
            "status": "firing",
            "labels": {"alertname": "DiskFull", "instance": "db-1", "severity": "critical"},
            "annotations": {"summary": "Disk is full"},
            "startsAt": "2026-01-02T03:04:05.123456789Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.test/graph?g0.expr=disk",
            "fingerprint": "c4b3a1f0e2d5a6b7",
            "valueString": "[ var='A' value=99 ]",
        },
        {
            "status": "resolved",
            "labels": {"alertname": "DiskFull", "instance": "db-2", "severity": "critical"},
            "annotations": {"summary": "Disk is full"},
            "startsAt": "2026-01-02T05:04:05+02:00",
            "endsAt": "2026-01-02T04:00:00Z",
            "generatorURL": "",
            "fingerprint": "",
        },
    ],
}


def test_test_group_is_one_firing_test_alert_on_herald():
    group = make_test_group("ops", "http://herald.test/")

    (alert,) = group.alerts
    assert (group.receiver, group.status, alert.status) == ("ops", "firing", "firing")
    assert alert.labels == {"alertname": "TestAlert", "instance": "Herald"}
    assert alert.annotations == {"summary": "Notification test"}
    assert alert.ends_at is None and alert.starts_at.tzinfo is not None
    assert alert.generator_url == "http://herald.test/"
    assert alert.silence_url == (
        "http://herald.test/alerting/silence/new?alertmanager=grafana"
        "&matcher=alertname%3DTestAlert&matcher=instance%3DHerald"
    )
    assert alert.fingerprint == fingerprint(alert.labels)
    assert group.group_labels == {"alertname": "TestAlert"}
    assert group.common_labels == alert.labels
    assert group.common_annotations == alert.annotations
    assert group.external_url == "http://herald.test/"
    assert group.group_key == '{}:{alertname="TestAlert"}'


def test_test_group_merges_the_custom_labels_and_annotations():
    group = make_test_group(
        "ops", "http://herald.test", labels={"severity": "critical", "alertname": "Disk"},
        annotations={"runbook": "http://wiki.test/disk"},
    )

    (alert,) = group.alerts
    assert alert.labels == {"alertname": "Disk", "instance": "Herald", "severity": "critical"}
    assert alert.annotations == {"summary": "Notification test", "runbook": "http://wiki.test/disk"}
    assert group.group_labels == {"alertname": "Disk"}
    assert group.common_labels == alert.labels


def test_resolved_test_group_has_an_end_time():
    group = make_test_group("ops", "http://herald.test/", status="resolved")

    assert group.status == "resolved"
    assert group.resolved == group.alerts and group.firing == []
    assert group.alerts[0].ends_at is not None


def test_fingerprint_is_prometheus_fnv1a_and_ignores_label_order():
    assert fingerprint({}) == "cbf29ce484222325"  # the FNV-64a offset basis
    assert fingerprint({"a": "1", "b": "2"}) == fingerprint({"b": "2", "a": "1"})
    assert fingerprint({"a": "1", "b": "2"}) != fingerprint({"a": "12", "b": ""})
    assert len(fingerprint({"alertname": "x"})) == 16


def test_group_hash_is_the_sha256_of_the_group_key():
    group = make_test_group("ops", "http://herald.test/")

    assert group.group_hash() == hashlib.sha256(group.group_key.encode()).hexdigest()
    assert group.group_hash() == make_test_group("other", "http://x.test/").group_hash()


def test_samples_are_highcpu_on_api_in_prod():
    samples = sample_groups()

    assert [len(samples[k].firing) for k in ("firing", "resolved", "mixed")] == [2, 0, 1]
    assert [len(samples[k].resolved) for k in ("firing", "resolved", "mixed")] == [0, 2, 1]
    assert [samples[k].status for k in ("firing", "resolved", "mixed")] == [
        "firing", "resolved", "firing",
    ]
    firing = samples["firing"]
    assert firing.group_labels == {"alertname": "HighCPU", "service": "api"}
    assert firing.common_labels == {"alertname": "HighCPU", "service": "api", "env": "prod"}
    assert all(alert.ends_at for alert in samples["resolved"].alerts)
    assert all(alert.ends_at is None for alert in firing.alerts)


def test_webhook_body_is_parsed_with_utc_times():
    group = group_from_dict(ALERTMANAGER_BODY)

    assert (group.receiver, group.status, group.truncated_alerts) == ("ops", "firing", 0)
    assert group.external_url == "http://alertmanager.test:9093"
    assert group.common_labels == {"alertname": "DiskFull", "severity": "critical"}
    first, second = group.alerts
    assert first.starts_at == datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)
    assert first.ends_at is None
    assert first.value_string == "[ var='A' value=99 ]"
    assert second.starts_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert second.ends_at == datetime(2026, 1, 2, 4, 0, tzinfo=UTC)
    assert second.fingerprint == fingerprint(second.labels)  # computed when missing
    assert (second.silence_url, second.dashboard_url, second.panel_url) == ("", "", "")


def test_common_labels_and_group_key_are_computed_when_missing():
    body = {"alerts": [
        {"labels": {"alertname": "A", "env": "prod", "pod": "1"}, "annotations": {"s": "x"}},
        {"labels": {"alertname": "A", "env": "prod", "pod": "2"}, "annotations": {"s": "y"}},
    ], "groupLabels": {"alertname": "A"}}

    group = group_from_dict(body)

    assert group.common_labels == {"alertname": "A", "env": "prod"}
    assert group.common_annotations == {}
    assert group.group_key == '{}:{alertname="A"}'
    assert group.status == "firing" and [a.status for a in group.alerts] == ["firing"] * 2


@pytest.mark.parametrize("name", ["firing", "resolved", "mixed"])
def test_samples_survive_a_round_trip_through_json(name):
    group = sample_groups()[name]

    body = json.loads(json.dumps(group_to_dict(group)))

    assert group_from_dict(body) == group


def test_json_has_alertmanagers_keys_and_zero_end_time_while_firing():
    body = group_to_dict(make_test_group("ops", "http://herald.test/"))

    assert set(body) == {
        "receiver", "status", "alerts", "groupLabels", "commonLabels", "commonAnnotations",
        "externalURL", "groupKey", "truncatedAlerts",
    }
    (alert,) = body["alerts"]
    assert alert["endsAt"] == ZERO_TIME == "0001-01-01T00:00:00Z"
    assert alert["startsAt"].endswith("Z") and "+" not in alert["startsAt"]
    assert set(alert) == {
        "status", "labels", "annotations", "startsAt", "endsAt", "generatorURL",
        "fingerprint", "silenceURL", "dashboardURL", "panelURL", "values", "valueString",
    }
    assert alert["values"] is None  # Grafana's null when the alert has no values


def test_fractional_seconds_are_written_like_go():
    group = make_test_group("ops", "http://herald.test/")
    group.alerts[0].starts_at = datetime(2026, 1, 2, 3, 4, 5, 120000, tzinfo=UTC)

    assert group_to_dict(group)["alerts"][0]["startsAt"] == "2026-01-02T03:04:05.12Z"


def _with_alert(**changes: Any) -> dict[str, Any]:
    alert = {"labels": {"alertname": "A"}, **changes}
    return {"alerts": [alert]}


@pytest.mark.parametrize(("body", "message"), [
    ([], "alert data must be a JSON object"),
    ({}, "alerts must be a non-empty list"),
    ({"alerts": []}, "alerts must be a non-empty list"),
    ({"alerts": ["x"]}, "alerts[0] must be an object"),
    ({**_with_alert(), "status": "broken"}, 'status must be “firing” or “resolved”'),
    (_with_alert(status="pending"), 'alerts[0].status must be “firing” or “resolved”'),
    (_with_alert(labels={"a": 1}), "alerts[0].labels must be an object of text values"),
    (_with_alert(annotations=["x"]), "alerts[0].annotations must be an object of text values"),
    (_with_alert(startsAt="yesterday"), "alerts[0].startsAt is not an RFC 3339 time: 'yesterday'"),
    (_with_alert(endsAt=5), "alerts[0].endsAt must be an RFC 3339 time string"),
    (_with_alert(generatorURL=5), "alerts[0].generatorURL must be a string"),
    ({**_with_alert(), "groupLabels": "x"}, "groupLabels must be an object of text values"),
    ({**_with_alert(), "externalURL": 1}, "externalURL must be a string"),
    ({**_with_alert(), "truncatedAlerts": -1}, "truncatedAlerts must be a whole number"),
])
def test_bad_webhook_bodies_are_refused_with_a_clear_message(body, message):
    with pytest.raises(ValueError) as caught:
        group_from_dict(body)

    assert message in str(caught.value)

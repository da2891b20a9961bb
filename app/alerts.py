"""Alertmanager's notification data (an alert group), with Grafana's names and JSON shape."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

STATUSES = ("firing", "resolved")
ZERO_TIME = "0001-01-01T00:00:00Z"  # how Alertmanager writes a missing endsAt
SAMPLE_EXTERNAL_URL = "https://grafana.example.com/"

Labels = dict[str, str]


@dataclass
class Alert:
    """One alert of a notification: its labels, annotations, times and links."""

    status: str
    labels: Labels
    annotations: Labels
    starts_at: datetime
    ends_at: datetime | None = None
    generator_url: str = ""
    fingerprint: str = ""
    silence_url: str = ""
    dashboard_url: str = ""
    panel_url: str = ""
    value_string: str = ""
    values: dict[str, float] | None = None  # Grafana's values by query ref ID ("A": 1.5)


@dataclass
class AlertGroup:
    """The alerts sent together to one receiver, as Alertmanager groups them."""

    receiver: str
    status: str
    alerts: list[Alert]
    group_labels: Labels = field(default_factory=dict)
    common_labels: Labels = field(default_factory=dict)
    common_annotations: Labels = field(default_factory=dict)
    external_url: str = ""
    group_key: str = ""
    truncated_alerts: int = 0

    @property
    def firing(self) -> list[Alert]:
        return [alert for alert in self.alerts if alert.status == "firing"]

    @property
    def resolved(self) -> list[Alert]:
        return [alert for alert in self.alerts if alert.status == "resolved"]

    def group_hash(self) -> str:
        """A stable hex digest of the group key (PagerDuty dedup_key, Opsgenie alias)."""
        return hashlib.sha256(self.group_key.encode()).hexdigest()


# --- helpers shared by the builders ----------------------------------------------------


def fingerprint(labels: Labels) -> str:
    """Prometheus's label-set fingerprint: FNV-1a 64 over the sorted name/value pairs."""
    digest = 0xCBF29CE484222325
    for name in sorted(labels):
        for part in (name, labels[name]):
            for byte in part.encode() + b"\xff":
                digest = ((digest ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{digest:016x}"


def common_items(mappings: list[Labels]) -> Labels:
    """The name/value pairs found, with the same value, in every mapping."""
    if not mappings:
        return {}
    first, *rest = mappings
    return {k: v for k, v in first.items() if all(m.get(k) == v for m in rest)}


def group_key_for(group_labels: Labels) -> str:
    """A group key in Alertmanager's form, from the group labels."""
    pairs = ",".join(f'{name}="{group_labels[name]}"' for name in sorted(group_labels))
    return f"{{}}:{{{pairs}}}"


def silence_url(external_url: str, labels: Labels) -> str:
    """A link to Grafana's new-silence page, matching every label of the alert."""
    query = [("alertmanager", "grafana")]
    query += [("matcher", f"{name}={labels[name]}") for name in sorted(labels)]
    return f"{external_url.rstrip('/')}/alerting/silence/new?{urlencode(query)}"


def group_status(alerts: list[Alert]) -> str:
    return "firing" if any(alert.status == "firing" for alert in alerts) else "resolved"


def first_alerts(group: AlertGroup, limit: int) -> AlertGroup:
    """The group cut to its first alerts, its status and common parts computed again."""
    if not 0 < limit < len(group.alerts):
        return group
    alerts = group.alerts[:limit]
    return replace(
        group, alerts=alerts, status=group_status(alerts),
        common_labels=common_items([alert.labels for alert in alerts]),
        common_annotations=common_items([alert.annotations for alert in alerts]),
        truncated_alerts=group.truncated_alerts + len(group.alerts) - limit,
    )


# --- the test notification and samples ---------------------------------------------------


def test_alert_group(
    receiver: str,
    external_url: str,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    status: str = "firing",
) -> AlertGroup:
    """The group sent by "Test": one alert, TestAlert on Herald, plus the given labels."""
    alert_labels = {"alertname": "TestAlert", "instance": "Herald", **(labels or {})}
    alert_annotations = {"summary": "Notification test", **(annotations or {})}
    now = datetime.now(UTC).replace(microsecond=0)
    alert = Alert(
        status=status,
        labels=alert_labels,
        annotations=alert_annotations,
        starts_at=now,
        ends_at=now if status == "resolved" else None,
        generator_url=external_url,
        fingerprint=fingerprint(alert_labels),
        silence_url=silence_url(external_url, alert_labels),
    )
    group_labels = {"alertname": alert_labels["alertname"]}
    return AlertGroup(
        receiver=receiver,
        status=status,
        alerts=[alert],
        group_labels=group_labels,
        common_labels=dict(alert_labels),
        common_annotations=dict(alert_annotations),
        external_url=external_url,
        group_key=group_key_for(group_labels),
    )


test_alert_group.__test__ = False  # type: ignore[attr-defined]  # pytest: not a test


def _sample_alert(instance: str, status: str, cpu: float) -> Alert:
    labels = {"alertname": "HighCPU", "service": "api", "env": "prod", "instance": instance,
              "severity": "critical" if instance == "api-1" else "warning"}
    now = datetime.now(UTC).replace(microsecond=0)
    base = SAMPLE_EXTERNAL_URL.rstrip("/")
    return Alert(
        status=status,
        labels=labels,
        annotations={"summary": f"CPU usage on {instance} is high",
                     "description": f"{instance} used {cpu}% CPU over the last 5 minutes."},
        starts_at=now - timedelta(minutes=25),
        ends_at=now - timedelta(minutes=2) if status == "resolved" else None,
        generator_url=f"{base}/alerting/grafana/cpu-high/view?orgId=1",
        fingerprint=fingerprint(labels),
        silence_url=silence_url(SAMPLE_EXTERNAL_URL, labels),
        dashboard_url=f"{base}/d/api-overview?orgId=1",
        panel_url=f"{base}/d/api-overview?orgId=1&viewPanel=4",
        value_string=f"[ var='A' labels={{instance={instance}}} value={cpu} ]",
        values={"A": cpu},
    )


def _sample_group(alerts: list[Alert]) -> AlertGroup:
    group_labels = {"alertname": "HighCPU", "service": "api"}
    return AlertGroup(
        receiver="ops-team",
        status=group_status(alerts),
        alerts=alerts,
        group_labels=group_labels,
        common_labels=common_items([alert.labels for alert in alerts]),
        common_annotations=common_items([alert.annotations for alert in alerts]),
        external_url=SAMPLE_EXTERNAL_URL,
        group_key=group_key_for(group_labels),
    )


def sample_groups() -> dict[str, AlertGroup]:
    """Realistic groups for previews: HighCPU on the api service in prod, two alerts."""
    return {
        "firing": _sample_group([_sample_alert("api-1", "firing", 97.2),
                                 _sample_alert("api-2", "firing", 93.5)]),
        "resolved": _sample_group([_sample_alert("api-1", "resolved", 41.8),
                                   _sample_alert("api-2", "resolved", 38.1)]),
        "mixed": _sample_group([_sample_alert("api-1", "firing", 97.2),
                                _sample_alert("api-2", "resolved", 38.1)]),
    }


# --- Alertmanager's webhook JSON ----------------------------------------------------------


def format_time(moment: datetime | None) -> str:
    """RFC 3339 in UTC like Go writes it; the zero time when there is none."""
    if moment is None:
        return ZERO_TIME
    moment = moment.astimezone(UTC)
    text = f"{moment.year:04d}-" + moment.strftime("%m-%dT%H:%M:%S")  # year 1 as 0001
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def _sorted(mapping: Labels) -> Labels:
    """Labels in name order, as Go writes a map."""
    return dict(sorted(mapping.items()))


def _json_values(values: dict[str, float] | None) -> dict[str, float | int] | None:
    """Values as Go writes them: whole numbers without a decimal point (1234, not 1234.0)."""
    if values is None:
        return None
    return {ref: int(number) if float(number).is_integer() and abs(number) < 1e21 else number
            for ref, number in sorted(values.items())}


def alert_to_dict(alert: Alert) -> dict[str, Any]:
    return {
        "status": alert.status,
        "labels": _sorted(alert.labels),
        "annotations": _sorted(alert.annotations),
        "startsAt": format_time(alert.starts_at),
        "endsAt": format_time(alert.ends_at),
        "generatorURL": alert.generator_url,
        "fingerprint": alert.fingerprint,
        "silenceURL": alert.silence_url,
        "dashboardURL": alert.dashboard_url,
        "panelURL": alert.panel_url,
        "values": _json_values(alert.values),
        "valueString": alert.value_string,
    }


def group_to_dict(group: AlertGroup) -> dict[str, Any]:
    """The group as Alertmanager's webhook body (with Grafana's extra alert fields)."""
    return {
        "receiver": group.receiver,
        "status": group.status,
        "alerts": [alert_to_dict(alert) for alert in group.alerts],
        "groupLabels": _sorted(group.group_labels),
        "commonLabels": _sorted(group.common_labels),
        "commonAnnotations": _sorted(group.common_annotations),
        "externalURL": group.external_url,
        "groupKey": group.group_key,
        "truncatedAlerts": group.truncated_alerts,
    }


def parse_time(value: Any, where: str) -> datetime | None:
    """An RFC 3339 time as an aware UTC datetime; None for the zero time or nothing."""
    if value in (None, "", ZERO_TIME):
        return None
    if not isinstance(value, str):
        raise ValueError(f"{where} must be an RFC 3339 time string, got {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{where} is not an RFC 3339 time: {value!r}") from None
    if moment.year == 1:  # Go's zero time, with or without an offset
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _labels(data: dict[str, Any], key: str, where: str) -> Labels | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValueError(f"{where}{key} must be an object of text values")
    return dict(value)


def _text(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{where}{key} must be a string")
    return value


def _values(data: dict[str, Any], where: str) -> dict[str, float] | None:
    """Grafana's values of an alert (query ref ID to number); None when absent."""
    value = data.get("values")
    if value is None:
        return None
    if not isinstance(value, dict) or not all(
        isinstance(number, int | float) and not isinstance(number, bool)
        for number in value.values()
    ):
        raise ValueError(f"{where}values must be an object of numbers")
    return {str(ref): float(number) for ref, number in value.items()}


def _status(value: Any, where: str, default: str) -> str:
    if value in (None, ""):
        return default
    if value not in STATUSES:
        raise ValueError(f"{where}status must be “firing” or “resolved”, got {value!r}")
    return value


def alert_from_dict(data: Any, index: int) -> Alert:
    """One alert of the webhook body; the index names it in error messages."""
    where = f"alerts[{index}]."
    if not isinstance(data, dict):
        raise ValueError(f"alerts[{index}] must be an object")
    ends_at = parse_time(data.get("endsAt"), f"{where}endsAt")
    labels = _labels(data, "labels", where) or {}
    default_status = "resolved" if ends_at and ends_at <= datetime.now(UTC) else "firing"
    return Alert(
        status=_status(data.get("status"), where, default_status),
        labels=labels,
        annotations=_labels(data, "annotations", where) or {},
        starts_at=parse_time(data.get("startsAt"), f"{where}startsAt") or datetime.now(UTC),
        ends_at=ends_at,
        generator_url=_text(data, "generatorURL", where),
        fingerprint=_text(data, "fingerprint", where) or fingerprint(labels),
        silence_url=_text(data, "silenceURL", where),
        dashboard_url=_text(data, "dashboardURL", where),
        panel_url=_text(data, "panelURL", where),
        value_string=_text(data, "valueString", where),
        values=_values(data, where),
    )


def _truncated(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("truncatedAlerts must be a whole number, 0 or more")
    return value


def group_from_dict(data: Any) -> AlertGroup:
    """Parse Alertmanager's webhook body; ValueError says what is wrong with it."""
    if not isinstance(data, dict):
        raise ValueError("alert data must be a JSON object")
    raw_alerts = data.get("alerts")
    if not isinstance(raw_alerts, list) or not raw_alerts:
        raise ValueError("alerts must be a non-empty list")
    alerts = [alert_from_dict(item, index) for index, item in enumerate(raw_alerts)]
    group_labels = _labels(data, "groupLabels", "") or {}
    common_labels = _labels(data, "commonLabels", "")
    common_annotations = _labels(data, "commonAnnotations", "")
    return AlertGroup(
        receiver=_text(data, "receiver", ""),
        status=_status(data.get("status"), "", group_status(alerts)),
        alerts=alerts,
        group_labels=group_labels,
        common_labels=common_items([a.labels for a in alerts])
        if common_labels is None else common_labels,
        common_annotations=common_items([a.annotations for a in alerts])
        if common_annotations is None else common_annotations,
        external_url=_text(data, "externalURL", ""),
        group_key=_text(data, "groupKey", "") or group_key_for(group_labels),
        truncated_alerts=_truncated(data.get("truncatedAlerts")),
    )

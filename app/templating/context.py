"""The data a template sees: plain objects with Grafana's names and nothing else."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple

from app.alerts import Alert, AlertGroup
from app.templating.gofloat import GoFloat


class Pair(NamedTuple):
    """One label or annotation, as KV.SortedPairs() gives it."""

    Name: str
    Value: str


class KV(dict[str, str]):
    """Labels or annotations: a mapping kept sorted by name, with Grafana's methods."""

    def __init__(self, items: dict[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        super().__init__(sorted(dict(items).items()))

    def SortedPairs(self) -> list[Pair]:
        return [Pair(name, value) for name, value in self.items()]

    def Names(self) -> list[str]:
        return list(self.keys())

    def Values(self) -> list[str]:
        return list(self.values())

    def Remove(self, names: Iterable[str]) -> KV:
        """A copy without the given names, like Grafana's .Remove."""
        removed = set(names)
        return KV((name, value) for name, value in self.items() if name not in removed)


class AlertView:
    """One alert as templates see it."""

    FIELDS = frozenset({
        "Status", "Labels", "Annotations", "StartsAt", "EndsAt", "GeneratorURL",
        "Fingerprint", "SilenceURL", "DashboardURL", "PanelURL", "ValueString", "Values",
    })

    def __init__(self, alert: Alert) -> None:
        self.Status: str = alert.status
        self.Labels = KV(alert.labels)
        self.Annotations = KV(alert.annotations)
        self.StartsAt: datetime = alert.starts_at
        self.EndsAt: datetime | None = alert.ends_at
        self.GeneratorURL: str = alert.generator_url
        self.Fingerprint: str = alert.fingerprint
        self.SilenceURL: str = alert.silence_url
        self.DashboardURL: str = alert.dashboard_url
        self.PanelURL: str = alert.panel_url
        self.ValueString: str = alert.value_string
        # Go ranges over a map in key order and prints its floats with %v.
        self.Values = {ref: GoFloat(value) for ref, value in sorted((alert.values or {}).items())}

    def __repr__(self) -> str:
        return f"Alert({self.Status}, {dict(self.Labels)})"


class AlertList(list[AlertView]):
    """The group's alerts, with .Firing and .Resolved (also callable, as in Grafana)."""

    @property
    def Firing(self) -> AlertList:
        return AlertList(alert for alert in self if alert.Status == "firing")

    @property
    def Resolved(self) -> AlertList:
        return AlertList(alert for alert in self if alert.Status == "resolved")

    def __call__(self) -> AlertList:
        return self


def template_context(group: AlertGroup, vars_: dict[str, str] | None = None
                     ) -> dict[str, Any]:
    """The variables of a rendering, named as in Grafana's notification templates; Vars
    holds a sender's own variables (the webhook's payload.vars), as Grafana's .Vars."""
    return {
        "Receiver": group.receiver,
        "Status": group.status,
        "Alerts": AlertList(AlertView(alert) for alert in group.alerts),
        "GroupLabels": KV(group.group_labels),
        "CommonLabels": KV(group.common_labels),
        "CommonAnnotations": KV(group.common_annotations),
        "ExternalURL": group.external_url,
        "GroupKey": group.group_key,
        "TruncatedAlerts": group.truncated_alerts,
        "Vars": dict(vars_ or {}),
    }

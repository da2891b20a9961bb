"""Intake of Alertmanager's and Grafana's webhook bodies for one named contact point."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.alerting.state import ingest_and_commit
from app.alerts import AlertGroup, group_from_dict
from app.delivery import metrics, outbox
from app.delivery.models import SKIPPED
from app.extensions import db
from app.models import name_key

FORMAT_ALERTMANAGER = "alertmanager"
FORMAT_GRAFANA = "grafana"


class IntakeError(Exception):
    """A body or request that cannot be accepted; status is the HTTP answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Accepted:
    deliveries: int
    skipped: int


def body_format(body: dict[str, Any]) -> str:
    """Grafana's webhook adds title, message, orgId and state to Alertmanager's body."""
    return FORMAT_GRAFANA if "orgId" in body or "state" in body else FORMAT_ALERTMANAGER


def parse(body: Any) -> AlertGroup:
    """The alert group of a webhook body; IntakeError 400 naming the field when malformed."""
    problem = text_problem(body, "body")
    if problem:
        metrics.observe_invalid(FORMAT_ALERTMANAGER)
        raise IntakeError(400, problem)
    try:
        return group_from_dict(body)
    except ValueError as exc:
        metrics.observe_invalid(body_format(body) if isinstance(body, dict)
                                else FORMAT_ALERTMANAGER)
        raise IntakeError(400, str(exc)) from None


def accept_for_contact_point(name: str, body: Any) -> Accepted:
    """Write the group's notifications for every integration of the contact point; commit."""
    group = parse(body)
    target = outbox.find_target(name_key(name))
    if target is None:
        raise IntakeError(404, f"contact point not found: {name}")
    rows = outbox.notification_values(target, group, source="webhook")
    outbox.insert_notifications(rows)
    db.session.commit()
    skipped = sum(1 for row in rows if row["status"] == SKIPPED)
    metrics.observe_intake(body_format(body), [alert.status for alert in group.alerts])
    return Accepted(deliveries=len(rows) - skipped, skipped=skipped)


def accept_through_policies(body: Any) -> int:
    """Store each alert of the body and route it through the notification policies; commit.

    The policies' groups decide when notifications are sent; the number of alerts is returned.
    """
    group = parse(body)
    ingest_and_commit(group.alerts)
    metrics.observe_intake(body_format(body), [alert.status for alert in group.alerts])
    return len(group.alerts)


def text_problem(value: Any, where: str, depth: int = 0) -> str | None:
    """Where the value holds text that is not valid Unicode (an unpaired surrogate)."""
    if depth > 32:
        return f"{where} is nested too deeply"
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return f"{where} holds text that is not valid Unicode"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            problem = text_problem(key, where, depth + 1) or text_problem(
                item, f"{where}.{key}" if isinstance(key, str) else where, depth + 1)
            if problem:
                return problem
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problem = text_problem(item, f"{where}[{index}]", depth + 1)
            if problem:
                return problem
    return None

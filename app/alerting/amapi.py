"""Alertmanager's API v2 models: postable alerts in; gettable alerts, groups, silences out."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from app.alerting.matchers import (
    LABEL_NAME_RE,
    Matcher,
    MatcherError,
    compile_lists,
    from_silence_matchers,
    matches_all,
)
from app.alerting.matchers import parse_matchers as parse_matcher_text
from app.alerting.models import AggregationGroup, AlertState, GroupMember, Silence
from app.alerting.policies import current_route
from app.alerting.routing import Route
from app.alerting.silences import ActiveSilence, active_silences, silenced_by
from app.alerts import Alert, fingerprint, format_time, parse_time
from app.extensions import db
from app.models import utcnow


class BadRequest(ValueError):
    """A request Alertmanager would answer with 400, with its error text."""


def _label_set(value: Any, what: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(f"{what} must be an object of label names to text values")
    for name, text in value.items():
        if not LABEL_NAME_RE.match(name):
            raise BadRequest(f"invalid {what}: invalid name {name!r}")
        if not isinstance(text, str):
            raise BadRequest(f"invalid {what}: invalid value for {name!r}: must be text")
    return dict(value)


def postable_alert(data: Any) -> Alert:
    """One postableAlert, checked as Alertmanager's model.Alert.Validate."""
    if not isinstance(data, dict):
        raise BadRequest("each alert must be a JSON object")
    try:
        starts_at = parse_time(data.get("startsAt"), "startsAt")
        ends_at = parse_time(data.get("endsAt"), "endsAt")
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    if starts_at and ends_at and ends_at < starts_at:
        raise BadRequest("start time must be before end time")
    labels = _label_set(data.get("labels"), "label set")
    if not labels:
        raise BadRequest("at least one label pair required")
    annotations = _label_set(data.get("annotations"), "annotations")
    url = data.get("generatorURL") or ""
    if not isinstance(url, str):
        raise BadRequest("generatorURL must be text")
    now = datetime.now(UTC)
    return Alert(status="resolved" if ends_at and ends_at <= now else "firing", labels=labels,
                 annotations=annotations, starts_at=starts_at, ends_at=ends_at,
                 generator_url=url, fingerprint=fingerprint(labels))


def postable_alerts(data: Any) -> list[Alert]:
    """The body of POST /api/v2/alerts: every alert valid, or an error naming the problems."""
    if not isinstance(data, list):
        raise BadRequest("the body must be a JSON list of alerts")
    alerts, problems = [], []
    for item in data:
        try:
            alerts.append(postable_alert(item))
        except BadRequest as exc:
            problems.append(str(exc))
    if problems:
        raise BadRequest("; ".join(dict.fromkeys(problems)))
    return alerts


def _time(moment: datetime | None) -> str:
    return format_time(moment.replace(tzinfo=UTC) if moment else None)


def receivers_of(root: Route, labels: dict[str, str]) -> list[str]:
    return list(dict.fromkeys(route.opts.receiver for route in root.match(labels)
                              if route.opts.receiver))


def gettable_alert(alert: AlertState, root: Route, silences: list[ActiveSilence],
                   ) -> dict[str, Any]:
    """Alertmanager's gettableAlert for a stored alert."""
    muted = silenced_by(silences, alert.labels)
    return {
        "labels": alert.labels, "annotations": alert.annotations,
        "fingerprint": alert.fingerprint, "startsAt": _time(alert.starts_at),
        "endsAt": _time(alert.ends_at), "updatedAt": _time(alert.updated_at),
        "generatorURL": alert.generator_url,
        "receivers": [{"name": name} for name in receivers_of(root, alert.labels)],
        "status": {"state": "suppressed" if muted else "active", "silencedBy": muted,
                   "inhibitedBy": [], "mutedBy": []},
    }


def parse_filter(values: list[str]) -> list[Matcher]:
    try:
        return [matcher for text in values for matcher in parse_matcher_text(text)]
    except MatcherError as exc:
        raise BadRequest(f"bad matcher format: {exc}") from None


def parse_receiver(value: str | None) -> re.Pattern[str] | None:
    if not value:
        return None
    try:
        return re.compile(f"^(?:{value})$")
    except re.error as exc:
        raise BadRequest(f"failed to parse receiver param: {exc}") from None


def list_alerts(filters: list[Matcher], receiver: re.Pattern[str] | None, active: bool = True,
                silenced: bool = True, now: datetime | None = None) -> list[dict[str, Any]]:
    """GET /api/v2/alerts: the alerts not resolved, filtered as Alertmanager does."""
    now = now or utcnow()
    rows = db.session.scalars(select(AlertState).where(AlertState.ends_at > now)
                              .order_by(AlertState.fingerprint))
    root, silences = current_route(), active_silences(now)
    found = []
    for row in rows:
        if not matches_all(filters, row.labels):
            continue
        item = gettable_alert(row, root, silences)
        if not _wanted(item, receiver, active, silenced):
            continue
        found.append(item)
    return found


def _wanted(item: dict[str, Any], receiver, active: bool, silenced: bool) -> bool:
    if receiver and not any(receiver.match(r["name"]) for r in item["receivers"]):
        return False
    muted = bool(item["status"]["silencedBy"])
    return silenced if muted else active


def list_groups(filters: list[Matcher], receiver: re.Pattern[str] | None, active: bool = True,
                silenced: bool = True, now: datetime | None = None) -> list[dict[str, Any]]:
    """GET /api/v2/alerts/groups: each aggregation group with its current alerts."""
    now = now or utcnow()
    root, silences = current_route(), active_silences(now)
    routes = {route.policy_id: route for route in root.walk()}
    groups = []
    for group in db.session.scalars(select(AggregationGroup).order_by(AggregationGroup.id)):
        route = routes.get(group.policy_id)
        name = route.opts.receiver if route else ""
        if receiver and not receiver.match(name):
            continue
        members = db.session.scalars(
            select(AlertState).join(GroupMember, GroupMember.alert_id == AlertState.id)
            .where(GroupMember.group_id == group.id, AlertState.ends_at > now)
            .order_by(AlertState.fingerprint))
        alerts = [gettable_alert(alert, root, silences) for alert in members
                  if matches_all(filters, alert.labels)]
        alerts = [item for item in alerts if _wanted(item, None, active, silenced)]
        if alerts:
            groups.append({"labels": group.group_labels, "receiver": {"name": name},
                           "alerts": alerts})
    return groups


def gettable_silence(silence: Silence, now: datetime | None = None) -> dict[str, Any]:
    """Alertmanager's gettableSilence."""
    return {
        "id": silence.id, "status": {"state": silence.state(now or utcnow())},
        "updatedAt": _time(silence.updated_at),
        "matchers": [matcher.as_silence() for matcher in compile_lists(silence.matchers)],
        "startsAt": _time(silence.starts_at), "endsAt": _time(silence.ends_at),
        "createdBy": silence.created_by, "comment": silence.comment,
    }


def postable_silence(data: Any) -> dict[str, Any]:
    """postableSilence: id (to update), matchers, startsAt, endsAt, createdBy, comment."""
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON silence object")
    try:
        matchers = from_silence_matchers(data.get("matchers"))
        starts_at = parse_time(data.get("startsAt"), "startsAt")
        ends_at = parse_time(data.get("endsAt"), "endsAt")
    except (MatcherError, ValueError) as exc:
        raise BadRequest(str(exc)) from None
    if starts_at is None or ends_at is None:
        raise BadRequest("startsAt and endsAt are required")
    for key in ("createdBy", "comment", "id"):
        if not isinstance(data.get(key) or "", str):
            raise BadRequest(f"{key} must be text")
    return {"silence_id": data.get("id") or None, "matchers": matchers,
            "starts_at": starts_at.replace(tzinfo=None), "ends_at": ends_at.replace(tzinfo=None),
            "created_by": data.get("createdBy") or "", "comment": data.get("comment") or ""}

"""Send one alert group through one integration, once, and record the attempt."""
from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from app import logs
from app.alerts import AlertGroup
from app.crypto import SecretDecryptionError
from app.integrations import get_type
from app.integrations.base import (
    IntegrationType,
    SendContext,
    SendError,
    Values,
    from_storage,
    with_default_templates,
)
from app.models import ContactPoint, DeliveryAttempt, Integration, utcnow
from app.transport import record

logger = logging.getLogger(__name__)


@dataclass
class Job:
    """One integration to send to, prepared (secrets decrypted) before sending."""

    integration_id: int | None
    uid: str | None
    type_id: str
    label: str
    integration_type: IntegrationType | None
    values: Values
    disable_resolve_message: bool = False
    error: str = ""
    contact_point_id: int | None = None
    contact_point_name: str = ""

    @property
    def secret_values(self) -> list[str]:
        if self.integration_type is None:
            return []
        found = (self.values.get(key) for key in self.integration_type.secret_keys)
        return [value for value in found if isinstance(value, str) and value]


@dataclass
class DeliveryResult:
    """The outcome of sending one notification through one integration."""

    integration_uid: str | None
    type: str
    label: str
    outcome: str  # success, failure, skipped
    status_code: int | None
    duration_ms: int
    error: str = ""
    warning: str = ""
    permanent: bool = True
    retry_after: float | None = None
    done: frozenset[str] = frozenset()  # parts delivered so far (see SendError.done)
    request: dict[str, Any] | None = field(default=None, repr=False)
    response: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        """True unless the delivery failed (a skipped delivery is not a failure)."""
        return self.outcome != "failure"


def labelled(contact_point: ContactPoint) -> list[tuple[Integration, str]]:
    """Each integration with its label, numbered when a type appears more than once."""
    integrations = list(contact_point.integrations)
    totals = Counter(integration.type for integration in integrations)
    seen: Counter[str] = Counter()
    result = []
    for integration in integrations:
        seen[integration.type] += 1
        label = type_label(integration.type)
        if totals[integration.type] > 1:
            label = f"{label} #{seen[integration.type]}"
        result.append((integration, label))
    return result


def type_label(type_id: str) -> str:
    integration_type = get_type(type_id)
    return integration_type.label if integration_type else type_id


def prepare(integration: Integration, label: str) -> Job:
    """The job for a saved integration; secrets are decrypted here."""
    integration_type = get_type(integration.type)
    job = Job(
        integration_id=integration.id,
        uid=integration.uid,
        type_id=integration.type,
        label=label,
        integration_type=integration_type,
        values={},
        disable_resolve_message=integration.disable_resolve_message,
        contact_point_id=integration.contact_point_id,
    )
    if integration_type is None:
        return job
    try:
        secrets = integration.secrets
    except SecretDecryptionError as exc:
        job.error = str(exc)
        return job
    job.values = from_storage(integration_type, integration.settings or {}, secrets)
    if integration.review_note:  # imported text awaiting review: send the defaults
        job.values = with_default_templates(integration_type, job.values)
    return job


def send_once(job: Job, group: AlertGroup, config: Any,
              done: frozenset[str] = frozenset()) -> DeliveryResult:
    """Send one job once, its secrets kept out of every log line; never raises.

    done: the parts earlier attempts delivered, which are not sent again. The result says
    whether a retry could help.
    """
    with logs.secrets_hidden(job.secret_values):
        result = _send(job, group, config, done)
        if result.outcome == "failure":
            logger.warning("delivery failed", extra={"fields": {
                "contact_point": job.contact_point_name, "integration": job.uid or "",
                "type": job.type_id, "error": result.error}})
    return result


def _send(job: Job, group: AlertGroup, config: Any, done: frozenset[str]) -> DeliveryResult:
    started = time.monotonic()
    if job.error or job.integration_type is None or job.integration_type.send is None:
        error = job.error or f"Herald cannot send to {job.label} integrations yet."
        return _result(job, "failure", started, error=error)
    if group.status == "resolved" and job.disable_resolve_message:
        return _result(job, "skipped", started, warning="Resolved messages are disabled.")
    context = SendContext(job.integration_type, job.values, group, config, done=done)
    with record.recording() as exchanges:
        try:
            sent = job.integration_type.send(context)
        except SendError as exc:
            return _result(job, "failure", started, status=exc.status, error=exc.message,
                           context=context, exchanges=exchanges, permanent=exc.permanent,
                           retry_after=exc.retry_after, done=exc.done)
        except Exception:  # a bug in one sender must not stop the others or the page
            logger.exception("The %s sender failed unexpectedly", job.type_id)
            return _result(job, "failure", started, context=context, exchanges=exchanges,
                           error=f"Internal error in Herald's {job.label} sender; see its log.")
    outcome = "skipped" if sent.skipped else "success"
    return _result(job, outcome, started, status=sent.status, warning=sent.skipped,
                   context=context, exchanges=exchanges)


def _result(
    job: Job,
    outcome: str,
    started: float,
    *,
    status: int | None = None,
    error: str = "",
    warning: str = "",
    context: SendContext | None = None,
    exchanges: list[record.Exchange] | None = None,
    permanent: bool = True,
    retry_after: float | None = None,
    done: frozenset[str] = frozenset(),
) -> DeliveryResult:
    warnings = [warning] if warning else []
    if context is not None:
        warnings += [w for w in dict.fromkeys(context.warnings) if w]
    request = response = None
    if exchanges:
        request, response = exchanges[-1].redacted(logs.redact)
    return DeliveryResult(
        integration_uid=job.uid,
        type=job.type_id,
        label=job.label,
        outcome=outcome,
        status_code=status,
        duration_ms=round((time.monotonic() - started) * 1000),
        error=logs.redact(error),
        warning=logs.redact(" ".join(warnings)),
        permanent=permanent,
        retry_after=retry_after,
        done=done,
        request=request,
        response=response,
    )


def attempt_values(
    job: Job, result: DeliveryResult, group: AlertGroup, *, is_test: bool,
    outcome: str | None = None, notification_id: int | None = None,
) -> dict[str, Any]:
    """The history row for one attempt, as column values (for a bulk insert)."""
    names = dict.fromkeys(alert.labels.get("alertname", "") for alert in group.alerts)
    return {
        "integration_id": job.integration_id,
        "contact_point_id": job.contact_point_id,
        "notification_id": notification_id,
        "contact_point_name": (job.contact_point_name or group.receiver)[:190],
        "integration_type": job.type_id,
        "integration_label": job.label[:190],
        "created_at": utcnow(),
        "duration_ms": result.duration_ms,
        "outcome": outcome or result.outcome,
        "status_code": result.status_code,
        "error": result.error,
        "warning": result.warning,
        "is_test": is_test,
        "group_status": group.status,
        "alert_names": ", ".join(name for name in names if name)[:2000],
        "group_key": group.group_key[:2000],
        "request": result.request,
        "response": result.response,
    }


def attempt_row(
    job: Job, result: DeliveryResult, group: AlertGroup, *, is_test: bool,
    outcome: str | None = None, notification_id: int | None = None,
) -> DeliveryAttempt:
    """The history row for one attempt (not yet added to a session)."""
    return DeliveryAttempt(**attempt_values(job, result, group, is_test=is_test,
                                            outcome=outcome, notification_id=notification_id))

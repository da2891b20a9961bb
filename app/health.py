"""Whether this process can serve: the database answers, its schema is current, workers live."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from app.delivery.models import WorkerHeartbeat
from app.extensions import db
from app.models import utcnow
from app.schema import revisions

HEARTBEAT_STALE = 60.0  # seconds without a heartbeat before workers count as dead


def workers_alive() -> bool | None:
    """Whether a delivery worker pool (in any process) wrote a heartbeat lately.

    None when no pool has ever said anything (none started yet, or all stopped cleanly):
    readiness then checks only the database and the migrations. False when the newest
    heartbeat is older than HEARTBEAT_STALE: workers died without stopping.
    """
    newest = db.session.scalar(select(func.max(WorkerHeartbeat.seen_at)))
    if newest is None:
        return None
    return utcnow() - newest <= timedelta(seconds=HEARTBEAT_STALE)


def readiness_problems() -> list[str]:
    """What keeps this process from serving traffic; empty when it is ready."""
    try:
        current, heads = revisions()
    except SQLAlchemyError as exc:
        # The driver's message can name hosts and users: log it, answer in general terms.
        current_app.logger.warning("Readiness: the database does not answer: %s", exc)
        return ["database unreachable"]
    problems = []
    if current != heads:
        problems.append(
            f"database migrations pending: the database is at "
            f"{', '.join(sorted(current)) or 'no revision'}, this Herald needs "
            f"{', '.join(sorted(heads))} (run flask --app app db upgrade)")
    if not problems and workers_alive() is False:
        problems.append("no delivery worker is alive")
    return problems

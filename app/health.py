"""Whether this process can serve: the database answers, its schema is current, workers live."""
from __future__ import annotations

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from app.schema import revisions


def workers_alive() -> bool | None:
    """Whether delivery workers are running: None while no worker reports its liveness.

    The outbox workers' heartbeats answer here (True: at least one is alive, False: none
    is); until they exist readiness checks only the database and the migrations.
    """
    return None


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
    if workers_alive() is False:
        problems.append("no delivery worker is alive")
    return problems

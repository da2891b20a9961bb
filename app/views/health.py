"""Health for load balancers and orchestrators: open to anyone, plain text, no session."""
from __future__ import annotations

from flask import Blueprint

from app.health import readiness_problems

bp = Blueprint("health", __name__)
PLAIN = {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/-/healthy")
def healthy():
    """The process is up and answering."""
    return "OK\n", 200, PLAIN


@bp.get("/-/ready")
def ready():
    """The process can serve: 200 OK, or 503 with each reason on its own line."""
    problems = readiness_problems()
    if problems:
        return "".join(f"{problem}\n" for problem in problems), 503, PLAIN
    return "OK\n", 200, PLAIN

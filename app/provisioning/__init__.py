"""Grafana-compatible provisioning: export, import (planned, then applied), the API's operations.

- document.py reads and writes Grafana's file-provisioning documents (YAML or JSON);
- export.py turns what is stored into those documents and into the API's models;
- gotemplate.py translates Grafana's Go templates into Herald's template language;
- receivers.py, template_entries.py and planner.py say what each entry of a document
  would do (created, updated, deleted, unchanged, refused) without writing anything;
- apply.py writes a plan in one transaction; operations.py serves the HTTP API.
"""
from __future__ import annotations

import logging
from pathlib import Path

from app.provisioning.apply import ApplyConflict, apply
from app.provisioning.document import Document, DocumentError, load, parse
from app.provisioning.plan import Plan
from app.provisioning.planner import plan_document

__all__ = [
    "ApplyConflict", "Document", "DocumentError", "Plan", "apply", "load", "parse",
    "plan_document", "provision", "provision_at_start",
]

logger = logging.getLogger(__name__)


def provision(path: Path, dry_run: bool = False) -> Plan:
    """Plan a file or folder of provisioning files and, unless dry_run, apply it."""
    plan = plan_document(load(path))
    if not dry_run and plan.writes:
        apply(plan)
    return plan


def provision_at_start(path: str) -> None:
    """Apply HERALD_PROVISIONING_DIR when the app starts; refused entries are logged."""
    plan = provision(Path(path))
    for change in plan.refused:
        logger.warning("Provisioning %s refused %s %s %s: %s", change.source or path,
                       change.kind.lower(), change.name, change.detail, change.reason)
    if plan.writes:
        logger.info("Provisioning from %s: %s", path, plan.describe_counts())

"""Alerts in: routing through the notification policies, grouping timers, silences, the log.

Entry points for the rest of Herald:
- state.ingest_alerts(alerts, now): store, route and group alerts in the caller's
  transaction (the caller commits); state.ingest_and_commit does it in its own transaction,
  retried when a concurrent intake wrote the same alert or group first;
- grouping.flush_due_groups(now, limit): called by the workers, notifies the due groups
  through the outbox, one transaction per group; grouping.next_flush_in(default) says how
  long a worker may sleep.
"""
from __future__ import annotations

"""Alerts in: routing through the notification policies, grouping timers, silences, the log.

The two entry points for the rest of Herald:
- ingest_alerts(alerts, now): store, route and group alerts in the caller's transaction;
- flush_due_groups(now, limit): called by the workers, notifies the due groups.
"""
from __future__ import annotations

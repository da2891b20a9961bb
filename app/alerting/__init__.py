"""Alerts in: intake formats, policies, grouping timers, silences; feeds delivery's outbox."""

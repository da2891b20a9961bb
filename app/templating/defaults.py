"""default.title and default.message, written out in Python.

Most integrations send these two built-ins unchanged, so nearly every delivery renders
them, and through Jinja they cost more than the rest of Herald's part of a delivery
together (contexts, includes, loops, filters). Each function here returns exactly the
text its template in builtin.py renders: a test compares the two over generated groups.
The templates stay the reference, and are what a saved template gets when it includes
"default.title" or "default.message".
"""
from __future__ import annotations

from collections.abc import Callable

from app.alerts import Alert, AlertGroup
from app.templating.gofloat import go_float


def default_title(group: AlertGroup) -> str:
    """Grafana's __subject: "[FIRING:2, RESOLVED:1] group label values (other common ones)"."""
    status = group.status.upper()
    if group.status == "firing":
        firing, resolved = len(group.firing), len(group.resolved)
        status += f":{firing}" + (f", RESOLVED:{resolved}" if resolved else "")
    grouped = group.group_labels
    title = f"[{status}] {' '.join(value for _, value in sorted(grouped.items()))} "
    if len(group.common_labels) > len(grouped):
        others = [value for name, value in sorted(group.common_labels.items())
                  if name not in grouped]
        title += f"({' '.join(others)})"
    return title


def default_message(group: AlertGroup) -> str:
    """Firing alerts, then resolved ones, each list under its heading."""
    firing, resolved = group.firing, group.resolved
    parts = []
    if firing:
        parts.append("**Firing**\n")
        parts.extend(map(_alert_text, firing))
        if resolved:
            parts.append("\n\n")
    if resolved:
        parts.append("**Resolved**\n")
        parts.extend(map(_alert_text, resolved))
    return "".join(parts)


def _alert_text(alert: Alert) -> str:
    """One alert as __text_alert_list prints it."""
    values = ", ".join(f"{ref}={go_float(float(value))}"
                       for ref, value in sorted((alert.values or {}).items()))
    lines = [f"\nValue: {values or '[no value]'}\nLabels:\n"]
    lines.extend(f" - {name} = {value}\n" for name, value in sorted(alert.labels.items()))
    lines.append("Annotations:\n")
    lines.extend(f" - {name} = {value}\n" for name, value in sorted(alert.annotations.items()))
    for name, url in (("Source", alert.generator_url), ("Silence", alert.silence_url),
                      ("Dashboard", alert.dashboard_url), ("Panel", alert.panel_url)):
        if url:
            lines.append(f"{name}: {url}\n")
    return "".join(lines)


DEFAULTS: dict[str, Callable[[AlertGroup], str]] = {
    "default.title": default_title,
    "default.message": default_message,
}

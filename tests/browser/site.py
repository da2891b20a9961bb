"""Every page of Herald, seeded with data that stretches it, for the page-wide browser checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from app.extensions import db
from app.models import DeliveryAttempt
from app.notification_templates import save_template

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
LONG_NAME = "Platform on-call escalation for the payments-and-billing-reconciliation team"
SAMPLE_DOCUMENT = """apiVersion: 1
contactPoints:
  - orgId: 1
    name: imported-team
    receivers:
      - uid: imported-webhook
        type: webhook
        settings:
          url: https://hooks.example.com/a/very/long/path/that/does/not/wrap/on/its/own/at/all
"""


def seed(make_contact_point: Callable[..., Any]) -> dict[str, str]:
    """Contact points and a template with long names and many integrations; their paths."""
    addresses = ", ".join(f"person{number}@example.com" for number in range(8))
    wide = make_contact_point(LONG_NAME, [
        ("email", {"addresses": addresses}),
        ("webhook", {"url": "https://hooks.example.com/alerts/with/a/rather/long/path"}),
        ("slack", {"url": "https://hooks.slack.com/services/T0/B0/secret", "recipient": "#ops"}),
    ])
    make_contact_point("Ops", [("email", {"addresses": "ops@example.com"})])
    source = "{{ Status }}\n{% for alert in Alerts %}\n{{ alert.Labels.alertname }}\n{% endfor %}\n"
    result = save_template(None, "team.message", source)
    assert not result.errors, result.errors
    attempt = DeliveryAttempt(
        integration_id=wide.integrations[1].id, contact_point_id=wide.id,
        contact_point_name=wide.name, integration_type="webhook", integration_label="Webhook",
        outcome="failure", status_code=500, error="HTTP 500: " + "no capacity " * 20,
        group_status="firing", alert_names="DiskFull", group_key='{}:{alertname="DiskFull"}',
        request={"method": "POST", "url": "https://hooks.example.com/alerts/with/a/long/path",
                 "headers": {"Content-Type": "application/json"},
                 "body": '{"a": "' + "x" * 400 + '"}'},
        response={"status": 500, "headers": {"Content-Type": "text/plain"}, "body": "no"})
    db.session.add(attempt)
    db.session.commit()
    return {"uid": wide.uid, "template": str(result.notification_template.id),
            "attempt": str(attempt.id)}


def site_paths(ids: dict[str, str]) -> list[str]:
    """The pages an admin can open, with a contact point and a template to show."""
    uid, template = ids["uid"], ids["template"]
    return [
        "/contact-points",
        "/contact-points?search=ops",
        "/contact-points/new",
        f"/contact-points/{uid}/edit",
        f"/contact-points/{uid}",
        f"/contact-points/{uid}/delete",
        "/notification-templates",
        "/notification-templates/new",
        f"/notification-templates/{template}/edit",
        f"/notification-templates/{template}",
        "/notification-templates/built-in/default.message",
        f"/notification-templates/{template}/delete",
        "/contact-points/export",
        f"/contact-points/export?name={LONG_NAME}",
        "/contact-points/import",
        "/users",
        "/api-tokens",
        "/audit-log",
        "/api-docs",
        "/alerting/history",
        f"/alerting/history/{ids['attempt']}",
        "/contact-points/no-such-contact-point",
        "/no-such-page",
    ]


def visit_every_page(page: Page, base_url: str, ids: dict[str, str]) -> Iterator[str]:
    """Open each page in turn (and the import preview, reached by posting a document)."""
    for path in site_paths(ids):
        page.goto(base_url + path)
        yield path
    page.goto(base_url + "/contact-points/import")
    page.get_by_label("Or paste YAML or JSON").fill(SAMPLE_DOCUMENT)
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("heading", name="Import preview").wait_for()
    yield "/contact-points/import (preview)"


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


WIDE_ELEMENTS_JS = """() => {
    const sticksOut = e => e.getBoundingClientRect().right > window.innerWidth + 0.5;
    const describe = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + (typeof e.className === 'string' && e.className ? '.' + e.className : '');
    return [...document.body.querySelectorAll('*')]
        .filter(e => sticksOut(e) && ![...e.children].some(sticksOut)).slice(0, 5).map(describe);
}"""


def wide_elements(page: Page) -> list[str]:
    """The innermost elements that stick out past the right edge of the window."""
    return page.evaluate(WIDE_ELEMENTS_JS)


def heading_problems(page: Page) -> list[str]:
    """Not exactly one h1, or a heading level skipped on the way down (h1 → h3)."""
    levels = page.evaluate(
        "() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]"
        ".filter(h => h.getClientRects().length || h.closest('.visually-hidden'))"
        ".map(h => Number(h.tagName[1]))"
    )
    problems = [] if levels.count(1) == 1 else [f"{levels.count(1)} h1 elements"]
    previous = 0
    for level in levels:
        if level > previous + 1:
            problems.append(f"h{previous} followed by h{level}")
        previous = level
    return problems


def axe_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in violations
        if violation["impact"] in ("serious", "critical")
    ]

"""What one row of the contact points list shows, prepared in Python for the template.

The list renders 25 rows of seven links and a few integrations each; built in the template
that was several hundred url_for and helper calls a page, the biggest part of its cost.
Here each link endpoint is built once per request with a placeholder, and every row gets
its links by putting its uid in.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlencode

from flask import current_app, g, url_for
from flask_wtf.csrf import generate_csrf

from app.contact_point_list import ListedContactPoint, ListedIntegration
from app.contact_points import describe
from app.integrations import REGISTRY
from app.models import ContactPoint, DeliveryAttempt

_PLACEHOLDER = "herald0placeholder0uid"
_LINKS = {"view": "contact_points.view", "edit": "contact_points.edit",
          "test": "contact_points.test", "duplicate": "contact_points.duplicate",
          "confirm_delete": "contact_points.confirm_delete"}


@dataclass(frozen=True)
class IntegrationRow:
    uid: str
    label: str
    summary: str
    review_note: str
    attempt: DeliveryAttempt | None


@dataclass(frozen=True)
class ContactPointRow:
    contact_point: ContactPoint | ListedContactPoint
    links: SimpleNamespace  # view, edit, test, duplicate, confirm_delete, delete, export,
    # history
    csrf_token: str
    integrations: list[IntegrationRow]


class _PerRequest:
    """The link patterns, the CSRF token and the uid quoting, made once per request."""

    def __init__(self) -> None:
        self.patterns = {name: url_for(endpoint, uid=_PLACEHOLDER)
                         for name, endpoint in _LINKS.items()}
        self.patterns["delete"] = url_for("contact_points.delete", uid=_PLACEHOLDER,
                                          _method="DELETE")
        self.export = url_for("provisioning.export_page")
        self.history = url_for("history.list_page")
        self.csrf_token = generate_csrf()
        # The routing converter of <uid>: it quotes a uid exactly as url_for does.
        self.quote_uid = current_app.url_map.converters["default"](current_app.url_map).to_url


def contact_point_row(contact_point: ContactPoint | ListedContactPoint,
                      attempts: dict[int, DeliveryAttempt],
                      listed: list[ListedIntegration] | None = None) -> ContactPointRow:
    """The row of one contact point: its links, and each integration as the list shows it.

    The list page passes the integrations it read as plain values (listed); a single row
    (after its Test) reads the contact point's own.
    """
    shared: _PerRequest | None = g.get("herald_rows")
    if shared is None:
        shared = g.herald_rows = _PerRequest()
    uid = shared.quote_uid(contact_point.uid)
    links = {name: pattern.replace(_PLACEHOLDER, uid) for name, pattern in shared.patterns.items()}
    links["export"] = f"{shared.export}?{urlencode({'name': contact_point.name})}"
    links["history"] = f"{shared.history}?{urlencode({'contact_point': contact_point.name})}"
    # Attributes, not keys: the template reads row.links.edit without a failed getattr first.
    return ContactPointRow(contact_point, SimpleNamespace(**links), shared.csrf_token, [
        IntegrationRow(integration.uid, _label(integration.type), describe(integration),
                       integration.review_note, attempts.get(integration.id))
        for integration in (contact_point.integrations if listed is None else listed)
    ])


def _label(type_id: str) -> str:
    integration_type = REGISTRY.get(type_id)
    return integration_type.label if integration_type else type_id


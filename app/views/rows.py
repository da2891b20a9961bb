"""What one row of the contact points list shows, prepared in Python, and its drawing.

A row is a frozen value holding everything its markup shows (links, texts, the chart),
so the markup is a pure function of it: each distinct row is rendered once and kept, and
a page of rows the list showed before costs a lookup each. The CSRF token, the one value
per session, is never kept: rows are drawn with a slot that each request fills in.
Links are built once per request from one url_for per endpoint, with a placeholder.

A whole page of rows is kept too, under what it is drawn from: the reading of the data it
shows (a contact_point_list.ListedPage, one per data version), the viewer's rights, the
highlighted row and the "… ago" text of each newest attempt, so a page seen again costs
its "ago" texts and one lookup.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import quote_plus

from flask import current_app, g, render_template, request, url_for
from flask_wtf.csrf import generate_csrf
from jinja2 import Environment
from markupsafe import Markup

from app.alerting.policies import shown_usage
from app.auth import current_principal
from app.contact_point_list import ListedContactPoint, ListedIntegration, ListedPage
from app.contact_points import describe
from app.integrations import REGISTRY
from app.models import ContactPoint
from app.views import time_ago
from app.views.charts import delivery_chart

TEMPLATE = "contact_points/_row_article.html"
_PLACEHOLDER = "herald0placeholder0uid"
# Where the token goes: "<" never survives escaping, so no shown text can contain it.
_TOKEN_SLOT = Markup("<herald-csrf-token>")
_LINKS = {"view": "contact_points.view", "edit": "contact_points.edit",
          "test": "contact_points.test", "duplicate": "contact_points.duplicate",
          "confirm_delete": "contact_points.confirm_delete"}


@dataclass(frozen=True)
class AttemptShown:
    """What the row says of an integration's newest delivery attempt."""

    outcome: str
    error: str
    ago: str
    duration_ms: int


@dataclass(frozen=True)
class IntegrationRow:
    uid: str
    label: str
    summary: str
    review_note: str
    attempt: AttemptShown | None


@dataclass(frozen=True)
class Links:
    view: str
    edit: str
    test: str
    duplicate: str
    confirm_delete: str
    delete: str
    export: str
    history: str
    policies: str


@dataclass(frozen=True)
class ContactPointRow:
    uid: str
    name: str
    links: Links
    can_edit: bool
    used_by: tuple[str, ...]  # the policies naming this contact point
    just_made: bool  # the copy just made by Duplicate: highlighted
    integrations: tuple[IntegrationRow, ...]
    chart: Markup | None  # the 24-hour delivery chart, on the list only


class _PerRequest:
    """The viewer's token and role and the policy usage, made once per request; the link
    patterns only when a row is drawn."""

    def __init__(self, policy_version: tuple | None = None) -> None:
        self.token = generate_csrf()
        principal = current_principal()
        self.can_edit = principal is not None and principal.can("editor")
        self.usage = shown_usage(policy_version)

    @cached_property
    def patterns(self) -> dict[str, str]:
        patterns = {name: url_for(endpoint, uid=_PLACEHOLDER)
                    for name, endpoint in _LINKS.items()}
        patterns["delete"] = url_for("contact_points.delete", uid=_PLACEHOLDER,
                                     _method="DELETE")
        patterns["export"] = url_for("provisioning.export_page")
        patterns["history"] = url_for("history.list_page")
        patterns["policies"] = url_for("policies.tree_page")
        return patterns

    @cached_property
    def quote_uid(self):
        # The routing converter of <uid>: it quotes a uid exactly as url_for does.
        return current_app.url_map.converters["default"](current_app.url_map).to_url

    def links(self, contact_point: ContactPoint | ListedContactPoint) -> Links:
        uid = self.quote_uid(contact_point.uid)
        quoted_name = quote_plus(contact_point.name)  # as urlencode quotes a value
        patterns = self.patterns
        return Links(**{name: patterns[name].replace(_PLACEHOLDER, uid) for name in _LINKS},
                     delete=patterns["delete"].replace(_PLACEHOLDER, uid),
                     export=f"{patterns['export']}?name={quoted_name}",
                     history=f"{patterns['history']}?contact_point={quoted_name}",
                     policies=patterns["policies"])


def prepare_rows(policy_version: tuple | None = None) -> None:
    """Make this request's shared parts now, with the policies' version the caller read."""
    g.herald_rows = _PerRequest(policy_version)


def _per_request() -> _PerRequest:
    shared: _PerRequest | None = g.get("herald_rows")
    if shared is None:
        shared = g.herald_rows = _PerRequest()
    return shared


def contact_point_row(contact_point: ContactPoint | ListedContactPoint,
                      attempts: dict[int, Any],  # notify.last_attempts: values by integration
                      listed: list[ListedIntegration] | None = None,
                      chart: Markup | None = None, highlight: str = "",
                      agos: Iterator[str] | None = None) -> ContactPointRow:
    """The row of one contact point: its links, and each integration as the list shows it.

    The list page passes the integrations it read as plain values (listed), and the "… ago"
    text of each one's newest attempt, in order, as it worked them out (agos); a single row
    (after its Test) reads the contact point's own and the clock.
    """
    shared = _per_request()
    integrations = contact_point.integrations if listed is None else listed
    return ContactPointRow(
        contact_point.uid, contact_point.name, shared.links(contact_point), shared.can_edit,
        tuple(shared.usage.get(contact_point.name_key, ())), highlight == contact_point.uid,
        tuple(IntegrationRow(integration.uid, _label(integration.type),
                             integration.summary if listed is not None else describe(integration),
                             integration.review_note,
                             _shown(attempts.get(integration.id), agos))
              for integration in integrations),
        chart)


def row_html(row: ContactPointRow, results: Any = None) -> Markup:
    """The row's markup; with test results (after its Test) drawn afresh, else kept."""
    token = _per_request().token
    if results is not None:
        return Markup(render_template(TEMPLATE, row=row, token=token, results=results))
    return Markup(token.join(_drawn(current_app.jinja_env, row)))


@lru_cache(maxsize=2048)
def _drawn(environment: Environment, row: ContactPointRow) -> tuple[str, ...]:
    # Rendered from the row alone (no request, no user): the same row, the same markup,
    # kept as the pieces around the token's places.
    return tuple(environment.get_template(TEMPLATE).render(row=row, token=_TOKEN_SLOT)
                 .split(_TOKEN_SLOT))


def page_rows_html(listed: ListedPage, highlight: str = "") -> Markup:
    """Every row of a list page: drawn once per (reading of the data, viewer's rights,
    highlighted row, "… ago" texts, application root) and kept, the request's token in
    its slots."""
    shared = _per_request()
    page = listed.page
    agos = tuple(_ago(listed.attempts.get(integration.id))
                 for item in page.items for integration in page.integrations[item.id])
    pieces = _drawn_page(listed, shared.can_edit, highlight, agos, request.script_root)
    return Markup(shared.token.join(pieces))


@lru_cache(maxsize=64)  # pages of drawn rows, about 100 KB each at 25 rows
def _drawn_page(listed: ListedPage, _can_edit: bool, highlight: str, agos: tuple[str, ...],
                _root: str) -> tuple[str, ...]:
    # The underscored arguments are part of the key only: the rows read them from the
    # request (rights, links) as they are drawn.
    pieces, texts = [""], iter(agos)
    for item in listed.page.items:
        row = contact_point_row(item, listed.attempts, listed.page.integrations[item.id],
                                delivery_chart(listed.charts[item.id]), highlight, texts)
        first, *rest = _drawn(current_app.jinja_env, row)
        pieces[-1] += first
        pieces.extend(rest)
    return tuple(pieces)


def _ago(attempt: Any) -> str:
    return "" if attempt is None else time_ago(attempt.created_at)


def _shown(attempt: Any, agos: Iterator[str] | None = None) -> AttemptShown | None:
    """outcome, error, created_at and duration_ms of a notify.last_attempts row; its "… ago"
    text the next of agos (one per integration, _ago's), or from the clock."""
    ago = _ago(attempt) if agos is None else next(agos)
    if attempt is None:
        return None
    return AttemptShown(attempt.outcome, attempt.error, ago, attempt.duration_ms)


def _label(type_id: str) -> str:
    integration_type = REGISTRY.get(type_id)
    return integration_type.label if integration_type else type_id

"""The contact points list: one page of contact points, searched, with what each row shows
of its integrations read as plain values (model objects cost more than the page itself).

What a page reads (its contact points, their integrations, newest attempts and 24-hour
counts) is kept per version of the data, read in one small query per request, so a page
nobody changed since it was last read costs one query instead of six.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Text, bindparam, cast, exists, func, or_, select

from app.alerting.policies import VERSION_PARTS
from app.delivery import history
from app.delivery.notify import last_attempts
from app.extensions import db
from app.integrations import REGISTRY
from app.integrations.base import StoredValues
from app.models import ContactPoint, DeliveryAttempt, Integration, name_key, utcnow


@dataclass
class Page:
    items: list[ListedContactPoint]
    total: int
    number: int
    size: int
    # What the list shows of each item's integrations, by contact point id.
    integrations: dict[int, list[ListedIntegration]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_filter(search: str):
    """Contact points whose name, or one of whose integration types, matches the search."""
    needle = search.strip().casefold()
    type_ids = [
        t.type for t in REGISTRY.values() if needle in t.label.casefold() or needle in t.type
    ]
    by_name = ContactPoint.name_key.like(f"%{_escape_like(needle)}%", escape="\\")
    if not type_ids:
        return by_name
    by_type = exists().where(
        Integration.contact_point_id == ContactPoint.id, Integration.type.in_(type_ids)
    )
    return or_(by_name, by_type)


_ALL = select(ContactPoint.id, ContactPoint.uid, ContactPoint.name)
# Without a search the statements are built once (the page asks them on every request).
_COUNT_ALL = select(func.count()).select_from(_ALL.subquery())
_PAGE_ALL = _ALL.order_by(ContactPoint.name_key).offset(bindparam("offset")).limit(
    bindparam("limit"))


def list_contact_points(search: str = "", page: int = 1, size: int = 25) -> Page:
    """One page of contact points, ordered by name, with what the list shows of each."""
    count, rows = _COUNT_ALL, _PAGE_ALL
    if search.strip():
        query = _ALL.where(search_filter(search))
        count = select(func.count()).select_from(query.subquery())
        rows = query.order_by(ContactPoint.name_key).offset(bindparam("offset")).limit(
            bindparam("limit"))
    total = db.session.scalar(count) or 0
    number = min(max(page, 1), max(1, -(-total // size)))
    items = [ListedContactPoint(*row) for row in db.session.execute(
        rows, {"offset": (number - 1) * size, "limit": size})]
    return Page(items, total, number, size, _listed([item.id for item in items]))


@dataclass(frozen=True)
class ListedContactPoint:
    """What the list shows of a contact point itself."""

    id: int
    uid: str
    name: str

    @property
    def name_key(self) -> str:
        return name_key(self.name)


@dataclass(frozen=True)
class ListedIntegration:
    """What the list shows of an integration: plain values, cheaper than a model object."""

    id: int
    uid: str
    type: str
    summary: str
    review_note: str


def summary_of(type_id: str, settings: dict[str, Any], secret_keys: Iterable[str]) -> str:
    """The short description on the list, read without decrypting any secret."""
    integration_type = REGISTRY.get(type_id)
    if integration_type is None:
        return ""
    configured = {key: "configured" for key in secret_keys}
    return integration_type.describe(StoredValues(integration_type, settings, configured))


@lru_cache(maxsize=4096)
def _summary(type_id: str, settings_text: str | None, secrets_text: str | None) -> str:
    # Keyed by the stored settings and the encrypted secrets as text: the same settings,
    # the same line, and neither is parsed again. Only the secrets' names are used.
    secret_keys = (json.loads(secrets_text) if secrets_text else None) or {}
    return summary_of(type_id, (json.loads(settings_text) if settings_text else None) or {},
                      secret_keys)


_LISTED_INTEGRATIONS = (  # built once: the page asks it on every request
    select(Integration.contact_point_id, Integration.id, Integration.uid, Integration.type,
           cast(Integration.settings, Text).label("settings_text"),
           cast(Integration.secure_settings, Text).label("secrets_text"),
           Integration.review_note)
    .where(Integration.contact_point_id.in_(bindparam("ids", expanding=True)))
    .order_by(Integration.contact_point_id, Integration.position)
)


def _listed(contact_point_ids: list[int]) -> dict[int, list[ListedIntegration]]:
    """The integrations of these contact points, in their order, in one query."""
    listed: dict[int, list[ListedIntegration]] = {id_: [] for id_ in contact_point_ids}
    rows = db.session.execute(_LISTED_INTEGRATIONS, {"ids": contact_point_ids})
    for point_id, id_, uid, type_id, settings_text, secrets_text, review_note in rows:
        summary = _summary(type_id, settings_text, secrets_text)
        listed[point_id].append(ListedIntegration(id_, uid, type_id, summary, review_note))
    return listed


def newest_attempts(page: Page) -> dict[int, Any]:
    """The newest delivery attempt of each integration on the page, as plain values
    (outcome, error, created_at, duration_ms), in one query."""
    ids = [integration.id for listed in page.integrations.values() for integration in listed]
    if not ids:
        return {}
    return last_attempts(ids)


@dataclass(frozen=True, eq=False)  # equal and hashed by identity: one per kept reading
class ListedPage:
    """Everything the list page reads from the database, at one version of the data."""

    page: Page
    attempts: dict[int, Any]  # newest attempt by integration id (notify.last_attempts)
    charts: dict[int, tuple[tuple[int, int], ...]]  # history.hourly, by contact point id
    policy_version: tuple  # the policies' version (VERSION_PARTS) it was read at


# The policies' and contact points' version (a contact point's updated_at moves with any
# change to its integrations), and the newest and oldest delivery attempt: attempts are
# only ever added, and pruned from the oldest. Built once; asked on every request.
_LIST_VERSION = select(*VERSION_PARTS,
                       select(func.max(DeliveryAttempt.id)).scalar_subquery(),
                       select(func.min(DeliveryAttempt.id)).scalar_subquery())


def listed_page(search: str, number: int, size: int, now: datetime | None = None) -> ListedPage:
    """The page's contact points with their integrations, newest attempts and charts: read
    afresh when the data changed since (by this or any other process), else the kept ones."""
    version = tuple(db.session.connection().execute(_LIST_VERSION).one())
    hour = (now or utcnow()).replace(minute=0, second=0, microsecond=0)
    return _read_page(str(db.engine.url), search, number, size, hour, version)


@lru_cache(maxsize=64)
def _read_page(_database: str, search: str, number: int, size: int, hour: datetime,
               version: tuple) -> ListedPage:
    # Keyed by all it depends on: the database, the question, the chart's hour and the
    # data's version; the same key gives the same object while it is kept. Nothing per
    # user or per session is kept.
    page = list_contact_points(search, number, size)
    charts = history.hourly([item.id for item in page.items], hour)
    return ListedPage(page, newest_attempts(page), charts, version[:len(VERSION_PARTS)])

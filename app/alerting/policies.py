"""The stored policy tree: load it, save a changed tree, find which policies use a contact point."""
from __future__ import annotations

from sqlalchemy import func, select

from app.alerting.matchers import compile_lists, matchers_text, to_lists
from app.alerting.models import (
    DEFAULT_GROUP_BY,
    DEFAULT_GROUP_INTERVAL,
    DEFAULT_GROUP_WAIT,
    DEFAULT_REPEAT_INTERVAL,
    Policy,
)
from app.alerting.routing import ROUTES, Route
from app.alerting.tree import PolicyError, PolicySpec, check_tree
from app.extensions import db
from app.models import ContactPoint, name_key, utcnow


def default_spec(receiver: str | None) -> PolicySpec:
    """The Default policy as Grafana makes it: its contact point, folder+alertname, 30s/5m/4h."""
    return PolicySpec(receiver=receiver, group_by=list(DEFAULT_GROUP_BY),
                      group_wait=DEFAULT_GROUP_WAIT, group_interval=DEFAULT_GROUP_INTERVAL,
                      repeat_interval=DEFAULT_REPEAT_INTERVAL)


def _contact_point_names() -> dict[int, str]:
    rows = db.session.execute(select(ContactPoint.id, ContactPoint.name).order_by(ContactPoint.id))
    return {point_id: name for point_id, name in rows}


def load_spec() -> PolicySpec:
    """The stored tree (the Default policy on the first contact point when none is stored)."""
    names = _contact_point_names()
    rows = db.session.scalars(select(Policy).order_by(Policy.position, Policy.id)).all()
    children: dict[int | None, list[Policy]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)

    def spec_of(row: Policy) -> PolicySpec:
        return PolicySpec(
            id=row.id, receiver=names.get(row.contact_point_id), group_by=row.group_by,
            matchers=compile_lists(row.matchers), continue_matching=row.continue_matching,
            group_wait=row.group_wait, group_interval=row.group_interval,
            repeat_interval=row.repeat_interval,
            routes=[spec_of(child) for child in children.get(row.id, [])],
        )

    roots = children.get(None)
    if not roots:
        return default_spec(next(iter(names.values()), None))
    return spec_of(roots[0])


# What the routing tree and the policy usage depend on; a contact point's updated_at also
# moves with any change to its integrations (app.models). Other versions extend it.
VERSION_PARTS = tuple(part.scalar_subquery() for part in (
    select(func.count()).select_from(Policy), select(func.max(Policy.updated_at)),
    select(func.count()).select_from(ContactPoint), select(func.max(ContactPoint.updated_at))))
_VERSION = select(*VERSION_PARTS)  # built once: asked per request


def _version() -> tuple:
    return tuple(db.session.execute(_VERSION).one())


def current_route() -> Route:
    """The routing tree of the stored policies (cached until they or a contact point change)."""
    return ROUTES.get(str(db.engine.url), _version(), load_spec)


def adopt_ids(new: PolicySpec, old: PolicySpec) -> None:
    """Give an imported tree the ids of the stored policies at the same places."""
    new.id = old.id
    for new_child, old_child in zip(new.routes, old.routes, strict=False):
        adopt_ids(new_child, old_child)


def save_tree(spec: PolicySpec) -> None:
    """Check and store a whole tree (rows kept by id, added, removed); the caller commits."""
    names = _contact_point_names()
    check_tree(spec, set(names.values()))
    ids_by_key = {name_key(name): point_id for point_id, name in names.items()}
    stored = {row.id: row for row in db.session.scalars(select(Policy))}
    keep: set[int] = set()

    def store(node: PolicySpec, parent: Policy | None, position: int) -> None:
        row = stored.get(node.id) if node.id is not None else None
        if row is None:
            row = Policy()
            db.session.add(row)
        row.parent_id = parent.id if parent else None
        row.position = position
        row.contact_point_id = ids_by_key[name_key(node.receiver)] if node.receiver else None
        row.group_by = list(node.group_by) if node.group_by is not None else None
        row.matchers = to_lists(node.matchers)
        row.continue_matching = node.continue_matching
        row.group_wait, row.group_interval = node.group_wait, node.group_interval
        row.repeat_interval = node.repeat_interval
        row.updated_at = utcnow()  # the routing cache sees every save
        db.session.flush()
        node.id = row.id
        keep.add(row.id)
        for index, child in enumerate(node.routes):
            store(child, row, index)

    store(spec, None, 0)
    gone = set(stored) - keep
    for policy_id in gone:
        if stored[policy_id].parent_id not in gone:  # the database removes the children
            db.session.delete(stored[policy_id])
    db.session.flush()
    for policy_id in gone:
        if stored[policy_id] in db.session:
            db.session.expunge(stored[policy_id])


def describe(spec: PolicySpec, is_root: bool) -> str:
    """How a policy is named in messages: the Default policy, or its matchers."""
    if is_root:
        return "Default policy"
    return f"policy {matchers_text(spec.matchers)}" if spec.matchers else "policy (no matchers)"


def usage() -> dict[str, list[str]]:
    """Contact point name key -> the policies that name it."""
    root = load_spec()
    found: dict[str, list[str]] = {}
    if root.id is None:
        return found  # no tree stored yet: the default policy follows the first contact point
    for node in root.walk():
        if node.receiver:
            found.setdefault(name_key(node.receiver), []).append(describe(node, node is root))
    return found


# Per database: the version (as _version reads it) and the usage computed at that version.
_SHOWN_USAGE: dict[str, tuple[tuple, dict[str, list[str]]]] = {}


def shown_usage(version: tuple | None = None) -> dict[str, list[str]]:
    """usage() for pages to show (not for checks): kept until a policy or contact point changes.

    One small query instead of reading every contact point and policy; the version is the
    routing cache's, so another process's change is seen on the next request. A caller
    that read VERSION_PARTS already in its own query passes their values.
    """
    database, version = str(db.engine.url), version or _version()
    entry = _SHOWN_USAGE.get(database)
    if entry is None or entry[0] != version:
        entry = _SHOWN_USAGE[database] = (version, usage())
    return entry[1]


def policies_using(name: str) -> list[str]:
    """The policies that name this contact point (it cannot be deleted while any do)."""
    return usage().get(name_key(name), [])


def in_use_message(name: str, policies: list[str]) -> str:
    return (f'Contact point "{name}" is used by {len(policies)} notification '
            f"polic{'y' if len(policies) == 1 else 'ies'} ({', '.join(policies)}): "
            "choose another contact point there first.")


def find(spec: PolicySpec, policy_id: int) -> tuple[PolicySpec | None, PolicySpec | None]:
    """The policy with that id and its parent."""
    for node in spec.walk():
        for child in node.routes:
            if child.id == policy_id:
                return child, node
    return (spec, None) if spec.id == policy_id else (None, None)


__all__ = ["PolicyError", "load_spec", "save_tree", "current_route", "usage", "find"]

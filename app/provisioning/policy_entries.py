"""Grafana's `policies` and `resetPolicies` in a provisioning document: planned, then written."""
from __future__ import annotations

from typing import Any

from app import audit
from app.alerting.policies import adopt_ids, default_spec, load_spec, save_tree, usage
from app.alerting.tree import PolicyError, check_tree, spec_from_dict, spec_to_dict
from app.extensions import db
from app.models import name_key
from app.provisioning.document import Entry
from app.provisioning.plan import (
    POLICY,
    REFUSED,
    UNCHANGED,
    UPDATED,
    Change,
    ContactPointDelete,
    ContactPointWrite,
    IntegrationWrite,
    PolicyReset,
    PolicyWrite,
    digest,
)

ORG_ID = 1
NAME = "Default policy"


def _planned_names(changes: list[Change], stored: list[str]) -> set[str]:
    """Contact point names as the plan leaves them (removals are checked afterwards)."""
    names = set(stored)
    for change in changes:
        if isinstance(change.operation, IntegrationWrite):
            names.add(change.operation.contact_point)
        elif isinstance(change.operation, ContactPointWrite):
            names.add(change.operation.name)
    return names


def _tree(entry: Entry, names: set[str]) -> dict[str, Any]:
    """The checked tree of one `policies` entry, as Grafana's route object."""
    if not isinstance(entry.value, dict):
        raise PolicyError("each entry of policies must be a mapping (a policy tree)")
    data = dict(entry.value)
    if str(data.pop("orgId", ORG_ID)) != str(ORG_ID):
        raise PolicyError("Herald has one organisation: orgId must be 1")
    spec = spec_from_dict(data)
    check_tree(spec, names)
    return spec_to_dict(spec)


def plan_policies(changes: list[Change], entries: list[Entry], resets: list[Entry],
                  stored_names: list[str]) -> None:
    """Add the change of the policy tree (or its reset) to the plan."""
    stored = load_spec()
    before = spec_to_dict(stored)
    if len(entries) > 1:
        changes.append(Change(POLICY, NAME, REFUSED, "policies", source=entries[1].source,
                              reason="a document holds one policy tree (orgId 1), found "
                                     f"{len(entries)}"))
        return
    for entry in entries:
        try:
            tree = _tree(entry, _planned_names(changes, stored_names))
        except PolicyError as exc:
            changes.append(Change(POLICY, NAME, REFUSED, "the policy tree", source=entry.source,
                                  reason=str(exc)))
            return
        same = tree == before and stored.id is not None
        count = sum(1 for _ in spec_from_dict(tree).walk())
        changes.append(Change(POLICY, NAME, UNCHANGED if same else UPDATED,
                              f"{count} polic{'y' if count == 1 else 'ies'}",
                              source=entry.source, before=digest(before),
                              operation=None if same else PolicyWrite(tree)))
    if resets and not entries:
        changes.append(Change(POLICY, NAME, UPDATED, "reset to the default policy",
                              source=resets[0].source, before=digest(before),
                              operation=PolicyReset()))


def refuse_used_removals(changes: list[Change]) -> None:
    """A contact point that a policy (as planned) still names is not removed."""
    written = [c.operation for c in changes if isinstance(c.operation, PolicyWrite | PolicyReset)]
    if written and isinstance(written[-1], PolicyWrite):
        used = {name_key(node.receiver): [NAME] for node in spec_from_dict(written[-1].tree).walk()
                if node.receiver}
    else:
        used = usage()
    for change in changes:
        if isinstance(change.operation, ContactPointDelete) and name_key(change.name) in used:
            change.action, change.operation, change.status = REFUSED, None, 409
            change.reason = ("it is used by notification policies; choose another contact "
                             "point there first")


def write_policies(operation: PolicyWrite | PolicyReset) -> None:
    """Store the planned tree, keeping the ids (and so the alert groups) of kept policies."""
    db.session.flush()  # contact points the same import creates
    stored = load_spec()
    if isinstance(operation, PolicyWrite):
        spec = spec_from_dict(operation.tree)
    else:
        spec = default_spec(stored.receiver)
    adopt_ids(spec, stored)
    save_tree(spec)
    audit.record("update", "notification-policies", NAME, "", spec_to_dict(stored),
                 spec_to_dict(spec))


def export_entry() -> dict[str, Any]:
    """The stored tree as a `policies` entry."""
    return {"orgId": ORG_ID, **spec_to_dict(load_spec())}

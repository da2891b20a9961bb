"""The policy form: typed values in, a changed tree out, every error in words."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app import audit
from app.alerting.matchers import LABEL_NAME_RE, matchers_from_rows, rows_from_request
from app.alerting.policies import find, load_spec, save_tree
from app.alerting.tree import (
    PolicyError,
    PolicySpec,
    format_duration,
    parse_duration,
    spec_to_dict,
)

TIMINGS = (("group_wait", "Group wait"), ("group_interval", "Group interval"),
           ("repeat_interval", "Repeat interval"))


@dataclass
class PolicyForm:
    """What the person typed, and what is wrong with it."""

    contact_point: str = ""
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # label, operator, value
    continue_matching: bool = False
    group_by: str = ""
    timings: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_spec(cls, spec: PolicySpec) -> PolicyForm:
        return cls(
            contact_point=spec.receiver or "",
            rows=[(m.name, m.op, m.value) for m in spec.matchers],
            continue_matching=spec.continue_matching,
            group_by=", ".join(spec.group_by) if spec.group_by is not None else "",
            timings={name: format_duration(getattr(spec, name)) for name, _ in TIMINGS},
        )

    @classmethod
    def from_request(cls, values: Any) -> PolicyForm:
        return cls(
            contact_point=values.get("contact_point", ""),
            rows=rows_from_request(values),
            continue_matching=values.get("continue") == "on",
            group_by=values.get("group_by", "")[:2000],
            timings={name: values.get(name, "").strip()[:40] for name, _ in TIMINGS},
        )

    def apply(self, node: PolicySpec, is_root: bool) -> None:
        """Write the typed values onto the policy, noting each error."""
        node.matchers = [] if is_root else matchers_from_rows(self.rows, self.errors)
        node.receiver = self.contact_point or None
        if is_root and not node.receiver:
            self.errors["contact_point"] = "The default policy needs a contact point."
        node.continue_matching = self.continue_matching and not is_root
        labels = [label.strip() for label in self.group_by.split(",") if label.strip()]
        if "..." in labels and len(labels) > 1:
            self.errors["group_by"] = "Group by ... (every label) stands alone."
        wrong = [label for label in labels if label != "..." and not LABEL_NAME_RE.match(label)]
        if wrong:
            self.errors["group_by"] = f"{wrong[0][:100]!r} is not a label name."
        node.group_by = labels if labels or is_root else None
        for name, label in TIMINGS:
            try:
                setattr(node, name, parse_duration(self.timings.get(name), label))
            except PolicyError as exc:
                self.errors[name] = f"{exc}."
            if getattr(node, name) == 0 and name != "group_wait":
                self.errors[name] = f"{label} cannot be zero."
            if is_root and getattr(node, name) is None:
                self.errors[name] = f"The default policy needs a {label.lower()}."


def _saved(root: PolicySpec, before: dict) -> None:
    """Store the tree and note the change in the audit log."""
    save_tree(root)
    audit.record("update", "notification-policies", "Default policy", "", before,
                 spec_to_dict(root))


def save_policy(form: PolicyForm, policy_id: int | None, parent_id: int | None) -> PolicySpec:
    """Apply the form to a stored policy (or a new child of parent_id) and save the tree.

    Raises LookupError for an unknown policy; leaves errors on the form when refused.
    """
    root = load_spec()
    before = spec_to_dict(root)
    if policy_id is None:
        parent, _ = find(root, parent_id) if parent_id is not None else (root, None)
        if parent is None:
            raise LookupError("parent policy not found")
        node = PolicySpec()
        parent.routes.append(node)
    else:
        node, _ = find(root, policy_id)
        if node is None:
            raise LookupError("policy not found")
    form.apply(node, node is root)
    if not form.errors:
        try:
            _saved(root, before)
        except PolicyError as exc:
            form.errors["form"] = str(exc)[0].upper() + str(exc)[1:] + "."
    return node


def delete_policy(policy_id: int) -> int:
    """Remove a policy and its children; returns how many policies went."""
    root = load_spec()
    before = spec_to_dict(root)
    node, parent = find(root, policy_id)
    if node is None or parent is None:
        raise LookupError("policy not found (the default policy cannot be deleted)")
    parent.routes.remove(node)
    _saved(root, before)
    return sum(1 for _ in node.walk())


def move_policy(policy_id: int, step: int) -> None:
    """Move a policy up (-1) or down (+1) among its siblings."""
    root = load_spec()
    before = spec_to_dict(root)
    node, parent = find(root, policy_id)
    if node is None or parent is None:
        raise LookupError("policy not found")
    index = parent.routes.index(node)
    target = max(0, min(len(parent.routes) - 1, index + step))
    parent.routes.insert(target, parent.routes.pop(index))
    _saved(root, before)

"""The policy tree as data: Grafana's route JSON in and out, checked, with durations."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.alerting.matchers import (
    LABEL_NAME_RE,
    MAX_MATCHERS,
    Matcher,
    MatcherError,
    from_object_matchers,
    parse_matchers,
    to_lists,
)

MAX_POLICIES = 1000
MAX_DEPTH = 30
MAX_GROUP_BY = 100
_DURATION_RE = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$")
_UNITS = (7 * 86400, 86400, 3600, 60, 1)
_ROUTE_KEYS = {"receiver", "group_by", "matchers", "object_matchers", "match", "match_re",
               "continue", "group_wait", "group_interval", "repeat_interval", "routes",
               "mute_time_intervals", "active_time_intervals", "provenance", "orgId"}


class PolicyError(ValueError):
    """A policy tree that cannot be used, said in words."""


@dataclass
class PolicySpec:
    """One policy and its children, independent of storage."""

    receiver: str | None = None
    group_by: list[str] | None = None
    matchers: list[Matcher] = field(default_factory=list)
    continue_matching: bool = False
    group_wait: int | None = None
    group_interval: int | None = None
    repeat_interval: int | None = None
    routes: list[PolicySpec] = field(default_factory=list)
    id: int | None = None

    def walk(self):
        """This policy and every descendant, depth first."""
        yield self
        for child in self.routes:
            yield from child.walk()


def parse_duration(value: Any, where: str) -> int | None:
    """Prometheus's duration text ("30s", "1h30m", "4h") as whole seconds; None if unset."""
    if value in (None, ""):
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    found = _DURATION_RE.match(value.strip()) if isinstance(value, str) else None
    if not found or not any(found.groups()):
        raise PolicyError(f"{where} must be a duration such as 30s, 5m or 4h, got {value!r}")
    millis = int(found.group(6) or 0)
    seconds = sum(int(part or 0) * unit for part, unit in zip(found.groups()[:5], _UNITS,
                                                                  strict=True))
    return seconds + (1 if millis and not seconds else 0)


def format_duration(seconds: int | None) -> str:
    """Whole seconds as Prometheus writes them: 30s, 5m, 4h, 1h30m."""
    if seconds is None:
        return ""
    if seconds == 0:
        return "0s"
    text = ""
    for unit, size in (("w", 7 * 86400), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            text += f"{seconds // size}{unit}"
            seconds %= size
    return text


def _group_by(value: Any, where: str) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise PolicyError(f"{where}group_by must be a list of label names")
    if len(value) > MAX_GROUP_BY:
        raise PolicyError(f"{where}group_by has {len(value):,} labels; at most {MAX_GROUP_BY}")
    if "..." in value and len(value) > 1:
        raise PolicyError(f"{where}group_by: '...' (every label) must stand alone")
    for name in value:
        if name != "..." and not LABEL_NAME_RE.match(name):
            raise PolicyError(f"{where}group_by: {name[:100]!r} is not a label name")
    return list(dict.fromkeys(value))


def _matchers(data: dict[str, Any], where: str) -> list[Matcher]:
    found: list[Matcher] = []
    texts = data.get("matchers") or []
    if not isinstance(texts, list):
        raise PolicyError(f"{where}matchers must be a list of matcher texts")
    if len(texts) > MAX_MATCHERS:
        raise PolicyError(f"{where}matchers has {len(texts):,} entries; at most {MAX_MATCHERS}")
    try:
        for text in texts:
            found += parse_matchers(text)
        found += from_object_matchers(data.get("object_matchers"), f"{where}object_matchers")
        for key, op in (("match", "="), ("match_re", "=~")):
            legacy = data.get(key) or {}
            if not isinstance(legacy, dict):
                raise PolicyError(f"{where}{key} must be a map of label to value")
            found += [Matcher.make(name, op, str(value)) for name, value in legacy.items()]
    except MatcherError as exc:
        raise PolicyError(f"{where}{exc}") from None
    if len(found) > MAX_MATCHERS:
        raise PolicyError(f"{where}has {len(found):,} matchers; at most {MAX_MATCHERS}")
    return found


def spec_from_dict(data: Any, where: str = "", depth: int = 0, seen: set | None = None,
                   ) -> PolicySpec:
    """Grafana's route object (provisioning file or API) as a checked PolicySpec."""
    seen = set() if seen is None else seen
    if not isinstance(data, dict):
        raise PolicyError(f"{where or 'the policy'} must be an object")
    if id(data) in seen:
        raise PolicyError(f"{where or 'the policy'} contains itself (a cycle)")
    if depth > MAX_DEPTH:
        raise PolicyError(f"policies are nested more than {MAX_DEPTH} levels deep")
    seen.add(id(data))
    unknown = sorted(set(data) - _ROUTE_KEYS)
    if unknown:
        raise PolicyError(f"{where}unknown field {unknown[0]!r}")
    if data.get("mute_time_intervals") or data.get("active_time_intervals"):
        raise PolicyError(f"{where}time intervals are not supported by Herald")
    receiver = data.get("receiver")
    if receiver is not None and not isinstance(receiver, str):
        raise PolicyError(f"{where}receiver must be a contact point name")
    routes = data.get("routes") or []
    if not isinstance(routes, list):
        raise PolicyError(f"{where}routes must be a list")
    spec = PolicySpec(
        receiver=receiver or None, group_by=_group_by(data.get("group_by"), where),
        matchers=_matchers(data, where), continue_matching=bool(data.get("continue")),
        group_wait=parse_duration(data.get("group_wait"), f"{where}group_wait"),
        group_interval=parse_duration(data.get("group_interval"), f"{where}group_interval"),
        repeat_interval=parse_duration(data.get("repeat_interval"), f"{where}repeat_interval"),
    )
    for name in ("group_interval", "repeat_interval"):
        if getattr(spec, name) == 0:
            raise PolicyError(f"{where}{name} cannot be zero")
    spec.routes = [spec_from_dict(child, f"{where}routes[{index}].", depth + 1, seen)
                   for index, child in enumerate(routes)]
    return spec


def check_tree(root: PolicySpec, contact_point_names: set[str]) -> None:
    """The whole tree: a root contact point, known contact points, a bounded size."""
    nodes = list(root.walk())
    if len(nodes) > MAX_POLICIES:
        raise PolicyError(f"{len(nodes):,} policies; at most {MAX_POLICIES:,} allowed")
    if root.matchers:
        raise PolicyError("the default policy cannot have matchers")
    if not root.receiver:
        raise PolicyError("the default policy needs a contact point (receiver)")
    known = {name.casefold() for name in contact_point_names}
    for node in nodes:
        if node.receiver and node.receiver.casefold() not in known:
            raise PolicyError(f"contact point not found: {node.receiver}")


def spec_to_dict(spec: PolicySpec, root: bool = True) -> dict[str, Any]:
    """Grafana's route object: object_matchers for matchers, Go durations, unset keys left out."""
    data: dict[str, Any] = {}
    if spec.receiver:
        data["receiver"] = spec.receiver
    if spec.group_by is not None:
        data["group_by"] = list(spec.group_by)
    if spec.matchers:
        data["object_matchers"] = to_lists(spec.matchers)
    if spec.continue_matching:
        data["continue"] = True
    for name in ("group_wait", "group_interval", "repeat_interval"):
        if getattr(spec, name) is not None:
            data[name] = format_duration(getattr(spec, name))
    if spec.routes:
        data["routes"] = [spec_to_dict(child, root=False) for child in spec.routes]
    return data

"""Routing as Alertmanager's dispatch/route.go: depth first, first match, continue, inherit."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field, replace

from app.alerting.matchers import OPERATORS, Matcher
from app.alerting.models import DEFAULT_GROUP_INTERVAL, DEFAULT_GROUP_WAIT, DEFAULT_REPEAT_INTERVAL
from app.alerting.tree import PolicySpec

Labels = dict[str, str]


@dataclass(frozen=True)
class RouteOpts:
    """What a matching policy decides: contact point, grouping and timings (inherited)."""

    receiver: str = ""
    group_by: tuple[str, ...] = ()
    group_by_all: bool = False
    group_wait: int = DEFAULT_GROUP_WAIT
    group_interval: int = DEFAULT_GROUP_INTERVAL
    repeat_interval: int = DEFAULT_REPEAT_INTERVAL


@dataclass
class Route:
    """A policy ready to match: its own matchers, its effective options, its children."""

    matchers: list[Matcher]
    opts: RouteOpts
    continue_matching: bool = False
    routes: list[Route] = field(default_factory=list)
    key: str = "{}"
    policy_id: int | None = None
    path: tuple[int, ...] = ()  # child indexes from the root, to name the policy

    def match(self, labels: Labels) -> list[Route]:
        """Every route the labels end at, in order (empty when this node does not match)."""
        if not all(matcher.matches(labels) for matcher in self.matchers):
            return []
        found: list[Route] = []
        for child in self.routes:
            matches = child.match(labels)
            found += matches
            if matches and not child.continue_matching:
                break
        return found or [self]

    def walk(self):
        yield self
        for child in self.routes:
            yield from child.walk()

    def group_labels(self, labels: Labels) -> Labels:
        """The labels an alert is grouped by under this route."""
        if self.opts.group_by_all:
            return dict(labels)
        return {name: labels[name] for name in self.opts.group_by if name in labels}

    def group_key(self, group_labels: Labels) -> str:
        """Alertmanager's group key: the route key, then the group labels."""
        pairs = ", ".join(f"{name}={json.dumps(group_labels[name], ensure_ascii=False)}"
                          for name in sorted(group_labels))
        return f"{self.key}:{{{pairs}}}"


def _sorted_text(matchers: list[Matcher]) -> str:
    ordered = sorted(matchers, key=lambda m: (m.name, m.value, OPERATORS.index(m.op)))
    return "{" + ",".join(str(matcher) for matcher in ordered) + "}"


def build(spec: PolicySpec, parent: Route | None = None, path: tuple[int, ...] = ()) -> Route:
    """The route tree of a policy tree, options inherited from parent to child."""
    opts = parent.opts if parent else RouteOpts()
    if spec.receiver:
        opts = replace(opts, receiver=spec.receiver)
    if spec.group_by is not None:
        every = "..." in spec.group_by
        opts = replace(opts, group_by_all=every,
                       group_by=() if every else tuple(dict.fromkeys(spec.group_by)))
    for name in ("group_wait", "group_interval", "repeat_interval"):
        if getattr(spec, name) is not None:
            opts = replace(opts, **{name: getattr(spec, name)})
    key = f"{parent.key}/{_sorted_text(spec.matchers)}" if parent else _sorted_text(spec.matchers)
    route = Route(matchers=list(spec.matchers), opts=opts, continue_matching=spec.continue_matching,
                  key=key, policy_id=spec.id, path=path)
    route.routes = [build(child, route, (*path, index)) for index, child in enumerate(spec.routes)]
    return route


class RouteCache:
    """The built tree of the stored policies, rebuilt when the stored version changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[object, Route]] = {}

    def get(self, database: str, version: object, load) -> Route:
        entry = self._entries.get(database)
        if entry and entry[0] == version:
            return entry[1]
        with self._lock:
            route = build(load())
            self._entries[database] = (version, route)
            return route


ROUTES = RouteCache()

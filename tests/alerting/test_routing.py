"""Routing against Alertmanager's own examples (dispatch/route_test.go, TestRouteMatchers)."""
from __future__ import annotations

import pytest
import yaml

from app.alerting.routing import RouteOpts, build
from app.alerting.tree import PolicyError, spec_from_dict

TREE = yaml.safe_load("""
receiver: 'notify-def'
routes:
- matchers: ['{owner="team-A"}', '{level!="critical"}']
  receiver: 'notify-A'
  routes:
  - matchers: ['{env="testing"}', '{baz!~".*quux"}']
    receiver: 'notify-testing'
    group_by: [...]
  - matchers: ['{env="production"}']
    receiver: 'notify-productionA'
    group_wait: 1m
    continue: true
  - matchers: [ env=~"produ.*", job=~".*"]
    receiver: 'notify-productionB'
    group_wait: 30s
    group_interval: 5m
    repeat_interval: 1h
    group_by: ['job']
- matchers: [owner=~"team-(B|C)"]
  group_by: ['foo', 'bar']
  group_wait: 2m
  receiver: 'notify-BC'
- matchers: [group_by="role"]
  group_by: ['role']
  routes:
  - matchers: ['{env="testing"}']
    receiver: 'notify-testing'
    routes:
    - matchers: [wait="long"]
      group_wait: 2m
""")

DEF = RouteOpts()
CASES = [
    ({"owner": "team-A"}, [RouteOpts("notify-A")],
     ['{}/{level!="critical",owner="team-A"}']),
    ({"owner": "team-A", "env": "unset"}, [RouteOpts("notify-A")],
     ['{}/{level!="critical",owner="team-A"}']),
    ({"owner": "team-C"}, [RouteOpts("notify-BC", ("foo", "bar"), group_wait=120)],
     ['{}/{owner=~"team-(B|C)"}']),
    ({"owner": "team-A", "env": "testing"}, [RouteOpts("notify-testing", (), True)],
     ['{}/{level!="critical",owner="team-A"}/{baz!~".*quux",env="testing"}']),
    ({"owner": "team-A", "env": "production"},
     [RouteOpts("notify-productionA", group_wait=60),
      RouteOpts("notify-productionB", ("job",), False, 30, 300, 3600)],
     ['{}/{level!="critical",owner="team-A"}/{env="production"}',
      '{}/{level!="critical",owner="team-A"}/{env=~"produ.*",job=~".*"}']),
    ({"group_by": "role"}, [RouteOpts("notify-def", ("role",))], ['{}/{group_by="role"}']),
    ({"env": "testing", "group_by": "role"}, [RouteOpts("notify-testing", ("role",))],
     ['{}/{group_by="role"}/{env="testing"}']),
    ({"env": "testing", "group_by": "role", "wait": "long"},
     [RouteOpts("notify-testing", ("role",), group_wait=120)],
     ['{}/{group_by="role"}/{env="testing"}/{wait="long"}']),
]


@pytest.mark.parametrize(("labels", "expected", "keys"), CASES)
def test_routing_matches_alertmanagers_examples(labels, expected, keys):
    tree = build(spec_from_dict(TREE))
    found = tree.match(labels)
    assert [route.opts for route in found] == expected
    assert [route.key for route in found] == keys


def test_walk_visits_policies_depth_first_in_order():
    tree = build(spec_from_dict(TREE))
    assert [route.opts.receiver for route in tree.walk()] == [
        "notify-def", "notify-A", "notify-testing", "notify-productionA", "notify-productionB",
        "notify-BC", "notify-def", "notify-testing", "notify-testing"]


def test_children_inherit_group_by_all_unless_they_override_it():
    tree = build(spec_from_dict({"routes": [{
        "object_matchers": [["env", "=", "parent"]], "group_by": ["..."],
        "routes": [{"object_matchers": [["env", "=", "child1"]]},
                   {"object_matchers": [["env", "=", "child2"]], "group_by": ["foo"]}]}]}))
    parent = tree.routes[0]
    assert parent.opts.group_by_all and parent.routes[0].opts.group_by_all
    assert not parent.routes[1].opts.group_by_all


def test_group_key_has_alertmanagers_form():
    tree = build(spec_from_dict(TREE))
    route = tree.match({"owner": "team-C", "foo": "1", "bar": "x"})[0]
    assert route.group_key(route.group_labels({"owner": "team-C", "foo": "1", "bar": "x"})) == (
        '{}/{owner=~"team-(B|C)"}:{bar="x", foo="1"}')


@pytest.mark.parametrize(("tree", "message"), [
    ({"routes": [{"object_matchers": [["a", "=~", "("]]}]}, "does not compile"),
    ({"routes": [{"object_matchers": [["a", "=", "b"]] * 10_000}]}, "at most 100"),
    ({"routes": [{"object_matchers": [["a", "=", "x" * 1_000_000]]}]}, "too long"),
    ({"routes": [{"matchers": ["a ~= b"]}]}, "cannot read matcher"),
    ({"group_wait": "soon"}, "group_wait must be a duration"),
    ({"group_interval": "0s"}, "group_interval cannot be zero"),
    ({"group_by": ["alert name"]}, "'alert name' is not a label name"),
])
def test_bad_trees_are_refused_in_words(tree, message):
    with pytest.raises(PolicyError, match=message):
        spec_from_dict(tree)


def test_a_tree_that_contains_itself_is_refused():
    node: dict = {"receiver": "a"}
    node["routes"] = [node]
    with pytest.raises(PolicyError, match="cycle"):
        spec_from_dict(node)

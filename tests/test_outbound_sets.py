"""The destination policy on IPv4 addresses written as IPv6, and the named sets
(loopback, private, link-local) that cover both halves of the address space."""
from __future__ import annotations

import pytest

from app.transport import http
from app.transport.outbound import Policy, parse_entries
from tests.test_outbound import deny, refusal
from tests.test_outbound import loopback_only as loopback_only  # noqa: F401 (a fixture)


@pytest.mark.parametrize("host", [
    "[::169.254.169.254]",  # IPv4-compatible
    "[::ffff:169.254.169.254]",  # IPv4-mapped
    "[64:ff9b::169.254.169.254]",  # NAT64
    "[2002:a9fe:a9fe::1]",  # 6to4
])
def test_metadata_written_as_ipv6_is_refused_by_default(app, host, loopback_only):
    error = refusal(f"http://{host}/latest/meta-data/")

    assert error.message.startswith("destination not allowed by policy: ")
    assert loopback_only == []


@pytest.mark.parametrize("address", [
    "::127.0.0.1", "::ffff:127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::1"])
def test_an_ipv4_deny_range_covers_the_ipv6_forms_of_its_addresses(address):
    policy = Policy(deny=parse_entries("127.0.0.0/8"))

    assert policy.permits("x.test", address) is False
    assert policy.permits("x.test", "::2:1") is False  # ::0.2.0.1 is in 0.0.0.0/8
    assert Policy().permits("x.test", "::1") is True  # loopback is not IPv4-compatible


def test_an_ipv4_allow_range_admits_the_ipv6_forms_of_its_addresses():
    policy = Policy(allow=parse_entries("10.0.0.0/8"))

    assert policy.permits("x.test", "::ffff:10.1.2.3") is True
    assert policy.permits("x.test", "2002:0a01:0203::") is True
    assert policy.permits("x.test", "::ffff:11.1.2.3") is False


@pytest.mark.parametrize(("name", "inside", "outside"), [
    ("loopback", ["127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1", "::127.0.0.1"],
     ["10.0.0.1", "::2:0:1"]),
    ("private", ["10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "fd12::1",
                 "fc00::1", "::ffff:192.168.0.1", "2002:c0a8:0101::1"],
     ["172.32.0.1", "8.8.8.8", "2001:db8::1", "127.0.0.1"]),
    ("link-local", ["169.254.1.1", "fe80::1", "fe80::1%2"], ["10.0.0.1", "fec0::1"]),
])
def test_named_sets_cover_ipv4_and_ipv6(name, inside, outside):
    allowed = Policy(allow=parse_entries(name))
    denied = Policy(deny=parse_entries(f"{name}, 203.0.113.0/24"))

    for address in inside:
        assert denied.permits("x.test", address) is False, address
        if name != "link-local":  # always refused, whatever the allow list says
            assert allowed.permits("x.test", address) is True, address
    for address in outside:
        assert allowed.permits("x.test", address) is False, address


def test_deny_loopback_refuses_ipv6_loopback_too(app, httpserver, loopback_only):
    httpserver.expect_request("/hook").respond_with_data("ok")
    deny(app, *parse_entries("private,loopback"))

    for url in (f"http://[::1]:{httpserver.port}/hook", f"http://127.0.0.1:{httpserver.port}/hook",
                f"http://[::ffff:127.0.0.1]:{httpserver.port}/hook"):
        assert refusal(url).message.startswith("destination not allowed by policy: ")
    assert loopback_only == [] and httpserver.log == []


def test_named_sets_are_kept_as_written_and_a_host_list_still_works(app, httpserver):
    assert parse_entries(" Loopback, PRIVATE ,link-local") == (
        "loopback", "private", "link-local")
    httpserver.expect_request("/hook").respond_with_data("ok")
    deny(app, "private")

    assert http.request("POST", f"http://127.0.0.1:{httpserver.port}/hook").status == 200

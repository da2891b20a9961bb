"""Debian's amtool and Prometheus talk to a live Herald as they would to Alertmanager."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from app.alerting.grouping import flush_due_groups
from app.alerting.policies import default_spec, save_tree
from app.delivery.models import Notification
from app.extensions import db
from app.models import utcnow
from tests.browser.conftest import LiveServer, live_server  # noqa: F401 (the fixture)

AMTOOL, PROMETHEUS = shutil.which("amtool"), shutil.which("prometheus")


def notified() -> list[dict]:
    db.session.rollback()  # see what the server committed
    return [row.group for row in db.session.scalars(select(Notification))]


def flush_after(seconds: float) -> None:
    db.session.rollback()
    flush_due_groups(now=utcnow() + timedelta(seconds=seconds))


@pytest.fixture
def herald(live_server: LiveServer, make_contact_point, token, tmp_path: Path):  # noqa: F811
    """The live server with a contact point, and an http config file carrying a token."""
    live_server.app.config["HERALD_RESOLVE_TIMEOUT"] = 3600
    make_contact_point("Ops", [("webhook", {"url": "http://127.0.0.1:9/hook"})])
    credentials = token("editor")["Authorization"].removeprefix("Bearer ")
    config = tmp_path / "http.yml"
    config.write_text(f"authorization:\n  credentials: {credentials}\n")
    return live_server, config


def amtool(herald, *args: str) -> str:
    server, config = herald
    result = subprocess.run(
        [AMTOOL, f"--alertmanager.url={server.url}", f"--http.config.file={config}", *args],
        capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.skipif(AMTOOL is None, reason="amtool (prometheus-alertmanager) is not installed")
def test_amtool_adds_queries_and_silences_alerts(herald):
    amtool(herald, "alert", "add", "alertname=DiskFull", "team=storage",
           "--annotation=summary=The disk is full")
    listed = json.loads(amtool(herald, "alert", "query", "-o", "json"))
    assert [alert["labels"]["alertname"] for alert in listed] == ["DiskFull"]
    silence_id = amtool(herald, "silence", "add", "alertname=DiskFull", "--comment=disk swap",
                        "--author=ann", "--duration=1h").strip()
    assert json.loads(amtool(herald, "alert", "query", "-o", "json")) == []  # silenced hidden
    flush_after(31)
    assert notified() == []  # muted: nothing enqueued
    queried = json.loads(amtool(herald, "silence", "query", "-o", "json"))
    assert [(s["id"], s["status"]["state"]) for s in queried] == [(silence_id, "active")]
    amtool(herald, "silence", "expire", silence_id)
    assert json.loads(amtool(herald, "silence", "query", "--expired", "-o", "json"))[0][
        "status"]["state"] == "expired"
    flush_after(400)
    groups = notified()
    assert [a["labels"]["alertname"] for g in groups for a in g["alerts"]] == ["DiskFull"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.skipif(PROMETHEUS is None, reason="prometheus is not installed")
def test_prometheus_sends_its_firing_rule_to_herald(herald, token, tmp_path: Path):
    server, _config = herald
    save_tree(replace(default_spec("Ops"), group_wait=1))
    db.session.commit()
    sender = token("sender")["Authorization"].removeprefix("Bearer ")
    (tmp_path / "rules.yml").write_text(
        "groups:\n- name: herald\n  interval: 1s\n  rules:\n  - alert: HeraldFires\n"
        "    expr: vector(1)\n    for: 0s\n    labels: {severity: page}\n")
    (tmp_path / "prometheus.yml").write_text(
        f"global: {{evaluation_interval: 1s}}\nrule_files: [{tmp_path / 'rules.yml'}]\n"
        "alerting:\n  alertmanagers:\n  - api_version: v2\n    path_prefix: /\n"
        f"    authorization: {{credentials: {sender}}}\n"
        f"    static_configs: [{{targets: ['{server.url.removeprefix('http://')}']}}]\n")
    process = subprocess.Popen(
        [PROMETHEUS, f"--config.file={tmp_path / 'prometheus.yml'}",
         f"--storage.tsdb.path={tmp_path / 'data'}",
         f"--web.listen-address=127.0.0.1:{free_port()}",
         # alerts raised before the Alertmanager list is discovered (~5 s) are re-sent
         # only after this delay (1 minute by default)
         "--rules.alert.resend-delay=1s"],
        stdout=subprocess.DEVNULL, stderr=(tmp_path / "prometheus.log").open("w"))
    try:
        alerts = wait_for_alerts(server, token("viewer"))
        groups = wait_for_notification()
    except BaseException:
        print((tmp_path / "prometheus.log").read_text()[-3000:])
        raise
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert alerts[0]["labels"] == {"alertname": "HeraldFires", "severity": "page"}
    assert [(g["status"], g["commonLabels"]) for g in groups] == [
        ("firing", {"alertname": "HeraldFires", "severity": "page"})]


def wait_for_notification() -> list[dict]:
    """Flush groups on the real clock until the group wait (1 s) has passed."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        flush_after(0)
        if notified():
            return notified()
        time.sleep(0.5)
    pytest.fail("no notification was enqueued")


def wait_for_alerts(server: LiveServer, viewer: dict[str, str]) -> list[dict]:
    """Poll GET /api/v2/alerts until Prometheus's alert is there (generous deadline)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        alerts = requests.get(server("/api/v2/alerts"), headers=viewer, timeout=10).json()
        if alerts:
            return alerts
        time.sleep(0.5)
    pytest.fail("Prometheus's alert never reached Herald")


def test_concurrent_posts_of_the_same_alerts_are_all_accepted(herald, token):
    """Two Prometheus servers of an HA pair send the same alerts at the same moment."""
    server, _config = herald
    headers = token("sender")
    batch = [{"labels": {"alertname": f"Same{i % 5}", "instance": f"h{i}"}} for i in range(50)]
    barrier = threading.Barrier(6)

    def post() -> int:
        barrier.wait(timeout=30)
        return requests.post(server("/api/v2/alerts"), json=batch, headers=headers,
                             timeout=60).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(lambda _: post(), range(6)))
    assert statuses == [200] * 6
    db.session.rollback()
    listed = requests.get(server("/api/v2/alerts/groups"), headers=token("viewer"),
                          timeout=10).json()
    assert sorted(len(group["alerts"]) for group in listed) == [10] * 5

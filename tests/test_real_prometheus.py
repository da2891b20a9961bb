"""Debian's Prometheus fires a rule at Herald; a policy sends it to a webhook receiver."""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace

import pytest

from app.alerting.policies import default_spec, save_tree
from app.extensions import db
from tests.loopback import slow_receiver
from tests.pipeline import make_token
from tests.processes import free_port, kill, start_server, wait_for, wait_for_port

PROMETHEUS = shutil.which("prometheus")
pytestmark = pytest.mark.skipif(PROMETHEUS is None, reason="Debian's prometheus is not installed")


def test_a_firing_rule_reaches_the_receiver_through_the_policies(app, database_url, tmp_path,
                                                                 make_contact_point):
    with slow_receiver(0) as receiver:
        make_contact_point("Ops", [("webhook", {"url": receiver.url})])
        save_tree(replace(default_spec("Ops"), group_wait=1))
        db.session.commit()
        sender = make_token("sender", "prometheus")
        db.session.remove()
        port = free_port()
        herald = start_server(database_url, tmp_path / "herald.log", port)
        (tmp_path / "rules.yml").write_text(
            "groups:\n- name: herald\n  interval: 1s\n  rules:\n  - alert: HeraldFires\n"
            "    expr: vector(1)\n    for: 0s\n    labels: {severity: page}\n")
        (tmp_path / "prometheus.yml").write_text(
            f"global: {{evaluation_interval: 1s}}\nrule_files: [{tmp_path / 'rules.yml'}]\n"
            "alerting:\n  alertmanagers:\n  - api_version: v2\n    path_prefix: /\n"
            f"    authorization: {{credentials: {sender}}}\n"
            f"    static_configs: [{{targets: ['127.0.0.1:{port}']}}]\n")
        prometheus = None
        try:
            wait_for_port(port)
            prometheus = subprocess.Popen(
                [PROMETHEUS, f"--config.file={tmp_path / 'prometheus.yml'}",
                 f"--storage.tsdb.path={tmp_path / 'data'}",
                 f"--web.listen-address=127.0.0.1:{free_port()}",
                 # alerts raised before the Alertmanager is discovered are re-sent after this
                 "--rules.alert.resend-delay=1s"],
                stdout=subprocess.DEVNULL, stderr=(tmp_path / "prometheus.log").open("wb"),
                start_new_session=True)
            wait_for(lambda: receiver.count >= 1, 90, "the notification at the receiver")
        finally:
            if prometheus is not None:
                kill(prometheus)
            kill(herald)
    body = json.loads(receiver.bodies[0])
    assert body["status"] == "firing"
    assert body["receiver"] == "Ops"
    assert body["commonLabels"] == {"alertname": "HeraldFires", "severity": "page"}
    assert body["alerts"][0]["labels"] == {"alertname": "HeraldFires", "severity": "page"}

"""Grafana's documented provisioning examples import for each of its other thirteen types."""
from __future__ import annotations

import yaml
from sqlalchemy import select

from app.extensions import db
from app.models import Integration
from tests.test_export_import import import_document, preview

# The "Settings" examples of Grafana's file-provisioning docs (alerting/set-up/
# provision-alerting-resources/file-provisioning), as written there; the docs have none for
# webex, sns, jira and oncall, so those are grafana/alerting's FullValidConfigForTesting.
EXAMPLES = """\
apiVersion: 1
contactPoints:
  - orgId: 1
    name: grafana-docs
    receivers:
      - uid: doc_alertmanager
        type: prometheus-alertmanager
        settings:
          url: http://localhost:9093
          basicAuthUser: abc
          basicAuthPassword: abc123
      - uid: doc_dingding
        type: dingding
        settings:
          url: https://oapi.dingtalk.com/robot/send?access_token=xxxxxxxxx
          msgType: link
          message: |
            {{ template "default.message" . }}
      - uid: doc_kafka
        type: kafka
        settings:
          kafkaRestProxy: http://localhost:8082
          kafkaTopic: topic1
      - uid: doc_mqtt
        type: mqtt
        settings:
          brokerUrl: tcp://127.0.0.1:1883
          clientId: grafana
          topic: grafana/alerts
          messageFormat: json
          username: grafana
          password: password1
          qos: 0
          retain: false
          tlsConfig:
            insecureSkipVerify: false
            clientCertificate: certificate in PEM format
            clientKey: key in PEM format
            caCertificate: CA certificate in PEM format
      - uid: doc_pushover
        type: pushover
        settings:
          apiToken: XXX
          userKey: user1,user2
          device: device1,device2
          priority: '2'
          retry: '30'
          expire: '120'
          ttl:
          sound: siren
          okSound: magic
          message: |
            {{ template "default.message" . }}
      - uid: doc_sensugo
        type: sensugo
        settings:
          url: http://sensu-api.local:8080
          apikey: xxx
          entity: default
          check: default
          handler: some_handler
          namespace: default
          message: |
            {{ template "default.message" . }}
      - uid: doc_threema
        type: threema
        settings:
          api_secret: xxx
          gateway_id: '*A5K94S9'
          recipient_id: A9R4KL4S
      - uid: doc_victorops
        type: victorops
        settings:
          url: XXX
          messageType: CRITICAL
      - uid: doc_wecom
        type: wecom
        settings:
          url: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=xxxxxxxx
          message: |
            {{ template "default.message" . }}
          title: |
            {{ template "default.title" . }}
  - orgId: 1
    name: grafana-tests
    receivers:
      - uid: full_webex
        type: webex
        settings: {message: test-message, room_id: test-room-id, api_url: "http://localhost",
                   bot_token: "12345"}
      - uid: full_sns
        type: sns
        settings:
          subject: subject
          message: message
          api_url: https://sns.us-east-1.amazonaws.com
          topic_arn: arn:aws:sns:us-east-1:0123456789:SNSTopicName
          target_arn: arn:aws:sns:us-east-1:0123456789:SNSTopicName
          phone_number: 123-456-7890
          attributes: {attr1: val1}
          sigv4:
            region: us-east-1
            access_key: access-key
            secret_key: secret-key
            profile: default
            role_arn: arn:aws:iam:us-east-1:0123456789:role/my-role
      - uid: full_jira
        type: jira
        settings:
          api_url: http://localhost
          project: Test Project
          summary: Test Summary
          description: Test Description
          labels: [Test Label, Test Label 2]
          priority: Test Priority
          issue_type: Test Issue Type
          reopen_transition: Test Reopen Transition
          resolve_transition: Test Resolve Transition
          wont_fix_resolution: Test Won't Fix Resolution
          reopen_duration: 1m
          dedup_key_field: "10000"
          fields: {test-field: test-value}
          user: user
          password: password
      - uid: full_oncall
        type: oncall
        settings: {url: "http://localhost", httpMethod: PUT, maxAlerts: "2",
                   authorization_scheme: basic, authorization_credentials: "",
                   username: test-user, password: test-pass, title: test-title,
                   message: test-message}
"""
GRAFANA_OTHER_TYPES = {r["type"] for cp in yaml.safe_load(EXAMPLES)["contactPoints"]
                       for r in cp["receivers"]}


def stored(uid: str) -> Integration:
    db.session.expire_all()
    return db.session.scalar(select(Integration).where(Integration.uid == uid))


def test_examples_cover_grafanas_other_thirteen_types():
    assert len(GRAFANA_OTHER_TYPES) == 13


def test_every_example_imports_with_its_secrets_kept_apart(client):
    page = preview(client, EXAMPLES)
    assert page.status_code == 200
    assert "2 contact points (13 integrations) created" in page.get_data(as_text=True)

    response = import_document(client, EXAMPLES)

    assert response.status_code == 302
    listing = client.get("/contact-points").get_data(as_text=True)
    assert "Imported: 2 contact points (13 integrations) created." in listing
    mqtt = stored("doc_mqtt")
    assert mqtt.settings == {"brokerUrl": "tcp://127.0.0.1:1883", "clientId": "grafana",
                             "topic": "grafana/alerts", "messageFormat": "json",
                             "username": "grafana", "qos": "0"}
    assert mqtt.secrets == {"password": "password1",
                            "tlsConfig.clientCertificate": "certificate in PEM format",
                            "tlsConfig.clientKey": "key in PEM format",
                            "tlsConfig.caCertificate": "CA certificate in PEM format"}
    sns = stored("full_sns")
    assert sns.settings["sigv4"] == {"region": "us-east-1", "profile": "default",
                                     "role_arn": "arn:aws:iam:us-east-1:0123456789:role/my-role"}
    assert sns.secrets == {"sigv4.access_key": "access-key", "sigv4.secret_key": "secret-key"}
    assert stored("full_jira").settings["labels"] == ["Test Label", "Test Label 2"]
    assert stored("full_jira").secrets == {"user": "user", "password": "password"}
    assert stored("doc_pushover").secrets == {"apiToken": "XXX", "userKey": "user1,user2"}
    assert stored("doc_dingding").settings["message"].startswith('{% include "default.message"')
    assert stored("doc_victorops").secrets == {"url": "XXX"}


def test_the_docs_threema_id_without_its_star_is_refused_as_grafana_does(client):
    document = EXAMPLES.replace("gateway_id: '*A5K94S9'", "gateway_id: A5K94S9")

    page = preview(client, document).get_data(as_text=True)

    assert "invalid Threema Gateway ID: Must start with a *" in page

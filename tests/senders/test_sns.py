"""Amazon SNS: Grafana's Publish cases, SigV4-signed, against a loopback SNS endpoint."""
from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.senders.conftest import request_of
from tests.senders.grafana_groups import GROUP_HASH, grafana_group

ACCESS_KEY, SECRET_KEY, REGION = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", \
    "us-east-1"
PUBLISHED = """<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <PublishResult><MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult>
  <ResponseMetadata><RequestId>f187a3c1-376f-11df-8963-01868b7c937a</RequestId>
  </ResponseMetadata></PublishResponse>"""
REFUSED = """<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <Error><Type>Sender</Type><Code>AuthorizationError</Code>
    <Message>User is not authorized to perform: SNS:Publish</Message></Error>
  <RequestId>9dd01905-5012-5f99-8663-4b3ecd0dfaef</RequestId></ErrorResponse>"""


def values(server, **extra) -> dict:
    return {"api_url": server.url_for("/"), "sigv4.region": REGION,
            "sigv4.access_key": ACCESS_KEY, "sigv4.secret_key": SECRET_KEY, **extra}


@pytest.fixture
def sns_endpoint(httpserver):
    httpserver.expect_request("/", method="POST").respond_with_data(
        PUBLISHED, content_type="text/xml")
    return httpserver


def expected_authorization(request) -> str:
    """The SigV4 Authorization header botocore computes for the request as received."""
    signed = AWSRequest(method=request.method, url=request.url, data=request.get_data(),
                        headers={"Content-Type": request.headers["Content-Type"],
                                 "X-Amz-Date": request.headers["X-Amz-Date"]})
    signed.context["timestamp"] = request.headers["X-Amz-Date"]
    auth = SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "sns", REGION)
    signature = auth.signature(auth.string_to_sign(signed, auth.canonical_request(signed)),
                               signed)
    headers = auth.signed_headers(auth.headers_to_sign(signed))
    return (f"AWS4-HMAC-SHA256 Credential={auth.scope(signed)}, "
            f"SignedHeaders={headers}, Signature={signature}")


def form_of(server) -> dict[str, str]:
    return dict(parse_qsl(request_of(server).get_data(as_text=True)))


def test_publish_to_a_topic_is_signed_with_sigv4(sns_endpoint, deliver):
    # Grafana's "with templated subject and body" case.
    result = deliver("sns", values(sns_endpoint, topic_arn="arn:aws:sns:us-east-1:123456789:"
                                   "test", subject="{{ Alerts.Firing | length }} subject",
                                   message="{{ Alerts.Firing | length }} body"),
                     grafana_group())

    assert (result.outcome, result.status_code) == ("success", 200)
    request = request_of(sns_endpoint)
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded; charset=utf-8"
    assert request.headers["Authorization"].startswith(
        f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/")
    assert "/us-east-1/sns/aws4_request, SignedHeaders=content-type;host;x-amz-date, " \
        in request.headers["Authorization"]
    assert request.headers["Authorization"] == expected_authorization(request)
    assert form_of(sns_endpoint) == {
        "Action": "Publish", "Version": "2010-03-31",
        "TopicArn": "arn:aws:sns:us-east-1:123456789:test",
        "Subject": "1 subject", "Message": "1 body"}


def test_sms_message_is_cut_to_1600_bytes_and_marked(sns_endpoint, deliver):
    # Grafana's "with truncated message" and "with truncated subject" cases.
    many = "abcd" * 500

    deliver("sns", values(sns_endpoint, phone_number="123-456-7890", message=many,
                          subject=many), grafana_group())

    form = form_of(sns_endpoint)
    assert form["PhoneNumber"] == "123-456-7890"
    assert form["Message"] == many[:1600]
    assert form["Subject"] == many[:100]
    attributes = {form[f"MessageAttributes.entry.{n}.Name"]:
                  (form[f"MessageAttributes.entry.{n}.Value.DataType"],
                   form[f"MessageAttributes.entry.{n}.Value.StringValue"]) for n in (1, 2)}
    assert attributes == {"subject_truncated": ("String", "true"),
                          "truncated": ("String", "true")}


def test_fifo_topic_gets_group_deduplication_and_attributes(sns_endpoint, deliver):
    deliver("sns", values(sns_endpoint, topic_arn="arn:aws:sns:us-east-1:1:alerts.fifo",
                          target_arn="arn:aws:sns:us-east-1:1:endpoint/GCM/app/1",
                          attributes={"team": "{{ CommonLabels.alertname }}"}),
            grafana_group())

    form = form_of(sns_endpoint)
    assert form["MessageDeduplicationId"] == form["MessageGroupId"] == GROUP_HASH
    assert form["TargetArn"] == "arn:aws:sns:us-east-1:1:endpoint/GCM/app/1"
    assert (form["MessageAttributes.entry.1.Name"],
            form["MessageAttributes.entry.1.Value.StringValue"]) == ("team", "alert1")


def test_refusal_shows_the_aws_error(httpserver, deliver):
    httpserver.expect_request("/").respond_with_data(REFUSED, status=403,
                                                     content_type="text/xml")

    result = deliver("sns", values(httpserver, topic_arn="arn:aws:sns:us-east-1:1:t"),
                     grafana_group())

    assert result.error == ("HTTP 403: AuthorizationError: User is not authorized to "
                            "perform: SNS:Publish")


def test_credentials_from_the_environment(sns_endpoint, deliver, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")

    result = deliver("sns", {"api_url": sns_endpoint.url_for("/"), "sigv4.region": REGION,
                             "topic_arn": "arn:aws:sns:us-east-1:1:t"}, grafana_group())

    assert result.ok, result.error
    request = request_of(sns_endpoint)
    assert request.headers["Authorization"] == expected_authorization(request)


def test_no_region_is_a_clear_failure(httpserver, deliver, monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")

    result = deliver("sns", {"api_url": httpserver.url_for("/"), "sigv4.access_key": "a",
                             "sigv4.secret_key": "b", "topic_arn": "arn:aws:sns:x:1:t"},
                     grafana_group())

    assert result.error.startswith("region not configured")
    assert httpserver.log == []


@pytest.mark.parametrize(("settings", "message"), [
    ({}, "Set an SNS topic ARN, a Target ARN or a Phone number."),
    ({"topic_arn": "not-an-arn"}, "Not a valid topic ARN"),
    ({"phone_number": "+15550100", "sigv4.access_key": "a"},
     "Set both the Access Key and the Secret Key, or neither."),
])
def test_invalid_settings_are_refused(client, settings, message):
    response = client.post("/contact-points/new", data={
        "name": "s", "block": ["t1"], "t1.type": "sns",
        **{f"t1.s.{key}": value for key, value in settings.items()}})

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


ASSUMED = """<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult><Credentials>
    <AccessKeyId>ASIATEMPORARY</AccessKeyId>
    <SecretAccessKey>temporary/secret</SecretAccessKey>
    <SessionToken>session-token-1</SessionToken>
    <Expiration>2099-01-01T00:00:00Z</Expiration>
  </Credentials></AssumeRoleResult></AssumeRoleResponse>"""


def test_role_arn_is_assumed_through_sts_and_its_credentials_sign(sns_endpoint, deliver,
                                                                 monkeypatch):
    from app.integrations import aws

    sns_endpoint.expect_request("/sts/", method="POST").respond_with_data(
        ASSUMED, content_type="text/xml")
    monkeypatch.setattr(aws, "STS_URL", sns_endpoint.url_for("/sts/"))
    role = "arn:aws:iam::123456789012:role/herald-publish"

    result = deliver("sns", values(sns_endpoint, **{"sigv4.role_arn": role},
                                   topic_arn="arn:aws:sns:us-east-1:1:t"), grafana_group())

    assert result.ok, result.error
    (sts, _), (publish, _) = sns_endpoint.log
    assert dict(parse_qsl(sts.get_data(as_text=True))) == {
        "Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": role,
        "RoleSessionName": "Herald"}
    assert "/us-east-1/sts/aws4_request" in sts.headers["Authorization"]
    assert publish.headers["X-Amz-Security-Token"] == "session-token-1"
    assert publish.headers["Authorization"].startswith(
        "AWS4-HMAC-SHA256 Credential=ASIATEMPORARY/")
    assert "x-amz-security-token" in publish.headers["Authorization"]

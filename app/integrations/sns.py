"""Amazon SNS: Publish through the Query API, signed with SigV4 by botocore."""
from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlencode

import botocore.session
from botocore.exceptions import ProfileNotFound

from app.integrations import aws
from app.integrations.base import (
    Field,
    IntegrationType,
    SendContext,
    SendError,
    Sent,
    Values,
    one_of,
)

API_VERSION = "2010-03-31"
# https://docs.aws.amazon.com/sns/latest/api/API_Publish.html - 256 KB a message, SMS
# 1,600 characters, a subject under 100 characters.
MAX_MESSAGE_BYTES, MAX_SMS_BYTES, MAX_SUBJECT_BYTES = 256 * 1024, 1600, 100
ARN_RE = re.compile(r"^arn:[^:\s]+:[^:\s]+:[^:\s]*:[^:\s]*:\S+$")


def _valid(values: Values) -> Iterable[tuple[str, str]]:
    for key, label in (("topic_arn", "topic"), ("target_arn", "target")):
        if values.get(key) and not ARN_RE.match(values[key]):
            yield key, f"Not a valid {label} ARN (arn:partition:service:region:account:...)."
    if bool(values.get("sigv4.access_key")) != bool(values.get("sigv4.secret_key")):
        yield "sigv4.secret_key", "Set both the Access Key and the Secret Key, or neither."


def _cut(text: str, limit: int) -> tuple[str, bool]:
    """Text cut to limit UTF-8 bytes (never mid-character), and whether it was cut."""
    data = text.encode()
    if len(data) <= limit:
        return text, False
    return data[:limit].decode(errors="ignore"), True


def publish_params(ctx: SendContext) -> dict[str, str]:
    """The Publish action's parameters, as the Query protocol names them."""
    values, params = ctx.values, {"Action": "Publish", "Version": API_VERSION}
    attributes = {ctx.render(k, label="Attributes"): ctx.render(v, label="Attributes")
                  for k, v in (values.get("attributes") or {}).items()}
    limit = MAX_MESSAGE_BYTES
    if values.get("topic_arn"):
        params["TopicArn"] = ctx.render(values["topic_arn"], label="SNS topic ARN")
        if params["TopicArn"].endswith(".fifo"):  # FIFO topics need both, per group
            params["MessageDeduplicationId"] = ctx.group.group_hash()
            params["MessageGroupId"] = ctx.group.group_hash()
    if values.get("phone_number"):
        params["PhoneNumber"] = ctx.render(values["phone_number"], label="Phone number")
        limit = MAX_SMS_BYTES
    if values.get("target_arn"):
        params["TargetArn"] = ctx.render(values["target_arn"], label="Target ARN")
    message, cut = _cut(ctx.text("message"), limit)
    if cut:
        attributes["truncated"] = "true"
    subject, cut = _cut(ctx.text("subject"), MAX_SUBJECT_BYTES)
    if cut:
        attributes["subject_truncated"] = "true"
    if subject:
        params["Subject"] = subject
    params["Message"] = message
    for number, (name, value) in enumerate(sorted(attributes.items()), start=1):
        prefix = f"MessageAttributes.entry.{number}"
        params.update({f"{prefix}.Name": name, f"{prefix}.Value.DataType": "String",
                       f"{prefix}.Value.StringValue": value})
    return params


def send(ctx: SendContext) -> Sent:
    """Sign the Publish request with SigV4 and post it through Herald's HTTP seam."""
    sigv4 = {key: ctx.values.get(f"sigv4.{key}") or "" for key in
             ("region", "access_key", "secret_key", "profile", "role_arn")}
    session = botocore.session.Session(profile=sigv4["profile"] or None)
    try:
        region = sigv4["region"] or session.get_config_variable("region") or ""
        if not region:
            raise SendError("region not configured in sns.sigv4.region or in the AWS "
                            "configuration", permanent=True)
        credentials = aws.credentials(session, sigv4, region)
    except ProfileNotFound as exc:
        raise SendError(str(exc), permanent=True) from None
    url = ctx.values.get("api_url") or f"https://sns.{region}.amazonaws.com/"
    answer = aws.signed_post(url, urlencode(publish_params(ctx)), credentials, "sns", region)
    return Sent(answer.status)


INTEGRATION = IntegrationType(
    type="sns",
    label="AWS SNS",
    category="Email & SMS",
    description="Sends notifications to AWS Simple Notification Service",
    fields=(
        Field("api_url", "The Amazon SNS API URL", kind="url",
              help="Leave empty for the region's endpoint, https://sns.<region>.amazonaws.com/."),
        Field("sigv4.region", "Region",
              help="The AWS region. If blank, the region from the default credentials chain "
              "is used."),
        Field("sigv4.access_key", "Access Key", secret=True, help="The AWS API access key."),
        Field("sigv4.secret_key", "Secret Key", secret=True, help="The AWS API secret key."),
        Field("sigv4.profile", "Profile", help="Named AWS profile used to authenticate"),
        Field("sigv4.role_arn", "Role ARN",
              help="AWS Role ARN, an alternative to using AWS API keys"),
        Field("topic_arn", "SNS topic ARN", primary=True,
              help="If you don't specify this value, you must specify a value for the "
              "phone_number or target_arn. If you are using a FIFO SNS topic you should set "
              "a message group interval longer than 5 minutes to prevent messages with the "
              "same group key being deduplicated by the SNS default deduplication window."),
        Field("phone_number", "Phone number",
              help="Phone number if message is delivered via SMS in E.164 format. If you "
              "don't specify this value, you must specify a value for the topic_arn or "
              "target_arn"),
        Field("target_arn", "Target ARN",
              help="The mobile platform endpoint ARN if message is delivered via mobile "
              "notifications. If you don't specify this value, you must specify a value for "
              "the topic_arn or phone_number"),
        Field("subject", "Subject", element="textarea", template="default.title",
              help="Optional subject. By default, this field uses the default title template "
              "and can be customized with templates and custom messages. It cannot be an "
              "empty string"),
        Field("message", "Message", element="textarea", template="default.message",
              help="Optional message. By default, this field uses the default message "
              "template and can be customized with templates and custom messages"),
        Field("attributes", "Attributes", element="map", help="SNS message attributes"),
    ),
    rules=(
        one_of(("topic_arn", "target_arn", "phone_number"),
               "Set an SNS topic ARN, a Target ARN or a Phone number."),
        _valid,
    ),
    summary=lambda values: values.get("topic_arn") or values.get("target_arn")
    or values.get("phone_number") or "",
    send=send,
    destination_keys=("api_url",),
)

"""AWS credentials and SigV4-signed Query API calls, for the SNS integration."""
from __future__ import annotations

import threading
import time
import xml.etree.ElementTree as ElementTree
from datetime import datetime
from urllib.parse import urlencode

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from app.integrations.base import SendError
from app.transport import http

CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"
# Providers that dial the network themselves (instance metadata, containers, STS, SSO):
# their connections would bypass Herald's outbound policy, so they are never asked.
NETWORK_PROVIDERS = ("assume-role", "assume-role-with-web-identity", "sso", "login",
                     "container-role", "iam-role")
STS_VERSION = "2011-06-15"
STS_URL = "https://sts.{region}.amazonaws.com/"  # the regional endpoint, per AWS's advice
ROLE_SESSION_NAME = "Herald"
_STS_NS = "{https://sts.amazonaws.com/doc/2011-06-15/}"
_assumed: dict[tuple[str, str, str], tuple[Credentials, float]] = {}
_assumed_lock = threading.Lock()


def signed_post(url: str, body: str, credentials: Credentials, service: str, region: str
                ) -> http.HttpAnswer:
    """POST a Query API form signed with SigV4: botocore signs, Herald's HTTP seam sends."""
    request = AWSRequest(method="POST", url=url, data=body.encode(),
                         headers={"Content-Type": CONTENT_TYPE})
    SigV4Auth(credentials, service, region).add_auth(request)
    return http.request("POST", url, data=request.body, headers=dict(request.headers.items()))


def credentials(session: botocore.session.Session, sigv4: dict[str, str], region: str
                ) -> Credentials:
    """Static keys, else the local AWS configuration; then the role, when one is named."""
    if sigv4["access_key"] and sigv4["secret_key"]:
        base = Credentials(sigv4["access_key"], sigv4["secret_key"])
    else:
        base = _local_credentials(session)
    return assume_role(base, sigv4["role_arn"], region) if sigv4["role_arn"] else base


def _local_credentials(session: botocore.session.Session) -> Credentials:
    """Credentials from the environment or the ~/.aws files, never from the network."""
    resolver = session.get_component("credential_provider")
    for name in NETWORK_PROVIDERS:
        if resolver.get_provider(name) is not None:
            resolver.remove(name)
    found = resolver.load_credentials()
    if found is None:
        raise SendError("no AWS credentials: set the Access Key and Secret Key, or "
                        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", permanent=True)
    return found.get_frozen_credentials()


def assume_role(base: Credentials, role_arn: str, region: str) -> Credentials:
    """Temporary credentials for role_arn from STS AssumeRole, kept until near expiry."""
    key = (base.access_key, role_arn, region)
    with _assumed_lock:
        cached = _assumed.get(key)
        if cached and cached[1] > time.time():
            return cached[0]
        body = urlencode({"Action": "AssumeRole", "Version": STS_VERSION, "RoleArn": role_arn,
                          "RoleSessionName": ROLE_SESSION_NAME})
        answer = signed_post(STS_URL.format(region=region), body, base, "sts", region)
        assumed, expires = _parse_assumed(answer.text)
        _assumed[key] = (assumed, expires - 300)
        return assumed


def _parse_assumed(text: str) -> tuple[Credentials, float]:
    """The credentials and expiry time in an AssumeRoleResponse."""
    try:
        found = ElementTree.fromstring(text).find(f".//{_STS_NS}Credentials")
    except ElementTree.ParseError:
        found = None
    if found is None:
        raise SendError("STS AssumeRole answered without credentials")
    item = {child.tag.removeprefix(_STS_NS): child.text or "" for child in found}
    expires = datetime.fromisoformat(item["Expiration"].replace("Z", "+00:00")).timestamp()
    return Credentials(item["AccessKeyId"], item["SecretAccessKey"],
                       item["SessionToken"]), expires

"""MQTT: one message published to a topic on a broker, over TCP or TLS (paho-mqtt)."""
from __future__ import annotations

import random
import socket
import ssl
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

import paho.mqtt.client as paho

from app.alerts import group_to_dict
from app.integrations.base import (
    Field,
    IntegrationType,
    SendContext,
    SendError,
    Sent,
    Values,
    url_host,
)
from app.transport import outbound
from app.transport.http import configured_timeout, go_json

PLAIN_SCHEMES, TLS_SCHEMES = ("tcp", "mqtt"), ("ssl", "tls", "mqtts")
DEFAULT_PORTS = {"tcp": 1883, "mqtt": 1883, "ssl": 8883, "tls": 8883, "mqtts": 8883}
FORMATS = (("json", "json"), ("text", "text"))
QOS = (("0", "At most once (0)"), ("1", "At least once (1)"), ("2", "Exactly once (2)"))
KEEPALIVE = 60


def _valid_broker(values: Values) -> Iterable[tuple[str, str]]:
    url = values.get("brokerUrl") or ""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        parts = None
    if url and (parts is None or parts.scheme not in DEFAULT_PORTS or not parts.hostname):
        yield "brokerUrl", ("Broker URL must be tcp://host:port or ssl://host:port "
                            "(mqtt:// and mqtts:// work too).")


def payload(ctx: SendContext) -> str:
    """The message: the text alone, or Grafana's JSON with the group and the text."""
    text = ctx.text("message")
    if ctx.values.get("messageFormat") == "text":
        return text
    body = group_to_dict(ctx.group)
    body.pop("truncatedAlerts", None)
    group_key = body.pop("groupKey")
    return go_json({**body, "version": "1", "groupKey": group_key, "message": text}).decode()


class PolicedClient(paho.Client):
    """A paho client whose socket dials only addresses Herald's outbound policy permits."""

    def __init__(self, client_id: str, policy: outbound.Policy,
                 tls: ssl.SSLContext | None) -> None:
        super().__init__(paho.CallbackAPIVersion.VERSION2, client_id=client_id,
                         clean_session=True, protocol=paho.MQTTv311)
        self.policy, self.tls = policy, tls

    def _create_socket_connection(self) -> socket.socket:
        sock = outbound.connect(self._host, self._port, self._connect_timeout,
                                policy=self.policy)
        if self.tls is None:
            return sock
        return self.tls.wrap_socket(sock, server_hostname=self._host)


def tls_context(values: Values, folder: Path) -> ssl.SSLContext:
    """Verification against the system's or the given CA, and an optional client cert."""
    context = ssl.create_default_context()
    if values.get("tlsConfig.caCertificate"):
        context.load_verify_locations(cadata=values["tlsConfig.caCertificate"])
    if values.get("tlsConfig.insecureSkipVerify"):
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if values.get("tlsConfig.clientCertificate"):
        # ssl loads a certificate chain from files only; they live in a private temp folder.
        cert, key = folder / "client.crt", folder / "client.key"
        cert.write_text(values["tlsConfig.clientCertificate"])
        key.write_text(values.get("tlsConfig.clientKey") or "")
        context.load_cert_chain(cert, key if values.get("tlsConfig.clientKey") else None)
    return context


def send(ctx: SendContext) -> Sent:
    """Connect, publish with the chosen QoS and retain flag, wait for it, disconnect."""
    message = payload(ctx)
    parts = urlsplit(ctx.values["brokerUrl"])
    where = f"{parts.hostname}:{parts.port or DEFAULT_PORTS[parts.scheme]}"
    with tempfile.TemporaryDirectory(prefix="herald-mqtt-") as folder:
        try:
            tls = tls_context(ctx.values, Path(folder)) if parts.scheme in TLS_SCHEMES else None
        except (ssl.SSLError, ValueError) as exc:
            raise SendError(f"TLS settings cannot be used: {exc}", permanent=True) from None
        try:
            _publish(_client(ctx.values, tls), parts, message, ctx.values,
                     configured_timeout())
        except outbound.DestinationRefused as exc:
            raise SendError(str(exc), permanent=True) from None
        except ssl.SSLCertVerificationError as exc:
            raise SendError(f"TLS certificate error: {exc.verify_message}",
                            permanent=True) from None
        except ssl.SSLError as exc:
            raise SendError(f"TLS error: {exc.reason or exc}") from None
        except OSError as exc:
            raise _network_error(exc, parts.hostname or "", where) from None
    return Sent()


def _client(values: Values, tls: ssl.SSLContext | None) -> PolicedClient:
    client_id = values.get("clientId") or f"herald_{random.randint(0, 2**31 - 1)}"
    client = PolicedClient(client_id, outbound.current_policy(), tls)
    if values.get("username") or values.get("password"):
        client.username_pw_set(values.get("username") or "", values.get("password") or None)
    return client


def _publish(client: PolicedClient, parts, message: str, values: Values,
             timeout: float) -> None:
    """Publish one message synchronously, within timeout seconds from the first dial."""
    deadline = time.monotonic() + timeout
    refused: list[str] = []
    client.on_connect = lambda _c, _u, _f, reason, _p: refused.append(
        "" if not reason.is_failure else str(reason))
    client.connect_timeout = timeout
    client.connect(parts.hostname, parts.port or DEFAULT_PORTS[parts.scheme], KEEPALIVE)
    try:
        _loop_until(client, lambda: bool(refused), deadline, timeout,
                    "before accepting it")
        if refused[0]:
            raise SendError(f"the MQTT broker refused the connection: {refused[0]}",
                            permanent=True)
        info = client.publish(values["topic"], message.encode(),
                              qos=int(values.get("qos") or 0),
                              retain=bool(values.get("retain")))
        if info.rc != paho.MQTT_ERR_SUCCESS:
            raise SendError(f"publishing failed ({paho.error_string(info.rc)})")
        _loop_until(client, info.is_published, deadline, timeout,
                    "before the message was delivered")
    finally:
        client.disconnect()
        client.loop(timeout=0)  # writes the DISCONNECT and closes the socket


def _loop_until(client: PolicedClient, done, deadline: float, timeout: float,
                when: str) -> None:
    """Run the client's network loop until done(); SendError if it is closed or too slow."""
    while not done():
        if time.monotonic() > deadline:
            raise SendError(f"timed out after {timeout:g} s waiting for the MQTT broker")
        code = client.loop(timeout=0.05)
        # A refused CONNACK also ends the loop with an error: the callback says why.
        if code != paho.MQTT_ERR_SUCCESS and not done():
            raise SendError(f"the MQTT broker closed the connection {when}")


def _network_error(exc: OSError, host: str, where: str) -> SendError:
    if isinstance(exc, socket.gaierror):
        return SendError(f"DNS name not found: {host}", permanent=True)
    if isinstance(exc, ConnectionRefusedError):
        return SendError(f"connection refused ({where})")
    if isinstance(exc, TimeoutError):
        return SendError(f"timed out connecting to {where}")
    return SendError(f"network error reaching {where}: {exc.strerror or exc}")


INTEGRATION = IntegrationType(
    type="mqtt",
    label="MQTT",
    category="Generic",
    description="Sends notifications to an MQTT broker",
    fields=(
        Field("brokerUrl", "Broker URL", required=True, placeholder="tcp://localhost:1883",
              help="The URL of the MQTT broker."),
        Field("topic", "Topic", required=True, placeholder="grafana/alerts",
              help="The topic to which the message will be sent."),
        Field("messageFormat", "Message format", element="select", options=FORMATS,
              default="json", help="If set to 'json', the notification message is the default "
              "JSON payload, and the Message field sets only the message field in the "
              "payload. If set to 'text', the Message field defines the entire payload. The "
              "default is 'json'."),
        Field("clientId", "Client ID", help="The client ID to use when connecting to the MQTT "
              "broker. If blank, a random client ID is used."),
        Field("message", "Message", element="textarea", template="default.message",
              help="In 'json' Message format, sets the message field of the default JSON "
              "payload. In 'text' Message format, defines the entire payload."),
        Field("username", "Username",
              help="The username to use when connecting to the MQTT broker."),
        Field("password", "Password", secret=True,
              help="The password to use when connecting to the MQTT broker."),
        Field("qos", "QoS", element="select", options=QOS, default="0",
              help="The quality of service to use when sending the message."),
        Field("retain", "Retain", element="checkbox",
              help="If set to true, the message will be retained by the broker."),
        Field("tlsConfig.insecureSkipVerify", "Disable certificate verification",
              element="checkbox",
              help="Do not verify the broker's certificate chain and host name."),
        Field("tlsConfig.caCertificate", "CA Certificate", element="textarea", secret=True,
              help="Certificate in PEM format to use when verifying the broker's "
              "certificate chain."),
        Field("tlsConfig.clientCertificate", "Client Certificate", element="textarea",
              secret=True, help="Client certificate in PEM format to use when connecting to "
              "the broker."),
        Field("tlsConfig.clientKey", "Client Key", element="textarea", secret=True,
              help="Client key in PEM format to use when connecting to the broker."),
    ),
    rules=(_valid_broker,),
    summary=lambda values: f"{values.get('topic', '')} on {url_host(values.get('brokerUrl', ''))}",
    send=send,
    destination_keys=("brokerUrl",),
)

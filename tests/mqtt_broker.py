"""A real MQTT broker for tests: Debian's mosquitto on a free loopback port, and a subscriber."""
from __future__ import annotations

import getpass
import queue
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as paho

MOSQUITTO = shutil.which("mosquitto") or (
    "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None)


@dataclass
class Broker:
    port: int
    username: str = ""
    password: str = ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_broker(folder: Path, extra: str = "", username: str = "",
                   password: str = "") -> Iterator[Broker]:
    """mosquitto listening on 127.0.0.1 with the given extra configuration lines."""
    port = free_port()
    config = folder / f"mosquitto-{port}.conf"
    # Run as root, mosquitto would switch to its own user, who cannot read the temp files.
    lines = [f"listener {port} 127.0.0.1", "persistence false", "log_dest stderr",
             f"user {getpass.getuser()}"]
    if username:
        passwords = folder / f"passwords-{port}"
        passwords.write_text("")
        subprocess.run(["mosquitto_passwd", "-b", str(passwords), username, password],
                       check=True, capture_output=True)
        lines += ["allow_anonymous false", f"password_file {passwords}"]
    else:
        lines.append("allow_anonymous true")
    config.write_text("\n".join(lines) + "\n" + extra)
    process = subprocess.Popen([MOSQUITTO, "-c", str(config)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        _wait_for_port(port, process)
        yield Broker(port, username, password)
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stderr.close()


def _wait_for_port(port: int, process: subprocess.Popen) -> None:
    give_up = time.monotonic() + 30
    while time.monotonic() < give_up:
        if process.poll() is not None:
            raise RuntimeError(f"mosquitto exited: {process.stderr.read().decode()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("mosquitto did not start listening")


@contextmanager
def subscribed(broker: Broker, topic: str, tls_ca: str | None = None
               ) -> Iterator[queue.Queue]:
    """Messages on topic, as paho.MQTTMessage objects, received by a separate client."""
    messages: queue.Queue = queue.Queue()
    ready: queue.Queue = queue.Queue()
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, protocol=paho.MQTTv311)
    if broker.username:
        client.username_pw_set(broker.username, broker.password)
    if tls_ca:
        client.tls_set(ca_certs=tls_ca)
    client.on_connect = lambda c, *_: c.subscribe(topic, qos=2)
    client.on_subscribe = lambda *_: ready.put(True)
    client.on_message = lambda _c, _u, message: messages.put(message)
    client.connect("localhost" if tls_ca else "127.0.0.1", broker.port)
    client.loop_start()
    try:
        ready.get(timeout=30)
        yield messages
    finally:
        client.disconnect()
        client.loop_stop()

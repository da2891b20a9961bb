"""A light HTTP load generator for the intake benches, and a trivial server to measure it.

`python bench/loadgen.py --ports P1,P2 --connections C --requests N --token T` opens C
keep-alive connections spread round-robin over the ports on 127.0.0.1, warms each one up,
prints "ready", waits for a line on stdin, then posts N Alertmanager webhook bodies (each
connection sends its next request once the answer to the previous one is in) and prints
a JSON line: {"started", "finished", "statuses", "warm_up"} (warm_up: requests sent before
the clock started). asyncio and prepared bytes keep the client's cost per request far below
the server's.

`python bench/loadgen.py --serve` prints a port and answers every request with 202 at once.
`python bench/loadgen.py --serve-flask` does the same through a Flask app that reads the
JSON body and answers 202, under waitress with Herald's server limits (app/server.py):
the floor that the web framework and server alone set, before any of Herald's work.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.pipeline import alert, webhook_body  # noqa: E402

PATH = "/api/v1/webhook/alertmanager?contact_point=bench"
BODIES = 256  # distinct alert groups, cycled
WARM_UP = 5  # requests on each connection before the timed part


def prepared_requests(port: int, token: str) -> list[bytes]:
    """Whole HTTP requests, headers and body, ready to write."""
    found = []
    for number in range(BODIES):
        body = json.dumps(webhook_body(alert(f"Intake{number}", bench=str(number)))).encode()
        head = (f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n")
        found.append(head.encode() + body)
    return found


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                   request: bytes) -> int:
    """Send one request, read its whole answer; the status code."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    await reader.readexactly(body_length(head))
    return int(head[9:12])


def body_length(head: bytes) -> int:
    """The Content-Length of a request or answer head (0 when it has none)."""
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            return int(line[15:])
    return 0


class Load:
    """The shared count of requests still to send, and the statuses seen."""

    def __init__(self, requests: int) -> None:
        self.left = requests
        self.statuses: Counter[int] = Counter()

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


async def connection(port: int, token: str, offset: int, load: Load,
                     go: asyncio.Event, ready: asyncio.Queue) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    requests = prepared_requests(port, token)
    for number in range(WARM_UP):
        await exchange(reader, writer, requests[(offset + number) % BODIES])
    await ready.put(True)
    await go.wait()
    number = offset
    while load.take():
        number += 1
        load.statuses[await exchange(reader, writer, requests[number % BODIES])] += 1
    writer.close()


async def generate(args: argparse.Namespace) -> None:
    ports = [int(port) for port in args.ports.split(",")]
    load, go, ready = Load(args.requests), asyncio.Event(), asyncio.Queue()
    tasks = [asyncio.create_task(connection(ports[n % len(ports)], args.token,
                                            args.offset + n * 7, load, go, ready))
             for n in range(args.connections)]
    for _ in tasks:
        await ready.get()
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    started = time.time()
    go.set()
    await asyncio.gather(*tasks)
    print(json.dumps({"started": started, "finished": time.time(), "warm_up": len(tasks) * WARM_UP,
                      "statuses": {str(k): v for k, v in load.statuses.items()}}), flush=True)


async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    reply = (b"HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n"
             b"Content-Length: 2\r\n\r\n{}")
    try:
        while True:
            await reader.readexactly(body_length(await reader.readuntil(b"\r\n\r\n")))
            writer.write(reply)
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()


async def serve() -> None:
    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


def do_nothing_app():
    """A Flask app that reads an intake body as JSON and answers as Herald does, and no more."""
    from flask import Flask, request

    floor = Flask("floor")

    @floor.post("/api/v1/webhook/alertmanager")
    def accept():
        request.get_json()
        return {"message": "accepted", "deliveries": 1}, 202

    return floor


def serve_flask() -> None:
    """The do-nothing app under waitress as Herald runs it (same limits and channel)."""
    from app.server import Limits, make_server

    server = make_server(do_nothing_app(), "127.0.0.1", 0, Limits())
    print(server.effective_port, flush=True)
    server.run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help="be the trivial server")
    parser.add_argument("--serve-flask", action="store_true",
                        help="be a do-nothing Flask app under waitress")
    parser.add_argument("--ports", default="")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--token", default="")
    parser.add_argument("--offset", type=int, default=0, help="where to start in the bodies")
    args = parser.parse_args()
    if args.serve_flask:
        serve_flask()
    else:
        asyncio.run(serve() if args.serve else generate(args))


if __name__ == "__main__":
    main()

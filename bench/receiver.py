"""A fast loopback receiver for benchmarks, run in its own process (its own GIL).

`python bench/receiver.py` prints its port, answers 200 to every POST, and answers
GET /count with the number of POSTs so far and GET /times with their arrival times.
"""
from __future__ import annotations

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_lock = threading.Lock()
_arrivals: list[tuple[float, str]] = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as providers do
    disable_nagle_algorithm = True
    wbufsize = -1

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        marker = ""
        if b'"bench-id"' in body:
            marker = json.loads(body)["alerts"][0]["labels"].get("bench-id", "")
        with _lock:
            _arrivals.append((time.time(), marker))
        self._answer(b"ok")

    def do_GET(self) -> None:  # noqa: N802
        with _lock:
            data = len(_arrivals) if self.path == "/count" else list(_arrivals)
            if self.path == "/reset":
                _arrivals.clear()
        self._answer(json.dumps(data).encode())

    def _answer(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())

"""A separate Herald process guessing a password: `python -m tests.guess_logins URL GO N`.

It builds its own app on the database URL, waits until the file GO exists (so several
processes start guessing together), sends N wrong logins at once from 10.1.1.1 and prints
each answer's message, one a line.
"""
from __future__ import annotations

import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app import create_app
from tests.conftest import make_config

MESSAGE_RE = re.compile(r'<p class="error"[^>]*>([^<]+)</p>')


def main(url: str, go: str, count: int) -> None:
    app = create_app(make_config(url, WTF_CSRF_ENABLED=False))

    def guess(_: int) -> str:
        with app.app_context():
            answer = app.test_client().post(
                "/login", data={"username": "viewer", "password": "wrong"},
                environ_base={"REMOTE_ADDR": "10.1.1.1"})
        found = MESSAGE_RE.search(answer.get_data(as_text=True))
        return found.group(1).split(".")[0] if found else f"HTTP {answer.status_code}"

    deadline = time.monotonic() + 60
    while not Path(go).exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    with ThreadPoolExecutor(max_workers=count) as pool:
        for message in pool.map(guess, range(count)):
            print(message, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))

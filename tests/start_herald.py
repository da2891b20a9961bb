"""A separate Herald process starting up: `python -m tests.start_herald URL GO [DIR]`.

It waits until the file GO exists (so several processes start together), then builds the
app with start-time migrations, an unattended admin and, given DIR, provisioning; Herald
logs to stderr at INFO, and "started" goes to stdout.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from app import create_app
from tests.conftest import make_config


def main(url: str, go: str, provisioning: str = "") -> None:
    deadline = time.monotonic() + 60
    while not Path(go).exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    create_app(make_config(url, HERALD_AUTO_MIGRATE=True, HERALD_ADMIN_USER="ops-admin",
                           HERALD_ADMIN_PASSWORD="a long password",
                           HERALD_PROVISIONING_DIR=provisioning))
    print("started", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])

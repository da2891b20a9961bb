"""Compose Herald's background work: the delivery workers and their periodic tasks."""
from __future__ import annotations

import time

from flask import Flask

from app.delivery import history
from app.delivery.worker import Worker

PRUNE_EVERY = 600.0  # seconds between history prunes


def periodic(every: float, task):
    """A tick that runs task at most once per `every` seconds."""
    last = [float("-inf")]

    def tick() -> bool:
        if time.monotonic() - last[0] < every:
            return False
        last[0] = time.monotonic()
        task()
        return False

    tick.__name__ = getattr(task, "__name__", "task")
    return tick


def build_worker(app: Flask, threads: int | None = None) -> Worker:
    """The worker pool for this process, with its periodic tasks."""
    count = app.config["HERALD_WORKERS"] if threads is None else threads
    worker = Worker(app, threads=count, ticks=(periodic(PRUNE_EVERY, history.prune),))
    app.extensions["herald.worker"] = worker
    return worker

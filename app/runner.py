"""Compose Herald's background work: the delivery workers and their periodic tasks."""
from __future__ import annotations

import time

from flask import Flask

from app.alerting.grouping import flush_due_groups, next_flush_in
from app.delivery import history
from app.delivery.worker import Worker

PRUNE_EVERY = 600.0  # seconds between history prunes
FLUSH_BATCH = 100  # alert groups flushed per transaction batch


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


def flush_groups() -> bool:
    """Notify the alert groups whose timers are due; True when something was enqueued."""
    flushed = total = flush_due_groups(limit=FLUSH_BATCH)
    while flushed == FLUSH_BATCH:
        flushed = flush_due_groups(limit=FLUSH_BATCH)
        total += flushed
    return total > 0


def build_worker(app: Flask, threads: int | None = None) -> Worker:
    """The worker pool for this process, with its periodic tasks."""
    count = app.config["HERALD_WORKERS"] if threads is None else threads
    ticks = (flush_groups, periodic(PRUNE_EVERY, history.prune))
    worker = Worker(app, threads=count, ticks=ticks, next_tick_in=next_flush_in)
    app.extensions["herald.worker"] = worker
    return worker

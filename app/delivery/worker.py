"""Workers: threads that claim due notifications from the outbox and deliver them, and a
housekeeping thread for heartbeats and periodic work (group timers, pruning).

A pool's sender threads share what they claim. A thread that finds nothing in hand claims a
batch from the outbox into the pool's queue, and every thread takes rows from that queue
one at a time. Claiming and recording in batches keeps a busy outbox cheap; sharing the
batch means that a slow or dead provider holds up only the thread sending to it, not the
rest of its batch: the notifications of one alert group to several integrations go out
side by side.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections import deque
from collections.abc import Callable

from flask import Flask
from sqlalchemy import delete

from app.delivery import batch as batches
from app.delivery import outbox
from app.delivery.batch import FLUSH_EVERY, Item, Outcome, deliver_rows
from app.delivery.models import WorkerHeartbeat
from app.extensions import db
from app.models import utcnow

logger = logging.getLogger(__name__)

HEARTBEAT_EVERY = 10.0  # seconds between a pool's heartbeats
MIN_TICK = 0.05  # seconds: the shortest sleep of the housekeeping thread
Tick = Callable[[], object]  # periodic work run in the worker's housekeeping thread


class Worker:
    """A pool of sender threads in this process, plus one housekeeping thread."""

    def __init__(self, app: Flask, threads: int = 4, *, ticks: tuple[Tick, ...] = (),
                 poll: float = 1.0, batch: int = 32,
                 next_tick_in: Callable[[float], float] | None = None) -> None:
        self.app = app
        self.threads = max(1, threads)
        self.ticks = ticks
        self.poll = poll
        self.batch = batch
        self.id = f"{socket.gethostname()[:40]}:{os.getpid()}:{id(self) % 10000}"
        self._wake = threading.Event()
        self._tick_wake = threading.Event()
        # Seconds until the ticks have work (an alert group's timer), capped at poll.
        self.next_tick_in = next_tick_in
        self._stopping = threading.Event()
        self._running: list[threading.Thread] = []
        self._last_beat = float("-inf")
        self._queue: deque[Item] = deque()  # claimed rows not yet taken by a sender thread

    def start(self) -> Worker:
        for number in range(self.threads):
            self._spawn(self._send_loop, f"herald-worker-{number}")
        self._spawn(self._housekeeping_loop, "herald-housekeeping")
        return self

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._running.append(thread)

    def wake(self) -> None:
        """Look for due notifications now (new ones were just committed)."""
        self._wake.set()

    def wake_ticks(self) -> None:
        """Run the periodic work now (an alert group's timer may have moved earlier)."""
        self._tick_wake.set()

    def stop(self, deadline: float = 30.0) -> bool:
        """Stop claiming; let sends in flight finish up to the deadline. True if all did."""
        self._stopping.set()
        self._wake.set()
        self._tick_wake.set()
        ends = time.monotonic() + deadline
        for thread in self._running:
            thread.join(max(0.0, ends - time.monotonic()))
        return not any(thread.is_alive() for thread in self._running)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def _send_loop(self) -> None:
        with self.app.app_context():
            held: list[Outcome] = []  # this thread's outcomes, not yet recorded
            flush_at = time.monotonic() + FLUSH_EVERY
            while not self._stopping.is_set():
                try:
                    item = self._take()
                    if item is None:  # nothing in hand: record, then claim or wait
                        batches.record(held, self.id)
                        held = []
                        item = self._claim()
                        if item is None:
                            self._wait()
                            continue
                        if self._stopping.is_set():  # stopped while claiming: hand it back
                            self._queue.appendleft(item)
                            break
                    elif utcnow() > item.send_by:
                        # Another worker may take it over mid-send: hand it back instead.
                        # (The first row of a claim is always sent, so a lease shorter
                        # than a send still gets one row through per claim.)
                        batches.release([item.row.id], self.id)
                        continue
                    held.append(batches.attempt(item, self.app.config))
                    if time.monotonic() >= flush_at:
                        batches.record(held, self.id)
                        held, flush_at = [], time.monotonic() + FLUSH_EVERY
                except Exception:  # the database went away for a moment: try again later
                    logger.exception("Worker could not claim, send or record notifications")
                    db.session.rollback()
                    held = []  # their rows are sent again once their lease ends
                    self._wait()
            self._finish(held)

    def _take(self) -> Item | None:
        try:
            return self._queue.popleft()
        except IndexError:
            return None

    def _claim(self) -> Item | None:
        """Claim a batch: its first row for this thread, the rest into the pool's queue."""
        rows = outbox.claim_rows(self.id, self.batch, outbox.lease_seconds(self.app.config))
        if not rows:
            return None
        first, *rest = batches.prepare(rows)
        self._queue.extend(rest)
        if rest or len(rows) == self.batch:
            self._wake.set()  # idle threads take the rest, or look for more
        return first

    def _finish(self, held: list[Outcome]) -> None:
        """On stopping: record this thread's outcomes and hand back rows nobody took."""
        try:
            batches.record(held, self.id)
            left = []
            while (item := self._take()) is not None:
                left.append(item.row.id)
            if left:
                batches.release(left, self.id)
        except Exception:
            logger.exception("Worker could not record or hand back notifications on stopping")
            db.session.rollback()

    def _wait(self) -> None:
        try:
            timeout = outbox.next_due_in(self.poll)
        except Exception:
            db.session.rollback()
            timeout = self.poll
        # Another thread may have claimed rows for the pool after the last look (and a
        # third cleared the wake-up): take them instead of sleeping.
        if timeout > 0 and not self._queue and self._wake.wait(timeout):
            self._wake.clear()

    def run_once(self) -> int:
        """Claim and deliver one batch in this thread (the pool's threads share theirs); the
        number of notifications claimed."""
        lease = outbox.lease_seconds(self.app.config)
        rows = outbox.claim_rows(self.id, self.batch, lease)
        if rows:
            deliver_rows(rows, self.id, self._stopping.is_set)
        if len(rows) == self.batch:
            self._wake.set()  # there may be more: let an idle thread look too
        return len(rows)

    def _housekeeping_loop(self) -> None:
        with self.app.app_context():
            self._beat()
            while not self._stopping.is_set():
                if self._tick_wake.wait(self._until_next_tick()):
                    self._tick_wake.clear()
                if self._stopping.is_set():
                    break
                if time.monotonic() - self._last_beat >= HEARTBEAT_EVERY:
                    self._beat()
                for tick in self.ticks:
                    try:
                        if tick():
                            self._wake.set()
                    except Exception:
                        logger.exception("Periodic task %s failed", getattr(tick, "__name__", tick))
                        db.session.rollback()
            self._forget()

    def _until_next_tick(self) -> float:
        """Sleep until the next timer, at most poll; never spin faster than MIN_TICK."""
        if self.next_tick_in is None:
            return self.poll
        try:
            return max(MIN_TICK, self.next_tick_in(self.poll))
        except Exception:
            logger.exception("Could not read the next timer")
            db.session.rollback()
            return self.poll

    def _beat(self) -> None:
        """Say this pool is alive (one upsert of its heartbeat row)."""
        self._last_beat = time.monotonic()
        try:
            row = db.session.get(WorkerHeartbeat, self.id) or WorkerHeartbeat(worker_id=self.id)
            row.threads, row.seen_at = self.threads, utcnow()
            db.session.add(row)
            db.session.commit()
        except Exception:
            logger.exception("Worker could not write its heartbeat")
            db.session.rollback()

    def _forget(self) -> None:
        """A pool that stops takes its heartbeat away."""
        try:
            db.session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.worker_id == self.id))
            db.session.commit()
        except Exception:
            db.session.rollback()


__all__ = ["Worker"]

"""Rate limits counted in the database, so every Herald process counts together."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, insert, select
from werkzeug.exceptions import TooManyRequests

from app.extensions import db
from app.locks import serialise
from app.models import RateLimitHit, utcnow


class RateLimiter:
    """At most `limit` events per `window` seconds per key, across every process.

    One cost larger than the limit still passes when nothing else was counted in the window.
    """

    def __init__(self, scope: str, limit: int, window: float = 60.0) -> None:
        self.scope, self.limit, self.window = scope, limit, window

    def hit(self, key: str, cost: int = 1) -> None:
        """Count `cost` events, or raise 429 when they would take the key over its limit."""
        key = f"{self.scope}:{key}"[:255]
        now = utcnow()
        # A transaction of its own: the request's session stays as it was, and the key is
        # held from the count to the insert, so two processes cannot both take the last slot.
        with db.engine.begin() as connection:
            serialise(connection, f"rate-limit:{key}")
            hits = RateLimitHit.__table__
            connection.execute(delete(hits).where(
                hits.c.key == key, hits.c.hit_at <= now - timedelta(seconds=self.window)))
            used, first = connection.execute(
                select(func.coalesce(func.sum(hits.c.cost), 0), func.min(hits.c.hit_at))
                .where(hits.c.key == key)).one()
            if used and used + cost > self.limit:
                wait = int(self.window - (now - first).total_seconds()) + 1
                raise TooManyRequests(
                    f"Too many tests: at most {self.limit} a minute. Try again in {wait} s."
                )
            connection.execute(insert(hits).values(key=key, hit_at=now, cost=cost))

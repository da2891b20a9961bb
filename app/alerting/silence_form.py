"""The silence form: matcher rows, start and end (or a duration), comment, who made it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from app.alerting.matchers import (
    MatcherError,
    compile_lists,
    matchers_from_rows,
    matches_all,
    parse_matcher,
    rows_from_request,
)
from app.alerting.models import AlertState, Silence
from app.alerting.silences import SilenceError, save_silence
from app.alerting.tree import PolicyError, parse_duration
from app.extensions import db
from app.models import utcnow

TIME_FORMAT = "%Y-%m-%d %H:%M"


@dataclass
class SilenceForm:
    """What the person typed for a silence, and what is wrong with it."""

    rows: list[tuple[str, str, str]] = field(default_factory=lambda: [("", "=", "")])
    starts_at: str = ""
    ends_at: str = ""
    duration: str = "2h"
    comment: str = ""
    created_by: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def prefilled(cls, matcher_texts: list[str], created_by: str) -> SilenceForm:
        """A new silence from ?matcher=name=value links (a notification's Silence link)."""
        rows = []
        for text in matcher_texts[:100]:
            try:
                matcher = parse_matcher(text)
                rows.append((matcher.name, matcher.op, matcher.value))
            except MatcherError:
                continue
        return cls(rows=rows or [("", "=", "")], created_by=created_by)

    @classmethod
    def from_silence(cls, silence: Silence) -> SilenceForm:
        return cls(rows=[tuple(item) for item in silence.matchers],  # type: ignore[misc]
                   starts_at=silence.starts_at.strftime(TIME_FORMAT),
                   ends_at=silence.ends_at.strftime(TIME_FORMAT), duration="",
                   comment=silence.comment, created_by=silence.created_by)

    @classmethod
    def from_request(cls, values: Any) -> SilenceForm:
        return cls(rows=rows_from_request(values), starts_at=values.get("starts_at", "")[:40],
                   ends_at=values.get("ends_at", "")[:40], duration=values.get("duration", "")[:40],
                   comment=values.get("comment", "")[:10_001],
                   created_by=values.get("created_by", "")[:200])

    def _time(self, name: str, text: str) -> datetime | None:
        if not text.strip():
            return None
        try:
            return datetime.fromisoformat(text.strip().replace("T", " ")).replace(tzinfo=None)
        except ValueError:
            self.errors[name] = f"Write the time as {utcnow().strftime(TIME_FORMAT)} (UTC)."
            return None

    def save(self, silence_id: str | None) -> Silence | None:
        """Save the silence; None (and errors on the form) when refused."""
        now = utcnow()
        matchers = matchers_from_rows(self.rows, self.errors)
        starts_at = self._time("starts_at", self.starts_at) or now
        ends_at = self._time("ends_at", self.ends_at)
        if ends_at is None and "ends_at" not in self.errors:
            try:
                seconds = parse_duration(self.duration, "Duration")
            except PolicyError as exc:
                self.errors["duration"] = f"{exc}."
                seconds = None
            if not seconds and "duration" not in self.errors:
                self.errors["duration"] = "Give an end or a duration such as 2h."
            ends_at = starts_at + timedelta(seconds=seconds or 0)
        if self.errors:
            return None
        try:
            return save_silence(silence_id, matchers, starts_at, ends_at, self.created_by,
                                self.comment, now=now)
        except SilenceError as exc:
            self.errors["form"] = str(exc)
            return None


def muted_counts(silences: list[Silence], now: datetime | None = None) -> dict[str, int]:
    """Silence id -> how many alerts (not resolved) it mutes now."""
    now = now or utcnow()
    labels = [row for row in db.session.scalars(
        select(AlertState.labels).where(AlertState.ends_at > now))]
    counts = {}
    for silence in silences:
        if silence.state(now) != "active":
            counts[silence.id] = 0
            continue
        matchers = compile_lists(silence.matchers)
        counts[silence.id] = sum(1 for item in labels if matches_all(matchers, item))
    return counts

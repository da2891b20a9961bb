"""Silences: matchers that mute alerts between two times; pending, active, expired."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app import audit
from app.alerting.matchers import Matcher, MatcherError, compile_lists, matches_all, to_lists
from app.alerting.models import Silence
from app.extensions import db
from app.models import NAME_MAX_LENGTH, utcnow

MAX_COMMENT = 10_000


class SilenceError(ValueError):
    """A silence that cannot be saved, said in words."""


@dataclass
class ActiveSilence:
    """An active silence ready to match label sets."""

    id: str
    matchers: list[Matcher]

    def mutes(self, labels: dict[str, str]) -> bool:
        return matches_all(self.matchers, labels)


def snapshot(silence: Silence) -> dict:
    """What the audit log keeps of a silence."""
    return {"matchers": silence.matchers, "startsAt": silence.starts_at.isoformat(),
            "endsAt": silence.ends_at.isoformat(), "createdBy": silence.created_by,
            "comment": silence.comment}


def active_silences(now: datetime | None = None) -> list[ActiveSilence]:
    """Every silence active at now, compiled."""
    now = now or utcnow()
    rows = db.session.scalars(select(Silence).where(Silence.ends_at > now,
                                                    Silence.starts_at <= now))
    return [ActiveSilence(row.id, compile_lists(row.matchers)) for row in rows]


def silenced_by(silences: list[ActiveSilence], labels: dict[str, str]) -> list[str]:
    """The ids of the silences that mute this label set."""
    return [silence.id for silence in silences if silence.mutes(labels)]


def save_silence(silence_id: str | None, matchers: list[Matcher], starts_at: datetime,
                 ends_at: datetime, created_by: str, comment: str,
                 now: datetime | None = None) -> Silence:
    """Create, or update in place, a silence; an expired one is replaced by a new one."""
    now = now or utcnow()
    if not matchers:
        raise SilenceError("A silence needs at least one matcher.")
    if all(_matches_empty(matcher) for matcher in matchers):
        raise SilenceError("At least one matcher must not match the empty value, "
                           "or the silence would mute every alert.")
    if ends_at <= starts_at:
        raise SilenceError("The end of a silence must be after its start.")
    if ends_at <= now:
        raise SilenceError("The end of a silence must be in the future.")
    if not created_by.strip() or len(created_by) > NAME_MAX_LENGTH:
        raise SilenceError("Say who creates the silence (created by).")
    if len(comment) > MAX_COMMENT:
        raise SilenceError(f"The comment is longer than {MAX_COMMENT:,} characters.")
    silence = db.session.get(Silence, silence_id) if silence_id else None
    if silence_id and silence is None:
        raise LookupError(f"silence {silence_id} not found")
    if silence is None or silence.state(now) == "expired":
        silence = Silence()
        db.session.add(silence)
    silence.matchers = to_lists(matchers)
    silence.starts_at = max(starts_at, now) if silence.starts_at is None else starts_at
    silence.ends_at, silence.created_by = ends_at, created_by.strip()
    silence.comment, silence.updated_at = comment, now
    db.session.flush()
    audit.record("save", "silence", silence.id, silence.id, None, snapshot(silence))
    return silence


def _matches_empty(matcher: Matcher) -> bool:
    try:
        return matcher.matches({})
    except MatcherError:
        return False


def expire_silence(silence_id: str, now: datetime | None = None) -> Silence:
    """End a silence now (a pending one never starts); an expired one is an error."""
    now = now or utcnow()
    silence = db.session.get(Silence, silence_id)
    if silence is None:
        raise LookupError(f"silence {silence_id} not found")
    if silence.state(now) == "expired":
        raise SilenceError(f"silence {silence_id} already expired")
    if silence.starts_at > now:
        silence.starts_at = now
    silence.ends_at, silence.updated_at = now, now
    db.session.flush()
    audit.record("expire", "silence", silence.id, silence.id, None, snapshot(silence))
    return silence


def list_silences() -> list[Silence]:
    return list(db.session.scalars(select(Silence).order_by(Silence.ends_at.desc())))

"""What a send ends in: Sent, or SendError with a message a person can read."""
from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass


class SendError(Exception):
    """A delivery failed; message is what a person reads, permanent means do not retry.

    done names the parts of a send made of several (one message per recipient) that were
    delivered, by this attempt or earlier ones: a retry sends only the others.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        status: int | None = None,
        retry_after: float | None = None,
        done: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.status = status
        self.retry_after = retry_after
        self.done = done


def partly_sent(error: SendError, detail: str, done: Collection[str], parts: Sequence[str],
                unit: str, *, permanent: bool | None = None) -> SendError:
    """error, for a send in one message per part (a recipient) of which those in done went
    out: says how many were reached, and carries them for a retry to skip."""
    reached = [part for part in parts if part in done]
    permanent = error.permanent if permanent is None else permanent
    again = "" if permanent else ", not sent again on a retry"
    return SendError(f"{detail} (sent to {len(reached)} of {len(parts)} {unit}{again})",
                     permanent=permanent, status=error.status, retry_after=error.retry_after,
                     done=frozenset(reached))


@dataclass(frozen=True)
class Sent:
    """What a sender did: the provider's status code, or why nothing was sent."""

    status: int | None = None
    skipped: str = ""

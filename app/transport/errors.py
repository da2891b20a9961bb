"""What a send ends in: Sent, or SendError with a message a person can read."""
from __future__ import annotations

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


@dataclass(frozen=True)
class Sent:
    """What a sender did: the provider's status code, or why nothing was sent."""

    status: int | None = None
    skipped: str = ""

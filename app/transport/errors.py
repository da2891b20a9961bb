"""What a send ends in: Sent, or SendError with a message a person can read."""
from __future__ import annotations

from dataclasses import dataclass


class SendError(Exception):
    """A delivery failed; message is what a person reads, permanent means do not retry."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class Sent:
    """What a sender did: the provider's status code, or why nothing was sent."""

    status: int | None = None
    skipped: str = ""

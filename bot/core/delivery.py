"""One policy for what to do when a message could not be delivered.

Every sender (replies to a person, reminders, broadcast waves) asks :func:`decide` what a
delivery error means, instead of deciding it again per backend:

- ``retry``    a transient failure (network, timeout, 5xx; an unexpected error, a few times) or a 429:
               try again after ``wait`` seconds (capped exponential back-off, or the server's
               ``retry_after``);
- ``blocked``  permanent: the person blocked the bot, the bot was removed, the chat is gone;
- ``moved``    the chat has a new id: send there;
- ``failed``   permanent for this message (the server refused it as malformed): give up now.

How long to keep retrying is the caller's business: a reply is retried until it is stale
(``reply_stale_after``), a broadcast delivery for as long as its wave is active.
"""
from __future__ import annotations

from dataclasses import dataclass

from .types import Blocked, ChatMoved, DeliveryError, RetryLater, TransientError

RETRY, BLOCKED, MOVED, FAILED = "retry", "blocked", "moved", "failed"
UNKNOWN_ATTEMPTS = 10   # an unexpected exception (not a delivery error) is given up after this many tries


@dataclass(frozen=True)
class Backoff:
    """Exponential back-off: ``base``, 2x``base``, 4x``base``... never more than ``cap`` seconds."""

    base: float = 1.0
    cap: float = 60.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after the ``attempt``-th failure (0-based)."""
        return min(self.cap, self.base * (2.0 ** min(max(attempt, 0), 32)))


@dataclass(frozen=True)
class Decision:
    action: str                  # RETRY | BLOCKED | MOVED | FAILED
    wait: float = 0.0            # seconds before the next try (RETRY)
    kind: str = ""               # the error's kind, for logs and metrics (never its text)
    new_chat_id: str | None = None
    rate_limited: bool = False   # the server said 429 (wait is its retry_after)


def decide(exc: BaseException, attempt: int, backoff: Backoff = Backoff()) -> Decision:
    """What to do after ``exc`` on the ``attempt``-th try (0-based) of one message."""
    kind = type(exc).__name__
    if isinstance(exc, Blocked):
        return Decision(BLOCKED, kind=kind)
    if isinstance(exc, ChatMoved):
        return Decision(MOVED, kind=kind, new_chat_id=exc.new_chat_id)
    if isinstance(exc, RetryLater):
        return Decision(RETRY, wait=max(0.0, exc.retry_after), kind=kind, rate_limited=True)
    if isinstance(exc, (TransientError, OSError, TimeoutError)):   # network, timeout, 5xx: for as long as it takes
        return Decision(RETRY, wait=backoff.delay(attempt), kind=kind)
    if not isinstance(exc, DeliveryError) and attempt + 1 < UNKNOWN_ATTEMPTS:
        # an error no backend mapped (a bug?): retried a few times, not for ever
        return Decision(RETRY, wait=backoff.delay(attempt), kind=kind)
    return Decision(FAILED, kind=kind)   # a DeliveryError the backend judged permanent


def stale(first_try: float, now: float, wait: float, stale_after: float) -> bool:
    """True when waiting ``wait`` more seconds would deliver later than ``stale_after``
    seconds after ``first_try``: the message is no longer worth sending."""
    return now + wait - first_try > stale_after

"""One policy for what to do when a message could not be delivered.

Every sender (replies to a person, reminders, broadcast waves) asks :func:`decide` what a
delivery error means, instead of deciding it again per backend:

- ``retry``    a transient failure (network, timeout, 5xx; an unexpected error, a few times) or a 429:
               try again after ``wait`` seconds (capped exponential back-off, or the server's
               ``retry_after``);
- ``blocked``  permanent: the person blocked the bot, the bot was removed, the chat is gone;
- ``moved``    the chat has a new id: send there;
- ``failed``   permanent for this message (the server refused it as malformed): give up now.

How long to keep retrying is the :class:`Policy`'s business: a reply is retried in place until it
is stale (``reply_stale_after``); a reminder or a broadcast delivery is handed back to its queue
(:data:`RETRY` with the wait), which tries again until the last day or for as long as the wave is
active.  :meth:`bot.core.app.App.deliver` applies this module to every message and returns an
:class:`Outcome`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .types import Blocked, ChatMoved, DeliveryError, RetryLater, TransientError

RETRY, BLOCKED, MOVED, FAILED = "retry", "blocked", "moved", "failed"
SENT, DROPPED = "sent", "dropped"  # outcomes of App.deliver besides BLOCKED, RETRY and FAILED
UNKNOWN_ATTEMPTS = 10  # an unexpected exception (not a delivery error) is given up after this many tries


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
    action: str  # RETRY | BLOCKED | MOVED | FAILED
    wait: float = 0.0  # seconds before the next try (RETRY)
    kind: str = ""  # the error's kind, for logs and metrics (never its text)
    new_chat_id: str | None = None
    rate_limited: bool = False  # the server said 429 (wait is its retry_after)


def decide(exc: BaseException, attempt: int, backoff: Backoff = Backoff()) -> Decision:
    """What to do after ``exc`` on the ``attempt``-th try (0-based) of one message."""
    kind = type(exc).__name__
    if isinstance(exc, Blocked):
        return Decision(BLOCKED, kind=kind)
    if isinstance(exc, ChatMoved):
        return Decision(MOVED, kind=kind, new_chat_id=exc.new_chat_id)
    if isinstance(exc, RetryLater):
        return Decision(RETRY, wait=max(0.0, exc.retry_after), kind=kind, rate_limited=True)
    if isinstance(exc, (TransientError, OSError, TimeoutError)):  # network, timeout, 5xx: for as long as it takes
        return Decision(RETRY, wait=backoff.delay(attempt), kind=kind)
    if not isinstance(exc, DeliveryError) and attempt + 1 < UNKNOWN_ATTEMPTS:
        # an error no backend mapped (a bug?): retried a few times, not for ever
        return Decision(RETRY, wait=backoff.delay(attempt), kind=kind)
    return Decision(FAILED, kind=kind)  # a DeliveryError the backend judged permanent


def stale(first_try: float, now: float, wait: float, stale_after: float) -> bool:
    """True when waiting ``wait`` more seconds would deliver later than ``stale_after``
    seconds after ``first_try``: the message is no longer worth sending."""
    return now + wait - first_try > stale_after


@dataclass(frozen=True)
class Policy:
    """How one kind of message is delivered.

    ``backoff``   the back-off of transient failures;
    ``inline``    retry here, sleeping, until the message is ``stale_after`` seconds old (a reply);
                  otherwise a retry is handed back to the caller's queue as :data:`RETRY`;
    ``stale_after`` seconds (None: the ``reply_stale_after`` setting);
    ``moves``     how many "the chat moved" answers are followed for one message;
    ``bulk``      one of many identical messages (a broadcast): the backend's ``send_bulk``;
    ``metric``    prefix of the per-outcome counters (``<metric>_sent``, ``_blocked``, ``_failed``,
                  ``_retries``, ``_429``), or None.
    """

    backoff: Backoff = Backoff()
    inline: bool = False
    stale_after: float | None = None
    moves: int = 3
    bulk: bool = False
    metric: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What became of one message: ``status`` SENT, BLOCKED, RETRY (after ``wait`` seconds; the
    server's 429 when ``rate_limited``), FAILED (refused for good) or DROPPED (stale, or moved too
    often); ``moved_from`` the chat it was addressed to when the chat has a new id (``chat_id``)."""

    status: str
    chat_id: str
    message_id: str | None = None
    wait: float = 0.0
    rate_limited: bool = False
    kind: str = ""
    moved_from: str | None = None

    @property
    def sent(self) -> bool:
        return self.status == SENT

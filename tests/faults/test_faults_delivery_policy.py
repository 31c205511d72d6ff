"""The one delivery policy (bot/core/delivery.py): what each failure means, and the capped back-off."""

from __future__ import annotations

import asyncio

from bot.core.types import Blocked, ChatMoved, DeliveryError, RetryLater, TransientError
from bot.core.delivery import BLOCKED, FAILED, MOVED, RETRY, UNKNOWN_ATTEMPTS, Backoff, decide, stale


def test_each_failure_has_one_meaning():
    b = Backoff(2.0, 120.0)
    assert decide(Blocked("x"), 0, b).action == BLOCKED
    d = decide(ChatMoved("-100"), 0, b)
    assert (d.action, d.new_chat_id) == (MOVED, "-100")
    d = decide(RetryLater(7), 3, b)
    assert (d.action, d.wait, d.rate_limited) == (RETRY, 7.0, True)
    assert decide(DeliveryError("bad request"), 0, b).action == FAILED  # permanent
    for exc in (TransientError("502"), OSError("reset"), asyncio.TimeoutError()):
        assert decide(exc, 10_000, b).action == RETRY  # transient: never given up
    assert decide(KeyError("bug"), 0, b).action == RETRY
    assert decide(KeyError("bug"), UNKNOWN_ATTEMPTS - 1, b).action == FAILED  # a bug: not for ever


def test_backoff_is_capped_and_staleness():
    b = Backoff(2.0, 120.0)
    assert [b.delay(i) for i in range(8)] == [2, 4, 8, 16, 32, 64, 120, 120]
    assert b.delay(10_000) == 120
    assert not stale(first_try=0.0, now=500.0, wait=100.0, stale_after=600.0)
    assert stale(first_try=0.0, now=550.0, wait=100.0, stale_after=600.0)

"""The pacer: overall rate, per-chat rates, group window, 429 pauses that freeze only one chat."""

from __future__ import annotations

import asyncio
import time

from bot.jobs.pacing import Gcra, Pacer, Window, chat_kind


def test_gcra_spaces_slots_after_a_burst():
    g = Gcra(rate=10, burst=3)
    times = [g.reserve(0.0) for _ in range(6)]
    assert times[:3] == [0.0, 0.0, 0.0]
    assert [round(t, 3) for t in times[3:]] == [0.1, 0.2, 0.3]
    # idle time refills the burst, but never more than the burst
    assert g.reserve(10.0) == 10.0 and g.reserve(10.0) == 10.0 and g.reserve(10.0) == 10.0
    assert g.reserve(10.0) > 10.0


def test_window_allows_20_per_minute_in_any_minute():
    w = Window(20, 60.0)
    sent = []
    t = 0.0
    for _ in range(50):
        t = w.earliest(t)
        w.reserve(t)
        sent.append(t)
    for i in range(len(sent)):
        in_minute = [s for s in sent if sent[i] <= s < sent[i] + 60.0]
        assert len(in_minute) <= 20
    assert sent[20] == 60.0 and sent[40] == 120.0


def test_chat_kinds():
    assert chat_kind("42") == "private" and chat_kind(-100123) == "group" and chat_kind("@canal") == "group"


async def test_global_rate_is_respected_across_chats():
    p = Pacer(global_rate=100, headroom=1.0)
    t0 = time.monotonic()
    stamps = await asyncio.gather(*[_stamp(p, str(1000 + i)) for i in range(60)])
    elapsed = time.monotonic() - t0
    assert 0.55 <= elapsed <= 1.0, elapsed
    stamps.sort()
    for i in range(len(stamps)):
        assert len([s for s in stamps if stamps[i] <= s < stamps[i] + 0.1]) <= 12


async def test_private_chat_limit_does_not_slow_other_chats():
    p = Pacer(global_rate=1000, chat_rate=10, chat_burst=2, headroom=1.0)
    t0 = time.monotonic()
    one_chat = asyncio.gather(*[_stamp(p, "7") for _ in range(6)])
    others = await asyncio.gather(*[_stamp(p, str(100 + i)) for i in range(20)])
    assert max(others) - t0 < 0.15
    mine = sorted(await one_chat)
    assert mine[-1] - t0 >= 0.35  # 2 at once, then 10/s


async def test_pause_after_429_freezes_only_that_chat():
    p = Pacer(global_rate=1000, chat_rate=100, chat_burst=5, headroom=1.0)
    p.pause("-100555", 0.4)
    t0 = time.monotonic()
    paused = asyncio.ensure_future(_stamp(p, "-100555"))
    others = await asyncio.gather(*[_stamp(p, str(200 + i)) for i in range(30)])
    assert max(others) - t0 < 0.2
    assert await paused - t0 >= 0.39
    assert p.paused_for("-100555") == 0 and p.stats.pauses == 1


async def test_pause_all_and_disabled_pacer():
    p = Pacer(enabled=False)
    t0 = time.monotonic()
    for i in range(2000):
        await p.acquire(str(i % 3))
    assert time.monotonic() - t0 < 0.5
    p.pause_all(0.2)
    t0 = time.monotonic()
    await p.acquire("1")
    assert time.monotonic() - t0 >= 0.19


async def _stamp(p: Pacer, chat: str) -> float:
    await p.acquire(chat)
    return time.monotonic()

"""Issue 16, points 3 and 5: a broadcast wave through the real python-telegram-bot against the
emulator, on one injected timeline (the app's fake clock drives the broadcaster, the backend's
pacer and the emulator's faults): a 60 s storm of 5xx loses nobody, and a 429 for one chat
pauses only that chat."""

from __future__ import annotations

import asyncio
from collections import Counter

from bot.jobs.pacing import Pacer
from tests.support.telegram_env import close_env, start_env

GROUP = -1009876


async def virtual_env(tmp_path):
    env = await start_env(tmp_path)

    def now() -> float:
        return env.clock.now().timestamp()

    async def sleep(seconds: float) -> None:
        if seconds > 0:
            env.clock.advance(seconds=seconds)
        await asyncio.sleep(0)

    env.backend.pacer = Pacer(chat_rate=1.0, chat_burst=3.0, clock=now, sleep=sleep)  # Telegram's limits
    env.emu.fault_clock = now
    env.now = now
    return env


def wave(env, users, group=GROUP) -> int:
    env.emu.add_users(users)
    store = env.app.store
    coll = store.ensure_collective("telegram", str(group))
    store.add_followers_bulk(coll["id"], [(f"telegram:{u}", "telegram", str(u), "fr") for u in users])
    return store.create_broadcast(coll["id"], "basics", custom_text=None, requested_by="t", needs_approval=False)["id"]


async def run_to_end(env, bid, ticks: int = 20) -> dict:
    for _ in range(ticks):  # bounded
        await env.app.tick()
        b = env.app.store.get_broadcast(bid)
        if b["status"] == "done":
            return b
    raise AssertionError(f"wave not done: {env.app.store.delivery_counts(bid)}")


async def test_a_60s_storm_of_5xx_during_a_wave_loses_nobody(tmp_path):
    env = await virtual_env(tmp_path)
    try:
        users = list(range(7000, 7050))
        bid = wave(env, users)
        env.emu.block(users[7])  # a permanent reason: given up, and counted
        t0 = env.now()
        env.emu.fail(500, method="sendMessage", times=None, until=t0 + 60)
        b = await run_to_end(env, bid)
        got = Counter({u: len(env.emu.sent[u]) for u in users})
        assert got[users[7]] == 0
        del got[users[7]]
        assert set(got.values()) == {1}, {u: n for u, n in got.items() if n != 1}  # all, once
        assert (b["sent"], b["failed"], b["blocked"]) == (49, 0, 1)
        assert env.emu.errors[500] >= 49  # every one met the storm first
        assert env.now() - t0 >= 60
    finally:
        await close_env(env)


async def test_a_per_chat_429_pauses_only_that_chat_during_a_wave(tmp_path):
    env = await virtual_env(tmp_path)
    try:
        users = list(range(7100, 7140))
        bid = wave(env, users)
        for u in users[::2]:  # 20 chats each answer one 429, retry_after 3 s
            env.emu.fail(429, method="sendMessage", chat_id=u, times=1, retry_after=3)
        t0 = env.now()
        b = await run_to_end(env, bid)
        took = env.now() - t0
        assert (b["sent"], b["failed"]) == (40, 0)
        assert all(len(env.emu.sent[u]) == 1 for u in users)
        assert env.app.services.broadcaster.stats[bid]["r429"] == 20
        # 40 messages at 30/s plus one 3 s pause, not 20 pauses of 3 s one after the other
        assert took < 8, took
    finally:
        await close_env(env)

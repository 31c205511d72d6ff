"""Collectives through the whole bot and the real python-telegram-bot against the Bot API
emulator (tests/telegram_env.py): waves, /campagne in a group, posts, follow/unfollow,
approval, a blocked follower, a crash in the middle of a wave."""
from __future__ import annotations

from collections import Counter

import pytest

from tests.telegram_env import start_env

GROUP = -1001234


@pytest.fixture
async def tg(tmp_path):
    env = await start_env(tmp_path)
    yield env
    await env.stop()
    await env.emu.stop()
    env.app.store.close()


def add_followers(env, users, group=GROUP):
    env.emu.add_users(users)
    coll = env.app.store.ensure_collective("telegram", str(group))
    env.app.store.add_followers_bulk(coll["id"], [(f"telegram:{u}", "telegram", str(u), "fr") for u in users])
    return coll


@pytest.mark.parametrize("in_flight,flood_second_to_last", [(1, False), (4, False), (4, True)])
async def test_wave_tail_last_follower_gets_one_copy_and_wave_is_done(tg, in_flight, flood_second_to_last):
    users = list(range(3000, 3030))
    coll = add_followers(tg, users)
    br = tg.app.services["broadcaster"]
    br.concurrency = in_flight
    if flood_second_to_last:
        tg.emu.flood(1, chat_id=users[-2])           # 429 retry_after=1 near the end of the wave
    bid = tg.app.store.create_broadcast(coll["id"], "basics", custom_text=None, requested_by="t",
                                        needs_approval=False)["id"]
    for _ in range(3):                               # bounded: a 429 may leave one for the next tick
        await tg.app.tick()
        if tg.app.store.get_broadcast(bid)["status"] == "done":
            break
    got = Counter({u: len(tg.emu.sent[u]) for u in users})
    assert set(got.values()) == {1}, {u: n for u, n in got.items() if n != 1}
    assert got[users[-1]] == 1
    b = tg.app.store.get_broadcast(bid)
    assert (b["status"], b["sent"], b["failed"]) == ("done", len(users), 0)
    assert tg.app.store.db["deliveries"].count == 0
    assert br.stats[bid]["r429"] == (1 if flood_second_to_last else 0)

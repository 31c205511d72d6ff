"""Issue 16, point 4: a reply to a person is retried until sent or stale (``reply_stale_after``):
a 60 s run of 502s and a long 429 flood lose no reply; a reply older than the limit is dropped.
Whole bot against the emulator; the core's retries (App.deliver), the backend's pacer and the
emulator's faults share one virtual clock, so minutes pass without sleeping."""

from __future__ import annotations

import logging

from bot.jobs.pacing import Pacer
from tests.support.telegram_env import close_env, settle, start_env
from tests.support.virtual_time import VirtualTime

U = 6001
PAGE = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


async def virtual_env(tmp_path, **settings):
    env = await start_env(tmp_path, **settings)
    vt = VirtualTime()
    env.app.monotonic, env.app.sleep = vt, vt.sleep
    env.backend.pacer = Pacer(chat_rate=50.0, chat_burst=20.0, group_per_min=600.0, clock=vt, sleep=vt.sleep)
    env.emu.fault_clock = vt
    env.emu.add_users([U])
    return env, vt


async def test_a_60s_run_of_502s_loses_no_reply(tmp_path):
    env, vt = await virtual_env(tmp_path)
    emu = env.emu
    try:
        t0 = vt()
        emu.fail(502, method="sendMessage", times=None, until=t0 + 60, body=PAGE)
        emu.private_message(U, "/aide")
        emu.private_message(U, "/menu")
        got = await settle(emu, U, 2, timeout=10)
        assert len(got) == 2  # both, once each, in order
        assert got[0]["text"].startswith(env.app.renderer.render("core/help", "fr", commands=[], direct=True)[:20])
        assert vt() - t0 >= 60 and emu.errors[502] >= 5
    finally:
        await close_env(env)


async def test_a_429_flood_longer_than_a_minute_loses_no_reply(tmp_path):
    env, vt = await virtual_env(tmp_path)
    emu = env.emu
    try:
        t0 = vt()
        emu.flood(240, chat_id=U)  # 4 minutes of "retry after"
        emu.private_message(U, "/aide")
        got = await settle(emu, U, 1, timeout=10)
        assert len(got) == 1 and vt() - t0 >= 240
        assert emu.errors[429] >= 1
    finally:
        await close_env(env)


async def test_a_reply_older_than_reply_stale_after_is_dropped_and_logged(tmp_path, caplog):
    env, vt = await virtual_env(tmp_path, reply_stale_after=120)
    emu = env.emu
    try:
        emu.flood(900, chat_id=U)  # 15 minutes: longer than the limit
        with caplog.at_level(logging.INFO, logger="mes_bot.app"):
            emu.private_message(U, "/aide")
            await emu.wait_until(lambda: "delivery_dropped" in caplog.text, 10, "delivery_dropped")
        assert len(emu.sent[U]) == 0
        vt.t += 900  # the flood is over: the next message is answered
        emu.private_message(U, "/menu")
        assert len(await settle(emu, U, 1, timeout=10)) == 1
    finally:
        await close_env(env)

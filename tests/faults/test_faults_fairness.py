"""Issue 16, point 1: one chat's backlog never delays another chat, and a flood from one person
is bounded (the rest dropped, one kind notice).  Whole bot, real python-telegram-bot, emulator."""

from __future__ import annotations

from bot.jobs.pacing import Pacer
from tests.support.telegram_env import close_env, settle, start_env

A, B = 5001, 5002


def send_order(emu) -> list:
    return [chat for _t, method, chat in emu.call_log if method == "sendMessage"]


async def test_a_burst_of_150_from_one_chat_does_not_delay_another_chat(tmp_path):
    # real pacing: 10 messages/s into one private chat, so A's backlog takes seconds to drain
    pacer = Pacer(chat_rate=10.0, chat_burst=1.0, group_per_min=600.0)
    env = await start_env(tmp_path, pacer=pacer, chat_backlog_max=20)
    emu = env.emu
    try:
        emu.add_users([A, B])
        for _ in range(150):
            emu.private_message(A, "/aide")
        emu.private_message(B, "/aide")
        await emu.wait_for(B, 1, timeout=10)
        order = send_order(emu)
        a_before_b = order[: order.index(B)].count(A)
        # B is answered while A's backlog is still being paced out (before A's 4th message,
        # whereas 150 queued /aide used to fill every handling slot before B's turn)
        assert a_before_b <= 3, (a_before_b, order[:10])
        # A's flood is bounded: 20 answered, the rest dropped, one notice said so
        notice = env.app.renderer.render("core/too_fast", "fr")
        await emu.wait_for(A, 21, timeout=15)
        got = await settle(emu, A, 21)
        texts = [m.get("text", "") for m in got]
        assert len(texts) == 21, len(texts)
        assert sum(1 for t in texts if t == notice) == 1
        assert env.backend.counters["dropped"] == 130
        assert len(emu.sent[B]) == 1
        # the notice is given once per backlog: once A's queue drained, A is answered again
        emu.private_message(A, "/aide")
        await settle(emu, A, 22)
        assert emu.texts(A)[-1] != notice
    finally:
        await close_env(env)

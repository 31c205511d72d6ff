"""The whole bot (router, store, templates, real python-telegram-bot over HTTP) against the
Bot API emulator in tests/support/telegram_emulator.py."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.core.types import Attachment, Blocked, Button, ChatMoved, Event, Reply, RetryLater, TransientError
from bot.infra import metrics
from tests.support.telegram_emulator import ANONYMOUS_ADMIN_ID, parse_html
from tests.support.telegram_env import settle, start_env

BOT = "mesbot_test_bot"


def assert_html_ok(msgs):
    for m in msgs:
        if "_raw" in m:
            assert m["_parse_mode"] == "HTML"
            assert parse_html(m["_raw"]) == m["text"]


async def test_start_shows_welcome_and_menu_with_buttons(tg):
    emu = tg.emu
    emu.tap_start(101)
    msgs = await settle(emu, 101, 2)
    assert any(m.get("reply_markup") for m in msgs)
    labels = [b["text"] for b in emu.buttons(101)]
    assert "Je veux comprendre" in labels
    assert all(len(row) >= 1 for row in emu.last(101)["reply_markup"]["inline_keyboard"])
    assert_html_ok(msgs)
    # start-up extras: commands in both languages and descriptions
    fr = [c["command"] for c in emu.commands[('{"type": "default"}', "fr")]]
    en = [c["command"] for c in emu.commands[('{"type": "default"}', "en")]]
    assert "aide" in fr and "menu" in fr and "help" in en and "aide" not in en
    assert "Mon espace santé" in emu.descriptions["fr"] and emu.short_descriptions["en"]
    assert tg.events[0].kind == "start" and tg.events[0].is_direct and tg.events[0].locale == "fr"


async def test_english_user_gets_english(tg):
    emu = tg.emu
    emu.tap_start(111, language_code="en")
    msgs = await settle(emu, 111, 2)
    assert "Je veux comprendre" not in [b["text"] for b in emu.buttons(111)]
    assert any("Mon espace santé" in m["text"] for m in msgs)
    assert tg.events[0].locale == "en"


async def test_menu_button_press_is_answered_and_answered_in_chat(tg):
    emu = tg.emu
    emu.tap_start(102)
    await settle(emu, 102, 2)
    before = len(emu.sent[102])
    qid = emu.press(102, label="comprendre")
    q = await emu.wait_answered(qid)
    assert q["answered"]
    msgs = await settle(emu, 102, before + 1)
    ev = tg.events[-1]
    assert ev.kind == "button" and ev.choice == "g:understand:start" and ev.message_id
    assert_html_ok(msgs)


async def test_a_date_gives_the_deadline_and_an_ics_document(tg):
    emu = tg.emu
    emu.tap_start(103)
    await settle(emu, 103, 2)
    emu.press(103, label="reçu")
    n = len(await settle(emu, 103, 3))
    emu.private_message(103, "reçu le 20 novembre")
    msgs = await settle(emu, 103, n + 1)
    result = "\n".join(m["text"] for m in msgs[n:])
    assert "1er janvier 2027" in result
    n = len(msgs)
    emu.press(103, label="agenda")
    await emu.wait_until(lambda: any("document" in m for m in emu.sent[103]), 5, "a document")
    doc = [m for m in emu.sent[103] if "document" in m][-1]
    assert doc["document"]["file_name"].endswith(".ics")
    assert bytes(doc["_data"]).startswith(b"BEGIN:VCALENDAR")
    assert emu.calls["sendDocument"] == 1


async def test_reminder_fires_with_the_injected_clock(tg):
    emu = tg.emu
    emu.tap_start(104)
    await settle(emu, 104, 2)
    emu.press(104, label="reçu")
    n = len(await settle(emu, 104, 3))
    emu.private_message(104, "reçu le 20 novembre")
    n = len(await settle(emu, 104, n + 1))
    for label in ("rappels", "Oui", "moi", "Par défaut"):
        emu.press(104, label=label)
        n = len(await settle(emu, 104, n + 1))
    assert "18 décembre 2026" in emu.sent[104][-1]["text"]
    sent_before = len(emu.sent[104])
    assert await tg.app.tick() == 0
    tg.clock.set(__import__("datetime").datetime.fromisoformat("2026-12-18T10:30:00+01:00"))
    assert await tg.app.tick() >= 1
    msgs = await settle(emu, 104, sent_before + 1)
    assert "1er janvier 2027" in msgs[-1]["text"]
    assert_html_ok(msgs)


async def test_group_commands_admins_and_anonymous_admins(tg):
    emu, app = tg.emu, tg.app
    group = -1001234
    emu.group(group, "Collectif", admins=[201], creator=200)
    emu.group_message(group, 202, f"/aide@{BOT}")
    msgs = await settle(emu, group, 1)
    assert "/menu" in msgs[-1]["text"]
    emu.group_message(group, 202, "/aide@another_bot")
    emu.group_message(group, 202, "bonjour tout le monde")
    emu.group_message(group, 202, f"/rappels@{BOT}")
    msgs = await settle(emu, group, 2)
    await asyncio.sleep(0.2)
    assert len(emu.sent[group]) == 2, emu.texts(group)
    urls = [b.get("url") for b in emu.buttons(group)]
    assert f"https://t.me/{BOT}?start=rappels" in urls
    emu.anonymous_admin_message(group, f"/aide@{BOT}")
    await settle(emu, group, 3)
    by_user = {e.user_id: e for e in tg.events}
    assert not by_user["202"].is_direct
    assert await app.is_admin(by_user["202"]) is False
    admin_ev = Event("telegram", str(group), "201", text="/x", is_direct=False)
    creator_ev = Event("telegram", str(group), "200", text="/x", is_direct=False)
    assert await app.is_admin(admin_ev) and await app.is_admin(creator_ev)
    anon = by_user[str(ANONYMOUS_ADMIN_ID)]
    assert anon.sender_chat_id == str(group)
    assert await app.is_admin(anon) is True
    # the anonymous admin is admin of its own group only
    assert await app.is_admin(anon, chat_id="-1009999") is False
    assert emu.calls["getChatMember"] >= 2


async def test_user_who_blocks_the_bot_is_deactivated(tg):
    emu, app = tg.emu, tg.app
    emu.tap_start(105)
    await settle(emu, 105, 2)
    assert app.store.get_user("telegram:105").active
    emu.fail(403, method="sendMessage", chat_id=105, times=None)  # blocked right after writing
    emu.private_message(105, "/menu")
    await emu.wait_until(lambda: emu.errors[403] >= 1, 5, "a 403")
    await emu.wait_until(lambda: not app.store.get_user("telegram:105").active, 5, "deactivation")
    emu.clear_faults()
    emu.block(105)
    with pytest.raises(Blocked):
        await tg.backend.send("105", Reply("x", "rappel"))
    # a my_chat_member "kicked" update also deactivates (and "member" reactivates)
    emu.tap_start(106)
    await settle(emu, 106, 2)
    emu.member_update(106, 106, "member", "kicked")
    await emu.wait_until(lambda: not app.store.get_user("telegram:106").active, 5, "deactivation")


async def test_429_storm_pauses_only_the_affected_chat(tg):
    emu = tg.emu
    for u in (107, 108, 109):
        emu.tap_start(u)
    for u in (107, 108, 109):
        await settle(emu, u, 2)
    limited = metrics.get("send_failures", backend="telegram", kind="RetryLater")
    emu.flood(2, chat_id=107)
    t0 = time.monotonic()
    emu.private_message(107, "/aide")
    await emu.wait_until(lambda: emu.errors[429] >= 1, 5, "a 429")
    emu.private_message(108, "/aide")
    emu.private_message(109, "/aide")
    await settle(emu, 108, 3)
    await settle(emu, 109, 3)
    others = time.monotonic() - t0
    assert others < 1.5, others  # not frozen behind chat 107
    assert len(emu.sent[107]) == 2  # still waiting
    await settle(emu, 107, 3, timeout=6)
    assert time.monotonic() - t0 >= 1.9  # retry_after honoured
    assert metrics.get("send_failures", backend="telegram", kind="RetryLater") > limited  # retried by App.deliver
    # the protocol send raises RetryLater for the scheduler/broadcaster to decide
    emu.flood(3, chat_id=108)
    with pytest.raises(RetryLater) as e:
        await tg.backend.send("108", Reply("x", "rappel"))
    assert e.value.retry_after >= 2
    assert tg.backend.pacer.paused_for("108") > 1
    assert tg.backend.pacer.paused_for("109") == 0


async def test_5xx_is_retried_for_inbound_replies_and_transient_for_send(tg):
    emu = tg.emu
    emu.tap_start(110)
    await settle(emu, 110, 2)
    emu.fail(500, method="sendMessage", chat_id=110, times=2)
    emu.private_message(110, "/aide")
    await settle(emu, 110, 3)
    assert emu.errors[500] == 2
    emu.fail(502, method="sendMessage", chat_id=110, times=1)
    with pytest.raises(TransientError):
        await tg.backend.send("110", Reply("x", "rappel"))
    assert await tg.backend.send("110", Reply("x", "rappel")) is not None


async def test_unsupported_updates_never_stop_the_loop(tg):
    emu = tg.emu
    emu.tap_start(112)
    n = len(await settle(emu, 112, 2))
    emu.sticker(112)
    n = len(await settle(emu, 112, n + 1))
    assert "texte" in emu.sent[112][-1]["text"]
    emu.photo(112, caption="regarde")
    n = len(await settle(emu, 112, n + 1))
    first = emu.private_message(112, "bonjour")
    n = len(await settle(emu, 112, n + 1))
    emu.edit(first, "bonsoir")
    n = len(await settle(emu, 112, n + 1))
    assert tg.events[-1].kind == "edit"
    emu.poll(112)
    n = len(await settle(emu, 112, n + 1))
    group = -1005555
    emu.channel(group, "Canal", admins=[300])
    emu.channel_post(group, "une annonce")
    emu.member_update(-1005555, 300, "left", "administrator")
    emu.member_update(-1005555, 301, "left", "member", mine=False)
    emu.push_update(
        "message_reaction",
        {"chat": {"id": 112, "type": "private"}, "message_id": 1, "date": 1, "old_reaction": [], "new_reaction": []},
    )
    emu.push_update("some_future_update", {"whatever": [1, 2, 3]})
    # content the client library cannot parse (a poll from another Bot API version) must not block
    emu.push_update(
        "message",
        {
            "message_id": 99,
            "date": 1,
            "chat": {"id": 112, "type": "private"},
            "from": {"id": 112, "is_bot": False, "first_name": "U"},
            "poll": {"id": "9", "question": "Q", "options": [{"text": "A"}]},
        },
    )
    n = len(await settle(emu, 112, n + 1))
    emu.group(-777, "Petit groupe")
    emu.sticker(-777, 302)
    emu.private_message(112, "/aide")
    await settle(emu, 112, n + 1)
    assert emu.sent[group] == [] and emu.sent[-777] == []
    kinds = [e.kind for e in tg.events]
    assert kinds.count("unsupported") >= 3
    await emu.wait_until(lambda: emu.pending_updates() == 0 or emu.calls["getUpdates"] > 3, 5, "updates consumed")


async def test_send_escapes_html_splits_long_text_and_compacts_callback_data(tg):
    emu, backend = tg.emu, tg.backend
    emu.add_users([120])
    tricky = "a < b & c > d <b>pas du gras</b> &amp; fin"
    await backend.send("120", Reply("x", tricky))
    assert emu.last(120)["text"] == tricky
    long = "\n\n".join(f"Paragraphe {i} " + "é" * 300 + " <&>" for i in range(40))
    await backend.send("120", Reply("x", long, buttons=((Button("OK", payload="menu:main:ok"),),)))
    parts = emu.sent[120][1:]
    assert len(parts) >= 3 and all(len(p["text"]) <= 4096 for p in parts)
    assert "".join(p["text"] for p in parts).replace("\n", "") == long.replace("\n", "")
    assert "reply_markup" in parts[-1] and all("reply_markup" not in p for p in parts[:-1])
    payload = "campaign:edit:" + "x" * 80
    await backend.send("120", Reply("x", "choix", buttons=((Button("Long", payload=payload),),)))
    data = emu.buttons(120)[0]["callback_data"]
    assert len(data.encode()) <= 64
    emu.press(120, label="Long")
    await emu.wait_until(lambda: any(e.kind == "button" for e in tg.events), 5, "the button event")
    assert [e.choice for e in tg.events if e.kind == "button"] == [payload]
    await backend.send(
        "120", Reply("x", "fichier", attachment=Attachment("a.ics", b"BEGIN:VCALENDAR\r\n", "text/calendar"))
    )
    assert emu.last(120)["document"]["file_name"] == "a.ics"


async def test_edit_reply_edits_the_pressed_message(tg):
    emu, app = tg.emu, tg.app
    emu.add_users([121])
    mid = await tg.backend.send("121", Reply("x", "Question ?", buttons=((Button("Oui", payload="p:q:yes"),),)))
    real = app.handle

    async def handle(event):
        if event.kind == "button":
            return [Reply("x", "Réponse : oui", edit=True), Reply("y", "Et ensuite ?")]
        return await real(event)

    app.handle = handle
    qid = emu.press(121, label="Oui")
    await emu.wait_answered(qid)
    msgs = await settle(emu, 121, 2)
    assert msgs[0]["message_id"] == int(mid) and msgs[0]["text"] == "Réponse : oui" and msgs[0]["_edits"] == 1
    assert "reply_markup" not in msgs[0]
    assert msgs[1]["text"] == "Et ensuite ?"


async def test_chat_migration_and_deep_links(tg):
    emu, backend = tg.emu, tg.backend
    emu.group(-4000, "Ancien")
    emu.migrate(-4000, -1004000)
    with pytest.raises(ChatMoved) as e:
        await backend.send("-4000", Reply("x", "annonce"))
    assert e.value.new_chat_id == "-1004000"
    await backend.send("-1004000", Reply("x", "annonce", private_start="c_ABC123"))
    assert emu.buttons(-1004000)[-1]["url"] == f"https://t.me/{BOT}?start=c_ABC123"
    emu.tap_start(122, "bad payload!!")
    await settle(emu, 122, 1)
    ev = [e for e in tg.events if e.user_id == "122"][0]
    assert ev.kind == "start" and ev.payload == "bad payload!!"
    emu.tap_start(123, "rappels")
    await settle(emu, 123, 1)
    ev = [e for e in tg.events if e.user_id == "123"][0]
    assert ev.kind == "start" and ev.payload == "rappels"


async def test_webhook_mode_checks_the_secret_token(tmp_path):
    import socket

    import aiohttp

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/tg-hook"
    env = await start_env(
        tmp_path,
        telegram_webhook_url=url,
        telegram_webhook_listen=f"127.0.0.1:{port}",
        telegram_webhook_secret="s3cret-token",
    )
    emu = env.emu
    try:
        await emu.wait_until(lambda: emu.webhook.get("url") == url, 5, "setWebhook")
        assert emu.webhook["secret_token"] == "s3cret-token"
        emu.tap_start(601)
        await emu.wait_for(601, 2)
        assert emu.webhook_deliveries >= 1 and emu.calls["getUpdates"] == 0
        async with aiohttp.ClientSession() as s:
            fake = {
                "update_id": 999,
                "message": {
                    "message_id": 1,
                    "date": 1,
                    "text": "/start",
                    "chat": {"id": 602, "type": "private"},
                    "from": {"id": 602, "is_bot": False, "first_name": "X"},
                },
            }
            async with s.post(url, json=fake, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}) as r:
                assert r.status == 403
            async with s.post(url, json=fake) as r:
                assert r.status == 403
        await asyncio.sleep(0.2)
        assert emu.sent[602] == []
    finally:
        await env.stop()
        await emu.stop()
        env.app.store.close()


async def test_paced_sends_meet_enforced_limits_and_paid_broadcast_goes_faster(tmp_path):
    from bot.jobs.pacing import Pacer
    from tests.support.telegram_emulator import Emulator, Limits

    emu = await Emulator(limits=Limits(global_rate=30, global_burst=5)).start()
    env = await start_env(tmp_path, emu=emu, pacer=Pacer(global_rate=30), telegram_paid_broadcast=True)
    try:
        users = list(range(700, 760))
        emu.add_users(users)
        t0 = asyncio.get_running_loop().time()
        await asyncio.gather(*[env.backend.send(str(u), Reply("x", "annonce")) for u in users[:20]])
        paced = asyncio.get_running_loop().time() - t0
        assert paced >= 19 / 30 * 0.95 and emu.rate_limited == 0
        t0 = asyncio.get_running_loop().time()
        await asyncio.gather(*[env.backend.send(str(u), Reply("x", "annonce"), paid=True) for u in users[20:]])
        # 40 paid messages are not paced at 30/s (which would take at least 39/30 s = 1.3 s), and
        # Telegram's enforced limits still see no 429
        assert asyncio.get_running_loop().time() - t0 < 39 / 30 * 0.7 and emu.rate_limited == 0
        assert sum(len(emu.sent[u]) for u in users) == 60
    finally:
        await env.stop()
        await emu.stop()
        env.app.store.close()

"""The bot against server behaviour our own emulator does not show by default but the Bot API
allows: optional methods a server does not know, start-up extras that fail in every shape,
updates of rare types or with optional fields in other combinations, error answers in
other shapes (retry_after only in the text, HTML pages, bodies that are not JSON, 409),
forum topics.  Each case: no crash, no double answer, what a user would expect."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.core.types import Blocked, Button, Reply, RetryLater, TransientError
from tests.support.telegram_emulator import Emulator
from tests.support.telegram_env import close_env, settle, start_env, start_recording_env

BOT = "mesbot_test_bot"
OPTIONAL = (
    "deleteWebhook",
    "setMyCommands",
    "setMyDescription",
    "setMyShortDescription",
    "getMyCommands",
    "deleteMyCommands",
    "getMyDescription",
    "getMyShortDescription",
    "setChatMenuButton",
    "close",
    "logOut",
    "sendChatAction",
)


async def conversation(emu, user=501):
    """/start, a menu button, a date: the core of what a user does."""
    emu.tap_start(user)
    n = len(await settle(emu, user, 2))
    qid = emu.press(user, label="reçu")
    assert (await emu.wait_answered(qid))["answered"]
    n = len(await settle(emu, user, n + 1))
    emu.private_message(user, "reçu le 20 novembre")
    msgs = await settle(emu, user, n + 1)
    assert "1er janvier 2027" in "\n".join(m["text"] for m in msgs[n:])
    return msgs


# -- 1. start-up needs only getMe ---------------------------------------------------------------


async def test_every_optional_method_unknown_the_bot_starts_and_answers(tmp_path):
    emu = await Emulator(unknown_methods=OPTIONAL).start()
    env = await start_recording_env(tmp_path, emu)
    try:
        await conversation(emu)
        # it did try them (best-effort) and each got the Bot API's 404
        await emu.wait_until(lambda: emu.calls["setMyShortDescription"] >= 2, 5, "start-up extras tried")
        assert emu.calls["deleteWebhook"] == 1 and emu.calls["setMyCommands"] == 3
        assert emu.errors[404] >= 8
        assert emu.commands == {} and emu.descriptions == {}
        assert not env.task.done()
    finally:
        await close_env(env)


@pytest.mark.parametrize("shape", ["400", "501", "html502", "not_json", "ok_false_200", "timeout"])
async def test_start_up_extras_failing_in_any_shape_do_not_stop_the_bot(tmp_path, shape):
    emu = await Emulator().start()
    for method in ("deleteWebhook", "setMyCommands", "setMyDescription", "setMyShortDescription"):
        if shape == "400":
            emu.fail(400, method=method, times=None, description="Bad Request: method is disabled")
        elif shape == "501":
            emu.fail(501, method=method, times=None)
        elif shape == "html502":
            emu.html_error(502, method=method, times=None)
        elif shape == "not_json":
            emu.fail(200, method=method, times=None, body="OK", content_type="text/plain")
        elif shape == "ok_false_200":
            emu.fail(200, method=method, times=None, body='{"ok":false}', content_type="application/json")
        else:
            emu.slow(1.5, method=method)  # longer than the start-up timeout (0.5 s in tests)
    env = await start_recording_env(tmp_path, emu)
    try:
        t0 = asyncio.get_running_loop().time()
        emu.tap_start(502)
        await settle(emu, 502, 2)
        assert asyncio.get_running_loop().time() - t0 < 3.0
        assert emu.calls["getUpdates"] >= 1 and not env.task.done()
    finally:
        await close_env(env)


async def test_no_getme_no_start(tmp_path):
    """getMe is the one call the bot cannot do without (it gives the bot's username)."""
    from telegram.error import InvalidToken

    emu = await Emulator(unknown_methods={"getMe"}).start()
    try:
        with pytest.raises(InvalidToken):
            await start_env(tmp_path, emu=emu)
    finally:
        await emu.stop()


# -- 2. updates in other shapes ------------------------------------------------------------------


async def test_optional_fields_absent_or_present_in_other_combinations(tg):
    emu = tg.emu
    # a user without language_code, username or last_name: answered, in the default language
    emu.tap_start(601, language_code=None)
    msgs = await settle(emu, 601, 2)
    assert any("Je veux comprendre" in b["text"] for b in emu.buttons(601))
    assert tg.events[-1].locale is None
    n = len(msgs)
    # a reply to an earlier bot message, a forwarded text, a text sent via an inline bot: text, once each
    emu.message(601, 601, "/aide", reply_to_message=emu.sent[601][-1])
    n = len(await settle(emu, 601, n + 1))
    emu.message(
        601, 601, "/aide", forward_origin={"type": "hidden_user", "sender_user_name": "X", "date": 1}, forward_date=1
    )
    n = len(await settle(emu, 601, n + 1))
    emu.message(601, 601, "/aide", via_bot={"id": 99, "is_bot": True, "first_name": "Gif", "username": "gif"})
    n = len(await settle(emu, 601, n + 1))
    assert [e.kind for e in tg.events] == ["start", "text", "text", "text"]
    assert all("/menu" in t for t in emu.texts(601)[-3:])
    # a command that is not at the start: plain text (as python-telegram-bot's CommandHandler sees it)
    emu.message(601, 601, "salut /aide", entities=[{"type": "bot_command", "offset": 6, "length": 5}])
    n = len(await settle(emu, 601, n + 1))
    assert tg.events[-1].kind == "text" and tg.events[-1].text == "salut /aide"
    # a photo with a caption: the bot does not read images, says so (even with a caption), once
    emu.message(
        601,
        601,
        None,
        caption="reçu le 20 novembre",
        photo=[{"file_id": "p1", "file_unique_id": "p1u", "width": 90, "height": 90}],
    )
    n = len(await settle(emu, 601, n + 1))
    assert tg.events[-1].kind == "unsupported" and "texte" in emu.texts(601)[-1]
    assert len(emu.sent[601]) == n


async def test_groups_channels_and_senders(tg):
    emu, app = tg.emu, tg.app
    group = -1001234567890123  # ids beyond 32 bits, as real supergroups have
    emu.group(group, "Grand collectif", admins=[8123456789])
    emu.group_message(group, 8123456789, f"/aide@{BOT}")
    await settle(emu, group, 1)
    ev = tg.events[-1]
    assert ev.chat_id == str(group) and ev.user_id == "8123456789" and not ev.is_direct
    assert await app.is_admin(ev) is True
    # someone speaking as their own channel in the group: answered, not an admin
    emu.message(group, 136817688, f"/aide@{BOT}", sender_chat={"id": -1005550001, "type": "channel", "title": "C"})
    await settle(emu, group, 2)
    assert tg.events[-1].user_id == "-1005550001" and await app.is_admin(tg.events[-1]) is False
    # a channel post copied automatically into its discussion group: not for the bot
    emu.message(
        group,
        777000,
        f"/aide@{BOT}",
        is_automatic_forward=True,
        sender_chat={"id": -1005550002, "type": "channel", "title": "Canal"},
    )
    # "salut /aide@bot" in a group: the command is not at the start; plain chatter is ignored
    emu.message(
        group,
        8123456789,
        f"salut /aide@{BOT}",
        entities=[{"type": "bot_command", "offset": 6, "length": 5 + len(BOT) + 1}],
    )
    # a photo with a caption in a group: no "only text" reply in a group
    emu.message(
        group,
        8123456789,
        None,
        caption="regardez",
        photo=[{"file_id": "p2", "file_unique_id": "p2u", "width": 90, "height": 90}],
    )
    # a channel post without "from": a command posted in the channel by the channel itself
    chan = -1009000000000001
    emu.channel(chan, "Canal", admins=[300])
    emu.channel_post(chan, "une annonce")
    emu.private_message(8123456789, "/aide")  # marker: everything before it was handled
    await settle(emu, 8123456789, 1)
    assert len(emu.sent[group]) == 2 and emu.sent[chan] == []


async def test_rare_update_types_get_no_answer_and_do_not_block(tg):
    emu = tg.emu
    emu.tap_start(701)
    n = len(await settle(emu, 701, 2))
    emu.business_message(701, "/aide")
    emu.reaction(701, 701, emu.sent[701][-1]["message_id"])
    emu.group(-1007000000001, "Club")
    emu.join_request(-1007000000001, 702)
    emu.push_update(
        "chat_boost",
        {
            "chat": {"id": -1007000000001, "type": "supergroup", "title": "Club"},
            "boost": {
                "boost_id": "b",
                "add_date": 1,
                "expiration_date": 2,
                "source": {"source": "premium", "user": emu.user(702)},
            },
        },
    )
    emu.push_update(
        "message",
        {"message_id": 5, "date": 1, "chat": {"id": 701, "type": "private"}},
        extra={"some_future_field": {"x": 1}},
    )  # a message with nothing in it
    emu.response_extra = {"future_top_level": True}
    emu.private_message(701, "/aide")
    await settle(emu, 701, n + 1)
    assert len(emu.sent[701]) == n + 1 and emu.sent[702] == [] and emu.sent[-1007000000001] == []
    assert [e.kind for e in tg.events[1:]] == ["text"]


async def test_update_id_gaps_out_of_order_and_redelivery_are_each_answered_once(tg):
    emu = tg.emu
    for u in (801, 802, 803, 804):
        emu.tap_start(u)
    for u in (801, 802, 803, 804):
        await settle(emu, u, 2)
    emu.skip_update_ids(1000)  # a gap
    emu.private_message(801, "/aide")
    await settle(emu, 801, 3)
    # three in one batch, out of order, and one of them delivered twice
    base = 5_000_000_000  # and beyond 32 bits
    msgs = {u: emu._user_message(emu.private_chat(u), u, "/aide") for u in (802, 803, 804)}
    emu.push_update("message", msgs[803], update_id=base + 3)
    emu.push_update("message", msgs[802], update_id=base + 1)
    dup = emu.push_update("message", msgs[804], update_id=base + 2)
    emu.push_raw(dict(dup))
    for u in (802, 803, 804):
        await settle(emu, u, 3)
    await asyncio.sleep(0.3)
    assert [len(emu.sent[u]) for u in (802, 803, 804)] == [3, 3, 3]
    assert tg.backend.counters.get("duplicates", 0) >= 1
    # later updates keep flowing (the offset neither got stuck nor skipped anything)
    emu.private_message(801, "/aide")
    await settle(emu, 801, 4)
    assert len(emu.sent[801]) == 4 and emu.pending_updates() == 0


async def test_callback_queries_in_other_shapes(tg):
    emu = tg.emu
    emu.tap_start(901)
    n = len(await settle(emu, 901, 2))
    # a press on a message too old to be accessible (InaccessibleMessage, date 0)
    data = emu.buttons(901)[0]["callback_data"]
    qid = emu.callback(901, data, inaccessible=True)
    assert (await emu.wait_answered(qid))["answered"]
    n = len(await settle(emu, 901, n + 1))
    assert tg.events[-1].kind == "button" and tg.events[-1].choice == data
    # a press on an inline message (no message, inline_message_id): answered, nothing else
    before = len(tg.events)
    qid = emu.callback(901, "menu:main:x", inline=True)
    assert (await emu.wait_answered(qid))["answered"]
    # a press with data the bot never issued, and with a compacted id it does not know
    for forged in ("nothing:we:issued", "#0123456789abcdef0123", "x"):
        qid = emu.callback(901, forged)
        assert (await emu.wait_answered(qid))["answered"]
        n = len(await settle(emu, 901, n + 1))
        assert "plus valable" in "\n".join(emu.texts(901)[-2:])
    # a press without data (a game button): answered, nothing else
    qid = emu.callback(901, None)
    assert (await emu.wait_answered(qid))["answered"]
    await asyncio.sleep(0.2)
    assert len(emu.sent[901]) == n
    assert [e.kind for e in tg.events[before:]] == ["button"] * 3


async def test_bot_removed_from_a_group_stops_sending_there_until_added_back(tg):
    emu, backend = tg.emu, tg.backend
    group = -1004242424242
    emu.group(group, "Collectif", admins=[950])
    assert await backend.send(str(group), Reply("x", "annonce"))
    emu.member_update(group, 950, "administrator", "left")
    await emu.wait_until(lambda: str(group) in backend._gone_chats(), 5, "removal seen")
    calls = emu.calls["sendMessage"]
    with pytest.raises(Blocked):
        await backend.send(str(group), Reply("x", "annonce"))
    assert emu.calls["sendMessage"] == calls  # not even tried
    emu.member_update(group, 950, "left", "member")
    await emu.wait_until(lambda: str(group) not in backend._gone_chats(), 5, "re-added")
    assert await backend.send(str(group), Reply("x", "annonce"))
    # a private chat: blocked -> no sends; the user writes again -> answered again
    emu.tap_start(951)
    await settle(emu, 951, 2)
    emu.member_update(951, 951, "member", "kicked")
    await emu.wait_until(lambda: not tg.app.store.get_user("telegram:951").active, 5, "deactivated")
    with pytest.raises(Blocked):
        await backend.send("951", Reply("x", "rappel"))
    emu.private_message(951, "/aide")
    await settle(emu, 951, 3)


# -- 3. error answers in other shapes ------------------------------------------------------------


@pytest.mark.parametrize("where,expected", [("text", 1.0), ("params", 1.0), ("both", 1.0), ("none", 2.0)])
async def test_429_retry_after_wherever_the_server_puts_it(tg, where, expected):
    emu, backend = tg.emu, tg.backend
    emu.add_users([1001])
    emu.fail(429, method="sendMessage", chat_id=1001, retry_after=1, retry_in=where)
    with pytest.raises(RetryLater) as e:
        await backend.send("1001", Reply("x", "rappel"))
    assert e.value.retry_after == expected
    assert backend.pacer.paused_for("1001") > 0.5 and backend.pacer.paused_for("1002") == 0


async def test_429_as_an_html_page_and_in_the_text_only_for_an_inbound_reply(tg):
    emu, backend = tg.emu, tg.backend
    emu.html_error(429, method="sendMessage", chat_id=1003)
    with pytest.raises(RetryLater):
        await backend.send("1003", Reply("x", "rappel"))
    emu.tap_start(1004)
    await settle(emu, 1004, 2)
    emu.fail(429, method="sendMessage", chat_id=1004, retry_after=1, retry_in="text")
    t0 = asyncio.get_running_loop().time()
    emu.private_message(1004, "/aide")
    await settle(emu, 1004, 3)
    assert asyncio.get_running_loop().time() - t0 >= 0.9  # waited, then delivered once
    assert len(emu.sent[1004]) == 3


def _edit_handler(app):
    real = app.handle

    async def handle(event):
        if event.kind == "button":
            return [Reply("x", "Réponse : oui", edit=True), Reply("y", "Et ensuite ?")]
        return await real(event)

    app.handle = handle


@pytest.mark.parametrize("answer", ["not_modified", "not_found", "cant_edit", "unknown_method", "501"])
async def test_edit_answers(tg, answer):
    emu, backend = tg.emu, tg.backend
    emu.add_users([1101])
    mid = await backend.send("1101", Reply("x", "Question ?", buttons=((Button("Oui", payload="p:q:yes"),),)))
    _edit_handler(tg.app)
    if answer == "not_modified":
        emu.fail(
            400,
            method="editMessageText",
            description="Bad Request: message is not modified: specified new "
            "message content and reply markup are exactly the same as a current content and reply markup",
        )
    elif answer == "not_found":
        emu.fail(400, method="editMessageText", description="Bad Request: message to edit not found")
    elif answer == "cant_edit":
        emu.fail(400, method="editMessageText", description="Bad Request: message can't be edited")
    elif answer == "unknown_method":
        emu.unknown_methods.add("editmessagetext")
    else:
        emu.fail(501, method="editMessageText", times=None)
    qid = emu.press(1101, label="Oui")
    await emu.wait_answered(qid)
    if answer == "not_modified":  # success: nothing new about the pressed message, then the next reply
        msgs = await settle(emu, 1101, 2)
        assert [m["text"] for m in msgs] == ["Question ?", "Et ensuite ?"]
        assert msgs[0]["message_id"] == int(mid)
    else:  # the edit is impossible: the answer comes as a new message
        msgs = await settle(emu, 1101, 3)
        assert [m["text"] for m in msgs] == ["Question ?", "Réponse : oui", "Et ensuite ?"]
    assert emu.calls["editMessageText"] == 1


async def test_callback_answer_too_old_is_ignored(tg):
    emu = tg.emu
    emu.tap_start(1201)
    n = len(await settle(emu, 1201, 2))
    emu.fail(
        400,
        method="answerCallbackQuery",
        description="Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    emu.press(1201, label="comprendre")
    await settle(emu, 1201, n + 1)
    assert emu.errors[400] == 1 and len(emu.sent[1201]) == n + 1


@pytest.mark.parametrize(
    "code,description",
    [
        (403, "Forbidden: bot was blocked by the user"),
        (403, "Forbidden: user is deactivated"),
        (403, "Forbidden: bot was kicked from the group chat"),
        (403, "Forbidden: bot can't initiate conversation with a user"),
        (403, "Forbidden: bot is not a member of the channel chat"),
        (400, "Bad Request: chat not found"),
        (400, "Bad Request: have no rights to send a message"),
    ],
)
async def test_refusals_mean_blocked(tg, code, description):
    emu, app = tg.emu, tg.app
    emu.add_users([1301])
    emu.fail(code, method="sendMessage", chat_id=1301, description=description)
    with pytest.raises(Blocked):
        await tg.backend.send("1301", Reply("x", "rappel"))
    emu.tap_start(1302)
    await settle(emu, 1302, 2)
    emu.fail(code, method="sendMessage", chat_id=1302, description=description, times=None)
    emu.private_message(1302, "/aide")
    await emu.wait_until(lambda: not app.store.get_user("telegram:1302").active, 5, "deactivation")


async def test_409_conflict_on_getupdates_backs_off_logs_once_and_recovers(tg, caplog):
    emu = tg.emu
    caplog.set_level(logging.INFO, logger="mes_bot.telegram")
    emu.fail(409, method="getUpdates", times=4)
    emu.tap_start(1401)  # taken by the poll in flight; the next four polls answer 409
    await settle(emu, 1401, 2)
    await emu.wait_until(lambda: emu.errors[409] == 4, 5, "four conflicts")
    emu.private_message(1401, "/aide")
    await settle(emu, 1401, 3)
    warnings = [r for r in caplog.records if "polling_error" in r.getMessage() and r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "Conflict" in warnings[0].getMessage()
    assert any("polling_recovered" in r.getMessage() for r in caplog.records)
    assert tg.backend.connected
    # a webhook set by someone else: getUpdates says 409; the bot removes it and polls again
    emu.webhook = {"url": "https://example.invalid/hook"}
    emu.private_message(1401, "/aide")
    await settle(emu, 1401, 4)
    assert emu.webhook["url"] == "" and emu.calls["deleteWebhook"] >= 2


@pytest.mark.parametrize("shape", ["html502", "html504", "not_json_200", "no_result_200", "json500", "429text"])
async def test_getupdates_answers_in_other_shapes_do_not_stop_polling(tg, shape):
    emu = tg.emu
    if shape == "html502":
        emu.html_error(502, method="getUpdates", times=2)
    elif shape == "html504":
        emu.html_error(504, method="getUpdates", times=2)
    elif shape == "not_json_200":
        emu.fail(200, method="getUpdates", times=2, body="<html>maintenance</html>")
    elif shape == "no_result_200":
        emu.fail(200, method="getUpdates", times=2, body='{"ok":true}', content_type="application/json")
    elif shape == "json500":
        emu.fail(500, method="getUpdates", times=2)
    else:
        emu.fail(429, method="getUpdates", times=1, retry_after=1, retry_in="text")
    await emu.wait_until(lambda: not emu.faults or all(f.times == 0 for f in emu.faults), 5, "faults consumed")
    t0 = asyncio.get_running_loop().time()
    emu.tap_start(1501)
    await settle(emu, 1501, 2)
    assert not tg.task.done()
    if shape == "429text":  # waited retry_after (1 s), not the 50 ms back-off used in tests
        assert asyncio.get_running_loop().time() - t0 >= 0.7


async def test_sends_answered_with_html_pages_or_garbage(tg):
    emu, backend = tg.emu, tg.backend
    emu.add_users([1601])
    emu.html_error(502, method="sendMessage", chat_id=1601)
    with pytest.raises(TransientError):
        await backend.send("1601", Reply("x", "rappel"))
    emu.html_error(504, method="sendMessage", chat_id=1601)
    with pytest.raises(TransientError):
        await backend.send("1601", Reply("x", "rappel"))
    # a 2xx whose body is not JSON: the server took it; not sent a second time
    calls = emu.calls["sendMessage"]
    emu.fail(200, method="sendMessage", chat_id=1601, body="ok", content_type="text/plain")
    assert await backend.send("1601", Reply("x", "rappel")) is None
    assert emu.calls["sendMessage"] == calls + 1
    # an inbound reply through two gateway pages still arrives, once
    emu.tap_start(1602)
    await settle(emu, 1602, 2)
    emu.html_error(502, method="sendMessage", chat_id=1602)
    emu.html_error(504, method="sendMessage", chat_id=1602)
    emu.private_message(1602, "/aide")
    await settle(emu, 1602, 3)
    assert len(emu.sent[1602]) == 3


# -- 4. forum topics ------------------------------------------------------------------------------


async def test_replies_in_a_forum_topic_stay_in_that_topic(tg):
    emu = tg.emu
    forum = -1009876543210
    emu.forum(forum, "Forum", topics={42: "Questions", 43: "Fermé"}, admins=[1701])
    emu.topic_message(forum, 1701, 42, f"/aide@{BOT}")
    msgs = await settle(emu, forum, 1)
    assert msgs[-1]["message_thread_id"] == 42 and msgs[-1]["is_topic_message"]
    # a personal command in the topic: the "continue in private" answer lands in the topic too
    emu.topic_message(forum, 1701, 42, f"/rappels@{BOT}")
    msgs = await settle(emu, forum, 2)
    assert msgs[-1]["message_thread_id"] == 42
    assert any(b.get("url", "").startswith(f"https://t.me/{BOT}?start=") for b in emu.buttons(forum))
    # the General topic has no thread id: replies go to the chat
    emu.group_message(forum, 1701, f"/aide@{BOT}")
    msgs = await settle(emu, forum, 3)
    assert "message_thread_id" not in msgs[-1]
    # a topic closed (or deleted) meanwhile: the answer goes to the chat rather than nowhere
    emu.topic_message(forum, 1701, 43, f"/aide@{BOT}")
    emu.close_topic(forum, 43)
    msgs = await settle(emu, forum, 4)
    assert "message_thread_id" not in msgs[-1] and emu.errors[400] >= 1
    # a reply thread in a plain supergroup is not a topic: no thread id sent
    emu.group(-1001111111111, "Groupe")
    emu.message(
        -1001111111111,
        1701,
        f"/aide@{BOT}",
        message_thread_id=7,
        reply_to_message={"message_id": 7, "date": 1, "chat": {"id": -1001111111111, "type": "supergroup"}},
    )
    msgs = await settle(emu, -1001111111111, 1)
    assert "message_thread_id" not in msgs[-1]


async def test_button_pressed_in_a_topic_answers_in_that_topic(tg):
    emu, app = tg.emu, tg.app
    forum = -1009876500000
    emu.forum(forum, "Forum", topics={5: "Aide"})
    msg = emu.topic_message(forum, 1801, 5, f"/menu@{BOT}")
    await settle(emu, forum, 1)
    assert emu.last(forum)["message_thread_id"] == 5
    real = app.handle

    async def handle(event):
        if event.kind == "button":
            return [Reply("x", "Réponse", edit=True), Reply("y", "Suite")]
        return await real(event)

    app.handle = handle
    await tg.backend.send(str(forum), Reply("x", "Question ?", buttons=((Button("Oui", payload="p:q:yes"),),)))
    # the bot's own message in the topic (as sent in the topic) is what the user presses
    emu.sent[forum][-1].update(message_thread_id=5, is_topic_message=True)
    emu.press(forum, user_id=1801, label="Oui")
    msgs = await settle(emu, forum, 3)
    assert msgs[-1]["text"] == "Suite" and msgs[-1]["message_thread_id"] == 5
    assert msgs[-2]["text"] == "Réponse"
    assert msg["chat"]["is_forum"] is True


async def test_older_server_refusing_new_update_types_and_not_long_polling(tmp_path):
    """A server that refuses update type names it does not know, and answers getUpdates at
    once: the bot falls back to the server's default update types and does not spin."""
    emu = Emulator()
    emu.known_update_types = {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "callback_query",
        "my_chat_member",
    }
    emu.long_polling = False
    await emu.start()
    env = await start_recording_env(tmp_path, emu)
    try:
        await conversation(emu, 1901)
        calls = emu.calls["getUpdates"]
        await asyncio.sleep(1.0)
        assert emu.calls["getUpdates"] - calls <= 8  # ~4/s at most, not a busy loop
        assert emu.errors[400] >= 1
    finally:
        await close_env(env)

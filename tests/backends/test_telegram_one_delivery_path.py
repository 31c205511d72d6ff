"""Issue 15, point 1, on Telegram: the backend only translates.  A forum topic becomes the event's
``Address.thread``; what a failed reply means (a group that moved, a person who blocked the bot)
is done once, by the core's delivery path (App.deliver); ``send`` tries once and raises the core's
typed errors.  Whole bot, real python-telegram-bot, the Bot API emulator."""

from __future__ import annotations

import pytest

from bot.core.types import Reply, TransientError
from bot.infra import metrics
from tests.support.telegram_env import close_env, settle, start_recording_env

BOT = "mesbot_test_bot"


@pytest.fixture
async def tg(tmp_path):
    env = await start_recording_env(tmp_path)
    yield env
    await close_env(env)


async def test_a_forum_topic_is_the_address_thread_of_the_event_and_its_replies(tg):
    emu = tg.emu
    forum = -1009876512345
    emu.forum(forum, "Forum", topics={42: "Questions"}, admins=[1701])
    emu.topic_message(forum, 1701, 42, f"/aide@{BOT}")
    msgs = await settle(emu, forum, 1)
    event = tg.events[-1]
    assert (event.thread, event.address.thread) == ("42", "42")
    assert msgs[-1]["message_thread_id"] == 42
    emu.group_message(forum, 1701, f"/aide@{BOT}")  # the General topic: no thread
    await settle(emu, forum, 2)
    assert tg.events[-1].thread is None and tg.events[-1].address.thread is None


async def test_a_reply_to_a_group_that_moved_is_followed_once_by_the_core(tg):
    emu, app = tg.emu, tg.app
    emu.group(-4100, "Ancien", admins=[1702])
    coll = app.store.ensure_collective("telegram", "-4100")
    new = emu.group(-1004100, "Ancien", type="supergroup")
    emu.chats[-4100].migrated_to = new.id  # moved, and the bot has not heard of it yet
    moves = []
    hook = app.services.chat_moved
    assert hook is not None

    def counting(backend, old, new_id):
        moves.append((backend, old, new_id))
        return hook(backend, old, new_id)

    app.services.chat_moved = counting
    emu.group_message(-4100, 1702, f"/aide@{BOT}")
    await settle(emu, -1004100, 1)
    assert moves == [("telegram", "-4100", "-1004100")]  # once, through the core's service
    assert app.store.get_collective(coll["id"])["chat_id"] == "-1004100"
    assert app.store.collective_by_chat("telegram", "-4100") is None


async def test_a_person_who_blocked_the_bot_is_marked_by_the_core(tg):
    emu, app = tg.emu, tg.app
    u = 6101
    emu.tap_start(u)
    await settle(emu, u, 2)
    coll = app.store.ensure_collective("telegram", "-4200")
    app.store.follow(coll["id"], f"telegram:{u}", "telegram", str(u), "fr")
    blocked = metrics.get("send_failures", backend="telegram", kind="Blocked")
    emu.fail(403, method="sendMessage", chat_id=u, description="Forbidden: bot was blocked by the user")
    emu.private_message(u, "/aide")
    await emu.wait_until(lambda: not app.store.get_user(f"telegram:{u}").active, 5, "the person marked")
    assert app.store.follows_of(f"telegram:{u}") == []  # no announcement either (the core's marking)
    assert metrics.get("send_failures", backend="telegram", kind="Blocked") == blocked + 1


async def test_send_tries_once_and_raises_the_cores_typed_error(tg):
    emu, backend = tg.emu, tg.backend
    u = 6102
    emu.add_users([u])
    emu.fail(502, method="sendMessage", chat_id=u, times=1)
    with pytest.raises(TransientError):
        await backend.send(str(u), Reply("x", "a" * 5000))  # a split message whose first part fails
    assert len(emu.sent[u]) == 0 and emu.errors[502] == 1  # not retried by the backend
    assert await backend.send(str(u), Reply("x", "a" * 5000)) is not None
    assert len(emu.sent[u]) == 2  # both parts, once

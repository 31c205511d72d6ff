"""One delivery path (issue 15): replies, reminders, admin notices and broadcast waves all go through
App.deliver, which follows a moved chat (the store's users, collective and followers move with it),
marks a person who blocked the bot, and hands a retry back to a queue.  Real router, store, templates
and scheduler (tests/support/harness.py) with a transport that fails on demand."""

from __future__ import annotations

from datetime import timedelta

from bot.core.app import App
from bot.core.delivery import BLOCKED, RETRY, SENT, Backoff, Policy
from bot.core.types import Address, ChatMoved, Event, Reply, RetryLater
from bot.infra import metrics
from tests.support.harness import FakeBackend, make_app


class MovingBackend(FakeBackend):
    """The recording transport; ``moves[chat]`` answers "chat moved" once for that chat, ``fail`` raises
    the next errors in order; ``bulk`` records which sends were a broadcast's."""

    def __init__(self):
        super().__init__()
        self.moves: dict[str, str] = {}
        self.fail: list[Exception] = []
        self.bulk: list[str] = []

    async def send(self, chat_id, reply):
        if chat_id in self.moves:
            raise ChatMoved(self.moves.pop(chat_id))
        if self.fail:
            raise self.fail.pop(0)
        return await super().send(chat_id, reply)

    async def send_bulk(self, chat_id, reply):
        self.bulk.append(chat_id)
        return await self.send(chat_id, reply)


def app_with(tmp_path) -> tuple[App, MovingBackend]:
    app, _b, _clock = make_app(tmp_path)
    app.backends.clear()
    backend = MovingBackend()
    app.add_backend(backend)
    return app, backend


async def test_every_reply_carries_the_address_of_its_event(tmp_path):
    app, _backend = app_with(tmp_path)
    event = Event(backend="fake", chat_id="-100", user_id="u1", text="/aide", is_direct=False, message_id="7")
    replies = await app.handle(event)
    assert replies and {r.to for r in replies} == {Address("fake", "-100", "u1", reply_to="7", direct=False)}


async def test_a_reply_to_a_group_that_moved_follows_it_and_so_does_the_store(tmp_path):
    app, backend = app_with(tmp_path)
    coll = app.store.ensure_collective("fake", "-100")
    app.store.follow(coll["id"], "fake:f1", "fake", "-100", "fr")  # (a follower addressed in that chat)
    backend.moves["-100"] = "-200"
    await app.handle_event(Event(backend="fake", chat_id="-100", user_id="u1", text="/aide", is_direct=False))
    assert backend.sent and {c for c, _ in backend.sent} == {"-200"}
    assert app.store.get_collective(coll["id"])["chat_id"] == "-200"
    assert app.store.collective_by_chat("fake", "-100") is None
    assert [r["chat_id"] for r in app.store.db.query("SELECT chat_id FROM followers")] == ["-200"]


async def test_a_reminder_whose_chat_moved_goes_to_the_new_chat_which_the_person_keeps(tmp_path):
    app, backend = app_with(tmp_path)
    now = app.clock.now()
    app.store.touch_user("fake:r", "fake", "r", now)
    app.store.set_user("fake:r", tz="Europe/Paris")
    app.store.create_deadline(
        "fake:r",
        label="me",
        deadline="2026-12-20",
        recommended=None,
        tz="Europe/Paris",
        until_at=int((now + timedelta(days=30)).timestamp()),
        schedule="7",
        plan=[(int(now.timestamp()) - 60, 7, "plan")],
        now=now,
    )
    backend.moves["r"] = "r2"
    assert await app.tick() >= 1
    assert [c for c, r in backend.sent if r.key == "reminders/due"] == ["r2"]
    assert app.store.get_user("fake:r").chat_id == "r2"


async def test_a_person_who_blocked_the_bot_is_marked_for_every_sender(tmp_path):
    app, backend = app_with(tmp_path)
    now = app.clock.now()
    app.store.touch_user("fake:b", "fake", "b", now)
    coll = app.store.ensure_collective("fake", "-100")
    app.store.follow(coll["id"], "fake:b", "fake", "b", "fr")
    backend.blocked.add("b")
    reply = Reply(key="k", text="t")
    out = await app.deliver(reply, Address("fake", "b", "b", direct=True), policy=Policy())
    assert out.status == BLOCKED
    assert app.store.get_user("fake:b").active is False
    assert app.store.follows_of("fake:b") == []  # no announcement either
    # in a group, a refusal is the place's, not a person's: nobody is marked
    app.store.touch_user("fake:g", "fake", "g", now)
    backend.blocked.add("-300")
    out = await app.deliver(reply, Address("fake", "-300", "g", direct=False), policy=Policy())
    assert out.status == BLOCKED and app.store.get_user("fake:g").active is True


async def test_a_queued_message_gets_its_retry_back_and_a_wave_uses_the_bulk_send(tmp_path):
    metrics.reset()
    app, backend = app_with(tmp_path)
    backend.fail = [RetryLater(42)]
    policy = Policy(Backoff(2.0, 120.0), bulk=True, metric="broadcast")
    out = await app.deliver(Reply(key="k", text="t"), Address("fake", "f1"), policy=policy)
    assert (out.status, out.wait, out.rate_limited) == (RETRY, 42.0, True)
    assert backend.sent == [] and backend.bulk == ["f1"]  # tried once, not slept on
    out = await app.deliver(Reply(key="k", text="t"), Address("fake", "f1"), policy=policy)
    assert out.status == SENT and out.message_id == "1"
    assert metrics.get("broadcast_429", backend="fake") == 1 and metrics.get("broadcast_sent", backend="fake") == 1
    assert metrics.get("send_failures", backend="fake", kind="RetryLater") == 1
    assert metrics.get("messages_out", backend="fake") == 1


async def test_a_chat_that_keeps_moving_is_followed_a_bounded_number_of_times(tmp_path):
    app, backend = app_with(tmp_path)

    class Forever(MovingBackend):
        async def send(self, chat_id, reply):
            raise ChatMoved(chat_id + "x")

    app.backends.clear()
    app.add_backend(Forever())
    out = await app.deliver(Reply(key="k", text="t"), Address("fake", "c"), policy=Policy(moves=3))
    assert out.status == "dropped" and out.chat_id == "cxxx" and out.moved_from == "c"


async def test_services_are_typed_attributes_and_no_key_is_invented(tmp_path):
    app, _backend = app_with(tmp_path)
    assert app.services.broadcaster is not None and app.services.stopping is None
    try:
        app.services.broadcast_pacer = object()  # type: ignore[attr-defined]
    except AttributeError:
        pass
    else:
        raise AssertionError("a service nobody declared was accepted")
    assert "stopping" not in dict(app.services.items())

"""Choices as keycap reactions on Matrix: the bot reacts 1️⃣ 2️⃣ … to its own choice message, and a
person's keycap reaction selects like typing the number.

Unit tests (no server) for the mapping and the best-effort sending; then a real Synapse with real nio
humans, in a plain and an encrypted direct chat."""

from __future__ import annotations

import asyncio
import time
import urllib.parse
from types import SimpleNamespace

import pytest

from bot.backends.matrix.backend import KEYCAPS, MatrixBackend, keycap_index
from bot.core.types import Blocked, Button, Reply, RetryLater
from tests.support.harness import make_app
from tests.support.synapse import make_human, start_bot

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MENU = Reply(
    key="menu/main",
    text="Menu",
    buttons=(
        (Button("Un", payload="menu:main:a"),),
        (Button("Lien", url="https://example.org"),),
        (Button("Deux", payload="menu:main:b"),),
        (Button("Trois", payload="menu:main:c"),),
    ),
)


def test_keycaps_in_list_order_with_or_without_variation_selector():
    assert KEYCAPS[0] == "1\ufe0f\u20e3" and KEYCAPS[8] == "9\ufe0f\u20e3" and KEYCAPS[9] == "\U0001f51f"
    assert [keycap_index(k) for k in KEYCAPS] == list(range(10))
    assert keycap_index("2\u20e3") == 1  # some clients drop U+FE0F
    assert keycap_index("👍") is None and keycap_index("2") is None and keycap_index("") is None


class _FakeBackend(MatrixBackend):
    """The real backend with the network replaced: sends are recorded (or fail on demand)."""

    def __init__(self, app, settings):
        super().__init__(app, settings)
        self.client = SimpleNamespace(rooms={})
        self.sent: list[tuple[str, str, dict]] = []
        self.fail_reaction: Exception | None = None
        self.events = []
        self._handler = self._record

    async def _record(self, event):
        self.events.append(event)

    async def _room_send(self, room_id, content, msgtype="m.room.message"):
        if msgtype == "m.reaction" and self.fail_reaction is not None:
            self.sent.append((room_id, "failed", content))
            raise self.fail_reaction
        self.sent.append((room_id, msgtype, content))
        return f"$ev{len(self.sent)}"


def _backend(tmp_path, **settings):
    app, _fake, _clock = make_app(tmp_path, **settings)
    return _FakeBackend(app, app.settings)


def _reaction(reacts_to, key, sender="@alice:t", event_id=None, ts=None):
    return SimpleNamespace(
        reacts_to=reacts_to,
        key=key,
        sender=sender,
        event_id=event_id or f"$r{time.time_ns()}",
        server_timestamp=ts if ts is not None else int(time.time() * 1000) + 1000,
    )


async def _answer(backend, room, reply):
    """Send ``reply`` as the answer to a person's message in ``room`` (the way the sync loop does)."""
    from bot.core.types import Event

    mids = []

    async def handler(_ev):
        mids.append(await backend.send(room, reply))

    backend._handler = handler
    await backend._dispatch(Event(backend="matrix", chat_id=room, user_id="@alice:t"))
    backend._handler = backend._record
    await asyncio.gather(*backend._reaction_tasks)
    return mids[0]


async def test_reactions_follow_the_choice_buttons_and_select_their_payload(tmp_path):
    b = _backend(tmp_path)
    mid = await _answer(b, "!r", MENU)
    reactions = [c for _r, t, c in b.sent if t == "m.reaction"]
    # one keycap per choice button, in the order of the numbered list; the link gets none
    assert [c["m.relates_to"]["key"] for c in reactions] == list(KEYCAPS[:3])
    assert all(
        c["m.relates_to"] == {"rel_type": "m.annotation", "event_id": mid, "key": c["m.relates_to"]["key"]}
        for c in reactions
    )
    # a person clicks 2️⃣: the router gets the second choice's exact payload
    await b._on_reaction("!r", _reaction(mid, KEYCAPS[1], event_id="$x1"), True)
    [ev] = b.events
    assert (ev.kind, ev.choice, ev.user_id, ev.chat_id, ev.is_direct) == (
        "button",
        "menu:main:b",
        "@alice:t",
        "!r",
        True,
    )
    # the same reaction event again (sync replay): handled once
    await b._on_reaction("!r", _reaction(mid, KEYCAPS[1], event_id="$x1"), True)
    # a keycap beyond the choices, another emoji, an unknown message, the wrong room: nothing
    await b._on_reaction("!r", _reaction(mid, KEYCAPS[3]), True)
    await b._on_reaction("!r", _reaction(mid, "👍"), True)
    await b._on_reaction("!r", _reaction("$unknown", KEYCAPS[0]), True)
    await b._on_reaction("!other", _reaction(mid, KEYCAPS[0]), True)
    # a reaction from before the bot's start is not replayed
    await b._on_reaction("!r", _reaction(mid, KEYCAPS[0], ts=b.started_at_ms - 1), True)
    assert len(b.events) == 1
    # a newer choice message: the older one still maps to its own payloads while remembered
    mid2 = await _answer(b, "!r", Reply(key="k", text="t", buttons=((Button("X", payload="f:s:x"),),)))
    await b._on_reaction("!r", _reaction(mid2, KEYCAPS[0]), True)
    await b._on_reaction("!r", _reaction(mid, KEYCAPS[2]), True)
    assert [e.choice for e in b.events[1:]] == ["f:s:x", "menu:main:c"]


async def test_no_reactions_without_choices_or_outside_a_conversation_or_when_disabled(tmp_path):
    b = _backend(tmp_path)
    await _answer(b, "!r", Reply(key="k", text="t", buttons=((Button("Lien", url="https://example.org"),),)))
    await b.send("!r", MENU)  # a reminder / broadcast: numbered list, no reactions
    await asyncio.gather(*b._reaction_tasks)
    assert [t for _r, t, _c in b.sent] == ["m.room.message", "m.room.message"]
    # still selectable by reaction (the mapping is kept for every choice message)
    await b._on_reaction("!r", _reaction("$ev2", KEYCAPS[0]), True)
    assert [e.choice for e in b.events] == ["menu:main:a"]
    off = _backend(tmp_path / "off", matrix_reactions=False)
    await _answer(off, "!r", MENU)
    assert [t for _r, t, _c in off.sent] == ["m.room.message"]


async def test_a_429_on_a_reaction_is_dropped_and_pauses_reactions(tmp_path):
    b = _backend(tmp_path)
    b.fail_reaction = RetryLater(2.0)
    mid = await _answer(b, "!r", MENU)  # the reply itself is delivered
    assert mid == "$ev1"
    assert [t for _r, t, _c in b.sent] == ["m.room.message", "failed"]  # one try, no retry loop
    b.fail_reaction = None
    await _answer(b, "!r", MENU)  # paused: the reply goes out, without reactions
    assert [t for _r, t, _c in b.sent][2:] == ["m.room.message"]
    b._reactions_paused_until = 0.0
    b.fail_reaction = Blocked("gone")  # any other failure: dropped, never raised
    await _answer(b, "!r", MENU)
    assert [t for _r, t, _c in b.sent][3:] == ["m.room.message", "failed"]


async def test_a_newer_choice_message_stops_reacting_to_the_older_one(tmp_path):
    b = _backend(tmp_path)
    from bot.core.types import Event

    async def handler(_ev):  # two choice messages in one turn: only the last one gets keycaps
        await b.send("!r", MENU)
        await b.send("!r", Reply(key="k", text="t", buttons=((Button("X", payload="f:s:x"),),)))

    b._handler = handler
    await b._dispatch(Event(backend="matrix", chat_id="!r", user_id="@alice:t"))
    await asyncio.gather(*b._reaction_tasks)
    reactions = [c["m.relates_to"] for _r, t, c in b.sent if t == "m.reaction"]
    assert reactions == [{"rel_type": "m.annotation", "event_id": "$ev2", "key": KEYCAPS[0]}]


# -- with Synapse --------------------------------------------------------------------------------
async def _react(human, room, event_id, key):
    from nio import RoomSendResponse

    resp = await human.client.room_send(
        room,
        "m.reaction",
        {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}},
        ignore_unverified_devices=True,
    )
    assert isinstance(resp, RoomSendResponse), resp
    return resp.event_id


async def _wait_reactions(human, event_id, sender, n, timeout=15.0):
    deadline = time.monotonic() + timeout
    while True:
        got = [r["key"] for r in human.reactions if r["reacts_to"] == event_id and r["sender"] == sender]
        if len(got) >= n or time.monotonic() >= deadline:
            return got
        await human.sync(300)


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
async def test_keycap_reaction_answers_like_the_typed_number(synapse, tmp_path, encrypted):
    bot = await start_bot(synapse, tmp_path / "bot")
    seen: list = []  # (event, replies) as the router got them
    handle = bot.app.handle

    async def spy(ev):
        replies = await handle(ev)
        seen.append((ev, replies))
        return replies

    bot.app.handle = spy
    alice = await make_human(synapse, tmp_path, "alice")
    try:
        room = await alice.create_room(invite=[bot.user_id], direct=True, encrypted=encrypted)
        welcome = await alice.wait_messages(room, 2)
        assert len(welcome) == 2 and not any(m["undecrypted"] for m in welcome)
        await alice.send(room, "/menu")
        [menu] = await alice.wait_messages(room, 1)
        payloads = [b.payload for b in seen[-1][1][-1].flat_buttons() if b.url is None]
        assert len(payloads) >= 2 and "2. " in menu["body"]
        # the bot's own keycaps are on its choice message, in the numbered list's order
        keys = await _wait_reactions(alice, menu["event_id"], bot.user_id, len(payloads))
        assert keys == list(KEYCAPS[: len(payloads)])
        assert not [r for r in alice.reactions if r["reacts_to"] == welcome[0]["event_id"]]  # no choices there
        if not encrypted:
            # the bot account reacting from another device is the bot: ignored (3️⃣ without U+FE0F,
            # which the bot reads as 3 but Synapse does not count as the bot's own 3️⃣ again)
            login = synapse._request(
                "POST",
                "/_matrix/client/v3/login",
                {
                    "type": "m.login.password",
                    "identifier": {"type": "m.id.user", "user": bot.user_id},
                    "password": bot.password,
                },
            )
            synapse._request(
                "PUT",
                f"/_matrix/client/v3/rooms/{urllib.parse.quote(room)}/send/m.reaction/t1",
                {"m.relates_to": {"rel_type": "m.annotation", "event_id": menu["event_id"], "key": "3\u20e3"}},
                token=login["access_token"],
            )
        before = len(seen)
        # a keycap on a message without choices does nothing; then 2️⃣ on the menu
        await _react(alice, room, welcome[0]["event_id"], KEYCAPS[0])
        await _react(alice, room, menu["event_id"], KEYCAPS[1])
        first = await alice.wait_messages(room, 1)
        assert first and not first[0]["undecrypted"]
        assert await bot.wait_until(lambda: len(seen) > before)
        [(ev, replies)] = seen[before:]  # only alice's 2️⃣ reached the router
        assert (ev.kind, ev.choice, ev.user_id) == ("button", payloads[1], alice.user_id)
        by_reaction = first + await alice.wait_messages(room, len(replies) - 1)
        # typing "2" on the same menu gives the same answer
        await alice.send(room, "/menu")
        assert len(await alice.wait_messages(room, 1)) == 1
        await alice.send(room, "2")
        typed = await alice.wait_messages(room, len(replies))
        assert seen[-1][0].kind == "text" and seen[-1][0].text == "2"
        assert [m["body"] for m in typed] == [m["body"] for m in by_reaction]
        assert bot.failure is None
    finally:
        await alice.close()
        await bot.stop()

"""Keycap reactions in an encrypted room, against a real Synapse: the bot's reactions are stored
as ``m.room.encrypted`` (nio alone would send them in clear), a member decrypts them back to the
reaction, and a person's encrypted reaction still selects the choice."""

from __future__ import annotations

import time
import urllib.parse

import pytest

from bot.backends.matrix.backend import KEYCAPS
from tests.support.synapse import make_human, start_bot

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


async def _wait_reactions(human, event_id, sender, n, timeout=15.0):
    deadline = time.monotonic() + timeout
    while True:
        got = [r for r in human.reactions if r["reacts_to"] == event_id and r["sender"] == sender]
        if len(got) >= n or time.monotonic() >= deadline:
            return got
        await human.sync(300)


async def _send_encrypted_reaction(human, room_id, event_id, key):
    """What Element X does: the reaction encrypted with the sender's megolm session."""
    from nio import RoomSendResponse
    from nio.api import Api

    c = human.client
    if c.olm.should_share_group_session(room_id):
        await c.share_group_session(room_id, ignore_unverified_devices=True)
    mtype, content = c.encrypt(
        room_id, "m.reaction", {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}
    )
    method, path, data = Api.room_send(c.access_token, room_id, mtype, content, f"r{time.time_ns()}")
    resp = await c._send(RoomSendResponse, method, path, data, (room_id,))
    assert isinstance(resp, RoomSendResponse), resp
    return resp.event_id


async def test_bot_reactions_are_encrypted_and_a_person_encrypted_reaction_selects(synapse, tmp_path):
    bot = await start_bot(synapse, tmp_path / "bot")
    seen: list = []
    handle = bot.app.handle

    async def spy(ev):
        replies = await handle(ev)
        seen.append((ev, replies))
        return replies

    bot.app.handle = spy
    alice = await make_human(synapse, tmp_path, "alice")
    try:
        room = await alice.create_room(invite=[bot.user_id], direct=True, encrypted=True)
        assert len(await alice.wait_messages(room, 2)) == 2
        await alice.send(room, "/menu")
        [menu] = await alice.wait_messages(room, 1)
        payloads = [b.payload for b in seen[-1][1][-1].flat_buttons() if b.url is None]
        got = await _wait_reactions(alice, menu["event_id"], bot.user_id, len(payloads))
        # alice's client decrypted them back to the keycaps, in the numbered list's order
        assert [r["key"] for r in got] == list(KEYCAPS[: len(payloads)])
        for r in got:  # what the homeserver stores: an encrypted event, the relation alone in clear
            stored = synapse._request(
                "GET",
                f"/_matrix/client/v3/rooms/{urllib.parse.quote(room)}/event/{urllib.parse.quote(r['event_id'])}",
                token=alice.client.access_token,
            )
            assert stored["type"] == "m.room.encrypted"
            content = stored["content"]
            assert content["algorithm"] == "m.megolm.v1.aes-sha2" and "ciphertext" in content
            assert content["m.relates_to"]["event_id"] == menu["event_id"]
            assert content["m.relates_to"]["rel_type"] == "m.annotation"
        # a person's encrypted 2️⃣ on the menu is understood like the typed number
        before = len(seen)
        await _send_encrypted_reaction(alice, room, menu["event_id"], KEYCAPS[1])
        assert await bot.wait_until(lambda: len(seen) > before)
        ev = seen[before][0]
        assert (ev.kind, ev.choice, ev.user_id) == ("button", payloads[1], alice.user_id)
        assert bot.failure is None
    finally:
        await alice.close()
        await bot.stop()

"""Collectives against a real Synapse: /campagne in a room (admin by power level), a campaign
post into the room, and a wave paced from Synapse's own 429s (default rate limits), counted in
the room's history on the server."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.support.synapse import make_human, start_bot


async def test_room_admin_gets_private_link_and_campaign_posts_in_room(synapse, tmp_path):
    bot = await start_bot(synapse, tmp_path / "bot", operators=())
    alice = await make_human(synapse, tmp_path, "alice")
    bob = await make_human(synapse, tmp_path, "bob")  # three members: a room, not a direct chat
    try:
        room = await alice.create_room(
            invite=[bot.user_id, bob.user_id], direct=False, encrypted=False, name="Collectif"
        )
        await bob.wait_invite()
        assert await bot.wait_until(
            lambda: (
                bot.joined(room)
                and bob.user_id in bot.backend.client.rooms[room].users
                and not bot.backend.client.rooms[room].users[bob.user_id].invited
            )
        )
        await alice.wait_messages(room, 1, sender=bot.user_id, timeout=5)  # the bot's hello, if any
        alice.clear()
        await alice.send(room, "/campagne")
        want = bot.app.renderer.render("campaign/group_admin", "fr")[:40]
        bodies = []
        for _ in range(4):
            bodies += [m["body"] for m in await alice.wait_messages(room, 1, sender=bot.user_id, timeout=10)]
            if any(b.startswith(want) for b in bodies):
                break
        assert any(b.startswith(want) for b in bodies), bodies
        store = bot.app.store
        coll = store.collective_by_chat("matrix", room)
        assert coll is not None
        due = (datetime.now(timezone.utc) - timedelta(seconds=5)).isoformat(timespec="seconds")
        store.create_campaign(
            coll["id"],
            "custom",
            "once",
            due,
            custom_text="Réunion <b>jeudi</b> & co",
            at_date=datetime.now().date().isoformat(),
        )
        await bot.app.tick()
        post = await alice.wait_messages(room, 1, sender=bot.user_id)
        assert "Réunion <b>jeudi</b> & co" in post[0]["body"]  # shown as written
        assert "<b>jeudi" not in (post[0]["formatted_body"] or "")  # escaped in HTML
        assert post[0]["msgtype"] == "m.text"  # a post notifies
    finally:
        await bob.close()
        await alice.close()
        await bot.stop()


async def room_messages_from(human, room: str, sender: str) -> list[dict]:
    """Every message ``sender`` posted in ``room``, oldest first, read from the server's room
    history (/messages, paginated) rather than from sync: a sync returns at most the last 10
    events of a room ("limited" timeline), so a client that syncs after a wave of 12 sees 10."""
    from nio import RoomMessagesResponse, SyncResponse

    resp = await human.client.sync(timeout=0)
    assert isinstance(resp, SyncResponse), resp
    out, token = [], human.client.next_batch
    for _ in range(20):  # bounded: 20 pages of 100
        r = await human.client.room_messages(room, start=token, limit=100)
        assert isinstance(r, RoomMessagesResponse), r
        out += [
            {"event_id": e.event_id, "body": e.source.get("content", {}).get("body")}
            for e in r.chunk
            if getattr(e, "sender", None) == sender and e.source.get("type") == "m.room.message"
        ]
        if not r.chunk or not r.end:
            break
        token = r.end
    return out[::-1]


async def test_wave_paced_from_retry_after_on_default_limits(synapse_limited, tmp_path):
    bot = await start_bot(synapse_limited, tmp_path / "bot")
    alice = await make_human(synapse_limited, tmp_path, "alice")
    try:
        room = await alice.create_room(invite=[bot.user_id], direct=True, encrypted=False)
        assert await alice.wait_messages(room, 2)  # welcome (burst partly used)
        before = {m["event_id"] for m in await room_messages_from(alice, room, bot.user_id)}
        store = bot.app.store
        coll = store.ensure_collective("matrix", "!collective:example")
        n = 9  # > what is left of the burst of 10
        store.add_followers_bulk(coll["id"], [(f"matrix:@f{i}:x", "matrix", room, "fr") for i in range(n)])
        store.create_broadcast(coll["id"], "close", custom_text=None, requested_by="t", needs_approval=False)
        br = bot.app.services.broadcaster
        await bot.app.tick()
        await br.wait_idle()
        b = store.get_broadcast(1)
        assert (b["status"], b["sent"], b["failed"]) == ("done", n, 0)
        assert br.stats[1]["r429"] >= 1  # Synapse said "too fast" and the bot listened
        assert br.pacer("matrix").expected_rate() is not None and br.pacer("matrix").expected_rate() < 1
        wave = [m for m in await room_messages_from(alice, room, bot.user_id) if m["event_id"] not in before]
        want = bot.app.renderer.render(
            "follow/announce", "fr", template="close", text="", days_left=None, target=None, name=None
        )[:40]
        assert len(wave) == n, [m["body"][:40] for m in wave]  # nothing lost, nothing twice
        assert all(m["body"].startswith(want) for m in wave)
    finally:
        await alice.close()
        await bot.stop()

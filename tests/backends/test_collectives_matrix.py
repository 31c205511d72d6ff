"""Organiser journey of issue 19 against a real Synapse: a hello when the bot joins a room,
/campagne in the room continuing in a direct chat, her own formatted text (Matrix
formatted_body) kept with a question about the phone number and health words, posted now
into the room with a real link and the "/start c_<code>" a member writes to keep the
campaign's attribution."""

from __future__ import annotations

from tests.support.synapse import make_human, start_bot


async def said(human, room, want: str, sender: str, tries: int = 8, timeout: float = 10) -> list[dict]:
    got: list[dict] = []
    for _ in range(tries):
        got += await human.wait_messages(room, 1, sender=sender, timeout=timeout)
        if any(want in (m["body"] or "") for m in got):
            return got
    raise AssertionError(f"{want!r} not in {[m['body'][:60] for m in got if m['body']]}")


async def test_room_organiser_formatted_text_link_and_attribution(synapse, tmp_path):
    bot = await start_bot(synapse, tmp_path / "bot", operators=())
    alice = await make_human(synapse, tmp_path, "alice")
    bob = await make_human(synapse, tmp_path, "bob")
    steps = 0
    try:
        room = await alice.create_room(
            invite=[bot.user_id, bob.user_id], direct=False, encrypted=False, name="Collectif Santé Libre"
        )
        await bob.wait_invite()
        hello = await said(alice, room, "/campagne", bot.user_id)
        assert any("Collectif Santé Libre" in (m["body"] or "") for m in hello)
        await alice.send(room, "/campagne")
        steps += 1
        await said(alice, room, bot.app.renderer.render("campaign/group_admin", "fr")[:30], bot.user_id)
        dm = await alice.wait_invite()
        assert dm is not None
        await said(alice, dm, "« Collectif Santé Libre »", bot.user_id)
        for label, want in (
            ("Nouvelle campagne", "Quel message publier"),
            ("Écrire mon texte", "Écrivez votre message"),
        ):
            await alice.send(dm, label)
            steps += 1
            await said(alice, dm, want, bot.user_id)
        body = "Permanence : 02 40 12 34 56. Suivi VIH, IVG : vos données vous regardent."
        html = (
            "<b>Permanence</b> : 02 40 12 34 56. Suivi VIH, IVG : "
            '<a href="https://collectif.example">vos données</a> vous regardent.'
        )
        resp = await alice.client.room_send(
            dm,
            "m.room.message",
            {"msgtype": "m.text", "body": body, "format": "org.matrix.custom.html", "formatted_body": html},
            ignore_unverified_devices=True,
        )
        steps += 1
        assert getattr(resp, "event_id", None), resp
        await said(alice, dm, "Quand publier ce message", bot.user_id)
        await alice.send(dm, "Maintenant")
        steps += 1
        got = await said(alice, dm, "Publier tel quel ?", bot.user_id)
        preview = next(m for m in got if "Permanence" in (m["body"] or ""))
        assert "02 40 12 34 56" in preview["body"] and "Suivi VIH, IVG" in preview["body"]
        assert "<b>Permanence</b>" in preview["formatted_body"]
        assert '<a href="https://collectif.example">vos données</a>' in preview["formatted_body"]
        await alice.send(dm, "Oui, publier tel quel maintenant")
        steps += 1
        await said(alice, dm, "C'est publié dans « Collectif Santé Libre »", bot.user_id)
        post = next(m for m in await said(alice, room, "Permanence", bot.user_id) if "Permanence" in (m["body"] or ""))
        coll = bot.app.store.collective_by_chat("matrix", room)
        [c] = bot.app.store.list_campaigns(coll["id"], include_ended=True)
        assert "<b>Permanence</b>" in post["formatted_body"] and "02 40 12 34 56" in post["body"]
        assert f"/start c_{c['code']}" in post["body"]  # the code travels with the words
        assert f'href="https://matrix.to/#/{bot.user_id}"' in post["formatted_body"]  # a real link
        assert "Un message de « Collectif Santé Libre »" in post["body"]
        # a member writes the command from the post in a direct chat: the campaign is credited
        dm_bob = await bob.create_room(invite=[bot.user_id], direct=True, encrypted=True)
        await said(bob, dm_bob, "", bot.user_id)
        await bob.send(dm_bob, f"/start c_{c['code']}")
        await bot.wait_until(lambda: bot.app.store.get_campaign(c["id"])["visits"] == 1)
        # written in the room instead: the direct chat opens with the same code, still credited
        carol = await make_human(synapse, tmp_path, "carol")
        await alice.client.room_invite(room, carol.user_id)
        await carol.wait_invite()
        await carol.send(room, f"/start c_{c['code']}")
        dm_carol = await carol.wait_invite()
        assert dm_carol is not None and dm_carol != room
        assert await bot.wait_until(lambda: bot.app.store.get_campaign(c["id"])["visits"] == 2)
        await carol.close()
        # an announcement's progress is one message in her direct chat, edited into the final report
        store = bot.app.store
        store.follow(coll["id"], f"matrix:{bob.user_id}", "matrix", dm_bob, "fr")
        b = store.create_broadcast(
            coll["id"],
            "close",
            custom_text=None,
            requested_by="t",
            needs_approval=False,
            report=("matrix", dm, "fr", "Europe/Paris"),
        )
        alice.clear()
        await bot.app.tick()
        await bot.app.services.broadcaster.wait_idle()
        got = await said(alice, dm, "Envoi terminé", bot.user_id)
        assert [m["body"][:2] for m in got if "Envoi" in (m["body"] or "")] == ["En", "* "]  # sent, then edited
        assert store.get_broadcast(b["id"])["sent"] == 1
        print(f"STEPS matrix_publish_now={steps}")
    finally:
        await bob.close()
        await alice.close()
        await bot.stop()


async def test_room_bot_removed_then_invited_back_admin_told_campaign_resumes_and_idle_admin_returns(synapse, tmp_path):
    import time as _time

    bot = await start_bot(synapse, tmp_path / "bot", operators=())
    alice = await make_human(synapse, tmp_path, "alice")
    bob = await make_human(synapse, tmp_path, "bob")
    try:
        room = await alice.create_room(
            invite=[bot.user_id, bob.user_id], direct=False, encrypted=False, name="Parents Vigilants"
        )
        await bob.wait_invite()
        await said(alice, room, "/campagne", bot.user_id)
        await alice.send(room, "/campagne")
        dm = await alice.wait_invite()
        await said(alice, dm, "« Parents Vigilants »", bot.user_id)
        for text, want in (
            ("Nouvelle campagne", "Quel message publier"),
            ("Jeunes parents", "Quand publier"),
            ("Chaque semaine", "Quel jour de la semaine"),
            ("jeudi 18h", "Je programme"),
            ("Oui, programmer", "Campagne programmée dans « Parents Vigilants »"),
        ):
            await alice.send(dm, text)
            await said(alice, dm, want, bot.user_id)
        store = bot.app.store
        coll = store.collective_by_chat("matrix", room)
        [c] = store.list_campaigns(coll["id"])
        # the creator removes the bot from the room: the campaign waits, she is told in private
        from nio import RoomKickResponse

        assert isinstance(await alice.client.room_kick(room, bot.user_id), RoomKickResponse)
        await said(alice, dm, "retiré de « Parents Vigilants »", bot.user_id)
        assert store.get_campaign(c["id"])["status"] == "held"
        # invited back: it joins, says hello, resumes the campaign and tells her
        await alice.client.room_invite(room, bot.user_id)
        await said(alice, dm, "de retour dans « Parents Vigilants »", bot.user_id)
        assert store.get_campaign(c["id"])["status"] == "active"
        # weeks idle (her conversation state dropped): /campagne in private finds her place again
        store.drop_stale_sessions(int(_time.time()) + 31 * 86400, 14)
        await alice.send(dm, "/campagne")
        await said(alice, dm, "« Parents Vigilants » : 1 campagne(s) en cours", bot.user_id)
    finally:
        await bob.close()
        await alice.close()
        await bot.stop()


async def test_a_mention_in_a_room_gets_the_hello(synapse, tmp_path):
    bot = await start_bot(synapse, tmp_path / "bot", operators=())
    alice = await make_human(synapse, tmp_path, "alice")
    bob = await make_human(synapse, tmp_path, "bob")
    try:
        room = await alice.create_room(
            invite=[bot.user_id, bob.user_id], direct=False, encrypted=False, name="Collectif"
        )
        await bob.wait_invite()
        await said(alice, room, "/campagne", bot.user_id)  # the hello on joining
        bot.app.store.kv_set(f"hello:matrix:{room}", None)  # as if hours had passed
        alice.clear()
        await bob.client.room_send(
            room,
            "m.room.message",
            {"msgtype": "m.text", "body": f"{bot.user_id} tu sers à quoi ?", "m.mentions": {"user_ids": [bot.user_id]}},
        )
        got = await said(alice, room, "/campagne", bot.user_id)
        assert any("Membres" in (m["body"] or "") for m in got)
    finally:
        await bob.close()
        await alice.close()
        await bot.stop()

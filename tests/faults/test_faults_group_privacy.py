"""Issue 16, point 7: in a group, a warning about someone's health, NIR, phone, code or carte Vitale
is never posted (everyone would read it), whether the message was chatter or addressed to the bot;
in a private chat the person is still warned.  Whole bot against the emulator, and a Matrix room
on a real Synapse."""

from __future__ import annotations

from tests.support.telegram_env import settle

GROUP, MEMBER = -1007777, 8101
CHATTER = [
    "j'ai un diabète et je prends de la metformine",
    "mon numéro de sécu c'est 1 84 12 75 123 456 78",
    "appelez-moi au 06 12 34 56 78",
    "mon code provisoire est XK4P9Q2M",
    "carte vitale numéro de série 908172635",
]


async def test_no_privacy_warning_is_ever_posted_in_a_group(tg):
    emu, app = tg.emu, tg.app
    warning = app.renderer.render("core/privacy_warning", "fr", kinds=["health"])[:25]
    emu.group(GROUP, admins=())
    emu.add_users([MEMBER])
    for text in CHATTER:
        emu.group_message(GROUP, MEMBER, text)
    emu.command(GROUP, MEMBER, "aide", args="j'ai un diabète, NIR 1 84 12 75 123 456 78")
    got = await settle(emu, GROUP, 1)
    assert len(got) == 1, [m.get("text", "")[:40] for m in got]  # the help, nothing else
    assert not got[0]["text"].startswith(warning)
    assert emu.sent[MEMBER] == []  # and no private message
    assert app.store.get_user(f"telegram:{MEMBER}").user_key  # the command registered them
    # the same words in a private chat: the person is warned there
    emu.private_message(MEMBER, CHATTER[0])
    mine = await settle(emu, MEMBER, 1)
    assert any(m["text"].startswith(warning) for m in mine)


async def test_no_privacy_warning_in_a_matrix_room(synapse, tmp_path):
    from tests.support.synapse import make_human, start_bot

    bot = await start_bot(synapse, tmp_path / "bot", operators=())
    alice = await make_human(synapse, tmp_path, "alice")
    bob = await make_human(synapse, tmp_path, "bob")
    try:
        room = await alice.create_room(
            invite=[bot.user_id, bob.user_id], direct=False, encrypted=True, name="Collectif"
        )
        await bob.wait_invite()
        assert await bot.wait_until(
            lambda: (
                bot.joined(room)
                and bob.user_id in bot.backend.client.rooms[room].users
                and not bot.backend.client.rooms[room].users[bob.user_id].invited
            )
        )
        for text in CHATTER:
            await bob.send(room, text)
        await bob.send(room, "/aide j'ai un diabète")
        got = await bob.wait_messages(room, 1, sender=bot.user_id)
        got += await bob.wait_messages(room, 2, timeout=2, sender=bot.user_id)  # anything extra
        hello = bot.app.renderer.render("campaign/hello", "fr", name="Collectif")[:20]
        got = [m for m in got if not m["body"].startswith(hello)]  # the bot's hello to the room's admins on joining
        warning = bot.app.renderer.render("core/privacy_warning", "fr", kinds=["health"])[:25]
        assert len(got) == 1 and "/menu" in got[0]["body"], [m["body"][:40] for m in got]
        assert not any(m["body"].startswith(warning) for m in got)
        assert await bob.wait_invite(timeout=1) is None  # no direct chat opened about it either
    finally:
        await alice.close()
        await bob.close()
        await bot.stop()

"""Issue 16, point 7: in a group, a warning about someone's health, NIR, phone, code or carte Vitale
is never posted (everyone would read it), whether the message was chatter or addressed to the bot;
in a private chat the person is still warned.  Whole bot against the emulator."""
from __future__ import annotations

from tests.telegram_env import settle

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
    assert len(got) == 1, [m.get("text", "")[:40] for m in got]            # the help, nothing else
    assert not got[0]["text"].startswith(warning)
    assert emu.sent[MEMBER] == []                                           # and no private message
    assert app.store.get_user(f"telegram:{MEMBER}").user_key                # the command registered them
    # the same words in a private chat: the person is warned there
    emu.private_message(MEMBER, CHATTER[0])
    mine = await settle(emu, MEMBER, 1)
    assert any(m["text"].startswith(warning) for m in mine)

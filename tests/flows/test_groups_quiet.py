"""In a group, the bot answers only what is addressed to it, stores nothing about chatter, and never
erases or warns in public."""

from tests.support.harness import Chat


async def test_start_oubli_in_a_group_moves_to_private(env):
    app, backend, _ = env
    group = Chat(app, backend, user="u9", chat="-100", direct=False)
    await group.say("/start oubli")
    assert "menu/forget_confirm" not in group.keys
    assert group.keys == ["core/go_private"]
    assert group.last[0].private_start == "oubli"


async def test_undecryptable_message_in_a_group_gets_no_answer_in_the_group(env):
    """Most group messages are not for the bot: a notice about each unreadable one is noise."""
    app, backend, _ = env
    group = Chat(app, backend, user="u5", chat="!room:server", direct=False)
    await group.send_event(kind="undecryptable")
    assert group.last == []
    direct = Chat(app, backend, user="u5")
    await direct.send_event(kind="undecryptable")
    assert direct.keys == ["core/undecryptable"]


async def test_group_chatter_not_for_the_bot_leaves_nothing_stored(env):
    app, backend, _ = env
    for i in range(4):
        g = Chat(app, backend, user=f"member{i}", chat="-100", direct=False)
        await g.say("salut tout le monde, on se voit jeudi ?")
        assert g.last == []
    assert not list(app.store.db.query("SELECT * FROM users"))
    assert not list(app.store.db.query("SELECT * FROM sessions"))
    # a known person chatting in a group they never used the bot in: no session for that group
    me = Chat(app, backend, user="me")
    await me.say("bonjour")
    g = Chat(app, backend, user="me", chat="-100", direct=False)
    await g.say("bonne soirée")
    assert [r["session_key"] for r in app.store.db.query("SELECT session_key FROM sessions")] == ["fake:me:me"]
    # a command for another bot: nothing stored either
    other = Chat(app, backend, user="member9", chat="-100", direct=False)
    await other.say("/aide@autrebot")
    assert other.last == [] and app.store.get_user("fake:member9") is None
    # a command in the group is for the bot: answered as before
    await g.say("/aide")
    assert g.keys == ["core/help"]
    await other.say("/aide@mesbot")
    assert other.keys == ["core/help"]

"""Every message speaks the conversation's language: errors, reminders, and announcements after a
later change of language."""

from tests.support.reminders import remind_me_and_reach_day_14
from tests.support.harness import Chat


async def test_error_message_in_the_language_the_user_chose(env):
    app, backend, _ = env
    chat = Chat(app, backend, locale=None)  # no language hint from the platform
    await chat.say("/langue en")

    def boom(ctx, text):
        raise RuntimeError("bug in a flow")

    app.router.reg.interceptors.insert(0, (0, boom))
    await chat.say("something")
    assert chat.keys == ["core/error"]
    assert "Sorry" in chat.text


async def test_reminder_speaks_the_language_of_the_conversation(env):
    """No /langue, but the platform says English: the conversation is in English, so is the reminder."""

    app, backend, clock = env
    chat = Chat(app, backend, locale="en")
    await chat.say("I got the email on 10 November")
    assert "Tuesday 22 December 2026" in chat.text
    await remind_me_and_reach_day_14(app, clock, chat, "reminders", "Yes", "me")
    reply = backend.sent[-1][1]
    assert reply.key == "reminders/due"
    assert "Tuesday 22 December 2026" in reply.text, reply.text


async def test_announcements_follow_a_later_language_change(env):
    app, backend, _ = env
    coll = app.store.ensure_collective("fake", "-100")
    follower = Chat(app, backend, user="f1", locale="fr")
    await follower.start(f"f_{coll['code']}")
    await follower.press("Oui")
    assert "follow/done" in follower.keys
    await follower.say("/langue en")
    app.store.create_broadcast(coll["id"], "basics", custom_text=None, requested_by="x", needs_approval=False)
    await app.tick()
    got = [r for c, r in backend.sent if c == "f1" and r.key == "follow/announce"]
    assert got, [r.key for _c, r in backend.sent]
    vars = {"template": "basics", "text": "", "days_left": None, "target": None, "name": None}
    assert got[0].text == app.renderer.render("follow/announce", "en", **vars)
    assert got[0].text != app.renderer.render("follow/announce", "fr", **vars)

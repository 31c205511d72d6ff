"""Fresh-eyes review: regressions found in the conversation core and the flows."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.support.harness import Chat


async def remind_me_and_reach_day_14(app, clock, chat, offer: str, yes: str, me: str) -> None:
    """Set the default reminders for a last day of 22 Dec 2026, then reach the first (8 Dec, 10:00)."""
    await chat.press(offer)
    await chat.press(yes)
    await chat.press(me)
    await chat.press(1)
    assert "reminders/created" in chat.keys
    clock.set(datetime(2026, 12, 8, 10, 0, 30, tzinfo=ZoneInfo("Europe/Paris")))
    assert await app.tick() == 1


async def test_letter_mode_does_not_leak_into_a_later_email_date(chat):
    # first time: a letter, only the arrival day known (dates are moved 4 days earlier)
    await chat.say("/menu")
    await chat.press("mail ou le courrier")
    await chat.press("Un courrier")
    await chat.press("seulement quand il est arrivé")
    await chat.say("hier")
    assert "plus tôt" in chat.text
    # later, from the menu button (no /menu, so the session data is not cleared): a plain date
    await chat.say("bonjour")
    assert "menu/main" in chat.keys
    await chat.press("mail ou le courrier")
    assert chat.keys == ["deadline/ask_kind"]
    await chat.say("le 10 novembre")
    assert chat.keys[0] == "deadline/result"
    assert "mardi 10 novembre 2026" in chat.text
    assert "plus tôt" not in chat.text      # not shifted as if it were a letter's arrival
    assert "mardi 22 décembre 2026" in chat.text


async def test_letter_mode_does_not_leak_into_a_correction_of_a_date_typed_elsewhere(chat):
    await chat.say("/menu")
    await chat.press("mail ou le courrier")
    await chat.press("Un courrier")
    await chat.press("seulement quand il est arrivé")
    await chat.say("hier")
    assert "plus tôt" in chat.text
    await chat.say("bonjour")                       # back to the menu, session data kept
    await chat.say("j'ai reçu le mail le 10 novembre")   # a date typed in the menu: an email date
    assert "mardi 10 novembre 2026" in chat.text and "plus tôt" not in chat.text
    await chat.say("non, le 12")                    # a correction of that date: still not a letter
    assert chat.keys[0] == "deadline/result"
    assert "jeudi 12 novembre 2026" in chat.text
    assert "plus tôt" not in chat.text


async def test_error_message_in_the_language_the_user_chose(env):
    app, backend, _ = env
    chat = Chat(app, backend, locale=None)     # no language hint from the platform
    await chat.say("/langue en")

    def boom(ctx, text):
        raise RuntimeError("bug in a flow")

    app.router.reg.interceptors.insert(0, (0, boom))
    await chat.say("something")
    assert chat.keys == ["core/error"]
    assert "Sorry" in chat.text


async def test_start_oubli_in_a_group_moves_to_private(env):
    app, backend, _ = env
    group = Chat(app, backend, user="u9", chat="-100", direct=False)
    await group.say("/start oubli")
    assert "menu/forget_confirm" not in group.keys
    assert group.keys == ["core/go_private"]
    assert group.last[0].private_start == "oubli"


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


def test_no_sentence_glued_to_the_next_in_any_template():
    """A block tag at the end of a line eats its line break (trim_blocks): 'Il reste 3 jours.Ce jour-là'."""
    import importlib
    import pkgutil
    import re

    import tests.samples
    from bot.core.render import Renderer

    r = Renderer()
    samples = {}
    for m in pkgutil.iter_modules(tests.samples.__path__):
        if m.name.startswith("samples_"):
            samples.update(importlib.import_module(f"tests.samples.{m.name}").SAMPLES)
    glued = []
    checked = 0
    for loc in ("fr", "en"):
        for key in sorted(r.template_keys(loc)):
            for vars in samples.get(key, [{}]):
                try:
                    text = r.render(key, loc, **vars)
                except Exception:
                    continue  # templates needing variables without samples: test_templates covers them
                checked += 1
                for m in re.finditer(r"[a-zà-ü0-9»)]\.[A-ZÀ-Ü«]", text):
                    glued.append((loc, key, text[max(0, m.start() - 20):m.end() + 10]))
    assert checked > 100
    assert not glued, glued


@pytest.mark.parametrize("text", ["il y a 3 jours", "il y a 4 jours"])
async def test_bare_relative_date_from_the_menu_is_a_date_not_a_phone_question(chat, text):
    # the date prompt itself gives "il y a 4 jours" as an example: typed in the menu it must work too
    await chat.say("/menu")
    await chat.say(text)
    assert chat.keys[0] == "deadline/result", chat.keys


async def test_time_zone_answer_writes_the_time_like_everywhere_else(chat):
    await chat.say("/fuseau")
    await chat.press("La Réunion")
    assert "deadline/tz_set" in chat.keys
    assert "il est 13 h." in chat.text         # 10:00 in Paris is 13:00 in La Réunion, written "13 h"


@pytest.mark.parametrize("locale,line", [("fr", "/rappels : voir ou annuler vos rappels"),
                                         ("en", "/rappels: see or cancel your reminders")])
async def test_help_says_what_each_command_does(env, locale, line):
    app, backend, _ = env
    chat = Chat(app, backend, locale=locale)
    await chat.say("/aide")
    lines = chat.text.splitlines()
    assert line in lines
    commands = [ln for ln in lines if ln.startswith("/")]
    assert len(commands) >= 10
    assert all(":" in ln for ln in commands), commands      # none left bare, one per line


async def test_privacy_warning_with_two_findings_reads_as_one_sentence(chat):
    await chat.say("mon numéro 1 84 12 75 123 456 78 et mon portable 06 12 34 56 78")
    assert chat.keys[0] == "core/privacy_warning"
    first = chat.last[0].text
    assert "un numéro de sécurité sociale et un numéro de téléphone." in first
    assert ". votre" not in first
    assert "code provisoire" not in first      # nothing was said about a code


async def test_privacy_warning_about_a_code_says_where_the_code_goes(chat):
    await chat.say("mon code provisoire est XK4P9Q2")
    assert chat.keys[0] == "core/privacy_warning"
    assert "un code." in chat.last[0].text and "code provisoire se donne seulement" in chat.last[0].text


async def test_typed_number_answers_the_reminder_just_received(env):
    """Text-only transports (console, Matrix) number the reminder's buttons: typing "3" after a
    reminder means its third button ("C'est fait"), not the third of an older message."""

    app, backend, clock = env
    chat = Chat(app, backend)
    await chat.say("reçu le 10 novembre")
    await remind_me_and_reach_day_14(app, clock, chat, "Recevoir des rappels", "Oui", "moi")
    reminder = backend.sent[-1][1]
    assert reminder.key == "reminders/due"
    assert reminder.numbered_text().splitlines()[-2].startswith("3. C'est fait")
    await chat.say("3")
    assert chat.keys[0] == "reminders/done_ack", chat.keys
    assert not list(app.store.db.query("SELECT id FROM deadlines WHERE status = 'active'"))


@pytest.mark.parametrize("payload", [
    "reminders:due:done:99999999999999999999999", "reminders:due:tomorrow:²", "reminders:list:cancel:99999999999999999999999",
    "follow:ask:u99999999999999999999999", "follow:list:u99999999999999999999999"])
async def test_forged_or_garbled_button_ids_are_stale_not_errors(chat, payload):
    await chat.send_event(kind="button", choice=payload)
    assert "core/error" not in chat.keys
    assert "core/stale_button" in chat.keys


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_reminder_does_not_send_people_to_a_phone_line_that_reopens_too_late(locale):
    """Friday 25 December (holiday), last day Saturday 26: 3422 reopens on Monday 28, after the
    last day.  The reminder must say so and point to the online refusal, not 'call before'."""

    from bot.knowledge import facts
    from bot.core.render import Renderer
    from bot.jobs.scheduler import due_say

    now = datetime(2026, 12, 25, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    row = {"tz": "Europe/Paris", "deadline": "2026-12-26", "recommended": "2026-12-21", "kind": "plan",
           "deadline_id": 1}
    say = due_say(row, now, False, "moi")
    text = Renderer().render(say.key, locale, **say.vars)
    assert facts.PORTAL in text
    assert "28" not in text                      # no opening day after the last day
    assert "faites-le avant" not in text and "do it before" not in text
    assert say.vars["act_now"] is True
    # a normal case keeps the next opening
    row2 = dict(row, deadline="2026-12-31")
    say2 = due_say(row2, now, False, "moi")
    text2 = Renderer().render(say2.key, locale, **say2.vars)
    assert "28" in text2


async def test_user_erased_during_a_reminder_send_does_not_stop_the_others(env):
    """/oubli while a reminder is in flight, and the platform then says the chat moved: the
    tick goes on with everybody else's reminders."""

    from bot.core.types import ChatMoved

    app, backend, clock = env
    for u in ("a", "b"):
        c = Chat(app, backend, user=u)
        await c.say("reçu le 10 novembre")
        await c.press("Recevoir des rappels")
        await c.press("Oui")
        await c.press("moi")
        await c.press(1)
    real_send = backend.send

    async def send(chat_id, reply):
        if chat_id == "a":
            app.store.forget_user("fake:a")
            raise ChatMoved("a2")
        return await real_send(chat_id, reply)

    backend.send = send
    clock.set(datetime(2026, 12, 8, 10, 0, 30, tzinfo=ZoneInfo("Europe/Paris")))
    assert await app.tick() == 1
    assert [c for c, r in backend.sent if r.key == "reminders/due"] == ["b"]
    assert app.store.get_user("fake:a") is None
    assert not list(app.store.db.query("SELECT * FROM reminders WHERE user_key = 'fake:a'"))


def test_set_user_on_an_erased_user_neither_fails_nor_recreates(env):
    app, _, _ = env
    app.store.set_user("fake:gone", locale="en", chat_id="x")
    assert app.store.get_user("fake:gone") is None


async def test_undecryptable_message_in_a_group_gets_no_answer_in_the_group(env):
    """Most group messages are not for the bot: a notice about each unreadable one is noise."""
    app, backend, _ = env
    group = Chat(app, backend, user="u5", chat="!room:server", direct=False)
    await group.send_event(kind="undecryptable")
    assert group.last == []
    direct = Chat(app, backend, user="u5")
    await direct.send_event(kind="undecryptable")
    assert direct.keys == ["core/undecryptable"]


def test_a_transaction_that_cannot_begin_does_not_keep_the_store_lock(env):
    import sqlite3
    import threading

    app, _, _ = env
    store = app.store
    with store.transaction():
        with pytest.raises(sqlite3.OperationalError):
            with store.transaction():  # BEGIN inside a transaction fails
                pass
    got = []

    def other_thread():
        ok = store.lock.acquire(timeout=2)
        got.append(ok)
        if ok:
            store.lock.release()

    t = threading.Thread(target=other_thread)
    t.start()
    t.join()
    assert got == [True]


async def test_oubli_leaves_no_trace_in_the_database_files_while_the_bot_runs(env, tmp_path):
    """Deleted rows stay readable in free pages and in the write-ahead log unless overwritten."""
    app, backend, _ = env
    others = [Chat(app, backend, user=f"other{i}") for i in range(3)]
    me = Chat(app, backend, user="ZQXMARK4242")
    for c in others + [me]:
        await c.say("reçu le 10 novembre")
        await c.press("Recevoir des rappels")
        await c.press("Oui")
        await c.press("moi")
        await c.press(1)
    await me.say("/oubli")
    await me.press("Oui")
    assert me.keys == ["menu/forgotten"]
    await others[0].say("/rappels")            # the bot goes on writing
    files = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert any(p.name == "mes-bot.db" for p in files)
    found = {p.name: p.read_bytes().count(b"ZQXMARK4242") for p in files}
    assert not any(found.values()), found
    assert app.store.get_user("fake:other1") is not None
    # deleted rows overwritten whatever the SQLite build's default
    assert app.store.db.execute("PRAGMA secure_delete").fetchone()[0] == 1


async def test_button_whose_handler_returns_none_still_gets_an_answer(env):
    """A handler in an on_choice table that returns None (nothing to do for that press) must not
    leave the person without any answer."""
    from bot.core.flowlib import Choice, Flow, Say, State

    app, backend, _ = env
    app.router.reg.flows["probe"] = Flow("probe", {"start": State(
        prompt=Say("menu/language", buttons=[[Choice("menu.lang_fr", "x")]]),
        on_choice={"x": lambda ctx: None})}, start="start")
    chat = Chat(app, backend)
    await chat.send_event(kind="button", choice="probe:start:x")
    assert chat.keys and chat.keys[0] == "core/stale_button"


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

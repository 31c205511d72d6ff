"""Erasure (/oubli) at awkward moments: during a reminder send, on a user already erased, and no
trace left in the database files while the bot runs."""

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.support.harness import Chat
from tests.support.reminders import set_default_reminders


async def test_user_erased_during_a_reminder_send_does_not_stop_the_others(env):
    """/oubli while a reminder is in flight, and the platform then says the chat moved: the
    tick goes on with everybody else's reminders."""

    from bot.core.types import ChatMoved

    app, backend, clock = env
    for u in ("a", "b"):
        await set_default_reminders(Chat(app, backend, user=u))
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


async def test_oubli_leaves_no_trace_in_the_database_files_while_the_bot_runs(env, tmp_path):
    """Deleted rows stay readable in free pages and in the write-ahead log unless overwritten."""
    app, backend, _ = env
    others = [Chat(app, backend, user=f"other{i}") for i in range(3)]
    me = Chat(app, backend, user="ZQXMARK4242")
    for c in others + [me]:
        await set_default_reminders(c)
    await me.say("/oubli")
    await me.press("Oui")
    assert me.keys == ["menu/forgotten"]
    await others[0].say("/rappels")  # the bot goes on writing
    files = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert any(p.name == "mes-bot.db" for p in files)
    found = {p.name: p.read_bytes().count(b"ZQXMARK4242") for p in files}
    assert not any(found.values()), found
    assert app.store.get_user("fake:other1") is not None
    # deleted rows overwritten whatever the SQLite build's default
    assert app.store.db.execute("PRAGMA secure_delete").fetchone()[0] == 1

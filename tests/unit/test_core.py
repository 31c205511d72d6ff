"""The conversation core: router, sessions, commands, buttons, store, renderer."""

import asyncio
import sqlite3

import pytest

from bot.core.types import Reply, Button
from bot.store import NewerDatabaseError, Store
from bot.store.base import code_schema_version
from tests.support.harness import Chat, make_app


async def test_first_message_gets_menu(chat):
    await chat.say("bonjour")
    assert "menu/main" in chat.keys
    assert any("mail ou le courrier" in label for label in chat.labels)
    assert any("Mon espace santé existe" in label for label in chat.labels)


async def test_start_shows_welcome_naming_mes(chat):
    await chat.start()
    assert chat.keys[0] == "core/welcome"
    assert "Mon espace santé" in chat.text


async def test_numbers_and_words_select(chat):
    await chat.start()
    await chat.say("/langue")
    assert "menu/language" in chat.keys
    await chat.say("2")  # English
    assert "Noted" in chat.text
    await chat.say("/langue")
    await chat.say("français")
    assert "français" in chat.text


async def test_language_command_argument(chat):
    await chat.say("/langue en")
    assert "English" in chat.text
    await chat.say("/menu")
    assert "What would you like to do?" in chat.text


async def test_unknown_command_and_nonsense(chat):
    await chat.start()
    await chat.say("/nimportequoi")
    assert chat.keys == ["core/unknown_command"]
    await chat.say("/menu")
    await chat.say("xqzw ?? ##")
    assert "core/not_understood" in chat.keys
    # the choices are shown again so nobody is stuck
    assert chat.labels


async def test_cancel_goes_home(chat):
    await chat.say("/annuler")
    assert chat.keys[0] == "core/cancelled"
    assert "menu/main" in chat.keys


async def test_non_text_and_edits_get_kind_answer(chat):
    await chat.send_event(kind="unsupported")
    assert chat.keys == ["core/only_text"]
    await chat.send_event(kind="edit", text="3/11")
    assert chat.keys == ["core/edit_ignored"]


async def test_huge_message(chat):
    await chat.say("a" * 50_000)
    assert chat.keys == ["core/too_long"]


async def test_session_survives_restart(tmp_path):
    app, backend, clock = make_app(tmp_path)
    c = Chat(app, backend)
    await c.say("/langue")
    app.store.close()
    app2, backend2, _ = make_app(tmp_path)
    c2 = Chat(app2, backend2)
    await c2.say("2")  # still in the language state after the restart
    assert "Noted" in c2.text


async def test_unknown_state_is_reset_kindly(app_env):
    app, backend, _ = app_env
    c = Chat(app, backend)
    await c.say("bonjour")
    app.store.db.execute("UPDATE sessions SET flow='gone', state='nowhere'")
    await c.say("bonjour")
    assert c.keys[0] == "core/session_reset"
    assert "menu/main" in c.keys


async def test_stale_button_payload(chat):
    await chat.send_event(kind="button", choice="nope:nothing:x")
    assert chat.keys[0] == "core/stale_button"


async def test_forget_erases_everything(app_env):
    app, backend, _ = app_env
    c = Chat(app, backend)
    await c.say("/langue en")
    assert app.store.get_user("fake:u1").locale == "en"
    await c.say("/oubli")
    await c.say("yes")
    assert "erase" in c.text.lower() or "erased" in c.text.lower()
    assert app.store.get_user("fake:u1") is None
    assert list(app.store.db.query("select * from sessions")) == []


async def test_sensitive_number_is_never_echoed_or_stored(app_env):
    app, backend, _ = app_env
    c = Chat(app, backend)
    nir = "1 84 12 75 123 456 78"
    await c.say(f"mon numéro c'est {nir}")
    assert c.keys[0] == "core/privacy_warning"
    assert "84 12" not in c.text
    dump = "\n".join(str(r) for t in app.store.db.table_names() for r in app.store.db[t].rows)
    assert "123 456" not in dump and "1234" not in dump


async def test_lock_serialises_one_conversation(app_env):
    app, backend, _ = app_env
    c = Chat(app, backend)
    await c.say("/langue")
    r = await asyncio.gather(*(app.handle(c._event(text="1")) for _ in range(5)))
    assert all(rep for rep in r)


async def test_group_plain_text_ignored_commands_answered(app_env):
    app, backend, _ = app_env
    g = Chat(app, backend, user="u2", chat="-100", direct=False)
    assert await g.say("salut tout le monde") == []
    await g.say("/aide@mesbot")
    assert g.keys == ["core/help"]
    assert await g.say("/aide@otherbot") == []
    await g.say("/oubli")
    assert g.last[0].private_start == "oubli"


def test_store_refuses_newer_database(tmp_path):
    path = tmp_path / "mes-bot.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {code_schema_version() + 1}")
    conn.close()
    with pytest.raises(NewerDatabaseError):
        Store(path)


def test_store_wal_and_private_files(tmp_path):
    path = tmp_path / "d" / "mes-bot.db"
    s = Store(path)
    assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert (path.stat().st_mode & 0o077) == 0
    s.close()


def test_reply_numbered_text():
    r = Reply("k", "Question ?", ((Button("Oui", "a"),), (Button("Site", url="https://x"), Button("Non", "b"))))
    # links are listed but not numbered: typed numbers count choices only, like the router
    assert r.numbered_text() == "Question ?\n1. Oui\n- Site : https://x\n2. Non"

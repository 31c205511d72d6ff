"""The whole bot (router, store, templates, real python-telegram-bot over HTTP) against the
Bot API emulator in tests/telegram_emulator.py."""
from __future__ import annotations

import asyncio

import pytest

from tests.telegram_emulator import ANONYMOUS_ADMIN_ID, Emulator, parse_html
from tests.telegram_env import start_env


@pytest.fixture
async def tg(tmp_path):
    env = await start_env(tmp_path)
    yield env
    await env.stop()
    await env.emu.stop()
    env.app.store.close()


async def test_start_shows_welcome_and_menu_with_buttons(tg):
    emu = tg.emu
    emu.tap_start(101)
    msgs = await emu.wait_for(101, 1)
    await asyncio.sleep(0.05)
    msgs = emu.sent[101]
    assert any(m.get("reply_markup") for m in msgs), msgs
    labels = [b["text"] for b in emu.buttons(101)]
    assert "Je veux comprendre" in labels
    for m in msgs:
        assert m["_parse_mode"] == "HTML"
        assert parse_html(m["_raw"]) == m["text"]
    # start-up extras: commands in both languages and descriptions
    assert emu.calls["setMyCommands"] >= 2
    fr = [c["command"] for c in emu.commands[('{"type": "default"}', "fr")]]
    en = [c["command"] for c in emu.commands[('{"type": "default"}', "en")]]
    assert "aide" in fr and "help" in en
    assert emu.descriptions["fr"] and emu.short_descriptions["en"]


async def test_menu_button_is_answered_and_gets_a_reply(tg):
    emu = tg.emu
    emu.tap_start(102)
    await emu.wait_for(102, 1)
    await asyncio.sleep(0.05)
    before = len(emu.sent[102])
    qid = emu.press(102, label="English")  if any("English" in b["text"] for b in emu.buttons(102)) else None
    if qid is None:
        qid = emu.press(102, label="comprendre")
    await emu.wait_answered(qid)
    await emu.wait_until(lambda: len(emu.sent[102]) > before or any(m.get("_edits") for m in emu.sent[102]), 5,
                         "a reply to the button")

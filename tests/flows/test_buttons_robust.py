"""Buttons and typed choices: a typed number answers the message just received, a forged or garbled
button is "stale", never an error, and a handler with nothing to do still gets an answer."""

import pytest

from tests.support.reminders import remind_me_and_reach_day_14
from tests.support.harness import Chat


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


@pytest.mark.parametrize(
    "payload",
    [
        "reminders:due:done:99999999999999999999999",
        "reminders:due:tomorrow:²",
        "reminders:list:cancel:99999999999999999999999",
        "follow:ask:u99999999999999999999999",
        "follow:list:u99999999999999999999999",
    ],
)
async def test_forged_or_garbled_button_ids_are_stale_not_errors(chat, payload):
    await chat.send_event(kind="button", choice=payload)
    assert "core/error" not in chat.keys
    assert "core/stale_button" in chat.keys


async def test_button_whose_handler_returns_none_still_gets_an_answer(env):
    """A handler in an on_choice table that returns None (nothing to do for that press) must not
    leave the person without any answer."""
    from bot.core.flowlib import Choice, Flow, Say, State

    app, backend, _ = env
    app.router.reg.flows["probe"] = Flow(
        "probe",
        {
            "start": State(
                prompt=Say("menu/language", buttons=[[Choice("menu.lang_fr", "x")]]), on_choice={"x": lambda ctx: None}
            )
        },
        start="start",
    )
    chat = Chat(app, backend)
    await chat.send_event(kind="button", choice="probe:start:x")
    assert chat.keys and chat.keys[0] == "core/stale_button"

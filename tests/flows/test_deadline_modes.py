"""The deadline flow's modes (email date, a letter's arrival day) do not leak into a later date, and a
bare relative date typed in the menu is a date."""

import pytest


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
    assert "plus tôt" not in chat.text  # not shifted as if it were a letter's arrival
    assert "mardi 22 décembre 2026" in chat.text


async def test_letter_mode_does_not_leak_into_a_correction_of_a_date_typed_elsewhere(chat):
    await chat.say("/menu")
    await chat.press("mail ou le courrier")
    await chat.press("Un courrier")
    await chat.press("seulement quand il est arrivé")
    await chat.say("hier")
    assert "plus tôt" in chat.text
    await chat.say("bonjour")  # back to the menu, session data kept
    await chat.say("j'ai reçu le mail le 10 novembre")  # a date typed in the menu: an email date
    assert "mardi 10 novembre 2026" in chat.text and "plus tôt" not in chat.text
    await chat.say("non, le 12")  # a correction of that date: still not a letter
    assert chat.keys[0] == "deadline/result"
    assert "jeudi 12 novembre 2026" in chat.text
    assert "plus tôt" not in chat.text


@pytest.mark.parametrize("text", ["il y a 3 jours", "il y a 4 jours"])
async def test_bare_relative_date_from_the_menu_is_a_date_not_a_phone_question(chat, text):
    # the date prompt itself gives "il y a 4 jours" as an example: typed in the menu it must work too
    await chat.say("/menu")
    await chat.say(text)
    assert chat.keys[0] == "deadline/result", chat.keys

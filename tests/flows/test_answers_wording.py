"""How some answers are worded: the time in the time zone answer, the help's commands, the
privacy warnings."""

import pytest

from tests.support.harness import Chat


async def test_time_zone_answer_writes_the_time_like_everywhere_else(chat):
    await chat.say("/fuseau")
    await chat.press("La Réunion")
    assert "deadline/tz_set" in chat.keys
    assert "il est 13 h." in chat.text  # 10:00 in Paris is 13:00 in La Réunion, written "13 h"


@pytest.mark.parametrize(
    "locale,line", [("fr", "/rappels : voir ou annuler vos rappels"), ("en", "/rappels: see or cancel your reminders")]
)
async def test_help_says_what_each_command_does(env, locale, line):
    app, backend, _ = env
    chat = Chat(app, backend, locale=locale)
    await chat.say("/aide")
    lines = chat.text.splitlines()
    assert line in lines
    commands = [ln for ln in lines if ln.startswith("/")]
    assert len(commands) >= 10
    assert all(":" in ln for ln in commands), commands  # none left bare, one per line


async def test_privacy_warning_with_two_findings_reads_as_one_sentence(chat):
    await chat.say("mon numéro 1 84 12 75 123 456 78 et mon portable 06 12 34 56 78")
    assert chat.keys[0] == "core/privacy_warning"
    first = chat.last[0].text
    assert "un numéro de sécurité sociale et un numéro de téléphone." in first
    assert ". votre" not in first
    assert "code provisoire" not in first  # nothing was said about a code


async def test_privacy_warning_about_a_code_says_where_the_code_goes(chat):
    await chat.say("mon code provisoire est XK4P9Q2")
    assert chat.keys[0] == "core/privacy_warning"
    assert "un code." in chat.last[0].text and "code provisoire se donne seulement" in chat.last[0].text

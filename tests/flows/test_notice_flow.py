"""The notice date in conversation (issue 12), in French and English, through the real router,
store and templates: which date is the notice date, arrival is never sending, numbers and
choices, what was read is said, 18-year-olds."""

import re

import pytest

from tests.support.harness import Chat, make_app, session_data


@pytest.fixture
def at(tmp_path):
    """at(day, locale) -> (app, chat) on that day at 10:00 in Paris; apps are closed after the test."""
    apps = []

    def make(day: str = "2026-11-22", locale: str = "fr", **settings):
        app, backend, _clock = make_app(tmp_path / f"a{len(apps)}", now=f"{day}T10:00:00+01:00", **settings)
        apps.append(app)
        return app, Chat(app, backend, locale=locale)

    yield make
    for app in apps:
        app.store.close()


def sent(app, chat) -> str | None:
    return (session_data(app, chat).get("deadline") or {}).get("sent")


async def _to_menu(chat, locale="fr"):
    await chat.say("/menu")
    if locale == "en":
        await chat.say("/langue en")


# --- 1. the notice date is the date tied to the notice ------------------------------------------------
@pytest.mark.parametrize(
    "locale,text,want,words",
    [
        ("fr", "mon fils a eu 18 ans le 2 janvier et il a reçu un mail le 4", "2027-01-04", "reçu un mail le 4"),
        ("en", "my son turned 18 on 2 January and he got an email on the 4th", "2027-01-04", "email on the 4th"),
        ("fr", "rdv chez le médecin le 2 janvier, le mail est daté du 5 janvier", "2027-01-05", "daté du 5 janvier"),
    ],
)
async def test_a_date_tied_to_something_else_is_not_the_notice_date(at, locale, text, want, words):
    app, chat = at("2027-01-10", locale)
    await _to_menu(chat, locale)
    await chat.say(text)
    assert chat.keys[0] == "deadline/result"
    assert sent(app, chat) == want
    assert words in chat.text


async def test_a_birth_date_next_to_a_letter_arrival_is_never_passed(at):
    app, chat = at("2027-01-05")
    await chat.say("j'ai reçu le courrier pour ma fille née le 12 novembre, il est arrivé le 30 décembre")
    assert chat.keys[0] == "deadline/result" and "deadline/passed" not in chat.keys
    assert sent(app, chat) == "2026-12-26"  # 30 December, 4 days earlier
    assert "est fini" not in chat.text


@pytest.mark.parametrize(
    "locale,text,ask,other",
    [
        ("fr", "jai eu 18 ans y a 2 semaines et jai recu un mail", "Quelle est la date du mail", "Une autre date"),
        ("en", "I turned 18 two weeks ago and got an email", "What is the date of the email", "Another date"),
    ],
)
async def test_only_a_birthday_the_bot_asks_for_the_notice_date(at, locale, text, ask, other):
    app, chat = at("2026-11-22", locale)
    await _to_menu(chat, locale)
    await chat.say(text)
    assert chat.keys == ["deadline/ask_which"], chat.text
    assert ask in chat.text and sent(app, chat) is None
    assert other in chat.labels
    await chat.press(other)
    assert chat.keys == ["deadline/ask_date"]
    await chat.say("3/11")
    assert chat.keys[0] == "deadline/result" and sent(app, chat) == "2026-11-03"


@pytest.mark.parametrize(
    "locale,text,label",
    [
        ("fr", "le mail est du 28/10 et la lettre du 3/11", "mercredi 28 octobre 2026"),
        ("en", "the email is from 28/10 and the letter from 3/11", "Wednesday 28 October 2026"),
    ],
)
async def test_two_notice_dates_the_bot_asks_which_one(at, locale, text, label):
    app, chat = at("2026-11-22", locale)
    await _to_menu(chat, locale)
    await chat.say(text)
    assert chat.keys == ["deadline/ask_which"] and sent(app, chat) is None
    assert len(chat.labels) == 3  # both dates and "another date"
    await chat.say("1")  # a typed number picks a button
    assert chat.keys[0] == "deadline/result"
    assert sent(app, chat) == "2026-10-28"


async def test_a_date_of_something_else_never_announces_passed(at):
    app, chat = at("2026-11-22")
    await chat.say("ma fille est née le 12 mars 2025 et j'ai reçu un mail")
    assert "deadline/passed" not in chat.keys and chat.keys == ["deadline/ask_which"]
    assert sent(app, chat) is None


# --- 2. arrival is never sending, on every path --------------------------------------------------------
async def test_typed_numbers_then_arrival_words(at):
    """The issue's case: 1, 2, then 'il est arrivé le 3/11' (typed instead of a letter button)."""
    app, chat = at("2026-11-22")
    await chat.say("/menu")
    await chat.say("1")
    assert chat.keys == ["deadline/ask_kind"]
    await chat.say("2")
    assert chat.keys == ["deadline/ask_letter"]
    await chat.say("il est arrivé le 3/11")
    assert chat.keys[0] == "deadline/result"
    assert sent(app, chat) == "2026-10-30"
    assert "environ" in chat.text and "4 jours plus tôt" in chat.text


@pytest.mark.parametrize(
    "locale,text,want,about",
    [
        ("fr", "la lettre est arrivée le 20 novembre, c'est quoi ma date limite", "2026-11-16", "(environ)"),
        ("fr", "j'ai reçu la lettre hier, c'est quoi ma date limite ?", "2026-11-17", "(environ)"),
        ("en", "the letter arrived on 20 November, what is my date limit?", "2026-11-16", "(about)"),
    ],
)
async def test_the_word_date_does_not_switch_the_arrival_off(at, locale, text, want, about):
    app, chat = at("2026-11-22", locale)
    await _to_menu(chat, locale)
    await chat.say(text)
    assert sent(app, chat) == want
    assert about in chat.text


@pytest.mark.parametrize(
    "locale,text,want",
    [
        ("fr", "La lettre, c'était mardi.", "2026-11-13"),  # Tuesday 17, 4 days earlier
        ("fr", "le facteur a déposé la lettre il y a 3 jours", "2026-11-15"),
        ("en", "the envelope came on Monday", "2026-11-12"),
        ("fr", "la lettre est datée d'hier", "2026-11-21"),  # printed: the sending date itself
    ],
)
async def test_a_letter_day_counted_from_today_is_the_day_it_came(at, locale, text, want):
    app, chat = at("2026-11-22", locale)
    await _to_menu(chat, locale)
    await chat.say(text)
    assert sent(app, chat) == want


@pytest.mark.parametrize("path", ["first", "email", "printed", "arrival", "letter", "correction"])
async def test_arrival_counted_earlier_on_every_path_with_the_configured_days(at, path):
    app, chat = at("2026-11-22", letter_shift_days=6)
    await chat.say("/menu")
    if path != "first":
        await chat.press("mail ou le courrier")
    if path == "email":
        await chat.press("Un mail")
    if path in ("printed", "arrival", "letter"):
        await chat.press("Un courrier")
    if path == "printed":
        await chat.press("Je vois la date")
    if path == "arrival":
        await chat.press("seulement quand il est arrivé")
    if path == "correction":
        await chat.say("la lettre est arrivée le 2 novembre")
        assert sent(app, chat) == "2026-10-27"
        await chat.say("non, le 12")  # the correction of an arrival day is an arrival day too
    else:
        await chat.say("le courrier est arrivé le 12 novembre" if path != "arrival" else "le 12")
    assert sent(app, chat) == "2026-11-06", chat.text
    assert "6 jours plus tôt" in chat.text and "environ" in chat.text
    assert session_data(app, chat)["deadline"]["approximate"] is True


@pytest.mark.parametrize(
    "locale,text,button",
    [("fr", "reçu le 12 novembre", "C'était un courrier"), ("en", "received on 12 November", "It was a letter")],
)
async def test_received_without_saying_email_or_letter_offers_the_letter_arrival(at, locale, text, button):
    app, chat = at("2026-11-22", locale)
    await _to_menu(chat, locale)
    await chat.say(text)
    assert sent(app, chat) == "2026-11-12"  # an email's date is its sending date
    await chat.press(button)
    assert sent(app, chat) == "2026-11-08" and session_data(app, chat)["deadline"]["approximate"] is True
    await chat.say("non, le 14")  # and a correction is an arrival day too
    assert sent(app, chat) == "2026-11-10"


# --- 3. numbers and choices ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "locale,number,again",
    [("fr", "3", "Répondez 1 ou 2"), ("fr", "7", "Répondez 1 ou 2"), ("en", "3", "Answer 1 or 2")],
)
async def test_a_number_outside_the_choices_is_not_a_date(at, locale, number, again):
    app, chat = at("2026-11-22", locale)
    await _to_menu(chat, locale)
    await chat.say("1")
    labels = chat.labels
    await chat.say(number)
    assert chat.keys == ["core/pick_number"] and again in chat.text
    assert chat.labels == labels  # the same choices again
    assert sent(app, chat) is None
    await chat.say("2")  # still answers those choices
    assert chat.keys == ["deadline/ask_letter"]


async def test_a_number_after_a_result_is_a_choice_not_a_new_date(at):
    app, chat = at("2026-11-22")
    await chat.say("reçu le mail le 3 novembre")
    assert sent(app, chat) == "2026-11-03"
    await chat.say("12")
    assert chat.keys == ["core/pick_number"] and re.search(r"de 1 à \d", chat.text)
    assert chat.labels  # the result's choices again
    assert sent(app, chat) == "2026-11-03"
    await chat.say("blablabla")
    await chat.say("1")  # after "I did not understand": never the 1st of the month
    assert sent(app, chat) == "2026-11-03"


async def test_a_bare_number_is_a_day_where_the_bot_asked_for_a_date(at):
    app, chat = at("2026-11-22")
    await chat.say("/menu")
    await chat.press("mail ou le courrier")
    await chat.press("Un mail")
    await chat.say("12")
    assert sent(app, chat) == "2026-11-12"


# --- 4. say what was read ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "locale,text,echo",
    [
        ("fr", "le courrier est arrivé le 3/11", "J'ai lu « courrier est arrivé le 3/11 » : mardi 3 novembre 2026."),
        ("en", "the letter arrived on 3/11", 'I read "letter arrived on 3/11": Tuesday 3 November 2026.'),
    ],
)
async def test_the_words_read_are_echoed(at, locale, text, echo):
    app, chat = at("2026-11-22", locale)
    await _to_menu(chat, locale)
    await chat.say(text)
    assert echo in chat.text


@pytest.mark.parametrize(
    "locale,text,approx", [("fr", "vers le 10", "approximative"), ("en", "around the 10th", "approximate")]
)
async def test_an_approximate_date_is_said_to_be_approximate(at, locale, text, approx):
    app, chat = at("2026-11-22", locale)
    await _to_menu(chat, locale)
    await chat.say(text)
    assert sent(app, chat) == "2026-11-10"
    assert session_data(app, chat)["deadline"]["approximate"] is True
    assert approx in chat.text


async def test_nothing_promises_the_date_cannot_be_missed(at):
    for locale in ("fr", "en"):
        app, chat = at("2026-11-22", locale)
        await _to_menu(chat, locale)
        await chat.say("début novembre")
        assert not re.search(r"ne risquez pas|do not miss|cannot miss|won't miss", chat.text), chat.text


# --- 5. 18-year-olds and parents ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "locale,musts,button",
    [
        ("fr", ("pas celle de l'anniversaire", "existe déjà", "le fermer à tout moment"), "Calculer mon délai"),
        ("en", ("not the birthday", "already exists", "close it at any time"), "Work out my time limit"),
    ],
)
async def test_at_18_the_notice_date_counts_and_a_space_may_exist(at, locale, musts, button):
    app, chat = at("2026-11-22", locale)
    await _to_menu(chat, locale)
    await chat.send_event(kind="button", choice="g:children:adult")
    for must in musts:
        assert must in chat.text, must
    await chat.press(button)  # work out the time limit: asks the email or letter, not the birthday
    assert chat.keys == ["deadline/ask_kind"]


# --- the command line goes through the same reading --------------------------------------------------------
def test_command_line_reads_the_notice_date_and_counts_arrival_earlier():
    from datetime import date

    from bot.ops.deadline_cli import evaluate

    today = date(2027, 1, 10)
    obj, code, _ = evaluate("mon fils a eu 18 ans le 2 janvier et il a reçu un mail le 4", today)
    assert code == 0 and obj["sent"] == "2027-01-04"
    obj, code, _ = evaluate("jai eu 18 ans le 2 janvier et jai recu un mail", today)
    assert code == 2 and obj["error"] == "which" and obj["message"]
    obj, code, _ = evaluate("le 3 janvier", today, letter_arrived=True, letter_shift_days=5)
    assert code == 0 and obj["sent"] == "2026-12-29" and obj["approximate"] is True
    obj, code, _ = evaluate("la lettre est arrivée le 3 janvier, c'est quoi ma date limite", today)
    assert code == 0 and obj["sent"] == "2026-12-30" and obj["approximate"] is True

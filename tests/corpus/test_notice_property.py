"""Property: whatever else a message holds, the notice date decides, and never too late.

Hypothesis builds messages that combine ONE true notice date (the date of an email, or the day a
letter arrived) with distractors (birth dates, "a eu 18 ans le…", appointments, moves, phone
numbers, times, "3422", amounts, "6 semaines"), in random order, with or without the word
"date", and sends them through every entry path of the real conversation (tests/harness.py):
the first message, after each main-menu button, after "Un mail", "Un courrier" and both letter
buttons, and as a correction after a first answer.  Whenever the bot gives a deadline:

- it is never later than the true sending day + 42 days;
- a letter's arrival day is always counted earlier (strictly) and marked approximate;
- a distractor never becomes the notice date (the sending day is the notice date, or the
  notice date taken the configured days earlier).

Where only numbers distract (no other date), the bot must give the deadline (it may not
dodge by asking).
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.knowledge.facts import OPPOSITION_DAYS
from tests.support.harness import Chat, make_app, session_data

SHIFT = 4  # Settings.letter_shift_days default
FR_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

EMAIL_FR = [
    "j'ai reçu le mail le {d}",
    "le mail de l'Assurance Maladie est daté du {d}",
    "mail reçu le {d}",
    "le message sur Mon espace santé est arrivé le {d}",
    "l'email m'a été envoyé le {d}",
]
LETTER_FR = [
    "la lettre est arrivée le {d}",
    "le courrier est arrivé le {d}",
    "j'ai reçu le courrier le {d}",
    "le facteur a apporté la lettre le {d}",
    "la lettre est arrivée dans ma boîte aux lettres le {d}",
]
EMAIL_EN = ["I got the email on {d}", "the email was sent on {d}"]
LETTER_EN = ["the letter arrived on {d}", "I received the letter on {d}"]
DATED_FR = [
    "mon fils est né le {d}",
    "ma fille a eu 18 ans le {d}",
    "j'ai eu un rendez-vous chez le médecin le {d}",
    "j'ai déménagé le {d}",
    "mon rdv à l'hôpital était le {d}",
    "j'habite ici depuis le {d}",
]
DATED_EN = ["my son was born on {d}", "my daughter turned 18 on {d}", "I had a doctor's appointment on {d}"]
NUMBERS = [
    "appelez-moi au 06 12 34 56 78",
    "j'ai appelé le 3422 à 14h30",
    "ça m'a coûté 12 euros",
    "on a 6 semaines pour refuser",
    "j'habite au 12 rue de la Paix",
    "il est 9h15",
    "call me at 07 98 76 54 32",
]
DATE_WORD = ["c'est quoi ma date limite ?", "quelle est la date limite ?", "what is the last date?"]


def _fmt(d: date, style: int, en: bool) -> str:
    if en:
        return [
            f"{d.day} {EN_MONTHS[d.month - 1]}",
            f"{EN_MONTHS[d.month - 1]} {d.day}, {d.year}",
            f"{d.day} {EN_MONTHS[d.month - 1]} {d.year}",
        ][style % 3]
    return [
        f"{d.day}/{d.month}",
        f"{d.day} {FR_MONTHS[d.month - 1]}",
        f"{d.day}/{d.month:02d}/{d.year}",
        f"{d.day} {FR_MONTHS[d.month - 1]} {d.year}",
    ][style % 4]


@st.composite
def messages(draw, dated_distractors: bool = True):
    today = draw(st.dates(min_value=date(2026, 3, 1), max_value=date(2027, 6, 30)))
    en = draw(st.booleans())
    letter = draw(st.booleans())
    notice_day = today - timedelta(days=draw(st.integers(0, 40)))
    style = draw(st.integers(0, 3))
    templates = (LETTER_EN if letter else EMAIL_EN) if en else (LETTER_FR if letter else EMAIL_FR)
    parts = [draw(st.sampled_from(templates)).format(d=_fmt(notice_day, style, en))]
    distractor_days = []
    if dated_distractors:
        for _ in range(draw(st.integers(1, 2))):
            d2 = today - timedelta(days=draw(st.integers(1, 365 * 30)))
            assume(d2 not in (notice_day, notice_day - timedelta(days=SHIFT)))
            assume(d2.year >= 2021 or draw(st.booleans()))
            distractor_days.append(d2)
            parts.append(
                draw(st.sampled_from(DATED_EN if en else DATED_FR)).format(d=_fmt(d2, draw(st.integers(0, 3)), en))
            )
    parts += draw(st.lists(st.sampled_from(NUMBERS), max_size=2, unique=True))
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(DATE_WORD)))
    parts = draw(st.permutations(parts))
    seps = [draw(st.sampled_from([", ", ". ", " et ", " ; "])) for _ in parts[1:]]
    text = parts[0] + "".join(s + p for s, p in zip(seps, parts[1:], strict=True))
    return {"today": today, "text": text, "letter": letter, "notice": notice_day, "distractors": distractor_days}


# every way into the conversation: (name, steps before the message)
PATHS = {
    "first": [],
    "menu_received": [("press", ":deadline:start")],
    "menu_exists": [("press", ":after:start")],
    "menu_understand": [("press", ":understand:start")],
    "menu_child": [("press", ":children:start")],
    "menu_collective": [("press", ":campaign:start")],
    "email": [("press", ":deadline:start"), ("press", ":email")],
    "letter": [("press", ":deadline:start"), ("press", ":letter")],
    "letter_printed": [("press", ":deadline:start"), ("press", ":letter"), ("press", ":printed")],
    "letter_arrival": [("press", ":deadline:start"), ("press", ":letter"), ("press", ":arrival")],
    "correction": [("say", "j'ai reçu le mail il y a 2 jours")],
}


class Conversations:
    """One real app; each example is a new person (fresh conversation) on its own day."""

    def __init__(self, tmp_path):
        self.loop = asyncio.new_event_loop()
        self.app, self.backend, self.clock = make_app(tmp_path)
        self.ids = itertools.count()

    def close(self):
        self.app.store.close()
        self.loop.close()

    def run(self, path: str, msg: dict) -> tuple[dict | None, Chat]:
        return self.loop.run_until_complete(self._run(path, msg))

    async def _run(self, path, msg):
        self.clock.set(datetime.combine(msg["today"], time(10, 0), ZoneInfo("Europe/Paris")))
        chat = Chat(self.app, self.backend, user=f"p{next(self.ids)}")
        await chat.say("/menu")
        for kind, arg in PATHS[path]:
            if kind == "say":
                await chat.say(arg)
                continue
            payloads = [b.payload for r in chat.last for b in r.flat_buttons() if b.payload]
            hit = [p for p in payloads if p.endswith(arg)]
            assert hit, (path, arg, payloads)
            await chat.send_event(kind="button", choice=hit[0])
        await chat.say(msg["text"])
        if not any(r.key in ("deadline/result", "deadline/passed") for r in chat.last):
            return None, chat
        return session_data(self.app, chat)["deadline"], chat


@pytest.fixture(scope="module")
def convs(tmp_path_factory):
    c = Conversations(tmp_path_factory.mktemp("notice"))
    yield c
    c.close()


def _check(msg: dict, got: dict | None, path: str, chat: Chat) -> None:
    if got is None:
        return  # the bot asked back: never a wrong deadline
    sent = date.fromisoformat(got["sent"])
    deadline = date.fromisoformat(got["deadline"])
    notice = msg["notice"]
    why = (path, msg["text"], got, chat.text[:200])
    true_sending_at_most = notice - timedelta(days=1) if msg["letter"] else notice
    assert deadline <= true_sending_at_most + timedelta(days=OPPOSITION_DAYS) + timedelta(days=0), why
    assert sent in (notice, notice - timedelta(days=SHIFT)), why  # never a distractor
    if msg["letter"]:
        assert sent < notice and got["approximate"] is True, why
    elif path != "letter_arrival":
        assert sent == notice, why  # an email's date is its sending date


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(msg=messages(), path=st.sampled_from(sorted(PATHS)))
def test_notice_date_with_distractors_on_every_path(convs, msg, path):
    got, chat = convs.run(path, msg)
    _check(msg, got, path, chat)


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    msg=messages(dated_distractors=False),
    path=st.sampled_from(
        ["first", "email", "letter", "letter_printed", "letter_arrival", "correction", "menu_received"]
    ),
)
def test_only_numbers_around_the_notice_date_the_bot_answers(convs, msg, path):
    got, chat = convs.run(path, msg)
    assert got is not None, (path, msg["text"], chat.keys, chat.text[:300])
    _check(msg, got, path, chat)

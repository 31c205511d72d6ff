"""Date understanding: properties (hypothesis), letter arrival, privacy, has_date."""

from datetime import date, timedelta

import pytest

from hypothesis import given, settings, strategies as st

from bot.lang import dates
from bot.domain.deadline import compute
from bot.knowledge import facts

TODAY = date(2026, 11, 22)

todays = st.dates(min_value=date(2022, 1, 1), max_value=date(2035, 12, 31))
phrase_parts = st.sampled_from(
    [
        "le",
        "3",
        "31",
        "29",
        "/",
        ".",
        "-",
        "11",
        "02",
        "2026",
        "26",
        "novembre",
        "fevrier",
        "février",
        "nov.",
        "il y a",
        "jours",
        "semaines",
        "mois",
        "hier",
        "avant-hier",
        "demain",
        "dans",
        "mardi",
        "dernier",
        "prochain",
        "début",
        "mi-",
        "fin",
        "1er",
        "trois",
        "vingt et un",
        "courrier",
        "arrivé",
        "mail",
        " ",
        "1 84 12 75 123 456 78",
        "3422",
        "18 ans",
        "6 semaines",
        "la semaine dernière",
        "ce matin",
        "🙂",
        "?",
        "2019",
        "2099",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120), todays)
def test_any_text_never_crashes_never_future(text, today):
    r = dates.parse(text, today)
    assert (r.error is None) == (r.date is not None)
    if r.ok:
        assert r.understood <= today
        assert r.date <= r.understood
        assert r.date.year >= facts.SCHEME_START_YEAR - 1
        dl = compute(r.date, today)
        assert dl.deadline == r.date + timedelta(days=42)
    else:
        assert r.error in dates.ERRORS


@settings(max_examples=300, deadline=None)
@given(st.lists(phrase_parts, max_size=8).map(" ".join), todays, st.booleans())
def test_date_like_phrases_never_future(text, today, letter):
    r = dates.parse(text, today, letter_arrived=letter, expect_date=True)
    if r.ok:
        assert r.understood <= today
        assert r.understood.year >= facts.SCHEME_START_YEAR
        assert (today - r.date).days >= 0
        if letter:
            assert r.approximate and r.date == r.understood - timedelta(days=4)
        assert compute(r.date, today).deadline - r.date == timedelta(days=42)


@given(st.dates(min_value=date(2021, 1, 1), max_value=date(2030, 12, 31)), st.integers(0, 400))
def test_any_written_date_is_read_back(d, days_after):
    today = d + timedelta(days=days_after)
    for text in (
        f"{d:%d/%m/%Y}",
        f"{d.day}.{d.month}.{d:%y}",
        d.isoformat(),
        f"le {d.day} {dates.month_name(d.month)} {d.year}",
    ):
        r = dates.parse(text, today)
        assert r.ok and r.understood == d, text


@given(st.dates(min_value=date(2022, 1, 1), max_value=date(2030, 12, 31)), st.integers(0, 364))
def test_day_month_without_year_is_the_most_recent(d, back):
    today = d + timedelta(days=back)
    if d.month == 2 and d.day == 29:
        return
    r = dates.parse(f"le {d.day} {dates.month_name(d.month)}", today)
    assert r.ok and r.understood == d


def test_letter_arrival_from_words_and_flag():
    r = dates.parse("le courrier est arrivé hier", TODAY)
    assert r.letter_arrived and r.understood == date(2026, 11, 21) and r.date == date(2026, 11, 17)
    assert r.approximate and not r.fuzzy and r.shift_days == 4
    r = dates.parse("la lettre est datée du 5 novembre", TODAY)
    assert not r.letter_arrived and r.date == date(2026, 11, 5) and not r.approximate
    r = dates.parse("j'ai reçu le mail hier", TODAY)
    assert not r.letter_arrived and r.date == date(2026, 11, 21)
    r = dates.parse("5/11", TODAY, letter_arrived=True, letter_shift_days=6)
    assert r.date == date(2026, 10, 30) and r.understood == date(2026, 11, 5)
    # words saying a letter arrived count whatever the buttons said (arrival is never sending)
    for kind in (None, "email", "letter", "letter_any", "arrival"):
        r = dates.parse("le courrier est arrivé hier", TODAY, kind=kind)
        assert r.letter_arrived and r.date == date(2026, 11, 17), kind


def test_sensitive_numbers_removed_before_reading():
    # dateparser alone reads "2 84 12" as 2 December 1984
    for text in ("2 84 12 75 123 456 78", "1 84 12 75 123 456", "184127512345678", "2.84.12.75.123.456.78"):
        assert dates.parse(text, TODAY).error == "no_date", text
    r = dates.parse("NIR 1 84 12 75 123 456 78 et reçu le 5 novembre", TODAY)
    assert r.understood == date(2026, 11, 5)


def test_has_date():
    assert dates.has_date("j'ai reçu le mail le 3 novembre", TODAY)
    assert dates.has_date("il y a 4 jours", TODAY)
    assert dates.has_date("31/11", TODAY)  # an impossible date is still a date message
    assert dates.has_date("demain", TODAY)
    for text in ("mon médecin voit tout ?", "c payant d'appeler", "je suis à la MSA", "bonjour", "", "3422", "18 ans"):
        assert not dates.has_date(text, TODAY), text


def test_fuzzy_is_flagged_and_earliest():
    r = dates.parse("début novembre", TODAY)
    assert r.fuzzy and r.approximate and r.understood == date(2026, 11, 1)
    assert dates.parse("mi-octobre", TODAY).understood < dates.parse("fin octobre", TODAY).understood


def test_impossible_is_never_corrected():
    r = dates.parse("31/11", TODAY)
    assert r.error == "impossible" and r.detail["max_day"] == 30 and r.detail["month"] == 11
    r = dates.parse("29 février 2027", TODAY)
    assert r.error == "impossible" and r.detail["leap"]


def test_several_dates_take_the_earliest_valid():
    assert dates.parse("le 5 novembre, non pardon le 3 novembre", TODAY).understood == date(2026, 11, 3)
    assert dates.parse("j'appelle demain, reçu le 4/11", TODAY).understood == date(2026, 11, 4)


def test_result_holds_no_text():
    r = dates.parse("Bonjour Marie, j'ai reçu le mail le 3 novembre", TODAY)
    assert "Marie" not in repr(r) and "marie" not in repr(r)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("le 15 j'ai reçu le mail", date(2026, 11, 15)),  # the elided "je", not "15 jours"
        ("le 15 j ai reçu le mail", date(2026, 11, 15)),
        ("il y a 15 j", date(2026, 11, 7)),  # "j" as a unit still works
        ("est-ce que le 15 peut voir mon dossier ?", None),  # the SAMU's number, not a day
        ("je veux pas que le 15 voie mon dossier", None),
        ("le 15 a accès à tout ?", None),
    ],
)
def test_elided_je_and_the_samu_number(text, expected):
    r = dates.parse(text, date(2026, 11, 22))
    assert r.date == expected, (text, r)


async def test_samu_question_gets_an_answer_not_a_deadline(chat):
    await chat.say("est-ce que le 15 peut voir mon dossier ?")
    assert not any(k.startswith("deadline/") for k in chat.keys), chat.keys

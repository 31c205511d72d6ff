"""bot/campaign_dates.py: an organiser's days and times in words, placed from today on."""

from datetime import date

import pytest

from bot.lang.campaign_dates import parse_day, split_time, weekday_in

TODAY = date(2026, 11, 22)  # a Sunday


@pytest.mark.parametrize(
    "text,want",
    [
        ("le 15 décembre", date(2026, 12, 15)),
        ("15 decembre 2026", date(2026, 12, 15)),
        ("15/12", date(2026, 12, 15)),
        ("1er janvier", date(2027, 1, 1)),
        ("le 15", date(2026, 12, 15)),
        ("22 novembre", TODAY),
        ("jeudi", date(2026, 11, 26)),
        ("dimanche", TODAY),
        ("demain", date(2026, 11, 23)),
        ("après-demain", date(2026, 11, 24)),
        ("aujourd'hui", TODAY),
        ("15 December", date(2026, 12, 15)),
        ("Thursday", date(2026, 11, 26)),
        ("tomorrow", date(2026, 11, 23)),
    ],
)
def test_days_in_words_from_today_on(text, want):
    assert parse_day(text, TODAY) == want


@pytest.mark.parametrize("text", ["début décembre", "31/11", "hier", "il y a 3 jours", "jeudi ou vendredi", ""])
def test_not_a_single_day_to_come_is_not_guessed(text):
    assert parse_day(text, TODAY) is None


@pytest.mark.parametrize(
    "text,rest,hhmm",
    [
        ("jeudi 18h", "jeudi", "18:00"),
        ("le 15 décembre à 18h30", "le 15 decembre", "18:30"),
        ("18 heures", "", "18:00"),
        ("midi", "", "12:00"),
        ("10:00", "", "10:00"),
        ("15 December at 6pm", "15 december", "18:00"),
        ("Thursday 9:30 am", "thursday", "09:30"),
        ("15/12", "15/12", None),
        ("9", "9", None),
    ],
)
def test_time_of_day_split_from_the_day(text, rest, hhmm):
    got_rest, got = split_time(text)
    assert got == hhmm and (got_rest == rest if hhmm else got_rest == text)


def test_one_weekday_only():
    assert weekday_in("mardi 9h") == 1 and weekday_in("lundi ou mardi") is None and weekday_in("le 15") is None

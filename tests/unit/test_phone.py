"""3422 opening rules: Monday-Friday 8:30-17:30 Paris time, French public holidays closed."""

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from bot.domain import phone

PARIS = ZoneInfo("Europe/Paris")


def paris(*a):
    return datetime(*a, tzinfo=PARIS).astimezone(timezone.utc)


def test_working_days_and_holidays():
    assert phone.is_working_day(date(2026, 11, 10))  # Tuesday
    assert not phone.is_working_day(date(2026, 11, 11))  # Armistice
    assert not phone.is_working_day(date(2026, 11, 14))  # Saturday
    assert not phone.is_working_day(date(2026, 12, 25))  # Christmas
    assert not phone.is_working_day(date(2027, 3, 29))  # Easter Monday 2027
    assert not phone.is_working_day(date(2026, 5, 14))  # Ascension 2026
    assert phone.is_working_day(date(2026, 12, 24))


def test_is_open_hours_in_paris_time():
    assert not phone.is_open(paris(2026, 11, 10, 8, 29))
    assert phone.is_open(paris(2026, 11, 10, 8, 30))
    assert phone.is_open(paris(2026, 11, 10, 17, 29))
    assert not phone.is_open(paris(2026, 11, 10, 17, 30))
    assert not phone.is_open(paris(2026, 11, 11, 10, 0))  # holiday
    # summer time: 9:00 Paris is 7:00 UTC
    assert phone.is_open(datetime(2026, 7, 15, 7, 0, tzinfo=timezone.utc))
    assert not phone.is_open(datetime(2026, 7, 15, 6, 29, tzinfo=timezone.utc))


def test_next_opening():
    assert phone.next_opening(paris(2026, 11, 10, 17, 45)) == datetime(2026, 11, 12, 8, 30, tzinfo=PARIS)  # 11th closed
    assert phone.next_opening(paris(2026, 11, 13, 18, 0)) == datetime(2026, 11, 16, 8, 30, tzinfo=PARIS)  # weekend
    assert phone.next_opening(paris(2026, 11, 16, 7, 0)) == datetime(2026, 11, 16, 8, 30, tzinfo=PARIS)
    now = paris(2026, 11, 16, 10, 0)
    assert phone.next_opening(now) == now  # open now
    assert phone.next_opening(now).tzinfo is not None
    # from Reunion at night: the answer is still Paris time
    assert phone.next_opening(datetime(2026, 12, 24, 20, 0, tzinfo=timezone.utc)) == datetime(
        2026, 12, 28, 8, 30, tzinfo=PARIS
    )


def test_last_working_day():
    assert phone.last_working_day_on_or_before(date(2026, 11, 15)) == date(2026, 11, 13)  # Sunday -> Friday
    assert phone.last_working_day_on_or_before(date(2026, 11, 11)) == date(2026, 11, 10)
    assert phone.last_working_day_on_or_before(date(2027, 1, 3)) == date(2026, 12, 31)
    assert phone.last_working_day_on_or_before(date(2026, 11, 10)) == date(2026, 11, 10)

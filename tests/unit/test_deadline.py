"""The 42-day rule and the recommended day."""

from datetime import date, timedelta

from hypothesis import example, given, strategies as st

from bot.knowledge import facts
from bot.domain import phone
from bot.domain.deadline import compute, last_day


def test_rule_is_sending_plus_42_days():
    assert facts.OPPOSITION_DAYS == 42
    assert last_day(date(2026, 11, 3)) == date(2026, 12, 15)
    assert last_day(date(2027, 1, 20)) == date(2027, 3, 3)
    assert last_day(date(2028, 1, 20)) == date(2028, 3, 2)  # leap February


def test_json_shape():
    dl = compute(date(2026, 11, 3), date(2026, 11, 22))
    assert dl.to_json() == {
        "sent": "2026-11-03",
        "deadline": "2026-12-15",
        "recommended": "2026-12-10",
        "days_left": 23,
        "status": "open",
        "approximate": False,
        "understood": "mardi 3 novembre 2026",
    }
    assert compute(date(2026, 11, 1), date(2026, 11, 2)).to_json()["understood"] == "dimanche 1er novembre 2026"
    assert dl.to_data() == {
        "sent": "2026-11-03",
        "deadline": "2026-12-15",
        "recommended": "2026-12-10",
        "approximate": False,
    }


def test_status_and_days_left():
    sent = date(2026, 11, 3)  # last day 15 December
    assert compute(sent, date(2026, 12, 7)).status == "open"  # 8 days left
    assert compute(sent, date(2026, 12, 8)).status == "last_days"  # 7 days left
    last = compute(sent, date(2026, 12, 15))
    assert last.days_left == 0 and last.status == "last_days" and last.recommended == date(2026, 12, 15)
    gone = compute(sent, date(2026, 12, 16))
    assert gone.days_left == -1 and gone.status == "passed"


def test_recommended_avoids_weekends_holidays_and_never_before_today():
    # last day Sunday 20 Dec 2026: margin 5 -> Tuesday 15
    assert compute(date(2026, 11, 8), date(2026, 11, 22)).recommended == date(2026, 12, 15)
    # margin lands on 11 November (holiday) -> Tuesday 10
    assert compute(date(2026, 10, 5), date(2026, 10, 20)).recommended == date(2026, 11, 10)  # last day Mon 16
    # margin lands on Saturday 26 Dec -> Thursday 24 (25th is Christmas)
    assert compute(date(2026, 11, 19), date(2026, 11, 22)).recommended == date(2026, 12, 24)
    # fewer days than the margin: today if 3422 is open, else the next working day
    assert compute(date(2026, 11, 3), date(2026, 12, 14)).recommended == date(2026, 12, 14)
    assert compute(date(2026, 11, 3), date(2026, 12, 12)).recommended == date(2026, 12, 14)  # Saturday -> Monday
    # margin is configurable
    assert compute(date(2026, 11, 3), date(2026, 11, 22), margin_days=10).recommended == date(2026, 12, 4)


@given(st.dates(min_value=date(2021, 1, 1), max_value=date(2035, 1, 1)), st.integers(-10, 60), st.integers(0, 14))
@example(date(2021, 2, 6), 42, 0)  # last day is a Saturday and it is today: no working day is left
def test_properties(sent, offset, margin):
    today = sent + timedelta(days=offset)
    dl = compute(sent, today, margin_days=margin)
    assert dl.deadline == sent + timedelta(days=42)
    assert dl.days_left == (dl.deadline - today).days
    assert dl.recommended >= today
    if not dl.passed:
        assert dl.recommended <= dl.deadline
        days_left = [today + timedelta(days=i) for i in range((dl.deadline - today).days + 1)]
        if any(phone.is_working_day(d) for d in days_left):
            # whenever 3422 is open on some day before the end, the advice is such a day
            assert phone.is_working_day(dl.recommended)
        else:
            assert dl.recommended == today  # nothing open any more: act today (online)

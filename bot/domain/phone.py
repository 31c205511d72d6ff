"""When the 3422 line is open: the opening rules of bot/knowledge/facts.py (PHONE_OPEN, PHONE_CLOSE,
PHONE_DAYS, PHONE_TZ), with French public holidays (metropolitan France, from the
``holidays`` package) counted as closed days.

Used by the deadline (recommended day), the phone walkthrough ("open right now?") and
the reminders (move the "act now" reminder to a working day)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from ..knowledge import facts

#: Upper bound for searches (a month always holds several working days).
_MAX_SCAN_DAYS = 40


@lru_cache(maxsize=32)
def _holidays(year: int):
    import holidays  # lazy: keeps `mes-bot deadline` and the console quick to start

    return holidays.country_holidays("FR", years=year)  # no subdivision: metropolitan France


def is_holiday(d: date) -> bool:
    return d in _holidays(d.year)


def is_working_day(d: date) -> bool:
    """Monday-Friday (facts.PHONE_DAYS) and not a French public holiday."""
    if isinstance(d, datetime):
        d = d.date()
    return d.weekday() in facts.PHONE_DAYS and not is_holiday(d)


def _tz() -> ZoneInfo:
    return ZoneInfo(facts.PHONE_TZ)


def _local(now_utc: datetime) -> datetime:
    if now_utc.tzinfo is None:
        now_utc = now_utc.replace(tzinfo=timezone.utc)
    return now_utc.astimezone(_tz())


def is_open(now_utc: datetime) -> bool:
    """Is 3422 open at this instant (opening hours are mainland French time)?"""
    local = _local(now_utc)
    return is_working_day(local.date()) and facts.PHONE_OPEN <= local.time().replace(tzinfo=None) < facts.PHONE_CLOSE


def next_opening(now_utc: datetime) -> datetime:
    """The next moment the line opens, aware, in Europe/Paris; ``now`` itself if open now."""
    local = _local(now_utc)
    if is_open(now_utc):
        return local
    d = local.date()
    if not (is_working_day(d) and local.time().replace(tzinfo=None) < facts.PHONE_OPEN):
        d = d + timedelta(days=1)
    for _ in range(_MAX_SCAN_DAYS):
        if is_working_day(d):
            return datetime.combine(d, facts.PHONE_OPEN, tzinfo=_tz())
        d += timedelta(days=1)
    raise RuntimeError("no working day found")  # pragma: no cover - impossible with real calendars


def closing_time(d: date) -> datetime | None:
    """When the line closes on day ``d`` (None when it is closed all day)."""
    if not is_working_day(d):
        return None
    return datetime.combine(d, facts.PHONE_CLOSE, tzinfo=_tz())


def last_working_day_on_or_before(d: date) -> date:
    for _ in range(_MAX_SCAN_DAYS):
        if is_working_day(d):
            return d
        d -= timedelta(days=1)
    raise RuntimeError("no working day found")  # pragma: no cover


def first_working_day_on_or_after(d: date) -> date:
    for _ in range(_MAX_SCAN_DAYS):
        if is_working_day(d):
            return d
        d += timedelta(days=1)
    raise RuntimeError("no working day found")  # pragma: no cover

"""Collectives: when a campaign posts, as an organiser gives it (shared by the new-campaign
wizard and the editor): the day, the weekday, the time, and their buttons.

Button payloads: a time ``at.1800``, a weekday ``day.0`` (Monday) … ``day.6``; the countdown
days ``j7_j1``, ``j14_j7_j1``, ``j3_j1``.  :func:`renamed` reads the payloads of older releases
(``t1800``, ``d3``, ``o71``), still on buttons already sent.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from bot.core.flowlib import Choice, Ctx, Say, Turn

TIMES = ("10:00", "12:00", "18:00")
#: countdown payload -> days before the date ("7,1": J-7 and J-1); the label keys keep their old names
COUNTDOWNS = {"j7_j1": "7,1", "j14_j7_j1": "14,7,1", "j3_j1": "3,1"}
COUNTDOWN_LABELS = {"j7_j1": "campaign.o71", "j14_j7_j1": "campaign.o1471", "j3_j1": "campaign.o31"}
_OLD_COUNTDOWNS = {"o71": "j7_j1", "o1471": "j14_j7_j1", "o31": "j3_j1"}
MAX_AHEAD = timedelta(days=400)


def renamed(payload: str) -> str:
    """Today's payload for one of an older release (``t1800`` -> ``at.1800``, ``d3`` -> ``day.3``)."""
    if re.fullmatch(r"t\d{4}", payload):
        return f"at.{payload[1:]}"
    if re.fullmatch(r"d[0-6]", payload):
        return f"day.{payload[1]}"
    return _OLD_COUNTDOWNS.get(payload, payload)


def time_buttons() -> list[Choice]:
    return [Choice("campaign.time", f"at.{t.replace(':', '')}", vars={"t": t}) for t in TIMES]


def weekday_rows() -> list[list[Choice]]:
    days = [Choice(f"campaign.day{i}", f"day.{i}") for i in range(7)]
    return [days[:4], days[4:]]


def time_of(payload: str) -> str | None:
    """``at.1800`` -> "18:00"."""
    return parse_time(payload[3:5] + ":" + payload[5:7]) if re.fullmatch(r"at\.\d{4}", payload) else None


def weekday_of(payload: str) -> int | None:
    """``day.3`` -> 3 (Thursday)."""
    return int(payload[4]) if re.fullmatch(r"day\.[0-6]", payload) else None


def parse_day(text: str, today: date) -> date | None:
    """A day written in digits: 2026-12-15, 15/12, 15.12.26 (without a year: the next one)."""
    t = text.strip().lower()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", t)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = re.fullmatch(r"(\d{1,2})[/.\- ](\d{1,2})(?:[/.\- ](\d{2,4}))?", t)
        if not m:
            return None
        d, mo = int(m.group(1)), int(m.group(2))
        y = int(m.group(3)) if m.group(3) else today.year
        if y < 100:
            y += 2000
        if not m.group(3):
            try:
                if date(y, mo, d) < today:
                    y += 1
            except ValueError:
                return None
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def parse_when(text: str, today: date) -> date | None:
    """Digits as before, else words through the bot's date understanding ("le 15 décembre")."""
    from bot.lang.campaign_dates import parse_day as in_words

    return parse_day(text, today) or in_words(text, today)


def parse_time(text: str) -> str | None:
    from bot.lang.campaign_dates import split_time

    rest, hhmm = split_time(text)
    if hhmm and not rest.strip(" .,"):
        return hhmm
    m = re.fullmatch(r"\s*(\d{1,2})\s*(?:[:h]\s*(\d{2})?)?\s*", text.lower())
    if not m:
        return None
    h, mi = int(m.group(1)), int(m.group(2) or 0)
    if h > 23 or mi > 59:
        return None
    return f"{h:02d}:{mi:02d}"


def example_day(ctx: Ctx) -> str:
    """A date every kind of campaign accepts, for the question's example."""
    return (ctx.today + timedelta(days=21)).isoformat()


def read_day(ctx: Ctx, text: str, kind: str | None) -> tuple[date, str | None] | Turn:
    """(the day, a time given with it) from "15/12" or "le 15 décembre à 18h", or the kind answer."""
    from bot.lang.campaign_dates import split_time

    rest, hhmm = split_time(text)
    d = parse_when(rest if hhmm else text, ctx.today)
    if d is None:
        return Turn([Say("campaign/bad_date", {"example": example_day(ctx)})])
    if d < ctx.today or (kind == "countdown" and d <= ctx.today) or d > ctx.today + MAX_AHEAD:
        return Turn([Say("campaign/date_range", {"kind": kind, "today": ctx.today.isoformat()})])
    return d, hhmm


def read_weekday(text: str) -> tuple[int, str | None] | Turn:
    """(the weekday, a time given with it) from "jeudi 18h", or the kind answer."""
    from bot.lang.campaign_dates import split_time, weekday_in

    rest, hhmm = split_time(text)
    wd = weekday_in(rest)
    if wd is None:
        return Turn([Say("campaign/bad_weekday")])
    return wd, hhmm


def time_past(c: dict, local_now: datetime) -> Say:
    """ "That time has passed already" for campaign or draft ``c``, with the local time now."""
    args = {"kind": c["kind"], "date": c["at_date"], "time": c["at_time"], "now": local_now.strftime("%H:%M")}
    return Say("campaign/time_past", args)

"""An organiser's dates and times, as she writes them: "le 15 décembre", "15/12", "jeudi 18h",
"demain à midi".  Days go through the bot's own date understanding (``bot.lang.dates.parse``),
asked from a point a year ahead so that it places days in the coming twelve months (it reads
notice dates, which are in the past); weekdays and "demain" are placed from today here."""

from __future__ import annotations

import re
from datetime import date, timedelta

from . import dates
from .textnorm import fold

AHEAD = 364  # "le 15 décembre" is the next 15 December within a year (today included)
_TIME = re.compile(
    r"(?<![\d/.:-])(?P<h12>1[0-2]|0?[1-9])(?::(?P<m12>[0-5]\d))?\s*(?P<ampm>am|pm)\b"
    r"|(?<![\d/.:-])(?P<h>[01]?\d|2[0-3])\s*(?:heures?|h|:)\s*(?P<m>[0-5]\d)?(?![\d/])"
    r"|\b(?P<word>midi|minuit|noon)\b"
)


def _relative() -> dict[str, int]:
    """ "demain": 1, from locales/<lang>/nlu/words.toml (``relative_days``, "word:days")."""
    from .nlu_data import words

    return {w: int(n) for w, _, n in (item.rpartition(":") for item in words("words", "relative_days"))}


def split_time(text: str) -> tuple[str, str | None]:
    """(the text without its time of day, "HH:MM" or None)."""
    m = _TIME.search(fold(text))
    if not m:
        return text, None
    if m.group("word"):
        hhmm = "00:00" if m.group("word") == "minuit" else "12:00"
    elif m.group("ampm"):  # 6pm, 9:30 am
        h = int(m.group("h12")) % 12 + (12 if m.group("ampm") == "pm" else 0)
        hhmm = f"{h:02d}:{int(m.group('m12') or 0):02d}"
    else:
        hhmm = f"{int(m.group('h')):02d}:{int(m.group('m') or 0):02d}"
    rest = re.sub(r"\s(a|at)\s*$", "", (fold(text)[: m.start()] + " " + fold(text)[m.end() :]).strip() + " ")
    rest = rest.replace(" a ", " ").strip()
    return rest, hhmm


def weekday_in(text: str) -> int | None:
    """0 = Monday, when the text names exactly one weekday."""
    found = {d for w in re.findall(r"[a-z]+", fold(text)) if (d := dates.weekday_of(w)) is not None}
    return found.pop() if len(found) == 1 else None


def parse_day(text: str, today: date) -> date | None:
    """The day she means, from today on (None: not understood, or not a single day)."""
    t = fold(text).replace("'", " ").replace("-", " ").strip(" .!")
    t = re.sub(r"^(le|on|the)\s+", "", t)
    for said, n in _relative().items():
        if t == said:
            return today + timedelta(days=n)
    r = dates.parse(text, today + timedelta(days=AHEAD), expect_date=True, detect_letter=False)
    understood = r.understood if r.ok else None
    if understood is not None and not r.fuzzy and r.kind in ("explicit", "yearless"):
        return understood
    if understood is not None and r.kind == "bare_day":  # "le 15": the next 15th
        day = understood.day
        d = today
        for _ in range(62):
            if d.day == day:
                return d
            d += timedelta(days=1)
        return None
    wd = weekday_in(t)
    if wd is not None and len(t.split()) <= 2:  # "jeudi", "jeudi prochain"
        return today + timedelta(days=(wd - today.weekday()) % 7)
    return None

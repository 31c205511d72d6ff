"""Calendar file (.ics) for a deadline: the last day and the advised day as all-day events, with alarms.

For people who prefer that the bot keeps nothing: they take the reminder into their own
calendar and erase themselves.  The file holds no name and no identifier (a random UID);
all wording comes from templates, passed in by the caller.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta, timezone


def build_ics(events: list[dict], now: datetime) -> bytes:
    """``events``: [{"deadline": date, "summary": str, "description": str,
    "alarms": [(date, hour, text)]}].  Alarms are absolute local times turned into
    triggers relative to the start of the all-day event (floating, so they ring at that
    hour wherever the calendar is)."""
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//mes-bot//Mon espace sante//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    stamp = now.astimezone(timezone.utc).replace(microsecond=0)
    for ev in events:
        d: date = ev["deadline"]
        e = Event()
        e.add("uid", f"{uuid.uuid4()}@mes-bot")
        e.add("dtstamp", stamp)
        e.add("dtstart", d)
        e.add("dtend", d + timedelta(days=1))
        e.add("summary", ev["summary"])
        e.add("description", ev["description"])
        e.add("transp", "TRANSPARENT")
        for day, hour, text in ev["alarms"]:
            a = Alarm()
            a.add("action", "DISPLAY")
            a.add("description", text)
            a.add("trigger", datetime.combine(day, time(hour)) - datetime.combine(d, time(0)))
            e.add_component(a)
        cal.add_component(e)
    return cal.to_ical()

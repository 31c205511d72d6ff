"""The calendar file holds the advised day too (its own all-day event with an alarm), besides the last
day, and is named with the last day's date."""

import re
from datetime import date, datetime

import icalendar

from tests.support.harness import Chat, make_app
from tests.flows.test_reminders import create, seed


def _calendar(chat: Chat):
    [reply] = [r for r in chat.last if r.attachment]
    return reply, icalendar.Calendar.from_ical(reply.attachment.data)


def _by_day(cal):
    return {ev.decoded("dtstart"): ev for ev in cal.walk("VEVENT")}


async def test_advised_day_is_an_event_with_its_alarm_and_the_file_is_named_with_the_date(tmp_path):
    app, backend, _clock = make_app(tmp_path)  # now: Sunday 22 Nov 2026, 10:00 Paris
    chat = Chat(app, backend)
    await seed(chat, "2026-12-20", recommended="2026-12-15")
    await chat.press("Fichier pour mon agenda")
    reply, cal = _calendar(chat)
    assert reply.attachment.filename == "mon-espace-sante-2026-12-20.ics"
    assert re.fullmatch(r"mon-espace-sante-\d{4}-\d{2}-\d{2}\.ics", reply.attachment.filename)
    assert "(1 date)" in reply.text  # one person's deadline, even with two events
    events = _by_day(cal)
    assert set(events) == {date(2026, 12, 15), date(2026, 12, 20)}
    advised = events[date(2026, 12, 15)]
    assert str(advised["summary"]).startswith("Jour conseillé pour refuser Mon espace santé")
    assert "dimanche 20 décembre 2026" in str(advised["description"])
    assert advised.decoded("dtend") == date(2026, 12, 16)
    [alarm] = list(advised.walk("VALARM"))
    assert datetime(2026, 12, 15) + alarm.decoded("trigger") == datetime(2026, 12, 15, 10)
    assert "jour conseillé" in str(alarm["description"])
    assert str(events[date(2026, 12, 20)]["summary"]).startswith("Dernier jour pour refuser")


async def test_saved_deadlines_carry_their_advised_day_in_english(tmp_path):
    app, backend, _clock = make_app(tmp_path)
    fr = Chat(app, backend)
    await create(fr, "2026-12-20", recommended="2026-12-14")
    s = app.store.get_session(fr._event().session_key)
    s.data.pop("deadline", None)  # only the saved deadline is left to put in the file
    app.store.save_session(s)
    app.store.set_user("fake:u1", locale="en")
    await fr.say("/calendrier")
    reply, cal = _calendar(fr)
    assert reply.attachment.filename == "mon-espace-sante-2026-12-20.ics"
    events = _by_day(cal)
    assert set(events) == {date(2026, 12, 14), date(2026, 12, 20)}
    assert str(events[date(2026, 12, 14)]["summary"]).startswith("Advised day to refuse Mon espace santé")


async def test_no_advised_event_when_it_is_the_last_day_or_past(tmp_path):
    app, backend, _clock = make_app(tmp_path)
    chat = Chat(app, backend)
    await seed(chat, "2026-12-20")  # advised = last day: one event
    await chat.press("Fichier pour mon agenda")
    assert set(_by_day(_calendar(chat)[1])) == {date(2026, 12, 20)}
    await seed(chat, "2026-12-20", recommended="2026-11-20")  # advised day already gone
    await chat.press("Fichier pour mon agenda")
    assert set(_by_day(_calendar(chat)[1])) == {date(2026, 12, 20)}

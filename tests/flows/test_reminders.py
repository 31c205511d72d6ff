"""Reminder flows through the real router, store and templates (fake transport)."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar

from tests.support.harness import Chat, make_app

PARIS = ZoneInfo("Europe/Paris")


async def seed(chat: Chat, deadline: str, recommended: str | None = None, **data):
    """Stand in for the deadline flow: put its result in the session, then go to the offer."""
    await chat.say("/menu")
    store = chat.app.store
    s = store.get_session(chat._event().session_key)
    s.data["deadline"] = {
        "sent": (date.fromisoformat(deadline) - timedelta(days=42)).isoformat(),
        "deadline": deadline,
        "recommended": recommended or deadline,
        "approximate": False,
    }
    s.data.update(data)
    store.save_session(s)
    return await chat.send_event(kind="button", choice="g:reminders:offer")


async def create(chat: Chat, deadline: str, who: str = "moi", schedule: str = "Par défaut", **data):
    await seed(chat, deadline, **data)
    assert "reminders/offer" in chat.keys
    await chat.press("Oui, me le rappeler")
    assert "reminders/who" in chat.keys
    await chat.press(who)
    assert "reminders/schedule" in chat.keys
    await chat.press(schedule)
    return chat.last


def rows(app, sql, args=()):
    return list(app.store.db.query(sql, list(args)))


async def test_offer_to_created_stores_label_dates_and_plan(tmp_path):
    app, backend, clock = make_app(tmp_path)  # now: Sunday 22 Nov 2026, 10:00 Paris
    chat = Chat(app, backend)
    await create(chat, "2026-12-20")  # a Sunday: 3422 closed on the last day
    assert "reminders/created" in chat.keys
    assert "dimanche 20 décembre 2026" in chat.text
    assert "vendredi 18 décembre 2026" in chat.text  # the "act now" reminder moved to Friday
    d = rows(app, "SELECT * FROM deadlines")
    assert len(d) == 1 and d[0]["label"] == "me" and d[0]["deadline"] == "2026-12-20"
    assert d[0]["tz"] == "Europe/Paris" and d[0]["schedule"] == "14,7,3,1,0" and d[0]["campaign"] is None
    r = rows(app, "SELECT * FROM reminders ORDER BY due_at")
    local = [datetime.fromtimestamp(x["due_at"], timezone.utc).astimezone(PARIS) for x in r]
    assert [t.date().isoformat() for t in local] == [
        "2026-12-06",
        "2026-12-13",
        "2026-12-17",
        "2026-12-18",
        "2026-12-19",
    ]
    assert all(t.hour == 10 and t.minute == 0 for t in local)
    assert [x["kind"] for x in r].count("act_now") == 1
    assert all(x["user_key"] == "fake:u1" and x["sent_at"] is None for x in r)


async def test_only_future_reminders_and_other_schedules(tmp_path):
    app, backend, clock = make_app(tmp_path)
    chat = Chat(app, backend)
    await create(chat, "2026-11-27", who="enfant 1", schedule="Seulement 7")  # Friday, 5 days left
    r = rows(app, "SELECT offset_days FROM reminders")
    assert [x["offset_days"] for x in r] == [1]  # the 7-day one is already past
    await create(chat, "2026-11-23", who="enfant 2")  # tomorrow: only 1 and 0 remain
    r = rows(
        app,
        "SELECT r.offset_days FROM reminders r JOIN deadlines d ON d.id = r.deadline_id "
        "WHERE d.label = 'child2' ORDER BY due_at",
    )
    assert [x["offset_days"] for x in r] == [0]  # 1 day before = today 10:00 = now, not in the future
    clock.set(datetime(2026, 11, 23, 15, 0, tzinfo=PARIS))
    await create(chat, "2026-11-23", who="enfant 3")
    assert "reminders/too_late" in chat.keys
    assert not rows(app, "SELECT * FROM deadlines WHERE label = 'child3'")


async def test_same_label_replaces_and_several_deadlines_listed(tmp_path):
    app, backend, clock = make_app(tmp_path)
    chat = Chat(app, backend)
    await create(chat, "2026-12-20")
    await create(chat, "2026-12-21")  # "moi" again: a correction
    await create(chat, "2026-12-28", who="enfant 1")
    assert [d["deadline"] for d in app.store.active_deadlines("fake:u1")] == ["2026-12-21", "2026-12-28"]
    assert rows(app, "SELECT COUNT(*) AS n FROM reminders WHERE sent_at IS NULL")[0]["n"] == 10
    await chat.say("/rappels")
    assert chat.keys[-1] == "reminders/list"
    assert "lundi 21 décembre 2026" in chat.text and "enfant 1" in chat.text
    assert "Tout effacer" in chat.labels and "Tout annuler" in chat.labels
    await chat.press("Annuler : enfant 1")
    assert "reminders/cancelled_one" in chat.keys
    assert [d["label"] for d in app.store.active_deadlines("fake:u1")] == ["me"]
    await chat.press("Tout annuler")
    assert "reminders/cancelled_all" in chat.keys and "reminders/list_empty" in chat.keys
    assert rows(app, "SELECT COUNT(*) AS n FROM reminders WHERE sent_at IS NULL")[0]["n"] == 0


async def test_cannot_cancel_someone_elses_deadline(tmp_path):
    app, backend, clock = make_app(tmp_path)
    alice, bob = Chat(app, backend, user="a"), Chat(app, backend, user="b")
    await create(alice, "2026-12-20")
    did = app.store.active_deadlines("fake:a")[0]["id"]
    await bob.send_event(kind="button", choice=f"reminders:list:cancel:{did}")
    await bob.send_event(kind="button", choice=f"reminders:due:done:{did}")
    assert "reminders/already_stopped" in bob.keys
    assert len(app.store.active_deadlines("fake:a")) == 1


async def test_forget_button_erases_everything(tmp_path):
    app, backend, clock = make_app(tmp_path)
    chat = Chat(app, backend)
    await create(chat, "2026-12-20")
    await create(chat, "2026-12-28", who="enfant 1")
    await chat.say("/rappels")
    await chat.press("Tout effacer")
    assert "menu/forget_confirm" in chat.keys
    await chat.press("Oui, tout effacer")
    assert "menu/forgotten" in chat.keys
    for table in ("users", "sessions", "deadlines", "reminders"):
        assert rows(app, f"SELECT COUNT(*) AS n FROM {table}")[0]["n"] == 0, table


async def test_calendar_file_has_last_day_and_alarms(tmp_path):
    app, backend, clock = make_app(tmp_path)
    chat = Chat(app, backend)
    await seed(chat, "2026-12-20")
    await chat.press("Fichier pour mon agenda")
    reply = [r for r in chat.last if r.attachment][0]
    assert reply.attachment.filename.endswith(".ics") and reply.attachment.mime == "text/calendar"
    assert "Tout effacer" in chat.labels
    cal = icalendar.Calendar.from_ical(reply.attachment.data)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    assert events[0].decoded("dtstart") == date(2026, 12, 20)
    alarms = list(events[0].walk("VALARM"))
    start = datetime(2026, 12, 20)
    when = sorted(start + a.decoded("trigger") for a in alarms)
    assert when == [
        datetime(2026, 12, 6, 10),
        datetime(2026, 12, 13, 10),
        datetime(2026, 12, 17, 10),
        datetime(2026, 12, 18, 10),
        datetime(2026, 12, 19, 10),
    ]
    assert "fake" not in reply.attachment.data.decode() and "u1" not in reply.attachment.data.decode()
    # declining keeps nothing
    await seed(chat, "2026-12-20")
    await chat.press("Non merci")
    assert "reminders/declined" in chat.keys
    assert not rows(app, "SELECT * FROM deadlines")


async def test_due_buttons_done_tomorrow_and_campaign_hook(tmp_path):
    app, backend, clock = make_app(tmp_path)
    events = []
    app.services.campaign_event = lambda code, kind: events.append((code, kind))
    chat = Chat(app, backend)
    await create(chat, "2026-12-20", campaign="FLYER42")
    assert events == [("FLYER42", "reminder_started")]
    d = rows(app, "SELECT * FROM deadlines")[0]
    assert d["campaign"] == "FLYER42"
    clock.set(datetime(2026, 12, 6, 10, 0, 30, tzinfo=PARIS))
    assert await app.tick() == 1
    _chat_id, reply = backend.sent[-1]
    assert reply.key == "reminders/due" and reply.notice is False
    labels = [b.label for b in reply.flat_buttons()]
    assert labels == ["Refuser en ligne", "Refuser par téléphone", "C'est fait", "Me le rappeler demain"]
    assert "Il reste 14 jours" in reply.text and "sans doute fermé (week-end ou jour férié)" in reply.text
    assert "fermé en ce moment" in reply.text  # Sunday 6 December: 3422 closed
    chat.last = [reply]
    await chat.press("Me le rappeler demain")
    assert "reminders/tomorrow_ok" in chat.keys and "lundi 7 décembre 2026" in chat.text
    clock.set(datetime(2026, 12, 7, 10, 0, 30, tzinfo=PARIS))
    assert await app.tick() == 1
    assert "ouvert en ce moment" in backend.sent[-1][1].text  # Monday 10:00
    chat.last = [backend.sent[-1][1]]
    await chat.press("C'est fait")
    assert "reminders/done_ack" in chat.keys
    assert events[-1] == ("FLYER42", "done")
    assert rows(app, "SELECT COUNT(*) AS n FROM reminders WHERE sent_at IS NULL")[0]["n"] == 0
    clock.set(datetime(2026, 12, 21, 10, 0, tzinfo=PARIS))
    assert await app.tick() == 0


async def test_tomorrow_on_last_day_is_refused(tmp_path):
    app, backend, clock = make_app(tmp_path)
    chat = Chat(app, backend)
    await create(chat, "2026-12-18")
    clock.set(datetime(2026, 12, 18, 10, 0, 5, tzinfo=PARIS))
    assert await app.tick() == 1
    reply = backend.sent[-1][1]
    assert "C'est aujourd'hui" in reply.text
    assert "Me le rappeler demain" not in [b.label for b in reply.flat_buttons()]
    did = rows(app, "SELECT id FROM deadlines")[0]["id"]
    await chat.send_event(kind="button", choice=f"reminders:due:tomorrow:{did}")
    assert "reminders/tomorrow_too_late" in chat.keys


async def test_passed_and_missing_deadline(tmp_path):
    app, backend, clock = make_app(tmp_path)
    chat = Chat(app, backend)
    await seed(chat, "2026-11-01")
    assert "reminders/passed" in chat.keys
    await chat.say("/menu")
    s = app.store.get_session(chat._event().session_key)
    s.data.pop("deadline", None)
    app.store.save_session(s)
    await chat.send_event(kind="button", choice="g:reminders:offer")
    assert "reminders/no_deadline" in chat.keys


async def test_privacy_command_and_summary_service(tmp_path):
    app, backend, clock = make_app(tmp_path)
    chat = Chat(app, backend)
    await chat.say("/confidentialite")
    assert chat.keys[-2:] == ["privacy/show", "privacy/never"]
    assert "jamais un prénom" in chat.text and "14 jours" in chat.text
    assert "Tout effacer" in chat.labels
    await chat.say("/confidentialité")
    assert chat.keys[-2:] == ["privacy/show", "privacy/never"]
    summary = app.services.pending_summary
    ev = chat._event(kind="start")
    assert await summary(ev) == []
    await create(chat, "2026-12-20", who="enfant 2")
    out = await summary(ev)
    assert out[0].key == "reminders/summary" and "enfant 2" in out[0].text
    assert "dimanche 6 décembre 2026" in out[0].text

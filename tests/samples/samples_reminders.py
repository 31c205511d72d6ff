"""Sample variables for the reminders and privacy templates (used by test_templates)."""

_due = {
    "who": "moi",
    "deadline": "2026-11-01",
    "days_left": 3,
    "recommended": "2026-10-27",
    "last_day_closed": True,
    "act_now": False,
    "phone_open": False,
    "phone_next_day": "2026-10-30",
    "phone_next_time": "08:30",
    "phone_today": True,
    "catch_up": False,
    "phone_too_late": False,
}

SAMPLES = {
    "reminders/offer": [
        {"deadline": "2026-11-01", "days_left": 10, "approximate": True, "last_day_closed": True},
        {"deadline": "2026-11-03", "days_left": 0, "approximate": False, "last_day_closed": False},
        {"deadline": "2026-11-03", "days_left": 1, "approximate": False, "last_day_closed": False},
    ],
    "reminders/passed": [{"deadline": "2026-10-01"}],
    "reminders/schedule": [{"standard": "14, 7, 3, 1, 0", "hour": 10}],
    "reminders/created": [
        {
            "who": "moi",
            "deadline": "2026-11-01",
            "dates": ["2026-10-18", "2026-10-30"],
            "hour": 10,
            "last_day_closed": True,
            "moved_to": "2026-10-30",
        },
        {
            "who": "enfant 1",
            "deadline": "2026-11-03",
            "dates": ["2026-11-02"],
            "hour": 10,
            "last_day_closed": False,
            "moved_to": None,
        },
        {
            "who": "moi",
            "deadline": "2026-11-01",
            "dates": ["2026-10-31"],
            "hour": 10,
            "last_day_closed": True,
            "moved_to": None,
        },
    ],
    "reminders/too_late": [{"deadline": "2026-11-03"}],
    "reminders/ics": [{"count": 1}, {"count": 2}],
    "reminders/ics_summary": [{"who": "enfant 2"}, {"who": None}],
    "reminders/ics_description": [
        {"deadline": "2026-11-01", "last_day_closed": True},
        {"deadline": "2026-11-03", "last_day_closed": False},
    ],
    "reminders/ics_alarm": [{"days_left": 0}, {"days_left": 1}, {"days_left": 14}],
    "reminders/list": [
        {
            "items": [
                {"who": "moi", "deadline": "2026-11-01", "pending": 2, "next": "2026-10-30"},
                {"who": "enfant 1", "deadline": "2026-12-01", "pending": 0, "next": None},
            ],
            "hour": 10,
        }
    ],
    "reminders/summary": [{"items": [{"who": "moi", "deadline": "2026-11-01", "pending": 2, "next": "2026-10-30"}]}],
    "reminders/cancelled_one": [{"who": "moi", "deadline": "2026-11-01"}],
    "reminders/cancelled_all": [{"count": 0}, {"count": 2}],
    "reminders/due": [
        _due,
        dict(_due, days_left=0, act_now=True, phone_open=True, catch_up=True, last_day_closed=False),
        dict(_due, days_left=1),
        dict(_due, days_left=1, act_now=True, phone_too_late=True),
    ],
    "reminders/done_ack": [{"who": "enfant 1"}],
    "reminders/tomorrow_ok": [{"date": "2026-10-29", "hour": 10}],
    "reminders/tomorrow_too_late": [{"deadline": "2026-11-03"}],
    "privacy/never": [{"purge_days": 14}],
}

"""Variables for the calendar file's advised-day event (flows/reminders.py, issue 17)."""

SAMPLES = {
    "reminders/ics_advised_summary": [{"who": "enfant 2"}, {"who": None}],
    "reminders/ics_advised_description": [
        {"deadline": "2026-12-20", "recommended": "2026-12-15", "phone_open": True},
        {"deadline": "2026-12-20", "recommended": "2026-12-13", "phone_open": False},
    ],
    "reminders/ics_advised_alarm": [{"deadline": "2026-12-20"}],
}

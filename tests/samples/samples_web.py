"""Sample variables for the web page's templates and the reminders offer without a chat."""

SAMPLES = {
    "web/privacy_note": [{"minutes": 30}],
    "reminders/offer_no_chat": [
        {
            "deadline": "2026-11-01",
            "days_left": 10,
            "approximate": True,
            "last_day_closed": True,
            "telegram": True,
            "matrix": True,
        },
        {
            "deadline": "2026-11-03",
            "days_left": 0,
            "approximate": False,
            "last_day_closed": False,
            "telegram": True,
            "matrix": False,
        },
        {
            "deadline": "2026-11-03",
            "days_left": 1,
            "approximate": False,
            "last_day_closed": False,
            "telegram": False,
            "matrix": False,
        },
    ],
}

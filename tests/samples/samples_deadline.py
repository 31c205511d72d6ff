"""Sample variables for the deadline templates (used by tests/unit/test_templates.py)."""

from datetime import date

_BASE = {
    "understood": date(2026, 11, 3),
    "sent": date(2026, 11, 3),
    "deadline": date(2026, 12, 15),
    "recommended": date(2026, 12, 10),
    "days_left": 23,
    "status": "open",
    "approximate": False,
    "fuzzy": False,
    "shift_days": 0,
    "recommended_is_today": False,
    "recommended_phone_open": True,
    "last_day_phone_open": True,
    "hedged": False,
    "words": "",
    "maybe_letter": False,
}
_LETTER = dict(_BASE, understood=date(2026, 11, 7), approximate=True, shift_days=4)
_FUZZY = dict(
    _BASE,
    understood=date(2026, 11, 1),
    sent=date(2026, 11, 1),
    deadline=date(2026, 12, 13),
    fuzzy=True,
    approximate=True,
    last_day_phone_open=False,
)
_HEDGED = dict(_BASE, hedged=True, approximate=True, words="vers le 3 novembre", maybe_letter=True)
_LAST = dict(_BASE, days_left=0, status="last_days", recommended=date(2026, 12, 15), recommended_is_today=True)
_IMPOSSIBLE = {"day": 31, "month_name": "novembre", "max_day": 30, "year": 0, "leap": False}

SAMPLES = {
    "deadline/ask_date": [{"mode": "email"}, {"mode": "letter"}, {"mode": "arrival"}],
    "deadline/understood": [_BASE, _LETTER, _FUZZY, _HEDGED],
    "deadline/result": [_BASE, _LETTER, _FUZZY, _HEDGED, _LAST, dict(_BASE, days_left=5, status="last_days")],
    "deadline/passed": [dict(_BASE, days_left=-3, status="passed"), dict(_LETTER, days_left=-1, status="passed")],
    "deadline/reason_impossible": [
        _IMPOSSIBLE,
        {"day": 29, "month_name": "février", "max_day": 28, "year": 2027, "leap": True},
        {"day": 0, "month_name": "", "max_day": 0, "year": 0, "leap": False},
    ],
    "deadline/error_impossible": [_IMPOSSIBLE],
    "deadline/tz_choose": [{"current": "France métropolitaine"}],
    "deadline/tz_set": [{"zone": "La Réunion", "time": "14:05"}],
}

"""Sample variables for the notice-date templates (used by tests/test_templates.py)."""

from datetime import date

_TWO = [
    {"day": date(2026, 11, 2), "arrived": False, "words": "a eu 18 ans le 2 novembre"},
    {"day": date(2026, 11, 4), "arrived": True, "words": "courrier arrivé le 4"},
]

SAMPLES = {
    "deadline/ask_which": [
        {"choices": _TWO, "only_other": False},
        {"choices": _TWO[:1], "only_other": True},
        {"choices": [], "only_other": True},
    ],
    "core/pick_number": [{"count": 2}, {"count": 4}, {"count": 1}],
    "deadline/ask_date": [{"mode": "any"}],
}

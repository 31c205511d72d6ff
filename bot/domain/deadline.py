"""The legal deadline, in one place.

Rule (bot/knowledge/facts.py, from the fact "window" of bot/knowledge/facts.toml): Mon espace santé opens
``OPPOSITION_DAYS`` (42) days after the *sending* of the information email or letter (CSP art. R1111-28), so the
last day to object is ``sent + OPPOSITION_DAYS``.  A change of law is a one-value change in
bot/knowledge/facts.toml.  The advice (margin, working day) is ours, not the law's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ..knowledge import facts
from . import phone

if TYPE_CHECKING:
    from ..lang.dates import DateResult

#: status "last_days" when this many days or fewer are left (last day included).
LAST_DAYS = 7


def last_day(sent: date) -> date:
    """CSP R1111-28: six weeks from the sending."""
    return sent + timedelta(days=facts.OPPOSITION_DAYS)


@dataclass(frozen=True)
class Deadline:
    sent: date  # the sending date used for the rule (shifted for a letter's arrival day)
    deadline: date  # last day to object (included)
    recommended: date  # a day to act: leaves the margin, 3422 open if possible, never before today
    days_left: int  # from today to the last day; 0 on the last day, negative once passed
    status: str  # "open" | "last_days" | "passed"
    approximate: bool
    understood: date  # the user's own date, as understood (before any shift)
    today: date

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def phone_open_on_last_day(self) -> bool:
        return phone.is_working_day(self.deadline)

    def to_json(self, locale: str = "fr") -> dict:
        from ..core.render import long_date

        return {
            "sent": self.sent.isoformat(),
            "deadline": self.deadline.isoformat(),
            "recommended": self.recommended.isoformat(),
            "days_left": self.days_left,
            "status": self.status,
            "approximate": self.approximate,
            "understood": long_date(self.understood, locale),
        }

    def to_data(self) -> dict:
        """What the reminders need (the contract with flows/reminders), nothing else."""
        return {
            "sent": self.sent.isoformat(),
            "deadline": self.deadline.isoformat(),
            "recommended": self.recommended.isoformat(),
            "approximate": self.approximate,
        }


def recommended_day(deadline: date, today: date, margin_days: int = 5) -> date:
    """A working day (3422 open) at least ``margin_days`` before the last day, never before
    today.  When no such day is left, the first working day from today up to the last day;
    when none is left at all, today (the online refusal works every day)."""
    if deadline < today:
        return today
    target = deadline - timedelta(days=max(0, margin_days))
    if target >= today:
        cand = phone.last_working_day_on_or_before(target)
        if cand >= today:
            return cand
    d = today
    while d <= deadline:
        if phone.is_working_day(d):
            return d
        d += timedelta(days=1)
    return today


def compute(
    sent: date, today: date, *, margin_days: int = 5, approximate: bool = False, understood_date: date | None = None
) -> Deadline:
    end = last_day(sent)
    left = (end - today).days
    if left < 0:
        status = "passed"
    elif left <= LAST_DAYS:
        status = "last_days"
    else:
        status = "open"
    return Deadline(
        sent=sent,
        deadline=end,
        recommended=recommended_day(end, today, margin_days),
        days_left=left,
        status=status,
        approximate=bool(approximate),
        understood=understood_date or sent,
        today=today,
    )


def page_vars(dl: Deadline, r: DateResult, *, maybe_letter: bool = False) -> dict[str, object]:
    """The variables of the pages deadline/result and deadline/passed (chat and command line): the days
    computed, how the date was read, and whether the 3422 is open on the days named."""
    return {
        "understood": dl.understood,
        "sent": dl.sent,
        "deadline": dl.deadline,
        "recommended": dl.recommended,
        "days_left": dl.days_left,
        "status": dl.status,
        "approximate": dl.approximate,
        "fuzzy": r.fuzzy,
        "shift_days": r.shift_days,
        "hedged": r.hedged,
        "words": r.words,
        "maybe_letter": maybe_letter,
        "recommended_is_today": dl.recommended == dl.today,
        "recommended_phone_open": phone.is_working_day(dl.recommended),
        "last_day_phone_open": phone.is_working_day(dl.deadline),
    }

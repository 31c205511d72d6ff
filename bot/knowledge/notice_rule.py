"""Arrival is never sending: the one place where a letter's arrival day becomes its sending day.

CSP R1111-28 counts the 6 weeks from the *sending*; a letter arrives some days after it left.
Every path (typed words, the "I only know when it arrived" button, ``--letter-arrived``, a
correction) goes through :func:`sending_day`."""

from __future__ import annotations

from datetime import date, timedelta


def sending_day(day: date, *, arrived: bool, shift_days: int) -> tuple[date, int]:
    """Arrival is never sending.  -> (sending day, days taken off): the letter left ``shift_days``
    earlier (setting ``letter_shift_days``; at least one day)."""
    if not arrived:
        return day, 0
    shift = max(1, int(shift_days))
    return day - timedelta(days=shift), shift

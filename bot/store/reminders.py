"""Deadlines and the reminder queue (owned by the reminders work; see issue 5)."""
from __future__ import annotations


class ReminderStore:
    pass

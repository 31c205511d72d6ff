"""The reminders journey, set up once: default reminders for a date, then the first one due."""

from datetime import datetime
from zoneinfo import ZoneInfo


async def set_default_reminders(chat, received: str = "reçu le 10 novembre") -> None:
    """A notice date typed, then the offered reminders accepted for herself (the default schedule)."""
    await chat.say(received)
    await chat.press("Recevoir des rappels")
    await chat.press("Oui")
    await chat.press("moi")
    await chat.press(1)
    assert "reminders/created" in chat.keys, chat.keys


async def remind_me_and_reach_day_14(app, clock, chat, offer: str, yes: str, me: str) -> None:
    """Set the default reminders for a last day of 22 Dec 2026, then reach the first (8 Dec, 10:00)."""
    await chat.press(offer)
    await chat.press(yes)
    await chat.press(me)
    await chat.press(1)
    assert "reminders/created" in chat.keys
    clock.set(datetime(2026, 12, 8, 10, 0, 30, tzinfo=ZoneInfo("Europe/Paris")))
    assert await app.tick() == 1

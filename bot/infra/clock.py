"""Injected time.  Nothing in the core calls ``datetime.now()`` directly: it asks a clock,
so tests drive weeks of simulated time without sleeping."""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc


class Clock:
    """Wall clock in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self, tz: str = "Europe/Paris") -> date:
        return self.now().astimezone(ZoneInfo(tz)).date()


class SystemClock(Clock):
    pass


class OffsetClock(Clock):
    """Real time shifted so that 'today' (in ``tz``) is the given day; used by ``--today``."""

    def __init__(self, today: date, tz: str = "Europe/Paris"):
        real = datetime.now(ZoneInfo(tz))
        target = datetime.combine(today, real.timetz())
        self.offset = target - real

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


class FakeClock(Clock):
    """A clock tests move by hand."""

    def __init__(self, start: datetime | date | str = "2026-11-22T10:00:00+01:00"):
        if isinstance(start, str):
            start = datetime.fromisoformat(start)
        if isinstance(start, date) and not isinstance(start, datetime):
            start = datetime.combine(start, time(10, 0), ZoneInfo("Europe/Paris"))
        if start.tzinfo is None:
            start = start.replace(tzinfo=ZoneInfo("Europe/Paris"))
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            when = when.replace(tzinfo=ZoneInfo("Europe/Paris"))
        self._now = when.astimezone(UTC)

    def advance(self, delta: timedelta | None = None, **kw) -> datetime:
        self._now = self._now + (delta or timedelta(**kw))
        return self._now


class FileClock(Clock):
    """Tests only: the time is an ISO datetime read from a file (re-read when it changes);
    real time while the file is missing or empty.  Lets whole-process tests move time
    without sleeping (``MESBOT_FAKE_CLOCK_FILE``)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        from pathlib import Path

        self.path = Path(path)
        self._stamp: tuple[int, int] | None = None
        self._value: datetime | None = None

    def now(self) -> datetime:
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
            if stamp != self._stamp:
                text = self.path.read_text().strip()
                self._value = datetime.fromisoformat(text).astimezone(UTC) if text else None
                self._stamp = stamp
        except (OSError, ValueError):
            self._value = None
        return self._value or datetime.now(UTC)

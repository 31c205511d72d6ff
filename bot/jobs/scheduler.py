"""Reminders: plan them, and send what is due (issue 5).

The database is the queue (bot/store/reminders.py).  ``install(app)`` registers the
ticker ``reminders`` and the console service ``pending_summary``.  Rules:

* planned at ``reminder_hour`` local time on each offset day (default 14/7/3/1/0 days
  before the last day), only those still in the future; computed with the user's IANA
  zone and stored in UTC, so daylight-saving changes and overseas zones are exact;
* when the last day is a weekend or a public holiday (3422 closed), the "act now"
  reminder moves to the last working day before it, and the messages say so;
* never during quiet hours (``quiet_start``-``quiet_end`` local); never after the last day;
* mark ``sending`` before sending, ``sent`` after: a crash in between re-sends that one
  message after restart (at most one duplicate), never loses it;
* after downtime, one catch-up message per deadline instead of a burst of stale ones;
* delivery goes through ``App.deliver`` (bot/core/app.py): blocked -> user deactivated and her
  reminders stopped; 429 -> retried after the delay; network, 5xx -> exponential back-off;
  chat moved -> sent to the new id, which the store keeps;
* users are erased ``purge_after_days`` after their last deadline; people who never set one (and follow
  no collective) ``purge_after_days`` after their last message; conversation states untouched that long
  (e.g. an abandoned campaign draft) are dropped.

Logs carry event kinds and counts only, never a user id or any text.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from ..infra import metrics
from ..domain import phone
from ..core.types import Address
from ..core.delivery import BLOCKED, RETRY, Backoff, Policy
from ..core.flowlib import Choice, Say

log = logging.getLogger("mes_bot.scheduler")

UTC = timezone.utc
STALE_AFTER = 30 * 60  # a reminder found this late means the bot was down: catch-up mode
SOON = 3 * 3600  # a late message is dropped when the next one for that date comes this soon
BACKOFF_BASE = 60  # first retry after a transient error (seconds), doubled each time
BACKOFF_MAX = 3600
RECOVER_AFTER = 600  # a row "sending" for this long in a running bot is re-queued
BATCH = 200
MAX_BATCHES = 50  # per tick: bounded work, the next tick continues
PURGE_EVERY = 3600
GAUGE_EVERY = 60

#: a reminder is queued: App.deliver hands a retry back (the queue tries again until the last day)
REMINDER = Policy(Backoff(BACKOFF_BASE, BACKOFF_MAX))

#: Schedules a user can pick (days before the last day); "standard" comes from the settings.
SCHEDULES = {"few": (7, 1), "last_days": (3, 2, 1, 0)}


# ---------------------------------------------------------------------------- planning
@dataclass(frozen=True)
class Planned:
    at: datetime  # aware, UTC
    offset: int  # days before the last day
    kind: str  # "plan" | "act_now"

    @property
    def ts(self) -> int:
        return int(self.at.timestamp())


def schedule_offsets(name: str, settings) -> tuple[int, ...]:
    if name in SCHEDULES:
        return SCHEDULES[name]
    return tuple(settings.reminder_offsets)


def in_quiet(local: datetime, settings) -> bool:
    qs, qe, h = settings.quiet_start, settings.quiet_end, local.hour
    if qs == qe:
        return False
    if qs > qe:
        return h >= qs or h < qe
    return qs <= h < qe


def next_allowed(when: datetime, tz: str, settings) -> datetime:
    """``when`` itself, or the end of the quiet hours it falls in (UTC)."""
    local = when.astimezone(ZoneInfo(tz))
    if not in_quiet(local, settings):
        return when.astimezone(UTC)
    day = local.date()
    if local.hour >= settings.quiet_end:
        day += timedelta(days=1)
    return datetime.combine(day, time(settings.quiet_end), ZoneInfo(tz)).astimezone(UTC)


def local_at(day: date, hour: int, tz: str) -> datetime:
    return datetime.combine(day, time(hour), ZoneInfo(tz)).astimezone(UTC)


def end_of_last_day(deadline: date, tz: str) -> datetime:
    """The first instant after the last day, in the user's zone (UTC)."""
    return datetime.combine(deadline + timedelta(days=1), time(0), ZoneInfo(tz)).astimezone(UTC)


def plan_reminders(deadline: date, tz: str, offsets, settings, now: datetime) -> list[Planned]:
    """The reminders still in the future for a deadline, one per day at most, sorted."""
    hour = settings.reminder_hour
    closed = not phone.is_working_day(deadline)
    by_day: dict[date, Planned] = {}
    for off in sorted(set(int(o) for o in offsets if int(o) >= 0), reverse=True):
        day, kind = deadline - timedelta(days=off), "plan"
        if off == 0 and closed:
            moved = phone.last_working_day_on_or_before(deadline)
            if next_allowed(local_at(moved, hour, tz), tz, settings) > now:
                day, kind = moved, "act_now"
        at = next_allowed(local_at(day, hour, tz), tz, settings)
        if at <= now or at >= end_of_last_day(deadline, tz):
            continue
        if day in by_day and kind != "act_now":
            continue
        by_day[day] = Planned(at, off, kind)
    return sorted(by_day.values(), key=lambda p: p.at)


def reminder_address(row: dict) -> Address:
    """A reminder goes to the person's private chat."""
    return Address(row["backend"], str(row["chat_id"]), row["user_key"].split(":", 1)[-1], direct=True)


# ------------------------------------------------------------------------------ messages
def due_say(row: dict, now: datetime, catch_up: bool = False, who: str = "") -> Say:
    """The reminder message for one queue row (rendered at send time, in the user's language)."""
    tz = row["tz"]
    deadline = date.fromisoformat(row["deadline"])
    today = now.astimezone(ZoneInfo(tz)).date()
    days_left = (deadline - today).days
    nxt = phone.next_opening(now)
    too_late = nxt >= end_of_last_day(deadline, tz)  # 3422 reopens only after the last day
    vars = {
        "who": who,
        "deadline": row["deadline"],
        "days_left": days_left,
        "recommended": row.get("recommended") or row["deadline"],
        "last_day_closed": not phone.is_working_day(deadline),
        "act_now": row["kind"] == "act_now" or days_left <= 0 or too_late,
        "phone_too_late": too_late,
        "phone_open": phone.is_open(now),
        "phone_next_day": nxt.date().isoformat(),
        "phone_next_time": nxt.strftime("%H:%M"),
        "phone_today": phone.is_working_day(today),
        "catch_up": catch_up,
    }
    did = row["deadline_id"]
    buttons = [
        [Choice("reminders.refuse_online", goto="refuse:online")],
        [Choice("reminders.refuse_phone", goto="refuse:phone")],
        [Choice("reminders.done", f"done:{did}")],
    ]
    if days_left >= 1:
        buttons.append([Choice("reminders.tomorrow", f"tomorrow:{did}")])
    return Say("reminders/due", vars, buttons=buttons, notice=False)


# ------------------------------------------------------------------------------- ticker
class Scheduler:
    def __init__(self, app):
        self.app = app
        self._lock = asyncio.Lock()
        self._recovered = False
        self._last_purge: float | None = None
        self._last_gauge: float | None = None

    @property
    def settings(self):
        return self.app.settings

    async def tick(self, now: datetime) -> int:
        async with self._lock:
            return await self._tick(now)

    async def _tick(self, now: datetime) -> int:
        store = self.app.store
        now_ts = int(now.timestamp())
        if not self._recovered:
            n = store.requeue_sending()
            self._recovered = True
            if n:
                log.warning("reminders_requeued_after_restart count=%d", n)
        else:
            store.requeue_sending(older_than_ts=now_ts - RECOVER_AFTER)
        expired = store.expire_passed(now_ts)
        if expired:
            log.info("reminders_expired count=%d", expired)
        self._maybe_purge(now)
        backends = tuple(self.app.backends)
        sent = 0
        if backends:
            for _ in range(MAX_BATCHES):
                rows = store.due_reminders(now_ts, BATCH, backends)
                if not rows:
                    break
                seen: set[int] = set()
                for row in rows:
                    if row["deadline_id"] in seen:
                        continue
                    seen.add(row["deadline_id"])
                    sent += await self._deadline_due(row["deadline_id"], now)
        self._gauges(now)
        return sent

    async def _deadline_due(self, deadline_id: int, now: datetime) -> int:
        """Send one message for a deadline: the latest due reminder; older due ones are skipped."""
        store = self.app.store
        now_ts = int(now.timestamp())
        group = store.due_for_deadline(deadline_id, now_ts)
        if not group:
            return 0
        catch_up = any(now_ts - r["due_at"] > STALE_AFTER for r in group)
        chosen = group[-1]
        older = [r["id"] for r in group[:-1]]
        if older:
            store.mark_finished(older, "skipped", now_ts)
            log.info("reminders_coalesced count=%d", len(older))
        return await self._deliver(chosen, now, catch_up)

    async def _deliver(self, row: dict, now: datetime, catch_up: bool) -> int:
        store, settings = self.app.store, self.settings
        now_ts = int(now.timestamp())
        rid = row["id"]
        if row["d_status"] != "active" or now_ts >= row["until_at"]:
            store.mark_finished([rid], "expired", now_ts)
            return 0
        if not row["active"] or not row["chat_id"] or row["backend"] is None:
            store.mark_finished([rid], "failed", now_ts)
            return 0
        allowed = next_allowed(now, row["tz"], settings)
        if allowed > now:  # quiet hours (only retries and catch-ups can land here)
            return self._later(row, int(allowed.timestamp()), now_ts)
        if row["kind"] != "snooze" and any(
            r["id"] != rid and now_ts < r["due_at"] <= now_ts + SOON for r in store.live_reminders(row["deadline_id"])
        ):
            # a late one (retry, catch-up after the night) right before the next: send only the next
            store.mark_finished([rid], "skipped", now_ts)
            return 0
        locale = row["locale"] or settings.default_locale
        locale = locale if locale in ("fr", "en") else settings.default_locale
        who = self.app.renderer.label(f"reminders.label_{row['label']}", locale)
        say = due_say(row, now, catch_up, who)
        reply = self.app.render_reply(say, locale, bind="reminders:due")
        if not store.mark_sending(rid, now_ts):
            return 0
        out = await self.app.deliver(reply, reminder_address(row), policy=REMINDER, attempts=row["attempts"] or 0)
        if out.status == BLOCKED:  # the person is marked inactive by deliver(): her reminders stop
            n = store.stop_user_reminders(row["user_key"], "failed", now_ts)
            log.info("reminder_blocked backend=%s stopped=%d", row["backend"], n)
            return 0
        if not out.sent:
            # 429, 5xx, network, refused, moved too often: a reminder is retried until its last day
            # (a refused one too: it may be the server)
            wait = out.wait if out.status == RETRY else REMINDER.backoff.delay(max(0, row["attempts"]))
            delay = max(1, math.ceil(wait))
            if not out.rate_limited:
                log.info("reminder_retry backend=%s error=%s delay=%d", row["backend"], out.kind, delay)
            return self._later(row, now_ts + delay, now_ts)
        store.mark_sent(rid, now_ts)
        metrics.inc("reminders_sent")
        await self._pushed(row["backend"], out.chat_id, row["user_key"], say, reply, locale)
        log.info("reminder_sent backend=%s kind=%s catch_up=%s", row["backend"], row["kind"], catch_up)
        return 1

    async def _pushed(self, backend: str, chat_id: str, user_key: str, say: Say, reply, locale: str) -> None:
        """Typed numbers now answer the reminder's buttons (text-only transports)."""
        try:
            await self.app.router.pushed(backend, chat_id, user_key, say, reply, locale)
        except Exception:  # the reminder is delivered: never fail it for this
            log.exception("reminder_buttons_not_kept")

    def _later(self, row: dict, due_ts: int, now_ts: int) -> int:
        """Retry later, out of quiet hours, never after the last day."""
        at = next_allowed(datetime.fromtimestamp(due_ts, UTC), row["tz"], self.settings)
        if at.timestamp() >= row["until_at"]:
            self.app.store.mark_finished([row["id"]], "expired", now_ts)
        else:
            self.app.store.reschedule(row["id"], int(at.timestamp()))
        return 0

    def _maybe_purge(self, now: datetime) -> None:
        ts = now.timestamp()
        if self._last_purge is not None and ts - self._last_purge < PURGE_EVERY:
            return
        self._last_purge = ts
        store = self.app.store
        days = self.settings.purge_after_days
        users = store.purge_candidates(int(ts), days) + store.idle_candidates(int(ts), days)
        for uk in users:
            self.app.forget(uk, places=False)
        if users:
            log.info("users_purged count=%d", len(users))
        stale = store.drop_stale_sessions(int(ts), days)
        if stale:
            log.info("sessions_dropped count=%d", stale)

    def _gauges(self, now: datetime, force: bool = False) -> None:
        ts = now.timestamp()
        if not force and self._last_gauge is not None and ts - self._last_gauge < GAUGE_EVERY:
            return
        self._last_gauge = ts
        metrics.set_gauge("reminders_pending", self.app.store.count_live())
        metrics.set_gauge("reminders_due", self.app.store.count_due(int(ts)))


# --------------------------------------------------------------------------- services
def summary_say(deadlines: list[dict], who=lambda label: label) -> Say | None:
    """What is pending, deadline by deadline (``who`` turns a label code into words)."""
    if not deadlines:
        return None
    items = [
        {
            "who": who(d["label"]),
            "deadline": d["deadline"],
            "pending": d["pending"],
            "next": (
                datetime.fromtimestamp(d["next_due"], UTC).astimezone(ZoneInfo(d["tz"])).date().isoformat()
                if d["next_due"]
                else None
            ),
        }
        for d in deadlines
    ]
    return Say("reminders/summary", {"items": items}, buttons=[[Choice("reminders.show_list", goto="reminders:list")]])


def install(app) -> None:
    sched = Scheduler(app)
    app.services.scheduler = sched
    app.add_ticker("reminders", sched.tick)

    async def pending_summary(event) -> list:
        user = app.store.get_user(event.user_key)
        if user is None:
            return []
        locale = user.locale or (event.locale or "")[:2] or app.settings.default_locale
        locale = locale if locale in ("fr", "en") else app.settings.default_locale
        say = summary_say(
            app.store.active_deadlines(event.user_key),
            lambda label: app.renderer.label(f"reminders.label_{label}", locale),
        )
        if say is None:
            return []
        return [app.render_reply(say, locale, bind="reminders:list")]

    app.services.pending_summary = pending_summary

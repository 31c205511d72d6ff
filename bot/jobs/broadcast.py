"""Collectives: campaign posts into groups/channels/rooms, and broadcast waves to followers.

``install(app)`` registers the ``broadcast`` ticker and two services:
``app.services.campaign_event(code, kind)`` counts "reminder_started" / "done" for a
campaign (no one is named), and ``app.services.broadcaster`` (the :class:`Broadcaster`).

The database is the queue.  A wave inserts one ``deliveries`` row per follower (spread over
``settings.broadcast_spread_minutes``), then sends them in order at the platform's allowed
rate: a :class:`Pacer` per backend, from what its contract declares (``broadcast_rate``,
``paces_each_chat``, ``learns_rate``: Telegram paces each chat itself at the configured or
paid-broadcast rate; Matrix starts unthrottled and learns from ``retry_after_ms``).  Every
message goes through ``App.deliver`` (blocked, moved, retry).  Each message goes
``pending -> sending -> sent``; the "sent" of one message and the "sending" of the next are
one commit, so a crash re-sends at most the one message that was in flight.

With the real clock, waves run as background tasks started by the ticker; with a fake
clock (tests), the ticker runs them inline and "sleeping" advances the clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time as _time
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from dataclasses import dataclass, field
from collections.abc import Mapping
from typing import Any, Callable

from ..infra import metrics
from ..core.types import Address, Backend, Reply
from ..core.delivery import BLOCKED, RETRY, Backoff, Outcome, Policy
from ..core.flowlib import Choice, Say
from ..domain.flyer import deep_link
from .collective_notices import tell_admins

log = logging.getLogger("mes_bot.broadcast")

UTC = timezone.utc
STALE_POST = timedelta(hours=12)  # a post missed by longer than this is skipped, not sent late
BATCH = 200
# A transient failure (5xx, network, timeout) is retried for as long as the wave runs, every
# 2, 4, 8... seconds, never more than 2 minutes apart; only a permanent reason gives up.
RETRY_BACKOFF = Backoff(base=2.0, cap=120.0)
GLOBAL_429_RUN = 3  # this many 429s in a row (different chats): the account's limit, pause the wave
#: a wave's message: the backend's bulk sending; a retry goes back to the queue (while the wave runs)
BROADCAST = Policy(RETRY_BACKOFF, bulk=True, metric="broadcast")
#: a campaign post or a wave's report: one try (the chat followed if it moved); the next tick retries
POST = Policy()


def follower_address(d: dict) -> Address:
    """A delivery goes to the follower's private chat."""
    return Address(d["backend"], str(d["chat_id"]), d["user_key"].split(":", 1)[-1], direct=True)


@dataclass
class Wave:
    """One run of a broadcast: what its workers share."""

    bid: int
    b: dict
    coll: dict
    replies: Callable[[str | None], Reply]  # the announcement, rendered once per language
    announce: Say
    st: dict  # the broadcast's stats (429s, start, progress)
    pacer: "Pacer"
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)
    sent_now: int = 0
    refetch: bool = False  # a 429 paused the wave: the batch is read again

    @property
    def backend(self) -> str:
        return self.coll["backend"]


# ---------------------------------------------------------------------------------------
# Schedules


def parse_hhmm(s: str) -> tuple[int, int]:
    h, m = s.split(":")
    return int(h), int(m)


def next_post_at(
    kind: str,
    *,
    tz: str,
    at_time: str,
    after: datetime,
    at_date: str | None = None,
    weekday: int | None = None,
    offsets: str | None = None,
) -> datetime | None:
    """The next posting time strictly after ``after`` (UTC), or None when the campaign is over."""
    z = ZoneInfo(tz)
    hh, mm = parse_hhmm(at_time)

    def at(d: date) -> datetime:
        return datetime.combine(d, time(hh, mm), z).astimezone(UTC)

    if kind == "once":
        dt = at(date.fromisoformat(at_date or ""))
        return dt if dt > after else None
    if kind == "weekly":
        d = after.astimezone(z).date()
        for i in range(8):
            day = d + timedelta(days=i)
            if day.weekday() == weekday and at(day) > after:
                return at(day)
        return None
    if kind == "countdown":
        target = date.fromisoformat(at_date or "")
        for off in sorted((int(o) for o in (offsets or "").split(",") if o.strip()), reverse=True):
            dt = at(target - timedelta(days=off))
            if dt > after:
                return dt
        return None
    raise ValueError(kind)


def next_post_of(c: Mapping[str, Any], tz: str, after: datetime) -> datetime | None:
    """:func:`next_post_at` for a campaign row or draft ``c`` (its kind, time, date, weekday, offsets)."""
    return next_post_at(
        c["kind"],
        tz=tz,
        at_time=c["at_time"],
        after=after,
        at_date=c["at_date"],
        weekday=c["weekday"],
        offsets=c["offsets"],
    )


def days_left(campaign: dict, when: datetime) -> int | None:
    if campaign["kind"] != "countdown":
        return None
    local = when.astimezone(ZoneInfo(campaign.get("tz") or "Europe/Paris")).date()
    return (date.fromisoformat(campaign["at_date"]) - local).days


def post_say(
    campaign: dict,
    when: datetime | None = None,
    preview: bool = False,
    *,
    name: str | None = None,
    link: str | None = None,
    start_cmd: str | None = None,
) -> Say:
    """The message a campaign posts into its place (also used for the preview): the collective's
    ``name``, a "Mes rappels pour refuser" button to ``link`` (else the backend's private link),
    and on platforms whose links carry no code, the ``start_cmd`` to write to the bot."""
    left = days_left(campaign, when) if when else None
    if campaign["kind"] == "countdown" and left is None:
        offs = [int(o) for o in (campaign.get("offsets") or "").split(",") if o.strip()]
        left = max(offs) if offs else None
    vars = {
        "template": campaign["template"],
        "days_left": left,
        "target": campaign.get("at_date"),
        "text": (campaign.get("custom_text") or "") if campaign["template"] == "custom" else "",
        "name": name,
        "start_cmd": start_cmd,
    }
    if link:
        return Say(
            "campaign/post",
            vars,
            buttons=[[Choice("campaign.my_reminders", url=link)]],
            notice=False,
            html=_rich(campaign),
        )
    return Say("campaign/post", vars, private_start=f"c_{campaign['code']}", notice=False, html=_rich(campaign))


def _rich(row: dict) -> dict | None:
    """The organiser's formatting (bold, links) for her own text, when it has some."""
    if row.get("template") == "custom" and row.get("custom_html"):
        return {"text": row["custom_html"]}
    return None


def announce_say(b: dict, coll: dict, payload: str | None = "") -> Say:
    """An announcement to followers (also its preview: ``payload`` "none"; None: no button)."""
    vars = {
        "template": b["template"],
        "text": b.get("custom_text") or "",
        "days_left": None,
        "target": None,
        "name": coll.get("name"),
    }
    if payload == "":
        payload = f"u{coll['id']}"
    buttons = [[Choice("follow.unsubscribe", payload=payload)]] if payload else []
    return Say("follow/announce", vars, buttons=buttons, notice=False, html=_rich(b))


def fmt_int(n: int, locale: str) -> str:
    s = f"{int(n):,}"
    return s.replace(",", " ") if locale == "fr" else s


def stable_hash(store, value: str) -> str:
    """Keyed hash of an admin id that survives restarts (to tell two admins apart)."""
    return store.admin_key(value)


# ---------------------------------------------------------------------------------------
# Pacing


class Pacer:
    """Spaces sends at ``rate`` messages/s (None: as fast as the platform answers), and
    pauses everything after a 429.  ``now``/``sleep`` are injectable (simulated time)."""

    def __init__(self, rate: float | None, now=_time.monotonic, sleep=asyncio.sleep, adaptive: bool = False):
        self.rate = rate
        self.now = now
        self.sleep = sleep
        self.adaptive = adaptive
        self._next = 0.0
        self.observed: float | None = None

    @property
    def interval(self) -> float:
        return 1.0 / self.rate if self.rate else 0.0

    async def wait(self) -> None:
        """Reserve the next slot, then sleep until it (several senders share one schedule)."""
        now = self.now()
        t = max(self._next, now - 0.05)  # a little slack absorbs sleep overshoot, no bursts
        self._next = t + self.interval
        if t > now:
            await self.sleep(t - now)

    def pause(self, seconds: float) -> None:
        """A 429 said "retry after": nobody sends on this backend before then."""
        self._next = max(self._next, self.now() + seconds)
        if self.adaptive and seconds > 0:
            # Matrix: the homeserver's limit is one message per retry_after once the burst is spent
            rate = 1.0 / seconds
            self.rate = rate if self.rate is None else min(self.rate, rate)

    estimate: float | None = None
    per_chat = False  # the backend paces each chat itself: a 429 pauses that chat, not the wave

    def expected_rate(self) -> float | None:
        return self.rate or self.estimate


def default_pacer(backend: Backend, now, sleep) -> Pacer:
    """The wave's pacing on ``backend``, from what its contract declares."""
    if backend.paces_each_chat:
        # the backend paces every send itself (Telegram: bot/jobs/pacing.py): do not pace twice,
        # only honour 429 pauses and know the rate for estimates
        p = Pacer(None, now=now, sleep=sleep)
        p.estimate = backend.broadcast_rate
        p.per_chat = True
        return p
    return Pacer(backend.broadcast_rate, now=now, sleep=sleep, adaptive=backend.learns_rate)


# ---------------------------------------------------------------------------------------
# The engine


class Broadcaster:
    def __init__(self, app):
        self.app = app
        self.store = app.store
        self.simulated = hasattr(app.clock, "advance")
        self.tasks: dict[int, asyncio.Task] = {}
        self.pacers: dict[str, Pacer] = {}
        self.stats: dict[int, dict] = {}  # per broadcast: 429s, started (for benches and progress)
        self.progress_every = 0.25  # report at 25 %, 50 %, 75 %
        self.progress_min_total = 20
        self.concurrency = 0  # 0: decided per backend (see in_flight)
        self.park_timeout = 1.0  # stop(): how long waves may take to park before being cancelled
        self._stop_requested = False
        self._wake = asyncio.Event()  # set by stop(): interrupts the broadcaster's sleeps
        self.halted: set[int] = set()  # waves an admin stopped: nothing more is sent, even queued

    def halt(self, bid: int) -> bool:
        """An admin stops wave ``bid``: no further message of it is sent (those queued included)."""
        self.halted.add(bid)
        return self.store.stop_broadcast(bid)

    def stopping(self) -> bool:
        """The process is shutting down (``app.services.stopping``, set on SIGTERM) or
        :meth:`stop` was called: waves park at the next recipient, nothing new starts."""
        if self._stop_requested:
            return True
        ev = self.app.services.stopping
        return ev is not None and ev.is_set()

    # -- time ----------------------------------------------------------------------------
    def now_ts(self) -> float:
        return self.app.clock.now().timestamp() if self.simulated else _time.time()

    async def sleep(self, seconds: float) -> None:
        if self.simulated:
            if seconds > 0:
                self.app.clock.advance(seconds=seconds)
            await asyncio.sleep(0)
        elif seconds <= 0 or self.stopping():
            await asyncio.sleep(0)
        else:
            # a stop request ends the sleep at once (a Matrix wave may wait seconds per message)
            events = [self._wake]
            ev = self.app.services.stopping
            if ev is not None:
                events.append(ev)
            waiters = [asyncio.ensure_future(e.wait()) for e in events]
            try:
                await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for w in waiters:
                    w.cancel()

    def pacer(self, backend_name: str) -> Pacer:
        p = self.pacers.get(backend_name)
        if p is None:
            now = self.now_ts if self.simulated else _time.monotonic
            backend = self.app.backends.get(backend_name)
            p = default_pacer(backend, now, self.sleep) if backend is not None else Pacer(None, now, self.sleep)
            self.pacers[backend_name] = p
        return p

    # -- ticker --------------------------------------------------------------------------
    async def tick(self, now: datetime) -> int:
        if self.stopping():
            return 0
        done = await self.post_due_campaigns(now)
        for b in self.store.queued_broadcasts():
            bid = b["id"]
            if b["status"] == "queued":
                total = self.store.start_broadcast(bid, self.now_ts(), now=now)
                log.info("broadcast_started id=%s total=%s", bid, total)
                await self._report(bid, "start")
            if self.simulated:
                done += await self.run_wave(bid)
            else:
                t = self.tasks.get(bid)
                if t is None or t.done():
                    self.tasks[bid] = asyncio.create_task(self.run_wave(bid), name=f"broadcast-{bid}")
        return done

    async def wait_idle(self) -> None:
        tasks = [t for t in self.tasks.values() if not t.done()]
        if tasks:
            await asyncio.gather(*tasks)

    async def stop(self) -> None:
        """Park the running waves: each one sends no further message, records what was
        delivered and returns (within ``park_timeout``; after that it is cancelled, and the one
        message in flight per worker may be sent again after the restart)."""
        self._stop_requested = True
        self._wake.set()
        tasks = [t for t in self.tasks.values() if not t.done()]
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=self.park_timeout)
        for t in late:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t

    # -- campaign posts --------------------------------------------------------------------
    async def post_due_campaigns(self, now: datetime) -> int:
        n = 0
        for c in self.store.due_campaigns(now.astimezone(UTC).isoformat(timespec="seconds")):
            n += await self._post_campaign(c, now)
        return n

    async def _post_campaign(self, c: dict, now: datetime) -> int:
        """Post one due campaign into its place; -> 1 when posted.  A post missed by more than
        STALE_POST is skipped (its admins told); a failure is tried again next tick."""
        due = datetime.fromisoformat(c["next_at"])
        nxt = next_post_of(c, c["tz"], max(due, now - STALE_POST))
        nxt_iso = nxt.isoformat(timespec="seconds") if nxt else None
        if now - due > STALE_POST:
            log.info("campaign_post_stale id=%s", c["id"])
            self.store.campaign_advance(c["id"], nxt_iso, posted=False)
            local = due.astimezone(ZoneInfo(c["tz"]))
            await tell_admins(
                self.app,
                self.store.get_collective(c["collective_id"]),
                "campaign/notice_missed",
                {"date": local.date().isoformat(), "time": local.strftime("%H:%M")},
            )
            return 0
        if c["backend"] not in self.app.backends:
            return 0
        payload = f"c_{c['code']}"
        link = deep_link(self.app, c["backend"], payload)
        say = post_say(
            c, due, name=c.get("name"), link=link, start_cmd=None if link and payload in link else f"/start {payload}"
        )
        reply = self.app.render_reply(say, c["locale"], bind="campaign:menu")
        out = await self.app.deliver(reply, Address(c["backend"], str(c["chat_id"])), policy=POST)
        if out.status == BLOCKED:  # the bot was removed: its campaigns wait until it is back
            log.warning("campaign_post_blocked id=%s", c["id"])
            coll = self.store.get_collective(c["collective_id"])
            held = self.store.hold_campaigns(c["collective_id"])
            await tell_admins(self.app, coll, "campaign/notice_removed", {"held": held})
            return 0
        if not out.sent:  # 429, 5xx, network...: next tick
            log.warning("campaign_post_failed id=%s error=%s", c["id"], out.kind)
            return 0
        self.store.campaign_advance(c["id"], nxt_iso)
        metrics.inc("campaign_posts", backend=c["backend"])
        log.info("campaign_posted id=%s", c["id"])
        return 1

    # -- waves --------------------------------------------------------------------------------
    @staticmethod
    def _announce_say(b: dict, coll: dict) -> Say:
        return announce_say(b, coll)

    def _replies(self, b: dict, coll: dict):
        cache: dict[str, Reply] = {}
        say = self._announce_say(b, coll)

        def get(locale: str | None) -> Reply:
            loc = locale or coll["locale"]
            r = cache.get(loc)
            if r is None:
                r = cache[loc] = self.app.render_reply(say, loc, bind="follow:announce")
            return r

        return get

    def in_flight(self, backend_name: str) -> int:
        """Messages in flight at once: the backend's ``broadcast_in_flight`` (1 keeps the promise
        "at most one duplicate per crash"; paid broadcast needs a few to reach its rate)."""
        return self.concurrency or self.app.backends[backend_name].broadcast_in_flight

    async def run_wave(self, bid: int) -> int:
        """Send every due delivery of broadcast ``bid``; return how many were sent this run."""
        w = self._open_wave(bid)
        if w is None:
            return 0
        # A row left "sending" by an earlier run (crash, cancelled task) may or may not have been
        # delivered: it is sent again (the one duplicate per crash).  From here on, a "sending"
        # row is one of ours, in flight or delivered, and next_deliveries() never returns it.
        self.store.requeue_in_flight(bid)
        workers = [asyncio.create_task(self._worker(w)) for _ in range(self.in_flight(w.backend))]
        try:
            await self._feed(w, workers)
        finally:
            while not w.queue.empty():  # left pending: an error or a cancel does not send the batch
                w.queue.get_nowait()
                w.queue.task_done()
            for _ in workers:
                w.queue.put_nowait(None)
            await asyncio.gather(*workers, return_exceptions=True)
        if not self.stopping() and self.store.deliveries_left(bid) == 0:
            await self._finish(w)
        return w.sent_now

    def _open_wave(self, bid: int) -> "Wave | None":
        b = self.store.get_broadcast(bid)
        if b is None or b["status"] != "running":
            return None
        coll = self.store.get_collective(b["collective_id"])
        if coll["backend"] not in self.app.backends:
            return None
        st = self.stats.setdefault(bid, {"r429": 0, "t0": self.now_ts(), "sent0": None, "next_report": 0.0})
        if st["sent0"] is None:
            st["sent0"] = self.store.delivery_counts(bid)["sent"]
        return Wave(bid, b, coll, self._replies(b, coll), self._announce_say(b, coll), st, self.pacer(coll["backend"]))

    def _wave_over(self, w: "Wave") -> bool:
        return self.stopping() or w.bid in self.halted

    async def _feed(self, w: "Wave", workers: list[asyncio.Task]) -> None:
        """Hand the due deliveries to the workers, batch by batch, until none is left (or the
        wave is stopped, halted, or no longer running)."""
        checked = self.now_ts()
        while not self._wave_over(w):
            if self.now_ts() - checked > 2.0:
                checked = self.now_ts()
                if (self.store.get_broadcast(w.bid) or {}).get("status") != "running":
                    return
            batch = self.store.next_deliveries(w.bid, self.now_ts(), BATCH)
            if not batch:
                nxt = self.store.next_due_at(w.bid)
                if nxt is None:
                    return
                await self.sleep(min(max(nxt - self.now_ts(), 0.01), 30.0))
                continue
            w.refetch = False
            for d in batch:
                w.queue.put_nowait(d)
            join = asyncio.ensure_future(w.queue.join())
            await asyncio.wait([join, *workers], return_when=asyncio.FIRST_COMPLETED)
            if not join.done():  # a worker died: do not wait for it forever
                join.cancel()
                for t in workers:
                    if t.done() and t.exception() is not None:
                        raise t.exception()  # type: ignore[misc]
                raise RuntimeError("broadcast worker stopped")

    async def _worker(self, w: "Wave") -> None:
        """Send the deliveries handed over, one at a time.  The "sent" of a delivery is committed
        with the "sending" of the next one (one commit per message)."""
        prev: int | None = None  # delivered; its "sent" is committed with the next "sending"
        last_429 = 0  # how many deliveries in a row met a 429
        try:
            while True:
                d = await w.queue.get()
                try:
                    if d is None:
                        return
                    if w.refetch or self._wave_over(w):
                        continue  # a 429 changed the order, parking, or stopped by an admin
                    await w.pacer.wait()
                    if self.stopping():
                        continue
                    self.store.delivery_sending(d["id"], prev)
                    prev = None
                    out = await self.app.deliver(
                        w.replies(d["locale"]), follower_address(d), policy=BROADCAST, attempts=d["attempts"]
                    )
                    last_429 = self._record(w, d, out, last_429)
                    if out.sent:
                        prev = d["id"]
                        await self._pushed(w, d, out.chat_id)
                    await self._maybe_progress(w.bid, w.b["total"])
                finally:
                    if prev is not None and (w.queue.empty() or w.refetch or self.stopping()):
                        self.store.delivery_done(prev)  # no next message to share the commit with
                        prev = None
                    w.queue.task_done()
        finally:
            if prev is not None:
                self.store.delivery_done(prev)

    def _record(self, w: "Wave", d: dict, out: Outcome, last_429: int) -> int:
        """Keep the outcome of one delivery in the queue; -> the run of 429s it continues (0 if none).
        A transient failure is retried for as long as the wave runs; 429s for several chats in a row
        mean a limit on the whole account, which pauses the wave (a backend that paces each chat has
        already paused that one chat)."""
        if out.sent:
            w.sent_now += 1
        elif out.status == BLOCKED:  # the person was marked inactive by deliver()
            self.store.delivery_done(d["id"], "blocked")
        elif out.status != RETRY:  # permanent: the server refused this message
            self.store.delivery_done(d["id"], "failed")
            log.warning("broadcast_send_failed id=%s error=%s", w.bid, out.kind)
        elif out.rate_limited:
            w.st["r429"] += 1
            run = last_429 + 1
            if not w.pacer.per_chat or run >= GLOBAL_429_RUN:
                w.pacer.pause(out.wait)
                w.refetch = True
            self.store.delivery_retry(d["id"], self.now_ts() + out.wait)
            return run
        else:
            self.store.delivery_retry(d["id"], self.now_ts() + out.wait)
            log.info("broadcast_send_retry id=%s error=%s attempts=%d", w.bid, out.kind, d["attempts"] + 1)
        return 0

    async def _pushed(self, w: "Wave", d: dict, chat_id: str) -> None:
        """Numbered-text transports: a typed "1" now answers this announcement."""
        if not self.app.backends[d["backend"]].has_buttons:
            await self.app.router.pushed(
                d["backend"],
                chat_id,
                d["user_key"],
                w.announce,
                w.replies(d["locale"]),
                d["locale"] or w.coll["locale"],
            )

    async def _finish(self, w: "Wave") -> None:
        final = self.store.finish_broadcast(w.bid, now=self.app.clock.now())
        metrics.set_gauge("broadcast_progress", final["sent"], collective=w.coll["code"], broadcast=w.bid)
        log.info(
            "broadcast_done id=%s sent=%s failed=%s blocked=%s", w.bid, final["sent"], final["failed"], final["blocked"]
        )
        await self._report(w.bid, "done", final)

    # -- progress ------------------------------------------------------------------------------
    def progress(self, bid: int) -> dict:
        """Done / total and estimated end (aware UTC datetime) of a running broadcast."""
        b = self.store.get_broadcast(bid)
        c = self.store.delivery_counts(bid)
        total = b["total"]
        done = c["sent"] + c["failed"] + c["blocked"] + c["sending"]  # "sending": delivered, commit pending
        left = c["pending"]
        coll = self.store.get_collective(b["collective_id"])
        pacer = self.pacer(coll["backend"])
        rate = pacer.expected_rate()
        st = self.stats.get(bid)
        if st:
            elapsed = self.now_ts() - st["t0"]
            observed = (c["sent"] - (st["sent0"] or 0)) / elapsed if elapsed > 5 else None
            if observed and (rate is None or observed < rate):
                rate = observed
        secs = left / rate if rate else 0.0
        end = self.now_ts() + secs
        last_due = self.store.last_pending_due(bid)
        if last_due:
            end = max(end, last_due)
        return {"done": done, "total": total, "end": datetime.fromtimestamp(end, UTC), **c}

    async def _maybe_progress(self, bid: int, total: int) -> None:
        if total < self.progress_min_total:
            return
        st = self.stats[bid]
        if not st.get("next_report"):
            st["next_report"] = self.progress_every
            st["sent_seen"] = 0
        st["sent_seen"] = st.get("sent_seen", 0) + 1
        # cheap check in memory; the database is read only at each milestone
        if st["sent_seen"] + (st["sent0"] or 0) < st["next_report"] * total:
            return
        st["next_report"] += self.progress_every
        if st["next_report"] >= 1.0:
            st["next_report"] = 2.0
        metrics.set_gauge("broadcast_progress", self.store.delivery_counts(bid)["sent"], broadcast=bid)
        await self._report(bid, "progress")

    async def _report(self, bid: int, what: str, final: dict | None = None) -> None:
        b = final or self.store.get_broadcast(bid)
        if not b or not b.get("report_chat") or b.get("report_backend") not in self.app.backends:
            return
        locale = b.get("report_locale") or "fr"
        tz = ZoneInfo(b.get("report_tz") or self.app.settings.timezone)
        if what == "done":
            say = Say(
                "campaign/bcast_report",
                {
                    "sent": fmt_int(b["sent"], locale),
                    "failed": fmt_int(b["failed"], locale),
                    "blocked": fmt_int(b["blocked"], locale),
                    "total": fmt_int(b["total"], locale),
                    "stopped": b["status"] == "stopped",
                },
            )
        else:
            p = self.progress(bid)
            say = Say(
                "campaign/bcast_progress",
                {
                    "done": fmt_int(p["done"], locale),
                    "total": fmt_int(p["total"], locale),
                    "eta": p["end"].astimezone(tz).strftime("%H:%M"),
                    "started": what == "start",
                },
            )
        if what != "done":  # a running wave can be stopped from its progress message
            say.buttons = [[Choice("campaign.wave_stop", f"x{bid}")]]
        else:
            self.halted.discard(bid)
        reply = self.app.render_reply(say, locale, bind="campaign:wave")
        backend = self.app.backends[b["report_backend"]]
        mid = b.get("report_message")
        if mid and backend.can_edit:
            # one message, updated in place (a new one only if the platform refuses the edit)
            try:
                new = await backend.edit(b["report_chat"], mid, reply)
            except Exception as e:
                log.warning("broadcast_report_failed id=%s error=%s", bid, type(e).__name__)
                return
        else:
            out = await self.app.deliver(reply, Address(b["report_backend"], str(b["report_chat"])), policy=POST)
            if not out.sent:
                log.warning("broadcast_report_failed id=%s error=%s", bid, out.kind)
                return
            new = out.message_id
        if new and new != mid:
            self.store.set_broadcast_report_message(bid, str(new))
        if b.get("report_user") and not backend.has_buttons:
            # numbered-text transports: her typed "1" now answers this message's "stop" choice
            await self.app.router.pushed(b["report_backend"], b["report_chat"], b["report_user"], say, reply, locale)


def install(app) -> None:
    from . import collective_notices

    collective_notices.install(app)
    br = Broadcaster(app)
    app.services.broadcaster = br
    app.services.campaign_event = app.store.campaign_count
    app.add_ticker("broadcast", br.tick)

"""The application: store, renderer, router, clock, backends and periodic tasks.

Backends call :meth:`App.handle_event` (or :meth:`App.handle` to get the replies and
send them themselves).  Periodic work (reminders, broadcasts, purges) registers a
*ticker* ``async fn(now) -> int`` through ``install(app)`` in its module; the loop in
:meth:`App.run_tickers` calls them with the injected clock, so tests call
:meth:`App.tick` directly instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import time
from dataclasses import replace
from datetime import datetime
from typing import Awaitable, Callable

from ..infra.clock import Clock, SystemClock
from ..infra.config import Settings
from .delivery import BLOCKED, DROPPED, FAILED, MOVED, RETRY, SENT, Backoff, Outcome, Policy, decide, stale
from .services import Services
from .types import Address, Backend, Button, Event, Reply
from .flowlib import Say
from .render import Renderer
from ..store import Store

log = logging.getLogger("mes_bot.app")

Ticker = Callable[[datetime], Awaitable[int]]

#: Modules that add tickers or services to the app, if present: each has ``install(app)``.
EXTENSIONS = ("bot.jobs.scheduler", "bot.jobs.broadcast")

#: a reply to someone who just wrote: retried here until ``reply_stale_after``
REPLY = Policy(Backoff(0.5, 30.0), inline=True)
#: a policy's counter per outcome (``<metric>_<counter>``; a 429 counts as ``<metric>_429``)
_COUNTER = {SENT: "sent", BLOCKED: "blocked", RETRY: "retries", FAILED: "failed", DROPPED: "dropped"}


class App:
    def __init__(
        self,
        settings: Settings | None = None,
        store: Store | None = None,
        clock: Clock | None = None,
        renderer: Renderer | None = None,
    ):
        from .router import Router

        self.settings = settings or Settings()
        if store is None:
            from ..infra import datalock

            if datalock.required:  # a command that writes: one process per data folder
                datalock.acquire(self.settings.data_dir)
        self.store = store or Store(self.settings.db_path)
        self.clock = clock or SystemClock()
        self.monotonic = time.monotonic  # reply retries: injectable (tests move it without sleeping)
        self.sleep = asyncio.sleep
        self.renderer = renderer or Renderer()
        self.backends: dict[str, Backend] = {}
        self.tickers: list[tuple[str, Ticker]] = []
        self.services = Services()
        self.services.chat_moved = self.store.move_chat  # what the store keeps of a chat follows its new id
        self.forget_hooks: list[Callable[[str], None]] = []  # erase what lives outside the database
        self.router = Router(self)
        for name in EXTENSIONS:
            try:
                mod = importlib.import_module(name)
            except ModuleNotFoundError as e:
                if e.name != name:
                    raise
                continue
            install = getattr(mod, "install", None)
            if install:
                install(self)

    # -- backends -------------------------------------------------------------------
    def add_backend(self, backend: Backend) -> None:
        from .types import check_backend

        check_backend(backend)
        self.backends[backend.name] = backend

    async def handle(self, event: Event) -> list[Reply]:
        """The replies to ``event``, each addressed to where the event came from.  Only the first
        reply that asks to edit may replace the pressed message, and only after a button press."""
        from ..infra import metrics

        metrics.inc("messages_in", backend=event.backend)
        to = event.address
        editable = event.kind == "button"
        replies = []
        for r in await self.router.handle(event):
            if r.to is None:
                r = r.addressed(to)
            if r.edit and not editable:
                r = replace(r, edit=False)
            elif r.edit:
                editable = False
            replies.append(r)
        return replies

    async def handle_event(self, event: Event, since: float | None = None) -> None:
        """Handle an event and deliver the replies (:meth:`deliver_replies`); ``since``: when it
        came in (monotonic), if it waited before being handled."""
        received = self.monotonic() if since is None else since
        replies = await self.handle(event)
        if event.backend in self.backends:
            await self.deliver_replies(replies, event.address, since=received)

    async def deliver_replies(
        self, replies: list[Reply], to: Address | None = None, since: float | None = None
    ) -> None:
        """Deliver an event's replies in order (:meth:`deliver`, retried until stale counting from
        ``since``), to their address or else ``to``; after one that could not go out, the rest
        are not sent."""
        received = self.monotonic() if since is None else since
        moved: str | None = None
        for r in replies:
            if r.to is None and to is not None:
                r = r.addressed(to)
            if moved is not None and r.to is not None and r.to.chat_id != moved:
                r = r.addressed(r.to.moved_to(moved))
            out = await self.deliver(r, since=received)
            if not out.sent:
                return
            moved = out.chat_id

    async def deliver(
        self,
        reply: Reply,
        to: Address | None = None,
        *,
        policy: Policy = REPLY,
        since: float | None = None,
        attempts: int = 0,
    ) -> Outcome:
        """Send ``reply`` to ``to`` (default: ``reply.to``): the one delivery path of replies,
        reminders, notices and broadcasts.  What a failure means is :func:`bot.core.delivery.decide`'s;
        what follows is here:

        - the chat moved: what the store keeps of it follows (``services.chat_moved``) and the
          message goes to the new id (``policy.moves`` times at most);
        - blocked: in a person's private chat, she is marked inactive (no reminder, no announcement);
        - retry (429, network, 5xx): an ``inline`` policy sleeps and tries again until the message is
          stale (``since``: when it was asked for, monotonic); otherwise the caller's queue gets
          RETRY with the wait (``attempts``: the tries the queue already made, for the back-off);
        - counted: ``messages_out``, ``send_failures{kind}`` and the policy's own counters."""
        to = to or reply.to
        if to is None:
            raise ValueError("a reply without an address")
        since = self.monotonic() if since is None else since
        moved_from: str | None = None
        attempt, moves = max(0, attempts), 0
        for _ in range(10_000):  # bounded; staleness or the queue ends it long before
            try:
                mid = await self._send_once(to, reply, policy.bulk)
            except Exception as e:
                d = decide(e, attempt, policy.backoff)
                attempt += 1
                if d.action == MOVED and d.new_chat_id and moves < policy.moves and self._still_there(to):
                    moves += 1
                    moved_from = moved_from or to.chat_id
                    await self._chat_moved(to, d.new_chat_id)
                    to = to.moved_to(d.new_chat_id)
                    continue
                if d.action == RETRY and policy.inline:
                    if not stale(since, self.monotonic(), d.wait, self._stale_after(policy)):
                        await self.sleep(d.wait)
                        continue
                    return self._outcome(
                        policy, to, Outcome(DROPPED, to.chat_id, kind=d.kind, moved_from=moved_from), attempt
                    )
                if d.action == BLOCKED:
                    self.person_blocked(to)
                status = {BLOCKED: BLOCKED, RETRY: RETRY, MOVED: DROPPED}.get(d.action, FAILED)
                return self._outcome(
                    policy,
                    to,
                    Outcome(
                        status, to.chat_id, wait=d.wait, rate_limited=d.rate_limited, kind=d.kind, moved_from=moved_from
                    ),
                    attempt,
                )
            return self._outcome(policy, to, Outcome(SENT, to.chat_id, mid, moved_from=moved_from), attempt)
        return self._outcome(policy, to, Outcome(DROPPED, to.chat_id, moved_from=moved_from), attempt)

    async def _send_once(self, to: Address, reply: Reply, bulk: bool) -> str | None:
        from ..infra import metrics

        backend = self.backends[to.backend]
        if reply.to != to:
            reply = reply.addressed(to)  # the backend reads the topic and the pressed message there
        try:
            mid = await (backend.send_bulk if bulk else backend.send)(to.chat_id, reply)
        except Exception as e:
            metrics.inc("send_failures", backend=to.backend, kind=type(e).__name__)
            raise
        metrics.inc("messages_out", backend=to.backend)
        return mid

    def _stale_after(self, policy: Policy) -> float:
        return float(self.settings.reply_stale_after if policy.stale_after is None else policy.stale_after)

    def _still_there(self, to: Address) -> bool:
        """A person erased meanwhile (/oubli) gets nothing more, not even at her chat's new id."""
        key = to.user_key
        return not (to.direct and key) or self.store.get_user(key) is not None or bool(self.store.follows_of(key))

    async def _chat_moved(self, to: Address, new_chat_id: str) -> None:
        log.info("chat_moved backend=%s", to.backend)
        hook = self.services.chat_moved
        if hook is None:
            return
        try:
            res = hook(to.backend, to.chat_id, new_chat_id)
            if asyncio.iscoroutine(res):
                await res
        except Exception:  # the message still goes to the new id; the store catches up at the next move
            log.exception("chat_moved_hook_failed backend=%s", to.backend)

    def person_blocked(self, to: Address) -> None:
        """The person blocked the bot (in her private chat): nothing more is written to her (no
        reminder, no announcement).  Called on a refused delivery and by a backend told so."""
        if to.direct and to.user_key:
            self.store.deactivate_user(to.user_key)
            self.store.deactivate_follower(to.user_key)

    @staticmethod
    def _outcome(policy: Policy, to: Address, out: Outcome, attempts: int) -> Outcome:
        from ..infra import metrics

        if policy.metric:
            suffix = "429" if out.rate_limited and out.status == RETRY else _COUNTER[out.status]
            metrics.inc(f"{policy.metric}_{suffix}", backend=to.backend)
        if out.status == BLOCKED:
            log.info("delivery_blocked backend=%s direct=%s", to.backend, to.direct)
        elif out.status in (FAILED, DROPPED):
            log.warning(
                "delivery_dropped backend=%s status=%s error=%s attempts=%d", to.backend, out.status, out.kind, attempts
            )
        return out

    async def send(self, backend_name: str, chat_id: str, reply: Reply) -> str | None:
        """One try, errors raised (the caller decides); :meth:`deliver` is the delivery path."""
        return await self._send_once(Address(backend_name, str(chat_id)), reply, False)

    async def is_admin(self, event: Event, chat_id: str | None = None) -> bool:
        """Operators from the configuration, or the platform's own admin check."""
        chat_id = chat_id or event.chat_id
        if event.user_key in self.settings.operators:
            return True
        if event.sender_chat_id is not None and event.sender_chat_id == chat_id:
            return True  # Telegram anonymous admin / the channel itself, posting as this chat
        backend = self.backends.get(event.backend)
        if backend is None:
            return False
        try:
            return bool(await backend.is_admin(event.user_id, chat_id))
        except Exception:
            log.warning("is_admin_failed backend=%s", event.backend)
            return False

    def forget(self, user_key: str, *, places: bool = True) -> int:
        """Erase a person: every row and key in the database, then what backends keep elsewhere
        (files).  ``places``: also the places she manages as a collective's admin (``/oubli``; the
        automatic purge of idle people keeps them, so an admin's old buttons work after weeks idle).
        Raises when the database refuses (disk full): the caller says it did not happen."""
        n = self.store.forget_user(user_key)
        if places:
            self.store.forget_admin(self.store.admin_key(user_key))  # keyed hash of her id
        for hook in self.forget_hooks:
            hook(user_key)
        return n

    # -- rendering -----------------------------------------------------------------------
    def render_reply(self, say: Say, locale: str, bind: str | None = None) -> Reply:
        text = self.renderer.render(say.key, locale, **say.vars)
        rows = []
        for row in say.buttons:
            out = []
            for c in row:
                label = self.renderer.label(c.label, locale, **c.vars)
                if c.url:
                    out.append(Button(label, url=c.url))
                elif c.goto:
                    out.append(Button(label, payload=f"g:{c.goto}"))
                else:
                    prefix = bind or "menu:main"
                    out.append(Button(label, payload=f"{prefix}:{c.payload}"))
            if out:
                rows.append(tuple(out))
        return Reply(
            key=say.key,
            text=text,
            buttons=tuple(rows),
            attachment=say.attachment,
            edit=say.edit,
            private_start=say.private_start,
            notice=say.notice,
            html=self._render_html(say, locale) if say.html else None,
        )

    def _render_html(self, say: Say, locale: str) -> str | None:
        """The message as safe HTML: the template's own words escaped, the organiser's
        fragments (``say.html``) inserted with their formatting."""
        import html as _html

        fragments = say.html or {}
        marks = {k: f"\ue000{i}\ue001" for i, k in enumerate(fragments)}
        text = _html.escape(self.renderer.render(say.key, locale, **{**say.vars, **marks}), quote=False)
        for k, m in marks.items():
            text = text.replace(m, fragments[k] or "")
        return text

    # -- periodic work ---------------------------------------------------------------------
    def add_ticker(self, name: str, fn: Ticker) -> None:
        self.tickers.append((name, fn))

    async def tick(self, now: datetime | None = None) -> int:
        now = now or self.clock.now()
        done = 0
        for name, fn in self.tickers:
            try:
                done += int(await fn(now) or 0)
            except Exception as e:
                from ..infra import health_state

                if health_state.is_storage_error(e):
                    health_state.storage_failed(e, f"ticker:{name}")
                else:
                    log.exception("ticker_failed name=%s", name)
        return done

    async def run_tickers(self, stop: asyncio.Event, interval: float | None = None) -> None:
        interval = interval or self.settings.scheduler_interval
        from ..infra import metrics

        while not stop.is_set():
            await self.tick()
            metrics.set_gauge("scheduler_last_tick", self.clock.now().timestamp())
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)

"""The application: store, renderer, router, clock, backends and periodic tasks.

Backends call :meth:`App.handle_event` (or :meth:`App.handle` to get the replies and
send them themselves).  Periodic work (reminders, broadcasts, purges) registers a
*ticker* ``async fn(now) -> int`` through ``install(app)`` in its module; the loop in
:meth:`App.run_tickers` calls them with the injected clock, so tests call
:meth:`App.tick` directly instead of sleeping.
"""
from __future__ import annotations

import asyncio
import importlib
import logging
import time
from datetime import datetime
from typing import Awaitable, Callable

from ..infra.clock import Clock, SystemClock
from ..infra.config import Settings
from .types import Backend, Button, Event, Reply
from .flowlib import Say
from .render import Renderer
from ..store import Store

log = logging.getLogger("mes_bot.app")

Ticker = Callable[[datetime], Awaitable[int]]

#: Modules that add tickers or services to the app, if present: each has ``install(app)``.
EXTENSIONS = ("bot.jobs.scheduler", "bot.jobs.broadcast")


class App:
    def __init__(self, settings: Settings | None = None, store: Store | None = None,
                 clock: Clock | None = None, renderer: Renderer | None = None):
        from .router import Router

        self.settings = settings or Settings()
        if store is None:
            from ..infra import datalock

            if datalock.required:   # a command that writes: one process per data folder
                datalock.acquire(self.settings.data_dir)
        self.store = store or Store(self.settings.db_path)
        self.clock = clock or SystemClock()
        self.monotonic = time.monotonic   # reply retries: injectable (tests move it without sleeping)
        self.sleep = asyncio.sleep
        self.renderer = renderer or Renderer()
        self.backends: dict[str, Backend] = {}
        self.tickers: list[tuple[str, Ticker]] = []
        self.services: dict[str, object] = {}
        self.forget_hooks: list[Callable[[str], None]] = []   # erase what lives outside the database
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
        from ..infra import metrics

        metrics.inc("messages_in", backend=event.backend)
        return await self.router.handle(event)

    async def handle_event(self, event: Event) -> None:
        """Handle an event and send the replies through its backend."""
        received = self.monotonic()
        replies = await self.handle(event)
        backend = self.backends.get(event.backend)
        if backend is None:
            return
        chat_id: str | None = event.chat_id
        for r in replies:
            chat_id = await self.deliver_reply(event, chat_id, r, received)
            if chat_id is None:
                return

    async def deliver_reply(self, event: Event, chat_id: str, reply: Reply, received: float) -> str | None:
        """Send one reply to the person who wrote, as :mod:`bot.core.delivery` decides: transient
        failures and 429s are retried until the reply is ``reply_stale_after`` seconds old.
        Returns the chat it went to, or None when it was not sent (the rest is not sent either)."""
        from .delivery import BLOCKED, MOVED, RETRY, Backoff, decide, stale

        attempt = 0
        for _ in range(10_000):   # bounded; staleness ends it long before
            try:
                await self.send(event.backend, chat_id, reply)
                return chat_id
            except Exception as e:
                d = decide(e, attempt, Backoff(0.5, 30.0))
                attempt += 1
                if d.action == MOVED and attempt <= 3:
                    chat_id = d.new_chat_id
                    continue
                if d.action == BLOCKED:
                    if event.is_direct:
                        self.store.deactivate_user(event.user_key)
                    log.info("reply_blocked backend=%s", event.backend)
                    return None
                if d.action != RETRY or stale(received, self.monotonic(), d.wait, self.settings.reply_stale_after):
                    log.warning("reply_dropped backend=%s error=%s attempts=%d", event.backend, d.kind, attempt)
                    return None
                await self.sleep(d.wait)
        return None

    async def send(self, backend_name: str, chat_id: str, reply: Reply) -> str | None:
        from ..infra import metrics

        backend = self.backends[backend_name]
        try:
            mid = await backend.send(chat_id, reply)
        except Exception as e:
            metrics.inc("send_failures", backend=backend_name, kind=type(e).__name__)
            raise
        metrics.inc("messages_out", backend=backend_name)
        return mid

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
            self.store.forget_admin(self.store.admin_key(user_key))   # keyed hash of her id
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
        return Reply(key=say.key, text=text, buttons=tuple(rows), attachment=say.attachment,
                     edit=say.edit, private_start=say.private_start, notice=say.notice,
                     html=self._render_html(say, locale) if say.html else None)

    def _render_html(self, say: Say, locale: str) -> str | None:
        """The message as safe HTML: the template's own words escaped, the organiser's
        fragments (``say.html``) inserted with their formatting."""
        import html as _html

        marks = {k: f"\ue000{i}\ue001" for i, k in enumerate(say.html)}
        text = _html.escape(self.renderer.render(say.key, locale, **{**say.vars, **marks}), quote=False)
        for k, m in marks.items():
            text = text.replace(m, say.html[k] or "")
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
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval)
            except asyncio.TimeoutError:
                pass

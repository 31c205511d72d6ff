"""Telegram backend on python-telegram-bot (PTB 22).

A thin pipe: a Telegram update becomes one :class:`bot.core.types.Event`; a
:class:`bot.core.types.Reply` becomes HTML messages (everything escaped) with inline keyboards.
Conversation state lives in our router (no PTB ConversationHandler).

- long polling by default, webhook as an option (secret token checked);
- every send is paced by :class:`bot.jobs.pacing.Pacer` (30/s overall, ~1/s per private
  chat, 20/min per group or channel); a 429 pauses only that chat;
- errors map to the core's delivery errors (Forbidden -> Blocked, RetryAfter ->
  RetryLater, ChatMigrated -> ChatMoved, network/5xx -> TransientError); replies to
  inbound messages are retried per chat, and a user who blocked the bot is deactivated;
- start-up extras (command menu in fr and en, descriptions) are best-effort;
- unknown update types never stop the loop.

The top level imports no heavy library (PTB is imported lazily) so ``mes-bot --help``
stays fast.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import hashlib
import logging
import os
import re
import signal
import time
import weakref
from typing import Any

from ...core.types import (BackendBase, Blocked, ChatMoved, DeliveryError, Event, Reply, RetryLater,
                    TransientError)

from .wire import (MAX_TEXT, PAYLOAD_RE, RETRY_TEXT_RE, START_RE, _retry_seconds, chat_arg,  # noqa: F401
                   escape, file_url_for, retry_hint, split_text, start_payload, thread_of, utf16_len)

log = logging.getLogger("mes_bot.telegram")

NAME = "telegram"
ANONYMOUS_ADMIN_ID = 1087968824          # "GroupAnonymousBot"
MAX_CAPTION = 1024
MAX_CALLBACK = 64                       # bytes of callback_data
DEFAULT_API = "https://api.telegram.org/bot"
FAKE_CLOCK_ENV = "MESBOT_FAKE_CLOCK_FILE"
ADMIN_CACHE_S = 30.0
GROUP_BACKLOG_FACTOR = 5                # a group may queue this many times chat_backlog_max (chatter)
SEEN_UPDATES = 4096                     # update ids remembered to drop a re-delivered update
GONE_KEY = "tggone:"                    # kv prefix: chats the bot was removed from / blocked in
BLOCKED_HINTS = ("chat not found", "user is deactivated", "bot was kicked", "bot was blocked",
                 "have no rights to send", "not enough rights to send", "chat_write_forbidden",
                 "bot is not a member", "need administrator rights", "peer_id_invalid")
THREAD_HINTS = ("thread not found", "topic_closed", "topic_deleted", "topic not found", "message_thread_id")

# Commands shown in Telegram's menu: (command, label key); English uses the English alias.
MENU_COMMANDS = [("menu", "telegram.cmd_menu"), ("aide", "telegram.cmd_aide"), ("rappels", "telegram.cmd_rappels"),
                 ("langue", "telegram.cmd_langue"), ("annuler", "telegram.cmd_annuler"),
                 ("oubli", "telegram.cmd_oubli")]
CONTENT_FIELDS = ("sticker", "photo", "document", "voice", "video", "video_note", "audio", "animation",
                  "contact", "location", "venue", "poll", "dice", "game", "story", "paid_media", "caption",
                  "checklist", "invoice")
EN_NAMES = {"aide": "help", "langue": "language", "annuler": "cancel", "oubli": "forget", "rappels": "reminders",
            "campagne": "campaign"}
# command menus per scope (collectives): members of a group, then its administrators
GROUP_MENU = [("aide", "telegram.cmd_aide")]
ADMIN_MENU = [("campagne", "telegram.cmd_campagne"), ("stats", "telegram.cmd_stats"), ("aide", "telegram.cmd_aide")]


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--token", help="bot token (visible to every user in `ps`: prefer $TELEGRAM_BOT_TOKEN "
                                   "or --token-file)")
    p.add_argument("--token-file", help="file holding the bot token (mode 600; default: $TELEGRAM_BOT_TOKEN_FILE)")
    p.add_argument("--api-url", help="Bot API base URL, python-telegram-bot's base_url "
                                     "(default https://api.telegram.org/bot; also a self-hosted Bot API server)")
    p.add_argument("--file-url", help="Bot API file base URL (default: derived from --api-url)")
    p.add_argument("--data-dir", help="data folder (default: per-user XDG data dir)")
    p.add_argument("--config", help="TOML configuration file")
    p.add_argument("--webhook-url", help="public HTTPS URL Telegram posts updates to (webhook mode)")
    p.add_argument("--webhook-listen", help="address:port the webhook server listens on (default 127.0.0.1:8443)")
    p.add_argument("--webhook-secret", help="secret token checked on every webhook call "
                                            "(default: $MESBOT_TELEGRAM_WEBHOOK_SECRET or generated)")
    p.add_argument("--no-rate-limit", action="store_true", help="do not pace sends (tests and benchmarks only)")
    p.add_argument("--log-level", help="DEBUG, INFO, WARNING (default INFO)")


# ---------------------------------------------------------------------------------------------
# ---------------------------------------------------------------------------------------------


class TelegramBackend(BackendBase):
    has_buttons = True  # real inline buttons: typed numbers need not follow pushed messages
    link_for_others = True  # t.me links open this bot from anywhere (a console flyer prints it)

    def link(self, payload: str) -> str | None:
        """t.me deep link with the username getMe gave (None before it answered)."""
        return f"https://t.me/{self.username}?start={payload}" if self.username else None
    connected = False  # last getUpdates succeeded (read by /healthz)
    name = NAME

    def __init__(self, app, settings, *, token: str | None = None, api_url: str | None = None,
                 file_url: str | None = None, pacer=None, rate_limit: bool = True,
                 concurrent_updates: int = 64, poll_timeout: float = 10.0):
        from ...jobs.pacing import Pacer

        self.app = app
        self.settings = settings
        self.token = token or settings.telegram_token
        if not self.token:
            from ...infra.config import ConfigError

            raise ConfigError("setting 'telegram_token': no bot token (use --token or TELEGRAM_BOT_TOKEN)")
        self.api_url = api_url or settings.telegram_api_url or DEFAULT_API
        self.file_url = file_url or file_url_for(self.api_url)
        self.pacer = pacer or Pacer.from_settings(settings, enabled=rate_limit)
        self.concurrent_updates = concurrent_updates
        self.pool_size = 64
        self.retry_base = 0.5          # first back-off after a network error / 5xx (doubles)
        self.retry_cap = 30.0          # ... up to this many seconds between two tries of a reply
        self.clock = time.monotonic    # reply retries: injectable time (tests move it without sleeping)
        self.sleep = asyncio.sleep
        self._deadline_start: dict[str, float] = {}   # chat -> when the message being answered came in
        from ...core.admission import ChatBacklog

        self._backlog = ChatBacklog(settings.chat_backlog_max, GROUP_BACKLOG_FACTOR)   # per chat, shared rule
        self.poll_backoff = 1.0        # first back-off after a failed getUpdates (doubles, max 30 s)
        self.startup_timeout = 5.0     # per start-up extra (deleteWebhook, setMyCommands...): best-effort
        self._seen: "collections.deque[int]" = collections.deque()
        self._seen_set: set[int] = set()
        self._gone: set[str] | None = None   # chats the bot was removed from (loaded lazily)
        self._poll_error: str | None = None  # kind of the current run of getUpdates failures
        self._sem = asyncio.Semaphore(concurrent_updates)
        self._offset: int | None = None
        self._handler = None
        self.webhook_port: int | None = None
        self.poll_timeout = poll_timeout
        self.username: str | None = None
        self.bot_id: int | None = None
        self.application = None
        self._stop = asyncio.Event()
        self._chat_locks: "weakref.WeakValueDictionary[str, asyncio.Lock]" = weakref.WeakValueDictionary()
        self._chat_locale: dict[str, str] = {}
        self._admin_cache: dict[tuple[str, str], tuple[float, bool]] = {}
        self._tasks: set[asyncio.Task] = set()
        self._started = False
        self._webhook_runner = None
        self._profile_task: asyncio.Task | None = None
        self.counters = {"updates": 0, "ignored": 0, "retries": 0, "blocked": 0, "sent": 0, "dropped": 0}

    @property
    def reply_backoff(self):
        from ...core.delivery import Backoff

        return Backoff(self.retry_base, self.retry_cap)

    # -- lifecycle ---------------------------------------------------------------------
    def _build(self):
        os.environ.setdefault("PTB_TIMEDELTA", "1")  # RetryAfter.retry_after as timedelta, no warning
        # python-telegram-bot logs a whole unparsable body (a proxy's HTML page) with a traceback at
        # ERROR; our own log line says which call failed and how
        req_log = logging.getLogger("telegram.request.BaseRequest")
        if not any(isinstance(f, _QuietBodies) for f in req_log.filters):
            req_log.addFilter(_QuietBodies())
        from telegram.ext import Application

        return (Application.builder().token(self.token).base_url(self.api_url).base_file_url(self.file_url)
                .updater(None).connection_pool_size(self.pool_size)
                .pool_timeout(30.0).read_timeout(20.0).write_timeout(20.0).connect_timeout(10.0)
                .build())

    async def start(self) -> None:
        """Connect (getMe), then set up the command menu and descriptions (best-effort)."""
        if self._started:
            return
        from telegram import error as tg

        self.application = self._build()
        delay = 1.0
        give_up = time.monotonic() + float(self.settings.connect_timeout)
        for attempt in range(1000):   # the Bot API may be briefly unreachable at boot
            try:
                await self.application.initialize()
                break
            except tg.InvalidToken:
                raise
            except (tg.NetworkError, tg.TimedOut) as e:
                log.warning("connect_failed error=%s attempt=%d", type(e).__name__, attempt + 1)
                wait = min(delay, give_up - time.monotonic())
                if wait <= 0 or await self._sleep(wait):
                    raise Unreachable(f"cannot reach the Bot API at {self.api_url.split('/bot')[0]} "
                                      f"({type(e).__name__}) for {self.settings.connect_timeout:g} s") from None
                delay = min(delay * 2, 30.0)
        me = self.application.bot
        self.username, self.bot_id = me.username, me.id
        self._started = True
        # only getMe is required: the menu and descriptions are set in the background, each
        # call bounded, so a server that lacks them, refuses them or hangs never delays replies
        self._profile_task = self._spawn(self._profile())

    async def _profile(self) -> None:
        try:
            await self.setup_profile()
        except asyncio.CancelledError:
            raise
        except Exception as e:
            log.warning("startup_profile_failed error=%s", type(e).__name__)

    async def _extra(self, what: str, coro) -> bool:
        """One best-effort start-up call: any refusal (404 unknown method, 400, 501, an HTML page,
        a body that is not JSON) or a timeout is logged and ignored."""
        try:
            await asyncio.wait_for(coro, timeout=self.startup_timeout + 1.0)
            return True
        except asyncio.CancelledError:
            raise
        except Exception as e:  # best-effort by design
            log.warning("startup_extra_failed method=%s error=%s", what, type(e).__name__)
            return False

    async def setup_profile(self) -> None:
        from telegram import BotCommand

        bot = self.application.bot
        renderer = self.app.renderer
        registry = getattr(self.app.router, "reg", None)
        known = set(getattr(registry, "commands", {}) or {}) | {"menu", "aide", "langue", "annuler", "oubli"}
        def menu(entries, locale):
            cmds = []
            for name, key in entries:
                if name not in known:
                    continue
                try:
                    label = renderer.label(key, locale)
                except KeyError:
                    continue
                cmd = EN_NAMES.get(name, name) if locale == "en" else name
                cmds.append(BotCommand(cmd, label[:256]))
            return cmds

        menus_ok = True
        for locale in ("fr", "en"):
            cmds = menu(MENU_COMMANDS, locale)
            steps = [("setMyCommands", bot.set_my_commands, dict(commands=cmds, language_code=locale)),
                     ("setMyDescription", bot.set_my_description,
                      dict(description=renderer.render("telegram/description", locale)[:512], language_code=locale)),
                     ("setMyShortDescription", bot.set_my_short_description,
                      dict(short_description=renderer.render("telegram/short_description", locale)[:120],
                           language_code=locale))]
            if locale == self.settings.default_locale:
                steps.append(("setMyCommands", bot.set_my_commands, dict(commands=cmds)))
            for what, fn, kw in steps:
                if self._stop.is_set():
                    return
                ok = await self._extra(what, fn(**kw, read_timeout=self.startup_timeout,
                                                connect_timeout=self.startup_timeout))
                menus_ok = menus_ok and (ok or what != "setMyCommands")
        if menus_ok and "campagne" in known:
            await self._scoped_menus(menu)

    async def _scoped_menus(self, menu) -> None:
        """Groups: members see member commands, administrators see /campagne and /stats (only
        when the server took the default menu: a server without the method is not asked again)."""
        from telegram import BotCommandScopeAllChatAdministrators, BotCommandScopeAllGroupChats

        bot = self.application.bot
        for scope, entries in ((BotCommandScopeAllGroupChats(), GROUP_MENU),
                               (BotCommandScopeAllChatAdministrators(), ADMIN_MENU)):
            for locale in ("fr", "en", None):
                if self._stop.is_set():
                    return
                kw = {"language_code": locale} if locale else {}
                await self._extra("setMyCommands", bot.set_my_commands(
                    commands=menu(entries, locale or self.settings.default_locale), scope=scope, **kw,
                    read_timeout=self.startup_timeout, connect_timeout=self.startup_timeout))

    async def receive(self, handler=None) -> None:
        """Run until :meth:`stop`: long polling, or the webhook server when configured.

        ``handler`` may be ``app.handle_event`` (or None): the backend then handles and sends
        itself, with per-chat retries.  Any other coroutine function gets the Events."""
        if handler is not None and getattr(handler, "__func__", None) is not type(self.app).handle_event:
            self._handler = handler
        else:
            self._handler = None
        self._stop.clear()
        await self.start()
        try:
            if self.settings.telegram_webhook_url:
                await self._start_webhook()
                log.info("telegram_started mode=webhook")
                await self._stop.wait()
            else:
                await self._delete_webhook()
                log.info("telegram_started mode=polling")
                poller = asyncio.create_task(self._poll_loop())
                stopper = asyncio.create_task(self._stop.wait())
                done, _ = await asyncio.wait({poller, stopper}, return_when=asyncio.FIRST_COMPLETED)
                if poller not in done:
                    poller.cancel()
                stopper.cancel()
                try:
                    await poller
                except asyncio.CancelledError:
                    if not self._stop.is_set():
                        raise
        finally:
            await self._shutdown()

    async def _delete_webhook(self) -> None:
        """Polling and a webhook exclude each other: drop a webhook left by another run
        (best-effort; getUpdates reports a conflict anyway)."""
        await self._extra("deleteWebhook", self.application.bot.delete_webhook(
            drop_pending_updates=False, read_timeout=self.startup_timeout, connect_timeout=self.startup_timeout))

    async def _sleep(self, seconds: float) -> bool:
        """Sleep unless stopped; True when stopping."""
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)
            return True
        except asyncio.TimeoutError:
            return False

    async def _poll_loop(self) -> None:
        """Long polling on raw JSON: each update is read on its own, so one update the client
        library cannot parse never blocks the others (and its content is never logged).

        Any failure of getUpdates (409 Conflict with another poller or a webhook, 429, 5xx,
        an HTML page, a body that is not JSON, a timeout) backs off and polls again; a run of
        failures of one kind is logged once.  Only a refused token (401) stops the bot."""
        from telegram import Update
        from telegram import error as tg

        backoff = self.poll_backoff
        allowed: list[str] | None = list(Update.ALL_TYPES)
        loop = asyncio.get_running_loop()
        while not self._stop.is_set():
            data: dict[str, Any] = {"timeout": int(self.poll_timeout)}
            if allowed is not None:
                data["allowed_updates"] = allowed
            if self._offset is not None:
                data["offset"] = self._offset
            t0 = loop.time()
            try:
                result = await self._raw_post("getUpdates", data, read_timeout=self.poll_timeout + 10.0)
                if not isinstance(result, list):
                    raise TypeError("getUpdates result is not a list")
            except asyncio.CancelledError:
                raise
            except Exception as e:
                if isinstance(e, tg.InvalidToken) and "not found" not in str(e).lower():
                    log.error("polling_stopped error=InvalidToken")
                    raise
                self.connected = False  # /healthz reports it until the next good poll
                kind = type(e).__name__
                if kind != self._poll_error:
                    log.warning("polling_error error=%s", kind)
                    self._poll_error = kind
                else:
                    log.debug("polling_error error=%s", kind)
                wait = retry_hint(e)
                if wait is None:
                    wait = backoff
                    backoff = min(backoff * 2, 30.0)
                if isinstance(e, tg.Conflict) and "webhook" in str(e).lower():
                    await self._delete_webhook()   # a webhook set by someone else: polling needs it gone
                if isinstance(e, tg.BadRequest) and allowed is not None:
                    allowed = None   # a server that refuses update types it does not know: its defaults
                if await self._sleep(wait):
                    return
                continue
            backoff = self.poll_backoff
            self.connected = True
            if self._poll_error is not None:
                log.info("polling_recovered after=%s", self._poll_error)
                self._poll_error = None
            last = None
            for raw in result:
                try:
                    uid = int(raw["update_id"])
                except (KeyError, TypeError, ValueError):
                    continue
                last = uid
                self.dispatch(raw)
            if last is not None:
                # as python-telegram-bot does: confirm up to the last update of the batch (ids
                # may jump, and after a week without updates Telegram restarts them anywhere)
                self._offset = last + 1
            elif not result and self.poll_timeout >= 1 and loop.time() - t0 < 0.05:
                # an empty answer at once: a server that does not long-poll; do not spin
                if await self._sleep(0.25):
                    return

    async def _raw_post(self, method: str, data: dict, read_timeout: float | None = None):
        bot = self.application.bot
        post = getattr(bot, "_post", None)
        if post is not None:
            return await post(method, data, read_timeout=read_timeout)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return await bot.do_api_request(method, api_kwargs=data, read_timeout=read_timeout)

    async def _shutdown(self) -> None:
        if self._webhook_runner is not None:
            await self._webhook_runner.cleanup()
            self._webhook_runner = None
        if self._profile_task is not None and not self._profile_task.done():
            self._profile_task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=15)
        if self._offset is not None and not self.settings.telegram_webhook_url:
            try:  # confirm what was handled, so a restart does not handle it twice
                await self._raw_post("getUpdates", {"offset": self._offset, "timeout": 0, "limit": 1},
                                     read_timeout=5.0)
            except Exception:
                log.info("offset_confirm_failed")
        try:
            await self.application.shutdown()
        except Exception:
            log.warning("application_stop_failed")
        self._started = False
        log.info("telegram_stopped")

    async def stop(self) -> None:
        self._stop.set()

    # -- webhook -------------------------------------------------------------------------
    async def _start_webhook(self) -> None:
        import secrets
        from urllib.parse import urlparse

        from aiohttp import web
        from telegram import Update

        url = self.settings.telegram_webhook_url
        secret = self.settings.telegram_webhook_secret or secrets.token_urlsafe(32)
        secret = re.sub(r"[^A-Za-z0-9_-]", "", secret)[:256]
        path = urlparse(url).path or "/"
        host, _, port = self.settings.telegram_webhook_listen.rpartition(":")

        async def on_post(request: web.Request) -> web.Response:
            if not secrets.compare_digest(request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""), secret):
                return web.Response(status=403)
            try:
                raw = await request.json()
                int(raw["update_id"])
            except Exception:
                return web.Response(status=400)
            self.dispatch(raw)
            return web.Response(text="ok")

        webapp = web.Application(client_max_size=1024 * 1024)
        webapp.router.add_post(path, on_post)
        runner = web.AppRunner(webapp, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, host or "127.0.0.1", int(port or 8443))
        await site.start()
        self._webhook_runner = runner
        self.webhook_port = site._server.sockets[0].getsockname()[1] if site._server else None
        await self.application.bot.set_webhook(url=url, secret_token=secret, allowed_updates=list(Update.ALL_TYPES))

    # -- inbound -----------------------------------------------------------------------
    def _first_time(self, raw) -> bool:
        """False for an update id handled already (a server or webhook delivering it twice)."""
        try:
            uid = int(raw["update_id"])
        except (KeyError, TypeError, ValueError):
            return True
        if uid in self._seen_set:
            return False
        self._seen_set.add(uid)
        self._seen.append(uid)
        if len(self._seen) > SEEN_UPDATES:
            self._seen_set.discard(self._seen.popleft())
        return True

    def dispatch(self, raw: dict) -> None:
        """Handle one raw update in its own task: one chat at a time, chats in parallel."""
        if not isinstance(raw, dict):
            return
        if not self._first_time(raw):
            self.counters["duplicates"] = self.counters.get("duplicates", 0) + 1
            return
        self.counters["updates"] += 1
        try:
            event = self.to_event(raw)
        except Exception:
            log.warning("update_unreadable id=%s", raw.get("update_id") if isinstance(raw, dict) else None)
            event = None
        q = raw.get("callback_query") if isinstance(raw, dict) else None
        if isinstance(q, dict) and q.get("id"):
            self._spawn(self._answer(str(q["id"])))  # stop the button spinning at once
        side = self._side_effect(raw)
        if side is not None:
            self._spawn(side)
        if event is None:
            self.counters["ignored"] += 1
            return
        self._mark_gone(event.chat_id, False)   # someone wrote from there: the bot is welcome again
        if not self._admit(event):
            return
        lock = self._chat_locks.get(event.chat_id)
        if lock is None:
            lock = asyncio.Lock()
            self._chat_locks[event.chat_id] = lock
        self._spawn(self._process(event, lock, self._thread(raw), self.clock()))

    def _admit(self, event: Event) -> bool:
        """Bound one chat's backlog: beyond ``chat_backlog_max`` queued updates the rest are
        dropped (a private chat is told once, kindly; a group is not written to about it)."""
        from ...core.admission import ADMIT, DROP_AND_NOTIFY

        chat = event.chat_id
        verdict = self._backlog.admit(chat, event.is_direct)
        if verdict == ADMIT:
            return True
        self.counters["dropped"] += 1
        from ...infra import metrics

        metrics.inc("updates_dropped", backend=NAME)
        if verdict == DROP_AND_NOTIFY:
            log.info("chat_flood_dropping backlog=%d", self._backlog.queued(chat))
            self._spawn(self._flood_notice(chat, event))
        return False

    def _release(self, chat: str) -> None:
        self._backlog.release(chat)

    async def _flood_notice(self, chat: str, event: Event) -> None:
        """One kind note, out of the queue: the rest of what you sent so fast was not read."""
        user = self.app.store.get_user(event.user_key)
        loc = (user.locale if user and user.locale else None) or self._chat_locale.get(chat) \
            or (event.locale or "")[:2]
        if loc not in ("fr", "en"):
            loc = self.settings.default_locale
        reply = Reply(key="core/too_fast", text=self.app.renderer.render("core/too_fast", loc))
        try:
            await self._send(chat, reply)
        except DeliveryError as e:
            log.info("flood_notice_failed error=%s", type(e).__name__)

    @staticmethod
    def _thread(raw: dict) -> int | None:
        msg = raw.get("message") or raw.get("edited_message")
        if msg is None:
            q = raw.get("callback_query")
            msg = q.get("message") if isinstance(q, dict) else None
        return thread_of(msg)

    # chats the bot may no longer write to (removed from a group or channel, blocked in private)
    def _gone_chats(self) -> set[str]:
        if self._gone is None:
            try:
                self._gone = {k[len(GONE_KEY):] for k in self.app.store.kv_keys(GONE_KEY)}
            except Exception:
                self._gone = set()
        return self._gone

    def _mark_gone(self, chat_id: str, gone: bool) -> None:
        chats = self._gone_chats()
        if gone == (chat_id in chats):
            return
        if gone:
            chats.add(chat_id)
        else:
            chats.discard(chat_id)
        if not chat_id.startswith("-") and not chat_id.startswith("@"):
            return   # a private chat: the user row's "active" says it; no key made of a person's id
        try:
            if gone:
                self.app.store.kv_set(GONE_KEY + chat_id, "1")
            else:
                self.app.store.kv_delete(GONE_KEY + chat_id)
        except Exception:
            log.warning("gone_mark_failed")

    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _answer(self, query_id: str) -> None:
        try:
            await self.application.bot.answer_callback_query(query_id)
        except Exception as e:
            log.info("callback_answer_failed error=%s", type(e).__name__)

    def to_event(self, raw: dict) -> Event | None:
        """One raw Telegram update (JSON dict) -> one Event, or None when there is nothing to answer."""
        q = raw.get("callback_query")
        if q is not None:
            msg = q.get("message") or {}
            chat = msg.get("chat") or {}
            if "id" not in chat or q.get("data") is None or "id" not in (q.get("from") or {}):
                return None
            frm = q["from"]
            return Event(backend=NAME, chat_id=str(chat["id"]), user_id=str(frm["id"]),
                         choice=self._expand_callback(str(q["data"])), kind="button",
                         locale=frm.get("language_code"), is_direct=chat.get("type") == "private",
                         message_id=str(msg.get("message_id")) if msg.get("message_id") is not None else None)
        edited = raw.get("edited_message")
        if edited is not None:
            chat = edited.get("chat") or {}
            frm = edited.get("from") or {}
            if chat.get("type") != "private" or "id" not in frm:
                return None
            return Event(backend=NAME, chat_id=str(chat["id"]), user_id=str(frm["id"]), kind="edit",
                         locale=frm.get("language_code"), is_direct=True,
                         message_id=str(edited.get("message_id")))
        msg = raw.get("message") or raw.get("channel_post")
        if not isinstance(msg, dict):
            return None  # polls, reactions, member changes, edited channel posts, future types
        chat = msg.get("chat") or {}
        if "id" not in chat:
            return None
        is_direct = chat.get("type") == "private"
        if msg.get("is_automatic_forward") or msg.get("business_connection_id"):
            return None  # a channel post copied into its discussion group; a business account's chat
        frm = msg.get("from") if isinstance(msg.get("from"), dict) else None
        sender_chat = msg.get("sender_chat") if isinstance(msg.get("sender_chat"), dict) else None
        sender_chat_id = None
        if sender_chat and str(sender_chat.get("id")) == str(chat["id"]):
            # an anonymous admin (GroupAnonymousBot) or the channel itself: acts as the chat
            sender_chat_id = str(chat["id"])
        if sender_chat and sender_chat_id is None and sender_chat.get("id") is not None and not is_direct:
            user_id = str(sender_chat["id"])   # someone speaking as one of their channels: not an admin
        elif frm and "id" in frm:
            if frm.get("is_bot") and sender_chat_id is None:
                return None  # other bots
            user_id = str(frm["id"])
        elif sender_chat_id is not None:
            user_id = sender_chat_id
        else:
            return None
        base = dict(backend=NAME, chat_id=str(chat["id"]), user_id=user_id,
                    locale=(frm or {}).get("language_code"), is_direct=is_direct,
                    message_id=str(msg.get("message_id")), sender_chat_id=sender_chat_id)
        text = msg.get("text")
        if isinstance(text, str):
            m = START_RE.match(text.strip())
            if m:
                if m.group(1) and self.username and m.group(1).lower() != self.username.lower():
                    return None  # /start for another bot
                _, payload = start_payload(text)
                return Event(kind="start", payload=payload, **base)
            rich = None
            if is_direct and ("<" in text or any(e.get("type") not in ("bot_command", "url", "mention")
                                                 for e in msg.get("entities") or [] if isinstance(e, dict))):
                from ...lang.richtext import from_telegram

                rich = from_telegram(msg)   # formatting kept for an organiser's text (flows decide)
            return Event(text=text, kind="text", html=rich, **base)
        if any(msg.get(k) for k in CONTENT_FIELDS):
            return Event(kind="unsupported", **base)
        return None  # service messages (joins, pins, title changes...)

    async def _process(self, event: Event, lock: asyncio.Lock, thread: int | None = None,
                       received: float | None = None) -> None:
        # The chat's own lock first: a chat's backlog waits here without holding one of the
        # shared handling slots, so it never delays another chat.  Sending (paced, retried
        # per chat) happens outside the slots too.
        try:
            async with lock:   # one chat at a time, in order; other chats run concurrently
                self._deadline_start[event.chat_id] = received if received is not None else self.clock()
                try:
                    await self._handle(event, thread)
                except Exception:   # the JSON log keeps the exception's type and where, never its text
                    log.exception("update_failed kind=%s", event.kind)
                finally:
                    self._deadline_start.pop(event.chat_id, None)
        finally:
            self._release(event.chat_id)

    async def _handle(self, event: Event, thread: int | None = None) -> None:
        log.info("update kind=%s direct=%s", event.kind, event.is_direct)
        if self._handler is not None:
            async with self._sem:
                await self._handler(event)
            return
        async with self._sem:
            replies = await self.app.handle(event)
        user = self.app.store.get_user(event.user_key)
        loc = (user.locale if user and user.locale else None) or (event.locale or "")[:2]
        if loc in ("fr", "en"):
            self._chat_locale[event.chat_id] = loc
        edit_id = event.message_id if event.kind == "button" else None
        chat_id = event.chat_id
        from ...infra import metrics  # replies sent here bypass App.send: count them the same way

        for reply in replies:
            try:
                await self._send(chat_id, reply, edit_message_id=edit_id if reply.edit else None, retry=True,
                                 thread=thread)
                metrics.inc("messages_out", backend=NAME)
            except Blocked as e:
                metrics.inc("send_failures", backend=NAME, kind=type(e).__name__)
                self.counters["blocked"] += 1
                if event.is_direct:
                    self.app.store.deactivate_user(event.user_key)
                log.info("blocked kind=%s", event.kind)
                return
            except ChatMoved as e:
                await self._chat_moved(chat_id, e.new_chat_id)
                chat_id = e.new_chat_id
                try:
                    await self._send(chat_id, reply, retry=True, thread=thread)
                    metrics.inc("messages_out", backend=NAME)
                except DeliveryError as e2:
                    metrics.inc("send_failures", backend=NAME, kind=type(e2).__name__)
                    log.warning("send_failed error=%s", type(e2).__name__)
            except DeliveryError as e:
                metrics.inc("send_failures", backend=NAME, kind=type(e).__name__)
                log.warning("send_failed error=%s", type(e).__name__)
                return
            if reply.edit:
                edit_id = None  # only the first editing reply replaces the pressed message

    def _side_effect(self, raw: dict):
        msg = raw.get("message")
        if isinstance(msg, dict) and msg.get("migrate_to_chat_id") and (msg.get("chat") or {}).get("id"):
            return self._chat_moved(str(msg["chat"]["id"]), str(msg["migrate_to_chat_id"]))
        if isinstance(msg, dict) and self._mentions_me(msg):
            hook = self.app.services.get("bot_mentioned")   # collectives: a short hello, not a silence
            if hook is not None:
                return hook(NAME, str(msg["chat"]["id"]), title=(msg.get("chat") or {}).get("title"))
        mcm = raw.get("my_chat_member")
        if not isinstance(mcm, dict):
            return None
        chat = mcm.get("chat") or {}
        new = mcm.get("new_chat_member") or {}
        status = new.get("status")
        if chat.get("id") is None or not status:
            return None
        target = (new.get("user") or {}).get("id")
        if target is not None and self.bot_id is not None and str(target) != str(self.bot_id):
            return None  # about someone else (should come as chat_member)
        chat_id = str(chat["id"])
        removed = status in ("kicked", "left") or (status == "restricted" and new.get("is_member") is False)
        self._mark_gone(chat_id, removed)   # removed: nothing is sent there until the bot is back
        if chat.get("type") == "private":
            uid = (mcm.get("from") or {}).get("id")
            if uid is None:
                return None
            key = f"{NAME}:{uid}"
            if removed:
                self.app.store.deactivate_user(key)
                log.info("user_blocked_bot")
            elif self.app.store.get_user(key) is not None:
                self.app.store.set_user(key, active=1)
        else:
            log.info("bot_membership chat_type=%s status=%s", chat.get("type"), status)
            hook = self.app.services.get("bot_membership")   # collectives: pause, resume, say hello
            if hook is not None:
                was = (mcm.get("old_chat_member") or {}).get("status")
                # a hello only in groups (a channel's subscribers are not there to read it)
                joined = not removed and was in ("left", "kicked", None) and chat.get("type") != "channel"
                return hook(NAME, chat_id, not removed, joined=joined, title=chat.get("title"))
        return None

    def _mentions_me(self, msg: dict) -> bool:
        """A group message that @mentions the bot and is not a command (those are answered)."""
        chat = msg.get("chat") or {}
        text = msg.get("text")
        if chat.get("type") not in ("group", "supergroup") or not isinstance(text, str) or not self.username:
            return False
        if text.lstrip().startswith("/"):
            return False
        # "@bot" as a word (not "/aide@bot", a command for it somewhere in the text)
        return re.search(rf"(?<![\w/@])@{re.escape(self.username)}\b", text, re.I) is not None

    async def _chat_moved(self, old: str, new: str) -> None:
        """A group became a supergroup: tell whoever stores chat ids (collectives)."""
        log.info("chat_moved")
        self.app.store.move_chat_users(NAME, old, new)
        hook = self.app.services.get("chat_moved")
        if hook is not None:
            try:
                res = hook(NAME, old, new)
                if asyncio.iscoroutine(res):
                    await res
            except Exception:
                log.exception("chat_moved_hook_failed")

    # -- outbound ------------------------------------------------------------------------------
    def _compact_callback(self, payload: str) -> str:
        """callback_data is limited to 64 bytes: longer payloads go through the kv table."""
        if len(payload.encode()) <= MAX_CALLBACK and not payload.startswith("#"):
            return payload
        h = hashlib.sha256(payload.encode()).hexdigest()[:20]
        self.app.store.kv_set(f"tgcb:{h}", payload)
        return "#" + h

    def _expand_callback(self, data: str) -> str:
        if data.startswith("#"):
            return self.app.store.kv_get(f"tgcb:{data[1:]}") or "stale"
        return data

    def _markup(self, chat_id: str, reply: Reply):
        from telegram import InlineKeyboardButton, InlineKeyboardMarkup

        rows = []
        for row in reply.buttons:
            out = []
            for b in row:
                if b.url:
                    out.append(InlineKeyboardButton(b.label, url=b.url))
                elif b.payload:
                    out.append(InlineKeyboardButton(b.label, callback_data=self._compact_callback(b.payload)))
            if out:
                rows.append(out)
        if reply.private_start and chat_id.startswith("-") and self.username:
            payload = reply.private_start if PAYLOAD_RE.fullmatch(reply.private_start) else "menu"
            locale = self._chat_locale.get(chat_id) or self.settings.default_locale
            try:
                label = self.app.renderer.label("telegram.open_private", locale)
            except KeyError:
                label = "Message privé"
            rows.append([InlineKeyboardButton(label, url=f"https://t.me/{self.username}?start={payload}")])
        return InlineKeyboardMarkup(rows) if rows else None

    async def send(self, chat_id: str, reply: Reply, paid: bool = False) -> str | None:
        """Deliver one reply (protocol).  Raises Blocked / RetryLater / ChatMoved /
        TransientError when the first message fails; later parts of a split message
        are retried here so a partial send is not repeated by the caller."""
        return await self._send(str(chat_id), reply, retry=False, paid=paid)

    async def _send(self, chat_id: str, reply: Reply, edit_message_id: str | None = None,
                    retry: bool = False, paid: bool = False, thread: int | None = None) -> str | None:
        from telegram import InputFile, LinkPreviewOptions

        if chat_id in self._gone_chats():
            raise Blocked("the bot was removed from this chat")
        bot = self.application.bot
        target = chat_arg(chat_id)
        markup = self._markup(chat_id, reply)
        parts = split_text(reply.text or "")
        # an organiser's formatting (bold, links) when the message fits in one part
        rich = reply.html if reply.html and len(parts) == 1 and utf16_len(reply.html) <= MAX_TEXT else None

        def markup_of(part: str) -> str:
            return rich if rich is not None else escape(part)

        extra: dict[str, Any] = {}
        if paid and self.settings.telegram_paid_broadcast:
            extra["allow_paid_broadcast"] = True
        no_preview = LinkPreviewOptions(is_disabled=True)
        last_id = None
        first = True
        if edit_message_id and len(parts) == 1 and reply.attachment is None:
            try:
                msg = await self._call(chat_id, lambda: bot.edit_message_text(
                    markup_of(parts[0]), chat_id=target, message_id=int(edit_message_id), parse_mode="HTML",
                    reply_markup=markup, link_preview_options=no_preview), retry=retry, paid=paid,
                    edit=True)
                return str(getattr(msg, "message_id", None) or edit_message_id)
            except _NotModified:
                return str(edit_message_id)   # already shows this: nothing to do
            except (_CannotEdit, ValueError):
                pass  # too old, deleted, not ours, inaccessible, method refused: send a new message

        async def call(fn, retry_now: bool):
            """One send, in the topic when there is one; a topic that is gone or closed -> the chat."""
            nonlocal thread
            kw = {"message_thread_id": thread} if thread is not None else {}
            try:
                return await self._call(chat_id, lambda: fn(**kw), retry=retry_now, paid=paid,
                                        thread=thread is not None)
            except _NoThread:
                thread = None
                return await self._call(chat_id, fn, retry=retry_now, paid=paid)

        for i, part in enumerate(parts):
            is_last = i == len(parts) - 1
            kb = markup if is_last and reply.attachment is None else None
            msg = await call(lambda part=part, kb=kb, **kw: bot.send_message(
                target, markup_of(part), parse_mode="HTML", reply_markup=kb, link_preview_options=no_preview,
                **extra, **kw), retry or not first)
            first = False
            last_id = str(msg.message_id) if msg is not None else last_id
        if reply.attachment is not None:
            att = reply.attachment
            msg = await call(lambda **kw: bot.send_document(
                target, document=InputFile(att.data, filename=att.filename), reply_markup=markup,
                **extra, **kw), retry or not first)
            last_id = str(msg.message_id) if msg is not None else last_id
        self.counters["sent"] += 1
        return last_id

    async def _call(self, chat_id: str, fn, retry: bool, paid: bool = False, edit: bool = False,
                    thread: bool = False):
        """One API call, paced, errors mapped.  With ``retry`` (a reply to a person), 429s and
        transient failures are retried for this chat only, as :mod:`bot.core.delivery` decides,
        until the reply would be stale (``reply_stale_after`` after the message came in)."""
        from ...core.delivery import RETRY, decide, stale

        if not retry:
            return await self._call_once(chat_id, fn, paid, edit, thread)
        first = self._deadline_start.get(chat_id, self.clock())
        stale_after = float(self.settings.reply_stale_after)
        attempt = 0
        while True:
            try:
                return await self._call_once(chat_id, fn, paid, edit, thread)
            except DeliveryError as err:
                d = decide(err, attempt, self.reply_backoff)
                if d.action != RETRY:
                    raise
                if stale(first, self.clock(), d.wait, stale_after):
                    log.warning("reply_stale error=%s attempts=%d", d.kind, attempt + 1)
                    raise
                attempt += 1
                self.counters["retries"] += 1
                if not d.rate_limited:   # a 429 already paused this chat in the pacer
                    await self.sleep(d.wait)

    async def _call_once(self, chat_id: str, fn, paid: bool = False, edit: bool = False,
                         thread: bool = False):
        from telegram import error as tg

        await self.pacer.acquire(chat_id, paid=paid)
        try:
            return await fn()
        except tg.RetryAfter as e:
            raise self._rate_limited(chat_id, retry_hint(e) or 0.0) from None
        except tg.Forbidden as e:
            raise Blocked(str(e)) from None
        except tg.ChatMigrated as e:
            raise ChatMoved(str(e.new_chat_id)) from None
        except tg.BadRequest as e:
            m = str(e).lower()
            if edit and "not modified" in m:
                raise _NotModified() from None
            if edit:
                raise _CannotEdit() from None
            if thread and any(h in m for h in THREAD_HINTS):
                raise _NoThread() from None
            if any(h in m for h in BLOCKED_HINTS):
                raise Blocked(str(e)) from None
            raise DeliveryError(f"bad request: {e}") from None
        except tg.InvalidToken as e:
            # 404: the server does not know this method (or 401: the token was revoked,
            # which the poller reports); an edit falls back to a new message
            if edit:
                raise _CannotEdit() from None
            raise DeliveryError(f"refused: {type(e).__name__}") from None
        except (TypeError, KeyError, ValueError) as e:
            # the server accepted the request but its answer lacks what the client library
            # requires: count it as delivered (message id unknown) rather than send it twice
            log.warning("response_unparsed error=%s", type(e).__name__)
            return None
        except (tg.TimedOut, tg.NetworkError, tg.TelegramError) as e:
            wait = retry_hint(e)
            if wait is not None:   # a 429 whose retry_after is only in the text, or an HTML 429
                raise self._rate_limited(chat_id, wait) from None
            if type(e) is tg.TelegramError:
                # a 2xx answer that is not JSON: the server took the request; sending it
                # again could deliver it twice
                log.warning("response_unparsed error=%s", type(e).__name__)
                return None
            if "(501)" in str(e) or "not implemented" in str(e).lower():
                if edit:   # the server has no such method: send a new message instead
                    raise _CannotEdit() from None
                raise DeliveryError("not implemented") from None
            raise TransientError(type(e).__name__) from None

    def _rate_limited(self, chat_id: str, secs: float) -> RetryLater:
        self.pacer.pause(chat_id, secs)
        log.info("rate_limited retry_after=%s", secs)
        return RetryLater(secs)

    # -- admins -----------------------------------------------------------------------------------
    async def is_admin(self, user_id: str, chat_id: str) -> bool:
        """Administrator or creator of the group/channel.  Anonymous admins (user 1087968824)
        are recognised from the message's sender_chat by App.is_admin."""
        if str(user_id) == str(ANONYMOUS_ADMIN_ID):
            return False
        if not str(chat_id).startswith("-") and not str(chat_id).startswith("@"):
            return False  # a private chat is nobody's to administer
        key = (str(chat_id), str(user_id))
        now = time.monotonic()
        hit = self._admin_cache.get(key)
        if hit and hit[0] > now:
            return hit[1]
        from telegram import error as tg

        # raw JSON: only "status" matters, so a ChatMember with fields the client library does
        # not expect (or lacks) still answers
        try:
            uid = int(user_id)
        except ValueError:
            return False
        try:
            try:
                member = await self._raw_post("getChatMember", {"chat_id": chat_arg(chat_id), "user_id": uid})
            except tg.ChatMigrated as e:
                await self._chat_moved(str(chat_id), str(e.new_chat_id))
                member = await self._raw_post("getChatMember", {"chat_id": int(e.new_chat_id), "user_id": uid})
        except (tg.BadRequest, tg.Forbidden) as e:
            log.info("admin_check_refused error=%s", type(e).__name__)  # not a member, chat gone...
            member = {}
        status = member.get("status") if isinstance(member, dict) else None
        ok = status in ("creator", "administrator", "owner")
        self._admin_cache[key] = (now + ADMIN_CACHE_S, ok)
        return ok

    async def edit(self, chat_id: str, message_id: str, reply: Reply) -> str | None:
        """Replace one of the bot's messages (a wave's progress); a new message when it cannot be."""
        return await self._send(str(chat_id), reply, edit_message_id=str(message_id))

    async def chat_title(self, chat_id: str) -> str | None:
        """The group's or channel's title (a collective's default name), None if unknown."""
        try:
            chat = await self._raw_post("getChat", {"chat_id": chat_arg(chat_id)})
        except Exception as e:
            log.info("chat_title_failed error=%s", type(e).__name__)
            return None
        title = chat.get("title") if isinstance(chat, dict) else None
        return str(title)[:120] if title else None


class _NotModified(Exception):
    pass


class Unreachable(RuntimeError):
    """The Bot API did not answer at start within ``connect_timeout``."""


class _QuietBodies(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Can not load invalid JSON data")


class _CannotEdit(Exception):
    pass


class _NoThread(Exception):
    pass


# ---------------------------------------------------------------------------------------------


def create(app, settings, **kw) -> TelegramBackend:
    return TelegramBackend(app, settings, **kw)


def make_clock():
    """The system clock, or (tests only) a clock read from the file named by
    ``MESBOT_FAKE_CLOCK_FILE`` so whole-process tests move time without sleeping."""
    path = os.environ.get(FAKE_CLOCK_ENV)
    if path:
        from ...infra.clock import FileClock

        log.warning("fake_clock_in_use")
        return FileClock(path)
    from ...infra.clock import SystemClock

    return SystemClock()


async def run(app, backend: TelegramBackend, install_signals: bool = True) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    app.add_backend(backend)

    def on_signal():
        log.info("signal_received")
        stop.set()
        loop.create_task(backend.stop())

    installed = []
    if install_signals:
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, on_signal)
                installed.append(sig)
            except (NotImplementedError, RuntimeError):
                pass
    tickers = asyncio.create_task(app.run_tickers(stop))
    try:
        await backend.receive()
    finally:
        stop.set()
        await tickers
        for sig in installed:
            loop.remove_signal_handler(sig)
    return 0


def main(args) -> int:
    from ...core.app import App
    from ...infra.config import load_settings
    from ...infra import log as botlog

    settings = load_settings(getattr(args, "config", None), data_dir=getattr(args, "data_dir", None),
                             telegram_token=getattr(args, "token", None),
                             telegram_token_file=getattr(args, "token_file", None),
                             telegram_api_url=getattr(args, "api_url", None),
                             telegram_webhook_url=getattr(args, "webhook_url", None),
                             telegram_webhook_listen=getattr(args, "webhook_listen", None),
                             telegram_webhook_secret=getattr(args, "webhook_secret", None),
                             log_level=getattr(args, "log_level", None))
    botlog.setup(settings.log_level)
    if settings.log_hash_key:
        botlog.set_hash_key(settings.log_hash_key)
    app = App(settings, clock=make_clock())
    try:
        backend = create(app, settings, file_url=getattr(args, "file_url", None),
                         rate_limit=not getattr(args, "no_rate_limit", False))
        try:
            return asyncio.run(run(app, backend))
        except Unreachable as e:
            log.error("start_failed error=Unreachable")
            print(f"mes-bot: {e}; check --api-url and the network", file=__import__("sys").stderr)
            return 5
        except Exception as e:
            if type(e).__name__ == "InvalidToken":
                print("mes-bot: the Bot API refused the token (check TELEGRAM_BOT_TOKEN / --api-url)",
                      file=__import__("sys").stderr)
                return 2
            raise
    finally:
        app.store.close()

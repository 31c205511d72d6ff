"""Telegram backend on python-telegram-bot (PTB 22): the class and its lifecycle.

A thin pipe: a Telegram update becomes one :class:`bot.core.types.Event`; a
:class:`bot.core.types.Reply` becomes HTML messages (everything escaped) with inline keyboards.
Conversation state lives in our router (no PTB ConversationHandler).  Each concern has its module,
joined here as the parts of one class:

- ``client``: the Application, getMe at start (:class:`~.errors.Unreachable` after
  ``connect_timeout``), raw JSON calls;  ``profile``: command menus and descriptions (best-effort);
- ``polling``: our own getUpdates loop;  ``webhook``: the webhook server (secret token checked);
- ``inbound``: dedup, one chat at a time, replies through ``App.deliver_replies``;  ``events``: update -> Event;
- ``admission``: per-chat backlog bounds (flood control);  ``membership``: removed from a chat,
  blocked, group -> supergroup, added or mentioned (collectives' hooks);
- ``sending``: paced sends, edits, topics;  ``markup``: inline keyboards, long callback data;
  ``errors``: Telegram's errors -> Blocked / RetryLater / ChatMoved / TransientError;
- ``chats``: administrators and titles;  ``wire``: text, escaping, /start payloads (pure);
- ``startup``: what the runner needs (options, settings check, live check, start failures).

The top level imports no heavy library (PTB is imported lazily) so ``mes-bot --help``
stays fast.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import weakref

from ...core.admission import ChatBacklog
from ...core.types import BackendBase
from .admission import GROUP_BACKLOG_FACTOR, AdmissionMixin
from .chats import ChatsMixin
from .client import ClientMixin
from .errors import Unreachable  # noqa: F401  (re-exported: the start failure the runner reports)
from .events import EventsMixin
from .inbound import InboundMixin
from .markup import MarkupMixin
from .membership import MembershipMixin
from .polling import PollingMixin
from .profile import ProfileMixin
from .sending import SendingMixin
from .state import DEFAULT_API, NAME
from .webhook import WebhookMixin
from .wire import file_url_for

log = logging.getLogger("mes_bot.telegram")


class TelegramBackend(
    ClientMixin,
    ProfileMixin,
    PollingMixin,
    WebhookMixin,
    InboundMixin,
    EventsMixin,
    AdmissionMixin,
    MembershipMixin,
    SendingMixin,
    MarkupMixin,
    ChatsMixin,
    BackendBase,
):
    has_buttons = True  # real inline buttons: typed numbers need not follow pushed messages
    link_for_others = True  # t.me links open this bot from anywhere (a console flyer prints it)
    paces_each_chat = True  # its pacer (bot/jobs/pacing.py) paces every chat; a 429 pauses that chat only
    can_edit = True  # edit() replaces a wave's progress message in place

    def link(self, payload: str) -> str | None:
        """t.me deep link with the username getMe gave (None before it answered)."""
        return f"https://t.me/{self.username}?start={payload}" if self.username else None

    connected = False  # last getUpdates succeeded (read by /healthz)
    name = NAME

    def __init__(
        self,
        app,
        settings,
        *,
        token: str | None = None,
        api_url: str | None = None,
        file_url: str | None = None,
        pacer=None,
        rate_limit: bool = True,
        concurrent_updates: int = 64,
        poll_timeout: float = 10.0,
    ):
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
        # broadcasts: paid broadcast where configured (its rate, a few messages in flight), else the global rate
        self.broadcast_rate = (
            settings.telegram_paid_rate if settings.telegram_paid_broadcast else self.pacer.global_rate
        )
        self.broadcast_in_flight = 4 if settings.telegram_paid_broadcast else 1
        self.concurrent_updates = concurrent_updates
        self.pool_size = 64
        self._deadline_start: dict[str, float] = {}  # chat -> when the message being answered came in
        self._backlog = ChatBacklog(settings.chat_backlog_max, GROUP_BACKLOG_FACTOR)  # per chat, shared rule
        self.poll_backoff = 1.0  # first back-off after a failed getUpdates (doubles, max 30 s)
        self.startup_timeout = 5.0  # per start-up extra (deleteWebhook, setMyCommands...): best-effort
        self._seen: "collections.deque[int]" = collections.deque()
        self._seen_set: set[int] = set()
        self._gone: set[str] | None = None  # chats the bot was removed from (loaded lazily)
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
        self.counters = {"updates": 0, "ignored": 0, "retries": 0, "sent": 0, "dropped": 0}

    # -- lifecycle ---------------------------------------------------------------------
    async def receive(self, handler=None) -> None:
        """Run until :meth:`stop`: long polling, or the webhook server when configured.

        ``handler`` may be ``app.handle_event`` (or None): the backend then handles each update
        in a shared slot and delivers its replies outside it through ``App.deliver_replies``
        (the core's retries), one chat at a time.  Any other coroutine function gets the Events."""
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

    async def _sleep(self, seconds: float) -> bool:
        """Sleep unless stopped; True when stopping."""
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)
            return True
        except asyncio.TimeoutError:
            return False

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
                await self._raw_post("getUpdates", {"offset": self._offset, "timeout": 0, "limit": 1}, read_timeout=5.0)
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


def create(app, settings, **kw) -> TelegramBackend:
    return TelegramBackend(app, settings, **kw)

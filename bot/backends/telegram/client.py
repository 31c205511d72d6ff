"""The connection to the Bot API: python-telegram-bot's Application (our own polling: no
Updater), getMe at start with back-off until ``connect_timeout`` (then :class:`Unreachable`), raw
JSON calls for what must not depend on the client library's parsing, and best-effort extras."""

from __future__ import annotations

import asyncio
import logging
import os
import time

from .errors import Unreachable
from .state import TelegramState

log = logging.getLogger("mes_bot.telegram")


class _QuietBodies(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Can not load invalid JSON data")


class ClientMixin(TelegramState):
    """Connecting, raw calls, best-effort start-up calls."""

    def _build(self):
        os.environ.setdefault("PTB_TIMEDELTA", "1")  # RetryAfter.retry_after as timedelta, no warning
        # python-telegram-bot logs a whole unparsable body (a proxy's HTML page) with a traceback at
        # ERROR; our own log line says which call failed and how
        req_log = logging.getLogger("telegram.request.BaseRequest")
        if not any(isinstance(f, _QuietBodies) for f in req_log.filters):
            req_log.addFilter(_QuietBodies())
        from telegram.ext import Application

        return (
            Application.builder()
            .token(self.token)
            .base_url(self.api_url)
            .base_file_url(self.file_url)
            .updater(None)
            .connection_pool_size(self.pool_size)
            .pool_timeout(30.0)
            .read_timeout(20.0)
            .write_timeout(20.0)
            .connect_timeout(10.0)
            .build()
        )

    async def start(self) -> None:
        """Connect (getMe), then set up the command menu and descriptions (best-effort)."""
        if self._started:
            return
        from telegram import error as tg

        self.application = self._build()
        delay = 1.0
        give_up = time.monotonic() + float(self.settings.connect_timeout)
        for attempt in range(1000):  # the Bot API may be briefly unreachable at boot
            try:
                await self.application.initialize()
                break
            except tg.InvalidToken:
                raise
            except (tg.NetworkError, tg.TimedOut) as e:
                log.warning("connect_failed error=%s attempt=%d", type(e).__name__, attempt + 1)
                wait = min(delay, give_up - time.monotonic())
                if wait <= 0 or await self._sleep(wait):
                    raise Unreachable(
                        f"cannot reach the Bot API at {self.api_url.split('/bot')[0]} "
                        f"({type(e).__name__}) for {self.settings.connect_timeout:g} s"
                    ) from None
                delay = min(delay * 2, 30.0)
        me = self.application.bot
        self.username, self.bot_id = me.username, me.id
        self._started = True
        # only getMe is required: the menu and descriptions are set in the background, each
        # call bounded, so a server that lacks them, refuses them or hangs never delays replies
        self._profile_task = self._spawn(self._profile())

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

    async def _raw_post(self, method: str, data: dict, read_timeout: float | None = None):
        bot = self.application.bot
        post = getattr(bot, "_post", None)
        if post is not None:
            return await post(method, data, read_timeout=read_timeout)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return await bot.do_api_request(method, api_kwargs=data, read_timeout=read_timeout)

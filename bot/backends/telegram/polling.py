"""Long polling on raw JSON (``getUpdates`` with ``offset`` and ``timeout``): one update the
client library cannot parse never blocks the others, and its content is never logged."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from .state import TelegramState
from .wire import retry_hint

log = logging.getLogger("mes_bot.telegram")


class PollingMixin(TelegramState):
    """The getUpdates loop."""

    async def _delete_webhook(self) -> None:
        """Polling and a webhook exclude each other: drop a webhook left by another run
        (best-effort; getUpdates reports a conflict anyway)."""
        await self._extra(
            "deleteWebhook",
            self.application.bot.delete_webhook(
                drop_pending_updates=False, read_timeout=self.startup_timeout, connect_timeout=self.startup_timeout
            ),
        )

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
                wait = self._poll_failed(e)
                if wait is None:
                    wait = backoff
                    backoff = min(backoff * 2, 30.0)
                if isinstance(e, tg.Conflict) and "webhook" in str(e).lower():
                    await self._delete_webhook()  # a webhook set by someone else: polling needs it gone
                if isinstance(e, tg.BadRequest):
                    allowed = None  # a server that refuses update types it does not know: its defaults
                if await self._sleep(wait):
                    return
                continue
            backoff = self.poll_backoff
            self._poll_ok()
            # an empty answer at once: a server that does not long-poll; do not spin
            at_once = not result and self.poll_timeout >= 1 and loop.time() - t0 < 0.05
            if not self._take(result) and at_once and await self._sleep(0.25):
                return

    def _poll_failed(self, e: Exception) -> float | None:
        """Note a failed getUpdates (a run of one kind is logged once); the wait the server asked
        for, if any.  A refused token (401) is raised: it stops the bot."""
        from telegram import error as tg

        if isinstance(e, tg.InvalidToken) and "not found" not in str(e).lower():
            log.error("polling_stopped error=InvalidToken")
            raise e
        self.connected = False  # /healthz reports it until the next good poll
        kind = type(e).__name__
        if kind != self._poll_error:
            log.warning("polling_error error=%s", kind)
            self._poll_error = kind
        else:
            log.debug("polling_error error=%s", kind)
        return retry_hint(e)

    def _poll_ok(self) -> None:
        self.connected = True
        if self._poll_error is not None:
            log.info("polling_recovered after=%s", self._poll_error)
            self._poll_error = None

    def _take(self, result: list) -> bool:
        """Dispatch a batch; True when it held an update."""
        last = None
        for raw in result:
            try:
                uid = int(raw["update_id"])
            except (KeyError, TypeError, ValueError):
                continue
            last = uid
            self.dispatch(raw)
        if last is None:
            return False
        # as python-telegram-bot does: confirm up to the last update of the batch (ids may jump,
        # and after a week without updates Telegram restarts them anywhere)
        self._offset = last + 1
        return True

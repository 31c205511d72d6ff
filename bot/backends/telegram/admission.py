"""Flood control on the way in: one chat's backlog is bounded (``chat_backlog_max``, more for
groups); beyond it updates are dropped and a private chat is told once, kindly."""
from __future__ import annotations

import logging

from ...core.delivery import Policy
from ...core.types import Event, Reply
from .state import NAME, TelegramState

log = logging.getLogger("mes_bot.telegram")

GROUP_BACKLOG_FACTOR = 5                # a group may queue this many times chat_backlog_max (chatter)


class AdmissionMixin(TelegramState):
    """Per-chat backlog bounds."""

    def _admit(self, event: Event) -> bool:
        """Bound one chat's backlog: beyond ``chat_backlog_max`` queued updates the rest are
        dropped (a private chat is told once, kindly; a group is not written to about it)."""
        chat = event.chat_id
        limit = max(1, int(self.settings.chat_backlog_max))
        if not event.is_direct:
            limit *= GROUP_BACKLOG_FACTOR
        n = self._backlog.get(chat, 0)
        if n >= limit:
            self.counters["dropped"] += 1
            from ...infra import metrics

            metrics.inc("updates_dropped", backend=NAME)
            if event.is_direct and chat not in self._flood_noticed:
                self._flood_noticed.add(chat)
                log.info("chat_flood_dropping backlog=%d", n)
                self._spawn(self._flood_notice(chat, event))
            return False
        self._backlog[chat] = n + 1
        return True

    def _release(self, chat: str) -> None:
        n = self._backlog.get(chat, 1) - 1
        if n <= 0:
            self._backlog.pop(chat, None)
            self._flood_noticed.discard(chat)
        else:
            self._backlog[chat] = n

    async def _flood_notice(self, chat: str, event: Event) -> None:
        """One kind note, out of the queue: the rest of what you sent so fast was not read."""
        user = self.app.store.get_user(event.user_key)
        loc = (user.locale if user and user.locale else None) or self._chat_locale.get(chat) \
            or (event.locale or "")[:2]
        if loc not in ("fr", "en"):
            loc = self.settings.default_locale
        reply = Reply(key="core/too_fast", text=self.app.renderer.render("core/too_fast", loc))
        out = await self.app.deliver(reply, event.address, policy=Policy())   # one try, through the core
        if not out.sent:
            log.info("flood_notice_failed status=%s error=%s", out.status, out.kind)

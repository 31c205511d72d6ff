"""Flood control on the way in: one chat's backlog is bounded (``chat_backlog_max``, more for
groups); beyond it updates are dropped and a private chat is told once, kindly."""

from __future__ import annotations

import logging

from ...core.delivery import Policy
from ...core.types import Event, Reply
from .state import NAME, TelegramState

log = logging.getLogger("mes_bot.telegram")

GROUP_BACKLOG_FACTOR = 5  # a group may queue this many times chat_backlog_max (chatter)


class AdmissionMixin(TelegramState):
    """Per-chat backlog bounds."""

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
        loc = (user.locale if user and user.locale else None) or self._chat_locale.get(chat) or (event.locale or "")[:2]
        if loc not in ("fr", "en"):
            loc = self.settings.default_locale
        reply = Reply(key="core/too_fast", text=self.app.renderer.render("core/too_fast", loc))
        out = await self.app.deliver(reply, event.address, policy=Policy())  # one try, through the core
        if not out.sent:
            log.info("flood_notice_failed status=%s error=%s", out.status, out.kind)

"""What the bot asks about a group or channel: whether someone administers it (cached briefly;
raw JSON, only ``status`` matters) and its title."""

from __future__ import annotations

import logging
import time

from .state import TelegramState
from .wire import chat_arg

log = logging.getLogger("mes_bot.telegram")

ANONYMOUS_ADMIN_ID = 1087968824  # "GroupAnonymousBot"
ADMIN_CACHE_S = 30.0


class ChatsMixin(TelegramState):
    """Administrators and titles."""

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

    async def chat_title(self, chat_id: str) -> str | None:
        """The group's or channel's title (a collective's default name), None if unknown."""
        try:
            chat = await self._raw_post("getChat", {"chat_id": chat_arg(chat_id)})
        except Exception as e:
            log.info("chat_title_failed error=%s", type(e).__name__)
            return None
        title = chat.get("title") if isinstance(chat, dict) else None
        return str(title)[:120] if title else None

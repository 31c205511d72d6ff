"""What a chat's membership changes mean: the chats the bot was removed from (nothing is sent
there until it is back), a user who blocked the bot, a group that became a supergroup, the bot
added to a group or mentioned there (hooks of the collectives)."""

from __future__ import annotations

import asyncio
import logging
import re

from ...core.types import Address
from .state import NAME, TelegramState

log = logging.getLogger("mes_bot.telegram")

GONE_KEY = "tggone:"  # kv prefix: chats the bot was removed from / blocked in


class MembershipMixin(TelegramState):
    """Membership side effects."""

    def _gone_chats(self) -> set[str]:
        if self._gone is None:
            try:
                self._gone = {k[len(GONE_KEY) :] for k in self.app.store.kv_keys(GONE_KEY)}
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
            return  # a private chat: the user row's "active" says it; no key made of a person's id
        try:
            if gone:
                self.app.store.kv_set(GONE_KEY + chat_id, "1")
            else:
                self.app.store.kv_delete(GONE_KEY + chat_id)
        except Exception:
            log.warning("gone_mark_failed")

    def _side_effect(self, raw: dict):
        msg = raw.get("message")
        if isinstance(msg, dict) and msg.get("migrate_to_chat_id") and (msg.get("chat") or {}).get("id"):
            return self._chat_moved(str(msg["chat"]["id"]), str(msg["migrate_to_chat_id"]))
        if isinstance(msg, dict) and self._mentions_me(msg):
            hook = self.app.services.bot_mentioned  # collectives: a short hello, not a silence
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
        self._mark_gone(chat_id, removed)  # removed: nothing is sent there until the bot is back
        if chat.get("type") == "private":
            uid = (mcm.get("from") or {}).get("id")
            if uid is None:
                return None
            key = f"{NAME}:{uid}"
            if removed:  # marked as the core marks a refused delivery: user and follows
                self.app.person_blocked(Address(NAME, chat_id, user_id=str(uid), direct=True))
                log.info("user_blocked_bot")
            elif self.app.store.get_user(key) is not None:
                self.app.store.set_user(key, active=1)
        else:
            log.info("bot_membership chat_type=%s status=%s", chat.get("type"), status)
            hook = self.app.services.bot_membership  # collectives: pause, resume, say hello
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
        """A group became a supergroup (told by an update, or a call outside a reply): the core's
        ``services.chat_moved`` (the store's users, collective and followers follow), as when a
        reply finds it (``App.deliver``)."""
        log.info("chat_moved")
        hook = self.app.services.chat_moved
        if hook is None:
            return
        try:
            res = hook(NAME, old, new)
            if asyncio.iscoroutine(res):
                await res
        except Exception:
            log.exception("chat_moved_hook_failed")

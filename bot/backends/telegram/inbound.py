"""Updates in: a re-delivered update is dropped, each update is handled in its own task, one
chat at a time and in order (chats in parallel, bounded), and the replies go out through the
core's one delivery path (``App.deliver_replies``: retries until stale, moved chats, blocked
people, metrics)."""

from __future__ import annotations

import asyncio
import logging

from ...core.types import Event
from .state import TelegramState

log = logging.getLogger("mes_bot.telegram")

SEEN_UPDATES = 4096  # update ids remembered to drop a re-delivered update


class InboundMixin(TelegramState):
    """Dispatching updates and answering them."""

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
        self._mark_gone(event.chat_id, False)  # someone wrote from there: the bot is welcome again
        if not self._admit(event):
            return
        lock = self._chat_locks.get(event.chat_id)
        if lock is None:
            lock = asyncio.Lock()
            self._chat_locks[event.chat_id] = lock
        self._spawn(self._process(event, lock, self.app.monotonic()))

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

    async def _process(self, event: Event, lock: asyncio.Lock, received: float | None = None) -> None:
        # The chat's own lock first: a chat's backlog waits here without holding one of the
        # shared handling slots, so it never delays another chat.  Delivering (paced, retried
        # per chat) happens outside the slots too.
        try:
            async with lock:  # one chat at a time, in order; other chats run concurrently
                since = received if received is not None else self.app.monotonic()
                self._deadline_start[event.chat_id] = since
                try:
                    await self._handle(event, since)
                except Exception:  # the JSON log keeps the exception's type and where, never its text
                    log.exception("update_failed kind=%s", event.kind)
                finally:
                    self._deadline_start.pop(event.chat_id, None)
        finally:
            self._release(event.chat_id)

    async def _handle(self, event: Event, since: float | None = None) -> None:
        """Handle in a shared slot, deliver outside it through the core (``since``: when the
        update came in, the start of the replies' staleness)."""
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
        if event.backend in self.app.backends:
            await self.app.deliver_replies(replies, event.address, since=since)

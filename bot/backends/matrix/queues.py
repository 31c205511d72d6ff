"""Rooms concurrently, each in order: every room has its own worker and queue, so one room's
backlog, or a reply being retried through a 5xx storm or a 429, never delays another room.

A flood from one person is bounded as on every backend (:mod:`bot.core.admission`): beyond
``chat_backlog_max`` messages waiting in a room (five times that in a group) the rest is recorded
as handled without an answer, and a direct chat is told once, kindly (``core/too_fast``).

Each piece of work belongs to a sync batch (:mod:`.resume`): the sync token is saved only once
every batch up to it is handled, so a crash loses nothing (the sync replays from there and skips
the event ids already handled).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque

from ...core.admission import ADMIT, DROP_AND_NOTIFY
from ...core.types import Event, Reply
from .state import NAME
from .timeline import RoomWork, TimelinePart

log = logging.getLogger("mes_bot.matrix")

DRAIN_TIMEOUT_S = 10.0  # a clean stop lets the rooms finish this long; the rest is replayed next start


class QueuesPart(TimelinePart):
    def _queue_room(self, seq: int, room_id: str, events: list, skip_history: bool) -> None:
        """Hand one batch's events of ``room_id`` to that room's worker (started if idle)."""
        work = self._slice(events, skip_history)
        self._admit(room_id, work)
        for ev in work.events:
            eid = getattr(ev, "event_id", None)
            if eid:
                self._in_progress.add(eid)
        self.resume.add(seq)
        self._room_queues.setdefault(room_id, deque()).append((seq, work))
        if room_id not in self._room_workers:
            self._room_workers[room_id] = asyncio.ensure_future(self._room_worker(room_id))

    def _admit(self, room_id: str, work: RoomWork) -> None:
        """Messages from people count against the room's backlog; beyond it they are dropped
        (recorded as handled: a replay does not bring them back)."""
        from nio import MegolmEvent, ReactionEvent, RoomMessage, RoomMessageNotice

        kept = []
        direct: bool | None = None
        for ev in work.events:
            eid = getattr(ev, "event_id", None)
            if (
                not eid
                or getattr(ev, "sender", None) == self.user_id
                or not isinstance(ev, (RoomMessage, MegolmEvent, ReactionEvent))
                or isinstance(ev, RoomMessageNotice)
            ):  # other bots: never answered, never counted
                kept.append(ev)
                continue
            if direct is None:
                direct = self.is_direct(room_id)
            verdict = self.backlog.admit(room_id, direct)
            if verdict == ADMIT:
                work.counted.add(eid)
                kept.append(ev)
                continue
            self._mark_handled(eid)
            from ...infra import metrics

            metrics.inc("updates_dropped", backend=NAME)
            if verdict == DROP_AND_NOTIFY:
                log.info("room_flood_dropping room=%s backlog=%d", room_id, self.backlog.queued(room_id))
                self._spawn(self._flood_notice(room_id, ev.sender))
        work.events = kept

    async def _room_worker(self, room_id: str) -> None:
        queue = self._room_queues[room_id]
        try:
            while queue:
                seq, work = queue[0]
                try:
                    await self._handle_room_work(room_id, work)
                except Exception:
                    log.exception("room_failed room=%s", room_id)
                queue.popleft()
                self._batch_piece_done(seq)
        finally:
            self._room_workers.pop(room_id, None)
            if not queue:
                self._room_queues.pop(room_id, None)

    def _batch_piece_done(self, seq: int) -> None:
        token = self.resume.done(seq)
        if token is not None:
            self.app.store.kv_set(self._token_key, token)

    async def _flood_notice(self, room_id: str, sender: str) -> None:
        """One kind note, out of the queue: the rest of what you sent so fast was not read."""
        user = self.app.store.get_user(f"{NAME}:{sender}")
        loc = user.locale if user is not None and user.locale in ("fr", "en") else self.settings.default_locale
        reply = Reply(key="core/too_fast", text=self.app.renderer.render("core/too_fast", loc))
        event = Event(backend=NAME, chat_id=room_id, user_id=sender, kind="text", is_direct=True)
        await self.app.deliver(reply.addressed(event.address))

    def _spawn(self, coro) -> None:
        task = asyncio.ensure_future(coro)
        self._side_tasks.add(task)
        task.add_done_callback(self._side_tasks.discard)

    async def _drain(self, timeout: float = DRAIN_TIMEOUT_S) -> None:
        """A clean stop: let the rooms finish what they hold, for at most ``timeout`` seconds."""
        tasks = [*self._room_workers.values(), *self._side_tasks]
        if tasks:
            started = time.monotonic()
            await asyncio.wait(tasks, timeout=timeout)
            log.info("rooms_drained left=%d seconds=%.1f", len(self._room_workers), time.monotonic() - started)

    async def _cancel_rooms(self) -> None:
        """Stop every room worker now (their batches stay unsaved: replayed at the next start)."""
        tasks = [*self._room_workers.values(), *self._side_tasks]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._room_workers.clear()
        self._room_queues.clear()
        self._in_progress.clear()
        self.backlog = type(self.backlog)(self.backlog.limit)

    async def close(self) -> None:
        await self._cancel_rooms()
        await super().close()

"""The sync loop (resumes, survives network errors, restarts, 429 and 5xx; stops on an invalid
token), and each batch handed out: to-device verification, invites, rooms left, and every joined
room's events queued to that room's own worker, so rooms never wait for each other."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from .errors import MatrixAuthError, auth_message
from .state import NAME
from .queues import QueuesPart
from .resume import ResumePoint

log = logging.getLogger("mes_bot.matrix")

SYNC_FILTER = {
    "room": {"timeline": {"limit": 50}, "state": {"lazy_load_members": False}},
    "presence": {"not_types": ["*"]},
}


class SyncPart(QueuesPart):
    async def receive(self, handler) -> None:
        self._handler = handler
        await self.start()
        if NAME not in self.app.backends:
            self.app.add_backend(self)
        try:
            await self._sync_loop()
            await self._drain()  # a clean stop: the rooms finish what they hold (bounded)
        finally:  # under `mes-bot run` nobody else closes the HTTP session
            await self.close()

    async def _next_sync(self, since: str | None, first: bool):
        """The homeserver's next batch, or None when stopped meanwhile."""
        sync = asyncio.ensure_future(
            self.client.sync(
                timeout=0 if first else self.sync_timeout_ms,
                since=since,
                full_state=True if first else None,
                sync_filter=SYNC_FILTER,
            )
        )
        stopper = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({sync, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:  # stopped, or cancelled (a crash, `mes-bot run` giving up): nothing left pending
            stopper.cancel()
            if not sync.done():
                sync.cancel()
                with contextlib.suppress(BaseException):
                    await sync
        return sync.result() if not sync.cancelled() else None

    async def _sync_loop(self) -> None:
        from aiohttp import ClientError
        from aiohttp.client_exceptions import ClientConnectionError
        from nio import SyncResponse

        since = self.app.store.kv_get(self._token_key)
        self.resume = ResumePoint(since)  # saved again only up to the oldest batch not fully handled
        skip_history = since is None  # very first start: everything in the timeline is old
        first = True  # first sync of this process: full state
        backoff = 0.5
        while not self._stop.is_set():
            try:
                resp = await self._next_sync(since, first)
            except (ClientConnectionError, ClientError, asyncio.TimeoutError, TimeoutError, OSError) as e:
                self.connected = False  # /healthz reports it until the next good sync
                log.warning("sync_failed error=%s retry_in=%.1f", type(e).__name__, backoff)
                await self._wait_stop(backoff)
                backoff = min(backoff * 2, self.backoff_max)
                continue
            if resp is None:
                break
            if not isinstance(resp, SyncResponse):
                backoff = await self._sync_refused(resp, backoff)
                continue
            backoff = 0.5
            self.connected = True
            try:
                await self._process(resp, skip_history=skip_history)
            except Exception:
                log.exception("sync_processing_failed")
            since = resp.next_batch
            first = skip_history = False
            self.sync_count += 1
            self.synced.set()
            self.synced.clear()

    async def _sync_refused(self, resp, backoff: float) -> float:
        """An error answer: stop on an invalid token, wait out a 429, back off otherwise."""
        self.connected = False
        code = getattr(resp, "status_code", None)
        if code == "M_UNKNOWN_TOKEN":
            raise MatrixAuthError(auth_message(resp))
        if code in ("M_LIMIT_EXCEEDED", 429):
            wait = (getattr(resp, "retry_after_ms", None) or 1000) / 1000
            log.warning("sync_rate_limited retry_in=%.1f", wait)
            await self._wait_stop(min(wait, 300))
            return backoff
        log.warning("sync_error code=%s retry_in=%.1f", code, backoff)
        await self._wait_stop(backoff)
        return min(backoff * 2, self.backoff_max)

    async def _process(self, resp, skip_history: bool) -> None:
        """One batch: keys and verification now, invites joined now, each joined room's events
        queued to its worker; the batch counts as handled once every room is done with it."""
        seq = self.resume.open(resp.next_batch)
        try:
            # a person added or changed a device: their owner-signed devices must be read again,
            # or a new device would miss replies until the cache expired (matrix_verified_only)
            device_list = getattr(resp, "device_list", None)
            for user_id in [
                *(getattr(device_list, "changed", None) or ()),
                *(getattr(device_list, "left", None) or ()),
            ]:
                self._xs_cache.pop(user_id, None)
            await self._chores()
            await self._on_to_device(getattr(resp, "to_device_events", None) or ())
            await self._on_invites(resp.rooms.invite)
            for room_id in resp.rooms.leave:  # rooms we left or were kicked from
                self._queue_left(seq, room_id)
            for room_id, info in resp.rooms.join.items():
                if info.timeline.events or skip_history:
                    self._queue_room(seq, room_id, info.timeline.events, skip_history)
        finally:
            self._batch_piece_done(seq)  # the batch's own piece: everything is queued
        self._prune_handled()

    async def _on_to_device(self, events) -> None:
        for ev in events:
            src = getattr(ev, "source", None) or {}
            if str(src.get("type", "")).startswith("m.key.verification."):
                try:
                    await self.verifier.on_to_device(src["type"], src.get("content") or {}, src.get("sender", ""))
                except Exception:
                    log.exception("verification_failed to_device=1")

    async def _on_invites(self, invites: dict) -> None:
        from nio import InviteMemberEvent

        for room_id, info in invites.items():
            inviter, direct = None, False
            for ev in info.invite_state:
                if isinstance(ev, InviteMemberEvent) and ev.state_key == self.user_id and ev.membership == "invite":
                    inviter, direct = ev.sender, bool((ev.content or {}).get("is_direct"))
            if inviter is None:
                continue
            try:
                await self._on_invite(room_id, inviter, direct)
            except Exception:  # network trouble: the invite is still there at the next start
                log.warning("invite_failed room=%s", room_id)

    def _queue_left(self, seq: int, room_id: str) -> None:
        """Collectives: campaigns held, admins told; off the sync loop, part of the batch."""
        direct = self.is_direct(room_id)

        async def left() -> None:
            try:
                if not direct:
                    await self._membership(room_id, False)
            except Exception:
                log.exception("left_room_failed")
            self._forget_room(room_id)
            self._batch_piece_done(seq)

        self.resume.add(seq)
        self._spawn(left())

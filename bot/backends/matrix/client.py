"""nio's client, adjusted: sends and syncs hand 429s and connection errors back to the caller;
reactions in encrypted rooms are encrypted (nio sends them in clear)."""

from __future__ import annotations

import asyncio


def make_client_class():
    from aiohttp.client_exceptions import ClientConnectionError
    from uuid import uuid4

    from nio import AsyncClient, ErrorResponse, RoomSendResponse, SyncResponse
    from nio.api import Api

    class Client(AsyncClient):
        """nio's client, with 429s and connection errors handed back to us for sends and
        syncs (so the caller paces itself), and a few bounded retries for everything else
        (key uploads, key sharing), which must not be lost."""

        async def _send(self, response_class, *args, **kwargs):
            mine = response_class in (RoomSendResponse, SyncResponse)
            for attempt in range(6):
                try:
                    resp = await super()._send(response_class, *args, **kwargs)
                except (ClientConnectionError, asyncio.TimeoutError, TimeoutError):
                    if mine or attempt == 5:
                        raise
                    await asyncio.sleep(min(0.5 * 2**attempt, 5))
                    continue
                if (
                    mine
                    or attempt == 5
                    or not isinstance(resp, ErrorResponse)
                    or resp.status_code not in ("M_LIMIT_EXCEEDED", 429)
                ):
                    return resp
                await asyncio.sleep(min((getattr(resp, "retry_after_ms", 0) or 1000) / 1000, 30))
            return resp  # pragma: no cover

        async def room_send(self, room_id, message_type, content, tx_id=None, ignore_unverified_devices=False):
            """nio sends ``m.reaction`` in clear even in an encrypted room (who reacted to what,
            with which emoji): encrypt it like any other event (``m.relates_to`` stays in clear,
            as the spec asks, so clients can still group reactions)."""
            room = self.rooms.get(room_id)
            if message_type != "m.reaction" or not (self.olm and room is not None and room.encrypted):
                return await super().room_send(
                    room_id, message_type, content, tx_id=tx_id, ignore_unverified_devices=ignore_unverified_devices
                )
            if not room.members_synced:
                await self.joined_members(room_id)
                if self.should_query_keys:
                    await self.keys_query()
            if self.olm.should_share_group_session(room_id):
                sharing = self.sharing_session.get(room_id)
                if sharing is not None:
                    await sharing.wait()
                else:
                    await self.share_group_session(room_id, ignore_unverified_devices=ignore_unverified_devices)
            message_type, content = self.encrypt(room_id, message_type, content)
            method, path, data = Api.room_send(self.access_token, room_id, message_type, content, tx_id or uuid4())
            return await self._send(RoomSendResponse, method, path, data, (room_id,))

    return Client

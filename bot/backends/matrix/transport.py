"""One event into a room, and a file: the verified-only key policy applied, and the
homeserver's refusals mapped to the core's delivery errors (errors.py)."""

from __future__ import annotations

import asyncio

from ...core.types import Blocked, TransientError
from .errors import send_error
from .keys import KeysPart


class TransportPart(KeysPart):
    async def _room_send(self, room_id: str, content: dict, msgtype: str = "m.room.message") -> str:
        from aiohttp.client_exceptions import ClientConnectionError
        from nio import LocalProtocolError, RoomSendResponse, SendRetryError

        room = self.client.rooms.get(room_id)
        if room is None:
            raise Blocked("the bot is not in this room")
        if self.settings.matrix_verified_only and room.encrypted:
            await self._prepare_verified_only(room)
        try:
            resp = await self.client.room_send(
                room_id, msgtype, content, ignore_unverified_devices=not self.settings.matrix_verified_only
            )
        except (ClientConnectionError, asyncio.TimeoutError, TimeoutError, OSError) as e:
            raise TransientError(f"network: {type(e).__name__}") from None
        except SendRetryError as e:
            raise TransientError(str(e)) from None
        except LocalProtocolError as e:
            raise Blocked(str(e)) from None
        if isinstance(resp, RoomSendResponse):
            return resp.event_id
        raise send_error(resp)

    async def _send_attachment(self, room_id: str, att) -> None:
        import io

        from nio import UploadResponse

        room = self.client.rooms.get(room_id)
        encrypted = bool(room and room.encrypted)
        resp, keys = await self.client.upload(
            io.BytesIO(att.data),
            content_type=att.mime,
            filename=att.filename,
            encrypt=encrypted,
            filesize=len(att.data),
        )
        if not isinstance(resp, UploadResponse):
            raise send_error(resp)
        msgtype = "m.image" if att.mime.startswith("image/") else "m.file"
        content = {
            "msgtype": msgtype,
            "body": att.filename,
            "filename": att.filename,
            "info": {"mimetype": att.mime, "size": len(att.data)},
        }
        if encrypted:
            content["file"] = dict(keys, url=resp.content_uri)
        else:
            content["url"] = resp.content_uri
        await self._room_send(room_id, content)

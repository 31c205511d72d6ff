"""Rooms and membership: invites (allowed or refused), direct chats (the invite's flag, two
members, or a chat the bot opened), leaving a room where the bot is alone, a room's title, and
who is an admin (power level, or a creator in room versions 12+)."""

from __future__ import annotations

import logging

from ...core.types import Event
from .sending import SendingPart
from .state import MEGOLM, NAME

log = logging.getLogger("mes_bot.matrix")


class RoomsPart(SendingPart):
    def _invite_allowed(self, inviter: str) -> bool:
        users = self.settings.matrix_allowed_users
        servers = self.settings.matrix_allowed_servers
        if not users and not servers:
            return True
        server = inviter.split(":", 1)[1] if ":" in inviter else ""
        return inviter in users or server in servers

    async def _on_invite(self, room_id: str, inviter: str, direct: bool) -> None:
        from nio import JoinResponse

        if not self._invite_allowed(inviter):
            log.info("invite_refused room=%s", room_id)
            await self.client.room_leave(room_id)
            return
        resp = await self.client.join(room_id)
        if not isinstance(resp, JoinResponse):
            log.warning("join_failed room=%s code=%s", room_id, getattr(resp, "status_code", None))
            return
        self._inviters[room_id] = inviter
        if direct:
            self._set_direct(room_id, True)
        log.info("joined room=%s direct=%s", room_id, int(direct))

    def _set_direct(self, room_id: str, direct: bool) -> None:
        self.app.store.set_room_direct(room_id, direct)

    def _forget_room(self, room_id: str) -> None:
        self.app.store.forget_room(room_id)

    async def _membership(self, room_id: str, present: bool, joined: bool = False) -> None:
        hook = self.app.services.bot_membership
        if hook is not None:
            await hook(NAME, room_id, present, joined=joined, title=await self.chat_title(room_id))

    async def chat_title(self, room_id: str) -> str | None:
        """The room's name (a collective's default name), None if unknown."""
        room = self.client.rooms.get(room_id) if self.client is not None else None
        name = (room.name or room.display_name) if room is not None else None
        return str(name)[:120] if name else None

    def is_direct(self, room_id: str) -> bool:
        """The invite said is_direct (or the bot opened it), or exactly two members; never
        once a third person is in the room (nothing personal in front of others)."""
        room = self.client.rooms.get(room_id) if self.client else None
        if room is not None and room.member_count > 2:
            return False
        if self.app.store.room_is_direct(room_id):
            return True
        return room is not None and room.member_count == 2

    async def _leave_if_alone(self, room_id: str) -> bool:
        room = self.client.rooms.get(room_id)
        if room is None:
            return False
        others = [u for u in room.users if u != self.user_id]
        if others:
            return False
        log.info("leaving_empty_room room=%s", room_id)
        try:
            await self.client.room_leave(room_id)
            await self.client.room_forget(room_id)
        except Exception:
            log.warning("leave_failed room=%s", room_id)
        self._forget_room(room_id)
        return True

    async def open_direct(self, user_id: str, payload: str | None, locale: str | None = None) -> str | None:
        """Continue with ``user_id`` in a direct chat: reuse the one we share, or create an
        encrypted one and invite them; the flow starts when they join."""
        from nio import RoomCreateResponse, RoomPreset

        user = self.app.store.get_user(f"{NAME}:{user_id}")
        if user is not None and user.chat_id:
            room = self.client.rooms.get(user.chat_id)
            if (
                room is not None
                and user_id in room.users
                and not room.users[user_id].invited
                and self.is_direct(user.chat_id)
            ):
                await self._dispatch(
                    Event(
                        backend=NAME,
                        chat_id=user.chat_id,
                        user_id=user_id,
                        kind="start",
                        payload=payload,
                        is_direct=True,
                        locale=locale,
                    )
                )
                return user.chat_id
        resp = await self.client.room_create(
            is_direct=True,
            invite=[user_id],
            preset=RoomPreset.trusted_private_chat,
            initial_state=[{"type": "m.room.encryption", "state_key": "", "content": {"algorithm": MEGOLM}}],
        )
        if not isinstance(resp, RoomCreateResponse):
            log.warning("dm_create_failed code=%s", getattr(resp, "status_code", None))
            return None
        self._set_direct(resp.room_id, True)
        self.app.store.add_pending_dm(resp.room_id, f"{NAME}:{user_id}", payload)
        log.info("dm_opened room=%s", resp.room_id)
        return resp.room_id

    async def _get_json(self, path: str) -> dict | None:
        try:
            r = await self.client.send("GET", path, headers={"Authorization": f"Bearer {self.client.access_token}"})
            if r.status != 200:
                return None
            return await r.json(content_type=None)
        except Exception:
            return None

    async def room_creators(self, room_id: str) -> set[str]:
        """Users with unlimited power in rooms of version 12 and later (MSC4289): the creator
        and ``additional_creators``; they do not appear in the power-level ``users`` map."""
        if room_id in self._creators:
            return self._creators[room_id]
        from urllib.parse import quote

        ev = await self._get_json(
            f"/_matrix/client/v3/rooms/{quote(room_id, safe='')}/state/m.room.create?format=event"
        )
        if ev is None:
            return set()
        content = ev.get("content") or {}
        version = str(content.get("room_version", "1"))
        creators: set[str] = set()
        if "hydra" in version or (version.isdigit() and int(version) >= 12):
            creators = {str(u) for u in [ev.get("sender"), *(content.get("additional_creators") or [])] if u}
        self._creators[room_id] = creators
        return creators

    async def is_admin(self, user_id: str, chat_id: str) -> bool:
        """Power level at least ``matrix_admin_power_level`` (default 50, the level needed to
        mention @room), or a creator of a room version with creator power."""
        from nio import RoomGetStateEventResponse

        if user_id in await self.room_creators(chat_id):
            return True
        level = None
        try:
            resp = await self.client.room_get_state_event(chat_id, "m.room.power_levels")
            if isinstance(resp, RoomGetStateEventResponse):
                content = resp.content or {}
                level = (content.get("users") or {}).get(user_id, content.get("users_default", 0))
        except Exception:
            level = None
        if level is None:
            room = self.client.rooms.get(chat_id)
            if room is None:
                return False
            level = room.power_levels.get_user_level(user_id)
        return int(level) >= int(self.settings.matrix_admin_power_level)

"""Choices as reactions: the bot reacts 1️⃣ 2️⃣ … to its latest choice message after answering
someone (best effort, in the background, dropped and paused on a 429); the choice messages are
remembered (bounded) so that a person's keycap reaction maps back to that choice's payload."""

from __future__ import annotations

import asyncio
import logging
import time

from ...core.types import RetryLater
from .transport import TransportPart
from .wire import KEYCAPS

log = logging.getLogger("mes_bot.matrix")

CHOICE_MESSAGES_KEPT = 2000  # choice messages remembered (event id -> payloads), all rooms
REACTION_PAUSE_S = 60.0  # no keycap reactions for this long after a 429


class ReactionsPart(TransportPart):
    def _remember_choices(self, room_id: str, event_id: str, payloads: tuple[str, ...]) -> None:
        self._choice_msgs[event_id] = (room_id, payloads)
        self._latest_choice[room_id] = event_id
        while len(self._choice_msgs) > CHOICE_MESSAGES_KEPT:
            old_id, (old_room, _) = self._choice_msgs.popitem(last=False)
            if self._latest_choice.get(old_room) == old_id:
                del self._latest_choice[old_room]

    def _pause_reactions(self, seconds: float) -> None:
        until = time.monotonic() + max(float(seconds or 0), REACTION_PAUSE_S)
        self._reactions_paused_until = max(self._reactions_paused_until, until)

    def _start_reactions(self, room_id: str) -> None:
        """React to the room's latest choice message with 1️⃣ 2️⃣ … in the background."""
        event_id = self._latest_choice.get(room_id)
        if (
            event_id is None
            or not getattr(self.settings, "matrix_reactions", True)
            or time.monotonic() < self._reactions_paused_until
        ):
            return
        task = asyncio.ensure_future(self._react_keycaps(room_id, event_id))
        self._reaction_tasks.add(task)
        task.add_done_callback(self._reaction_tasks.discard)

    async def _react_keycaps(self, room_id: str, event_id: str) -> None:
        """Best effort, one try each: a 429 drops the rest (and pauses reactions), any other
        error drops the rest; a newer choice message in the room makes these pointless."""
        _room, payloads = self._choice_msgs.get(event_id, (room_id, ()))
        sent = 0
        for i in range(min(len(payloads), len(KEYCAPS))):
            if self._latest_choice.get(room_id) != event_id or time.monotonic() < self._reactions_paused_until:
                break
            content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": KEYCAPS[i]}}
            try:
                await self._room_send(room_id, content, msgtype="m.reaction")
            except RetryLater as e:
                self._pause_reactions(e.retry_after)
                log.info(
                    "reactions_rate_limited room=%s pause=%.0f",
                    room_id,
                    self._reactions_paused_until - time.monotonic(),
                )
                break
            except asyncio.CancelledError:
                raise
            except Exception as e:
                log.info("reactions_failed room=%s error=%s", room_id, type(e).__name__)
                break
            sent += 1
        log.debug("reactions_sent room=%s n=%d", room_id, sent)

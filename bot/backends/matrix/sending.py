"""Replies and edits: a message (m.notice for replies, m.text otherwise), its choices remembered
for reactions, its attachment, and a private start opening a direct chat with the person."""

from __future__ import annotations

from ...core.types import Reply, RetryLater, TransientError
from .reactions import ReactionsPart
from .state import current_event, turn_choices
from .wire import render_content


class SendingPart(ReactionsPart):
    async def send(self, chat_id: str, reply: Reply) -> str | None:
        if self.client is None:
            raise TransientError("matrix backend not started")
        try:
            mid = await self._room_send(chat_id, render_content(reply))
        except RetryLater as e:  # replies first: no reactions while the server throttles us
            self._pause_reactions(e.retry_after)
            raise
        payloads = tuple(b.payload for b in reply.flat_buttons() if b.url is None and b.payload)
        if payloads and mid:
            self._remember_choices(chat_id, mid, payloads)
            pending = turn_choices.get()
            ev = current_event.get()
            if pending is not None and ev is not None and ev.chat_id == chat_id:
                pending.add(chat_id)  # answering someone here: react once the turn is sent
        if reply.attachment is not None:
            await self._send_attachment(chat_id, reply.attachment)
        if reply.private_start and not self.is_direct(chat_id):
            ev = current_event.get()
            if ev is not None and ev.chat_id == chat_id:
                await self.open_direct(ev.user_id, reply.private_start, locale=ev.locale)
        return mid

    async def edit(self, chat_id: str, message_id: str, reply: Reply) -> str | None:
        """Replace one of the bot's messages (a wave's progress) with an m.replace edit; the
        original event id stays the one to edit next time."""
        if self.client is None:
            raise TransientError("matrix backend not started")
        new = render_content(reply)
        content = dict(new, body="* " + new["body"], formatted_body="* " + new["formatted_body"])
        content["m.new_content"] = new
        content["m.relates_to"] = {"rel_type": "m.replace", "event_id": message_id}
        await self._room_send(chat_id, content)
        return message_id

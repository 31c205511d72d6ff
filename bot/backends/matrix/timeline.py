"""One room's timeline, in order: history from before the bot joined is skipped; messages,
reactions on a choice, undecryptable events, verification steps and joins become events for the
router; each event id is recorded once handled (``matrix_handled``, no text), so none is answered twice."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from ...core.types import Event
from .rooms import RoomsPart
from .state import NAME, current_event, turn_choices
from .wire import _strip_reply_fallback as strip_reply_fallback
from .wire import keycap_index

log = logging.getLogger("mes_bot.matrix")

HANDLED_KEEP_MS = 7 * 24 * 3600 * 1000


@dataclass
class RoomWork:
    """One room's share of one sync batch, handled by that room's worker (queues.py)."""

    events: list  # in timeline order
    membership_changed: bool  # someone joined or left: the bot may now be alone
    join_id: str | None  # the bot's own join in this batch (greet once)
    skip_history: bool  # the very first start: nothing is answered
    created: bool = False  # the bot created the room in this batch (not alone for long)
    counted: set[str] = field(default_factory=set)  # event ids admitted against the room's backlog


class TimelinePart(RoomsPart):
    def _mentions_me(self, content: dict, text: str | None) -> bool:
        """A room message that mentions the bot (m.mentions, or its id in the text), not a command."""
        if not text or text.lstrip().startswith(("/", "!")):
            return False
        ids = ((content.get("m.mentions") or {}).get("user_ids") or []) if isinstance(content, dict) else []
        return self.user_id in ids or (self.user_id or "\0") in text

    def _mark_handled(self, event_id: str) -> bool:
        """True the first time an event id is seen (and records it)."""
        return self.app.store.mark_event_handled(event_id, int(time.time() * 1000))

    def _prune_handled(self) -> None:
        now = time.time()
        if now - self._last_prune < 3600:
            return
        self._last_prune = now
        self.app.store.prune_handled_events(int(now * 1000) - HANDLED_KEEP_MS)

    def _not_seen(self, ev) -> bool:
        """Not handled yet, nor queued: a replayed batch (after a crash) skips what was answered."""
        eid = getattr(ev, "event_id", None)
        return not eid or (eid not in self._in_progress and not self.app.store.event_handled(eid))

    def _slice(self, events: list, skip_history: bool) -> RoomWork:
        """What one batch brings a room: its events after the bot's own join (history before it
        is not for us), none on the very first start, none already handled, none of its own."""
        from nio import RoomCreateEvent, RoomMemberEvent

        start, join_id = 0, None
        for i, ev in enumerate(events):
            if (
                isinstance(ev, RoomMemberEvent)
                and ev.state_key == self.user_id
                and ev.membership == "join"
                and ev.prev_membership != "join"
            ):
                start, join_id = i + 1, ev.event_id or ""
        changed = join_id is not None or any(isinstance(ev, RoomMemberEvent) for ev in events[start:])
        todo = (
            []
            if skip_history
            else [ev for ev in events[start:] if getattr(ev, "sender", None) != self.user_id and self._not_seen(ev)]
        )
        # a room the bot just created (a direct chat it opens): its invites may come in a later batch
        created = any(isinstance(ev, RoomCreateEvent) and ev.sender == self.user_id for ev in events[:start])
        return RoomWork(todo, changed, join_id, skip_history, created)

    def _event_done(self, room_id: str, work: RoomWork, ev) -> None:
        """Recorded once its turn is over (replies sent or given up): never answered again."""
        eid = getattr(ev, "event_id", None)
        if not eid:
            return
        self._mark_handled(eid)
        self._in_progress.discard(eid)
        if eid in work.counted:
            work.counted.discard(eid)
            self.backlog.release(room_id)

    async def _handle_room_work(self, room_id: str, work: RoomWork) -> None:
        """One batch's events of one room, in order; then leave if alone, or greet once joined."""
        for ev in work.events:
            try:
                await self._on_timeline_event(room_id, ev)
            except Exception:
                log.exception("event_failed room=%s", room_id)
            self._event_done(room_id, work, ev)
        if (work.membership_changed or work.skip_history) and not work.created and await self._leave_if_alone(room_id):
            return
        if work.join_id is not None and not work.skip_history and self._mark_handled(work.join_id or room_id):
            await self._greet(room_id)  # the join's id recorded first: a replayed batch greets no one twice

    async def _greet(self, room_id: str) -> None:
        """Just joined: in a direct chat, the person who invited us gets the welcome."""
        inviter = self._inviters.pop(room_id, None)
        if inviter is not None and not self.is_direct(room_id):
            await self._membership(room_id, True, joined=True)  # a short hello in the room
        if inviter is None or not self.is_direct(room_id):
            return
        self._set_direct(room_id, True)
        await self._dispatch(Event(backend=NAME, chat_id=room_id, user_id=inviter, kind="start", is_direct=True))

    async def _on_timeline_event(self, room_id: str, ev) -> None:
        from nio import MegolmEvent, ReactionEvent, RoomMemberEvent, RoomMessage, RoomMessageNotice

        sender = getattr(ev, "sender", None)
        if sender is None or sender == self.user_id:
            return
        if isinstance(ev, RoomMemberEvent):
            if ev.membership == "join" and ev.prev_membership != "join":
                await self._on_member_join(room_id, ev.state_key)
            return
        event_id = getattr(ev, "event_id", None)
        if not event_id:
            return
        direct = self.is_direct(room_id)
        if isinstance(ev, MegolmEvent):
            await self._on_undecryptable(room_id, ev, direct)
            return
        if isinstance(ev, ReactionEvent):
            await self._on_reaction(room_id, ev, direct)
            return
        src = getattr(ev, "source", None) or {}
        content = src.get("content") or {}
        if self.verifier.kind_of(str(src.get("type", "")), content) is not None:
            if self._mark_handled(event_id):  # Element's "Verify": never answered as a message
                await self.verifier.on_room_event(
                    room_id, src["type"], content, sender, event_id, src.get("origin_server_ts")
                )
            return
        # other bots talk in notices: never answer them (no loops); state, redactions: not messages
        if isinstance(ev, RoomMessage) and not isinstance(ev, RoomMessageNotice):
            await self._on_message(room_id, ev, direct)  # recorded as handled once its turn is over

    async def _on_undecryptable(self, room_id: str, ev, direct: bool) -> None:
        key = (room_id, ev.session_id)
        if key in self._undecryptable_seen:
            return  # one notice per sender session, not one per message
        if not self._mark_handled(ev.event_id):
            return
        self._undecryptable_seen.add(key)
        log.info("undecryptable room=%s", room_id)
        try:
            await self.client.request_room_key(ev)
        except Exception:
            log.info("room_key_request_failed room=%s", room_id)
        await self._dispatch(
            Event(
                backend=NAME,
                chat_id=room_id,
                user_id=ev.sender,
                kind="undecryptable",
                is_direct=direct,
                message_id=ev.event_id,
            )
        )

    async def _on_message(self, room_id: str, ev, direct: bool) -> None:
        from nio import RoomMessageEmote, RoomMessageText

        content = ev.source.get("content", {}) or {}
        relates = content.get("m.relates_to") or {}
        if relates.get("rel_type") == "m.replace":
            kind, text = "edit", None
        elif isinstance(ev, (RoomMessageText, RoomMessageEmote)):
            kind, text = "text", strip_reply_fallback(ev.body or "")
        else:
            kind, text = "unsupported", None
        rich = None
        if kind == "text" and direct:
            from ...lang.richtext import from_matrix

            rich = from_matrix(content)  # formatting kept for an organiser's text (flows decide)
        elif kind == "text" and self._mentions_me(content, text):
            hook = self.app.services.bot_mentioned  # collectives: a short hello, not a silence
            if hook is not None:
                await hook(NAME, room_id, title=await self.chat_title(room_id))
        await self._dispatch(
            Event(
                backend=NAME,
                chat_id=room_id,
                user_id=ev.sender,
                text=text,
                kind=kind,
                is_direct=direct,
                message_id=ev.event_id,
                html=rich,
            )
        )

    async def _on_reaction(self, room_id: str, ev, direct: bool) -> None:
        """A keycap reaction (m.annotation) on one of the bot's choice messages: the same
        as pressing that button.  Anything else (other emojis, other messages, reactions
        from before this start) is ignored."""
        i = keycap_index(ev.key)
        known = self._choice_msgs.get(ev.reacts_to)
        if i is None or known is None or known[0] != room_id or i >= len(known[1]):
            return
        if (ev.server_timestamp or 0) < self.started_at_ms:
            return  # never replay reactions from before this start
        if not self._mark_handled(ev.event_id):
            return
        log.info("reaction_choice room=%s", room_id)
        await self._dispatch(
            Event(
                backend=NAME,
                chat_id=room_id,
                user_id=ev.sender,
                kind="button",
                choice=known[1][i],
                is_direct=direct,
                message_id=ev.reacts_to,
            )
        )

    async def _on_member_join(self, room_id: str, user_id: str) -> None:
        row = self.app.store.pending_dm(room_id)
        if row is None or row[0] != f"{NAME}:{user_id}":
            return
        self.app.store.drop_pending_dm(room_id)
        await self._dispatch(
            Event(backend=NAME, chat_id=room_id, user_id=user_id, kind="start", payload=row[1] or None, is_direct=True)
        )

    async def _dispatch(self, event: Event) -> None:
        if self._handler is None:
            return
        token = current_event.set(event)
        turn_token = turn_choices.set(set())
        try:
            await self._handler(event)
        except Exception:
            log.exception("handler_failed kind=%s", event.kind)
        finally:
            rooms = turn_choices.get() or set()
            turn_choices.reset(turn_token)
            current_event.reset(token)
        for room_id in rooms:  # after the turn's messages, without holding up the conversation
            self._start_reactions(room_id)

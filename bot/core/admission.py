"""Bounded backlog per chat: a flood from one person never grows without limit.

A backend asks :meth:`ChatBacklog.admit` for every incoming message before queueing it and calls
:meth:`ChatBacklog.release` once it is handled.  Beyond ``limit`` messages queued or in progress in
one chat (``limit * group_factor`` in a group, where several people talk), the rest is dropped;
the first drop of a backlog in a private chat asks for one kind notice (``core/too_fast``), never
repeated until that chat's backlog has drained.  Backend-neutral: no network, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass

ADMIT, DROP, DROP_AND_NOTIFY = "admit", "drop", "drop_and_notify"
GROUP_FACTOR = 5  # a group may queue this many times the per-chat limit (several people talk)


@dataclass
class ChatBacklog:
    limit: int = 20
    group_factor: int = GROUP_FACTOR

    def __post_init__(self) -> None:
        self._queued: dict[str, int] = {}  # chat -> messages queued or in progress
        self._noticed: set[str] = set()  # chats told once that they write too fast
        self.dropped = 0

    def admit(self, chat: str, direct: bool) -> str:
        """ADMIT (queue it, then :meth:`release`), DROP, or DROP_AND_NOTIFY (drop, tell once)."""
        limit = max(1, int(self.limit)) * (1 if direct else max(1, self.group_factor))
        n = self._queued.get(chat, 0)
        if n < limit:
            self._queued[chat] = n + 1
            return ADMIT
        self.dropped += 1
        if direct and chat not in self._noticed:
            self._noticed.add(chat)
            return DROP_AND_NOTIFY
        return DROP

    def release(self, chat: str) -> None:
        n = self._queued.get(chat, 1) - 1
        if n <= 0:
            self._queued.pop(chat, None)
            self._noticed.discard(chat)
        else:
            self._queued[chat] = n

    def queued(self, chat: str) -> int:
        return self._queued.get(chat, 0)

    def total(self) -> int:
        """Messages queued or in progress, all chats."""
        return sum(self._queued.values())

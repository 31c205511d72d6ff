"""Pacing for platforms with published send limits (Telegram), reusable by the broadcaster.

One :class:`Pacer` per bot account.  Before each message, ``await pacer.acquire(chat_id)``
reserves a slot that respects, at once:

- the overall rate (Telegram: about 30 messages/s; with paid broadcast up to 1000/s),
- the per-chat rate of a private chat (about 1/s, with a short burst),
- the per-chat rate of a group or channel (20 per minute, sliding window),
- any pause set after a 429 for that chat (``pause(chat_id, retry_after)``), or for
  everyone (``pause_all``) when the server said so for a request without a chat.

Slots are *reserved* (a virtual schedule, GCRA style), so thousands of waiting senders
are served in order without polling, and a chat that is paused or over its own limit
never holds a global slot: unrelated chats keep flowing.  Time and sleep are injectable.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field


def chat_kind(chat_id) -> str:
    """Telegram ids: users (private chats) are positive; groups, supergroups and channels negative.
    ``@channelusername`` addresses a channel."""
    try:
        return "private" if int(chat_id) > 0 else "group"
    except (TypeError, ValueError):
        return "group"


class Gcra:
    """Generic cell rate: ``rate`` per second with a burst of ``burst`` back-to-back slots."""

    __slots__ = ("interval", "tolerance", "tat")

    def __init__(self, rate: float, burst: float = 1.0):
        self.interval = 1.0 / rate
        self.tolerance = max(0.0, (burst - 1.0) * self.interval)
        self.tat = 0.0  # theoretical arrival time of the next slot

    def reserve(self, now: float, not_before: float = 0.0) -> float:
        """Reserve the earliest slot at or after ``max(now, not_before)``; return its time."""
        t = max(now, not_before, self.tat - self.tolerance)
        self.tat = max(self.tat, t) + self.interval
        return t

    def earliest(self, now: float) -> float:
        return max(now, self.tat - self.tolerance)


class Window:
    """At most ``count`` slots in any ``period`` seconds (sliding window)."""

    __slots__ = ("count", "period", "times")

    def __init__(self, count: int, period: float):
        self.count, self.period = max(1, int(count)), period
        self.times: deque[float] = deque()

    def earliest(self, now: float) -> float:
        while self.times and self.times[0] <= now - self.period:
            self.times.popleft()
        if len(self.times) < self.count:
            return now
        return self.times[-self.count] + self.period

    def reserve(self, t: float) -> None:
        self.times.append(t)


@dataclass
class ChatState:
    gcra: Gcra
    window: Window | None = None
    paused_until: float = 0.0
    last_used: float = 0.0


@dataclass
class PacerStats:
    acquired: int = 0
    waited_s: float = 0.0
    pauses: int = 0
    max_queue: int = 0
    extra: dict = field(default_factory=dict)


class Pacer:
    """Send pacing for one account.

    ``global_rate``  messages/s overall (Telegram: 30); ``paid_rate`` with paid broadcast (1000).
    ``chat_rate``/``chat_burst``  private chats (1/s, bursts of 3 as Telegram tolerates).
    ``group_per_min``  groups and channels (20/min; also at most ``chat_rate`` with its burst).
    ``headroom``  fraction of the global rate actually used (1.0 = the full rate).
    ``enabled=False`` turns pacing off (pauses after 429 are still honoured).
    """

    def __init__(
        self,
        global_rate: float = 30.0,
        chat_rate: float = 1.0,
        chat_burst: float = 3.0,
        group_per_min: float = 20.0,
        paid_rate: float = 1000.0,
        enabled: bool = True,
        headroom: float = 0.985,
        clock=time.monotonic,
        sleep=asyncio.sleep,
    ):
        self.enabled = enabled
        self.global_rate = global_rate
        self.chat_rate, self.chat_burst = chat_rate, chat_burst
        self.group_per_min = group_per_min
        self.clock, self.sleep = clock, sleep
        self.global_ = Gcra(global_rate * headroom, 1.0)
        self.paid = Gcra(paid_rate * headroom, 1.0)
        self.paused_all_until = 0.0
        self.chats: dict[str, ChatState] = {}
        self.stats = PacerStats()
        self._waiting = 0

    @classmethod
    def from_settings(cls, settings, enabled: bool = True, **kw) -> "Pacer":
        return cls(
            global_rate=settings.telegram_rate_global,
            chat_rate=settings.telegram_rate_chat,
            group_per_min=settings.telegram_rate_group_per_min,
            paid_rate=settings.telegram_paid_rate,
            enabled=enabled,
            **kw,
        )

    def _chat(self, chat_id) -> ChatState:
        key = str(chat_id)
        st = self.chats.get(key)
        if st is None:
            if chat_kind(chat_id) == "private":
                st = ChatState(Gcra(self.chat_rate, self.chat_burst))
            else:
                st = ChatState(Gcra(self.chat_rate, self.chat_burst), Window(int(self.group_per_min), 60.0))
            self.chats[key] = st
            if len(self.chats) > 50_000:
                self._prune()
        return st

    def _prune(self) -> None:
        now = self.clock()
        for k in [k for k, s in self.chats.items() if s.last_used < now - 120 and s.paused_until < now]:
            del self.chats[k]

    def _chat_earliest(self, st: ChatState, now: float) -> float:
        t = max(now, st.paused_until, self.paused_all_until)
        if self.enabled:
            t = st.gcra.earliest(t)
            if st.window is not None:
                t = max(t, st.window.earliest(t))
        return t

    async def acquire(self, chat_id, paid: bool = False) -> float:
        """Wait for this chat's next slot; return the seconds waited.

        A chat over its own limit (or paused after a 429) waits *without* holding a global
        slot; only when the chat may send does it take the next global slot (FIFO)."""
        waited = 0.0
        self.stats.acquired += 1
        self._waiting += 1
        self.stats.max_queue = max(self.stats.max_queue, self._waiting)
        try:
            for _ in range(10_000):
                now = self.clock()
                st = self._chat(chat_id)
                t = self._chat_earliest(st, now)
                if t > now:
                    await self.sleep(t - now)
                    waited += t - now
                    continue
                if self.enabled:
                    t = (self.paid if paid else self.global_).reserve(now)
                    st.gcra.reserve(now, t)
                    if st.window is not None:
                        st.window.reserve(t)
                st.last_used = t
                if t > now:
                    await self.sleep(t - now)
                    waited += t - now
                # a 429 may have paused this chat while we slept: wait for the rest of it
                extra = max(st.paused_until, self.paused_all_until) - self.clock()
                if extra > 0:
                    await self.sleep(extra)
                    waited += extra
                break
        finally:
            self._waiting -= 1
        self.stats.waited_s += waited
        return waited

    def pause(self, chat_id, seconds: float) -> None:
        """The server said 429 for this chat: nothing goes to it for ``seconds``."""
        st = self._chat(chat_id)
        st.paused_until = max(st.paused_until, self.clock() + float(seconds))
        self.stats.pauses += 1

    def pause_all(self, seconds: float) -> None:
        self.paused_all_until = max(self.paused_all_until, self.clock() + float(seconds))
        self.stats.pauses += 1

    def paused_for(self, chat_id) -> float:
        st = self.chats.get(str(chat_id))
        until = max(st.paused_until if st else 0.0, self.paused_all_until)
        return max(0.0, until - self.clock())

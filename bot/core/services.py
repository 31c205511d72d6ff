"""What the areas offer each other through the app, as typed attributes (``app.services.broadcaster``).

Each is set by the ``install(app)`` of its area (bot/jobs/...) or by the process runner, and is
None when that area is not loaded.  The class has slots: a name nobody declared can be neither
set nor read, so no service is read that nobody sets.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Awaitable, Callable, Iterator, Protocol

from .types import Event, Reply


class Broadcasts(Protocol):
    """The broadcaster (bot/jobs/broadcast.py), as flows use it."""

    async def post_due_campaigns(self, now: datetime) -> int: ...

    def halt(self, bid: int) -> bool: ...

    async def stop(self) -> None: ...


class Ticking(Protocol):
    async def tick(self, now: datetime) -> int: ...


@dataclass(slots=True)
class Services:
    #: campaign posts and broadcast waves (bot/jobs/broadcast.py)
    broadcaster: Broadcasts | None = None
    #: reminders (bot/jobs/scheduler.py)
    scheduler: Ticking | None = None
    #: ``(campaign code, "reminder_started" | "done")``: counts for a collective, nobody named
    campaign_event: Callable[[str, str], Any] | None = None
    #: ``(event) -> replies``: what is pending for this person (the console says it at start)
    pending_summary: Callable[[Event], Awaitable[list[Reply]]] | None = None
    #: ``(backend, chat_id, present, joined=False, title=None)``: the bot was added to / removed from a place
    bot_membership: Callable[..., Awaitable[None]] | None = None
    #: ``(backend, chat_id, title=None)``: someone @mentioned the bot in a group
    bot_mentioned: Callable[..., Awaitable[None]] | None = None
    #: ``(collective, template key, vars=None) -> how many admins were told``
    collective_notice: Callable[..., Awaitable[int]] | None = None
    #: ``(backend, old chat id, new chat id)``: a chat got a new id; what the store keeps follows it
    chat_moved: Callable[[str, str, str], Any] | None = None
    #: set when the process is shutting down (SIGTERM): long work parks
    stopping: asyncio.Event | None = None

    def items(self) -> Iterator[tuple[str, Any]]:
        """The services that are set, as ``(name, service)``."""
        return iter([(f.name, getattr(self, f.name)) for f in fields(self) if getattr(self, f.name) is not None])

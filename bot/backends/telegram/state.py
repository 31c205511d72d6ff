"""The state the Telegram backend's modules share (set in ``TelegramBackend.__init__``), declared
once so that each module's part of the class (a mixin) reads as plain code, and type-checks."""

from __future__ import annotations

import asyncio
import collections
import weakref
from typing import TYPE_CHECKING, Any

from ...core.admission import ChatBacklog

NAME = "telegram"
DEFAULT_API = "https://api.telegram.org/bot"


class TelegramState:
    app: Any
    settings: Any
    token: str
    api_url: str
    file_url: str
    pacer: Any  # bot.jobs.pacing.Pacer
    application: Any  # python-telegram-bot's Application, once started
    username: str | None
    bot_id: int | None
    connected: bool
    counters: dict[str, int]
    poll_timeout: float
    poll_backoff: float
    startup_timeout: float
    webhook_port: int | None
    _stop: asyncio.Event
    _offset: int | None
    _poll_error: str | None
    _handler: Any
    _sem: asyncio.Semaphore
    _tasks: set[asyncio.Task]
    _seen: collections.deque[int]
    _seen_set: set[int]
    _gone: set[str] | None
    _backlog: ChatBacklog
    _deadline_start: dict[str, float]
    _chat_locks: weakref.WeakValueDictionary[str, asyncio.Lock]
    _chat_locale: dict[str, str]
    _admin_cache: dict[tuple[str, str], tuple[float, bool]]
    _webhook_runner: Any
    _profile_task: asyncio.Task | None
    _started: bool

    if TYPE_CHECKING:
        # a module calls what another module adds to the class (all joined in TelegramBackend)
        def __getattr__(self, name: str) -> Any: ...

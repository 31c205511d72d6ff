"""What every part of the Matrix backend shares: its settings, the nio client, the in-memory
bookkeeping, and the few seams one part calls in another (declared here, defined there)."""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections import OrderedDict, deque
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ...core.admission import ChatBacklog
from ...core.types import BackendBase, Event
from .resume import ResumePoint

if TYPE_CHECKING:
    from .backend import MatrixBackend

NAME = "matrix"
MEGOLM = "m.megolm.v1.aes-sha2"

#: the event being answered (a private start opens a direct chat with its sender)
current_event: contextvars.ContextVar[Event | None] = contextvars.ContextVar("matrix_event", default=None)
#: rooms that got a choice message while answering the current event (reactions follow the turn)
turn_choices: contextvars.ContextVar[set | None] = contextvars.ContextVar("matrix_turn_choices", default=None)


class MatrixState(BackendBase):
    name = NAME
    connected = False  # last sync succeeded (read by /healthz)
    learns_rate = True  # a homeserver's send limit is unpublished: broadcasts learn it from retry_after_ms
    can_edit = True  # edit() replaces a wave's progress message (m.replace)
    client: Any = None  # nio's AsyncClient once started

    def __init__(self, app, settings, *, sync_timeout_ms: int = 30000, backoff_max: float = 30.0):
        from .verification import Verifier

        self.app = app
        self.settings = settings
        self.sync_timeout_ms = sync_timeout_ms
        self.backoff_max = backoff_max
        self.user_id = settings.matrix_user
        self.username = settings.matrix_user
        self.device_id: str | None = None
        self.folder = Path(settings.data_dir) / "matrix"
        self.cross_signing: str | None = None  # "signed" | "already" | "foreign" | "failed: ..."
        self._stop = asyncio.Event()
        self._handler: Any = None
        self._inviters: dict[str, str] = {}
        self._undecryptable_seen: set[tuple[str, str]] = set()
        self._creators: dict[str, set[str]] = {}
        self._xs_cache: dict[str, tuple[float, dict]] = {}
        # SAS verification of the bot (Element's "Verify"); this state is always the assembled MatrixBackend
        self.verifier = Verifier(cast("MatrixBackend", self))
        self._last_prune = 0.0
        # choice messages: event id -> (room id, payloads in numbered-list order), bounded
        self._choice_msgs: OrderedDict[str, tuple[str, tuple[str, ...]]] = OrderedDict()
        self._latest_choice: dict[str, str] = {}  # room id -> event id of its latest choice message
        self._reaction_tasks: set[asyncio.Task] = set()
        self._reactions_paused_until = 0.0  # monotonic; set by a 429
        # rooms handled concurrently, each in order (sync.py); where to resume after a crash
        self._room_queues: dict[str, deque] = {}  # room id -> work waiting (queues.py)
        self._room_workers: dict[str, asyncio.Task] = {}
        self._in_progress: set[str] = set()  # event ids queued or being handled
        self.backlog = ChatBacklog(settings.chat_backlog_max)
        self.resume = ResumePoint()
        self._side_tasks: set[asyncio.Task] = set()  # flood notices
        self.synced = asyncio.Event()  # set after every processed sync (tests, health)
        self.sync_count = 0
        self.started_at_ms = int(time.time() * 1000)

    def link(self, payload: str) -> str | None:
        """matrix.to opens a chat with the bot; it cannot carry the payload."""
        user = self.user_id or self.settings.matrix_user
        return f"https://matrix.to/#/{user}" if user else None

    @property
    def _token_key(self) -> str:
        return f"matrix:sync_token:{self.user_id}"

    # -- seams: defined by the part that owns them -------------------------------------------------
    def is_direct(self, room_id: str) -> bool:  # rooms.py
        raise NotImplementedError

    async def open_direct(self, user_id: str, payload: str | None, locale: str | None = None) -> str | None:
        raise NotImplementedError  # rooms.py

    async def _dispatch(self, event: Event) -> None:  # timeline.py
        raise NotImplementedError

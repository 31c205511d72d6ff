"""A recording fake transport driving the real router, store (temporary SQLite),
templates and clock.  Not a replacement for the integration tests of the real
backends (Telegram emulator, Synapse): it is how flows are tested."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.core.app import App
from bot.infra.clock import FakeClock
from bot.infra.config import Settings
from bot.core.types import BackendBase, Blocked, Event, Reply


class FakeBackend(BackendBase):
    name = "fake"

    def __init__(self):
        self.sent: list[tuple[str, Reply]] = []
        self.admins: set[tuple[str, str]] = set()
        self.blocked: set[str] = set()
        self.username = "mesbot"

    async def receive(self, handler):  # pragma: no cover - driven by Chat
        return None

    def link(self, payload: str) -> str | None:
        """Links like Telegram's (the fake stands for a platform with usernames and deep links)."""
        return f"https://t.me/{self.username}?start={payload}" if self.username else None

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        if chat_id in self.blocked:
            raise Blocked("blocked")
        self.sent.append((chat_id, reply))
        return str(len(self.sent))

    async def is_admin(self, user_id: str, chat_id: str) -> bool:
        return (user_id, chat_id) in self.admins


class Chat:
    """One person talking to the bot in a private chat (or a group)."""

    def __init__(
        self,
        app: App,
        backend: FakeBackend,
        user: str = "u1",
        chat: str | None = None,
        locale: str | None = "fr",
        direct: bool = True,
    ):
        self.app, self.backend = app, backend
        self.user, self.chat = user, chat or user
        self.locale, self.direct = locale, direct
        self.last: list[Reply] = []

    def _event(self, **kw) -> Event:
        return Event(
            backend=self.backend.name,
            chat_id=self.chat,
            user_id=self.user,
            locale=self.locale,
            is_direct=self.direct,
            **kw,
        )

    async def say(self, text: str) -> list[Reply]:
        self.last = await self.app.handle(self._event(text=text))
        return self.last

    async def start(self, payload: str | None = None) -> list[Reply]:
        self.last = await self.app.handle(self._event(kind="start", payload=payload))
        return self.last

    async def press(self, label_or_index) -> list[Reply]:
        """Press a button of the last replies by (part of) its label, or by its index."""
        buttons = [b for r in self.last for b in r.flat_buttons() if b.payload]
        if isinstance(label_or_index, int):
            b = buttons[label_or_index - 1]
        else:
            want = label_or_index.lower()
            matches = [b for b in buttons if want in b.label.lower()]
            assert matches, f"no button {label_or_index!r} in {[b.label for b in buttons]}"
            b = matches[0]
        self.last = await self.app.handle(self._event(kind="button", choice=b.payload))
        return self.last

    async def send_event(self, **kw) -> list[Reply]:
        self.last = await self.app.handle(self._event(**kw))
        return self.last

    @property
    def text(self) -> str:
        return "\n\n".join(r.text for r in self.last)

    @property
    def keys(self) -> list[str]:
        return [r.key for r in self.last]

    @property
    def labels(self) -> list[str]:
        return [b.label for r in self.last for b in r.flat_buttons()]


def session_data(app: App, chat: Chat) -> dict:
    """The stored session data of ``chat`` (empty when there is none)."""
    s = app.store.get_session(chat._event(text="x").session_key)
    return s.data if s else {}


def make_app(
    tmp_path: Path, now: str | datetime = "2026-11-22T10:00:00+01:00", **settings
) -> tuple[App, FakeBackend, FakeClock]:
    s = Settings(data_dir=tmp_path / "data", **settings)
    clock = FakeClock(now)
    app = App(s, clock=clock)
    backend = FakeBackend()
    app.add_backend(backend)
    return app, backend, clock

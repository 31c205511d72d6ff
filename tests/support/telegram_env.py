"""Shared fixture pieces: the whole bot (real App, real PTB) against the emulator, in-process."""

from __future__ import annotations

import asyncio

import pytest
from dataclasses import dataclass

from bot.core.app import App
from bot.backends.telegram.backend import TelegramBackend, create
from bot.infra.clock import FakeClock
from bot.jobs.pacing import Pacer
from bot.infra.config import Settings
from tests.support.telegram_emulator import Emulator


@dataclass
class TgEnv:
    emu: Emulator
    app: App
    backend: TelegramBackend
    clock: FakeClock
    task: asyncio.Task

    async def stop(self) -> None:
        await self.backend.stop()
        await asyncio.wait_for(self.task, 15)


async def start_env(
    tmp_path,
    emu: Emulator | None = None,
    now: str = "2026-11-22T10:00:00+01:00",
    rate_limit: bool = True,
    pacer=None,
    **settings,
) -> TgEnv:
    """``pacer`` defaults to the real global limit with a lenient per-chat limit, so
    conversations in tests do not wait 1 s per message (tests of pacing pass their own)."""
    emu = emu or await Emulator().start()
    s = Settings(data_dir=tmp_path / "data", telegram_token=emu.token, telegram_api_url=emu.base_url, **settings)
    clock = FakeClock(now)
    app = App(s, clock=clock)
    if pacer is None:
        pacer = Pacer(chat_rate=50.0, chat_burst=20.0, group_per_min=600.0, enabled=rate_limit)
    backend = create(app, s, poll_timeout=1, pacer=pacer)
    backend.poll_backoff = 0.05
    backend.startup_timeout = 0.5
    app.add_backend(backend)
    task = asyncio.create_task(backend.receive(app.handle_event))
    await emu.wait_until(
        lambda: emu.calls["getUpdates"] >= 1 or emu.calls["setWebhook"] >= 1 or task.done(), 10, "polling"
    )
    if task.done():
        task.result()
    return TgEnv(emu, app, backend, clock, task)


async def start_recording_env(tmp_path, emu: Emulator | None = None, **kw) -> TgEnv:
    """``start_env`` whose ``events`` list records every Event the app handles."""
    env = await start_env(tmp_path, emu=emu, **kw)
    env.events = []
    handle = env.app.handle

    async def recording(event):
        env.events.append(event)
        return await handle(event)

    env.app.handle = recording
    return env


async def close_env(env: TgEnv) -> None:
    await env.stop()
    await env.emu.stop()
    env.app.store.close()


@pytest.fixture
async def tg(tmp_path):
    """The whole bot in-process against a fresh emulator, recording the Events it handles."""
    env = await start_recording_env(tmp_path)
    yield env
    await close_env(env)


async def settle(emu: Emulator, chat_id, n: int, timeout: float = 5.0):
    """Wait for n messages in a chat, then a little more to catch unexpected extras."""
    await emu.wait_for(chat_id, n, timeout)
    await asyncio.sleep(0.15)
    return emu.sent[chat_id]

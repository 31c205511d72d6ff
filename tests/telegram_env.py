"""Shared fixture pieces: the whole bot (real App, real PTB) against the emulator, in-process."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.app import App
from bot.backends.telegram import TelegramBackend, create
from bot.clock import FakeClock
from bot.config import Settings
from tests.telegram_emulator import Emulator


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


async def start_env(tmp_path, emu: Emulator | None = None, now: str = "2026-11-22T10:00:00+01:00",
                    rate_limit: bool = True, **settings) -> TgEnv:
    emu = emu or await Emulator().start()
    s = Settings(data_dir=tmp_path / "data", telegram_token=emu.token, telegram_api_url=emu.base_url, **settings)
    clock = FakeClock(now)
    app = App(s, clock=clock)
    backend = create(app, s, poll_timeout=1, rate_limit=rate_limit)
    app.add_backend(backend)
    task = asyncio.create_task(backend.receive(app.handle_event))
    await emu.wait_until(lambda: emu.calls["getUpdates"] >= 1 or task.done(), 10, "polling")
    if task.done():
        task.result()
    return TgEnv(emu, app, backend, clock, task)

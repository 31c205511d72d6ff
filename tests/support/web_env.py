"""The real web backend on 127.0.0.1 for tests, the browser test and the screenshot script:
the real App (router, store, templates) with an injected clock, served by aiohttp."""

from __future__ import annotations

import asyncio
import socket
import threading
from contextlib import asynccontextmanager
from pathlib import Path

from bot.core.app import App
from bot.backends.web.server import WebBackend
from bot.infra.clock import FakeClock
from bot.infra.config import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_web(data_dir: Path, now: str = "2026-11-22T10:00:00+01:00", **settings):
    settings.setdefault("web_listen", f"127.0.0.1:{free_port()}")
    s = Settings(data_dir=Path(data_dir), **settings)
    clock = FakeClock(now)
    app = App(s, clock=clock)
    web = WebBackend(app, s)
    app.add_backend(web)
    return app, web, clock


@asynccontextmanager
async def serving(app: App, web: WebBackend):
    task = asyncio.create_task(web.receive(app.handle_event))
    await asyncio.wait_for(web.ready.wait(), 10)
    try:
        yield f"http://127.0.0.1:{web.bound_port}"
    finally:
        await web.stop()
        await asyncio.wait_for(task, 10)


class ServerThread:
    """The web backend in its own thread and event loop (for Selenium, which blocks)."""

    def __init__(self, data_dir: Path, **settings):
        self.app, self.web, self.clock = make_web(data_dir, **settings)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._ready = threading.Event()
        self.url = None

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self._task = self.loop.create_task(self.web.receive(self.app.handle_event))

        async def wait_ready():
            await self.web.ready.wait()
            self.url = f"http://127.0.0.1:{self.web.bound_port}"
            self._ready.set()

        self.loop.create_task(wait_ready())
        self.loop.run_until_complete(self._task)

    def call(self, coro, timeout: float = 10):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __enter__(self):
        self._thread.start()
        if not self._ready.wait(15):
            raise RuntimeError("web backend did not start")
        return self

    def __exit__(self, *exc):
        self.call(self.web.stop())
        self._thread.join(10)
        self.loop.close()
        self.app.store.close()

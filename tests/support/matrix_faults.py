"""Faults between the bot and a real Synapse: a small reverse proxy on 127.0.0.1.

Everything is forwarded to Synapse unchanged, except the bot's sends into chosen rooms
(``PUT …/rooms/{room}/send/…``), which can be made to fail (a 5xx storm, a 429 with
``retry_after_ms``, as Synapse says them) or be held until the test lets them through (a room
whose replies are slow), so that tests see how the other rooms fare meanwhile.

    proxy = await FaultProxy(synapse.url).start()
    bot = await start_bot(synapse, tmp_path / "bot", matrix_homeserver=proxy.url)
    proxy.fail(room, 502)             # every send into room: 502 (proxy.failed[room] counts them)
    proxy.fail(room, 429, retry_after_ms=2000)
    proxy.hold(room, after=2)         # 2 sends go through, the next ones wait
    proxy.release()                   # held sends go on (and later ones are no longer held)
    proxy.drop_held()                 # held sends answer 502 without reaching Synapse (a crash)
    proxy.clear(room)
    await proxy.stop()

``proxy.forwarded[room]`` counts sends that reached Synapse; ``proxy.held_now(room)`` the ones
waiting.  No message content is inspected."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from urllib.parse import unquote

from aiohttp import ClientSession, ClientTimeout, web

from tests.support.synapse import free_port

SEND = re.compile(r"^/_matrix/client/(?:v3|r0)/rooms/([^/]+)/send/")
HOP = {"host", "content-length", "transfer-encoding", "connection", "content-encoding", "keep-alive"}


class FaultProxy:
    def __init__(self, upstream: str):
        self.upstream = upstream.rstrip("/")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.failed: Counter = Counter()
        self.forwarded: Counter = Counter()
        self._fail: dict[str, tuple[int, dict]] = {}
        self._hold: dict[str, int] = {}
        self._held: Counter = Counter()
        self._release = asyncio.Event()
        self._drop = False
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None

    async def start(self) -> "FaultProxy":
        self._session = ClientSession(timeout=ClientTimeout(total=120), auto_decompress=False)
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        self.release()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    # -- rules ---------------------------------------------------------------------------------
    def fail(self, room: str, status: int, retry_after_ms: int | None = None) -> None:
        body = (
            {"errcode": "M_LIMIT_EXCEEDED", "error": "Too Many Requests"}
            if status == 429
            else {"errcode": "M_UNKNOWN", "error": "Internal server error"}
        )
        if retry_after_ms is not None:
            body["retry_after_ms"] = retry_after_ms
        self._fail[room] = (status, body)

    def hold(self, room: str, after: int = 0) -> None:
        self._hold[room] = self.forwarded[room] + after
        self._release.clear()
        self._drop = False

    def release(self) -> None:
        self._hold.clear()
        self._release.set()

    def drop_held(self) -> None:
        self._drop = True
        self.release()

    def clear(self, room: str) -> None:
        self._fail.pop(room, None)
        self._hold.pop(room, None)

    def held_now(self, room: str) -> int:
        return self._held[room]

    # -- forwarding ------------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        m = SEND.match(request.path) if request.method == "PUT" else None
        room = unquote(m.group(1)) if m else None
        body = await request.read()
        if room is not None:
            if room in self._fail:
                status, err = self._fail[room]
                self.failed[room] += 1
                return web.json_response(err, status=status)
            if room in self._hold and self.forwarded[room] >= self._hold[room]:
                self._held[room] += 1
                try:
                    await self._release.wait()
                finally:
                    self._held[room] -= 1
                if self._drop:
                    self.failed[room] += 1
                    return web.json_response({"errcode": "M_UNKNOWN", "error": "dropped"}, status=502)
            self.forwarded[room] += 1
        assert self._session is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP}
        async with self._session.request(
            request.method, self.upstream + request.raw_path, headers=headers, data=body if body else None
        ) as resp:
            data = await resp.read()
            out = {k: v for k, v in resp.headers.items() if k.lower() not in HOP}
            if resp.headers.get("Content-Encoding"):
                out["Content-Encoding"] = resp.headers["Content-Encoding"]
            return web.Response(status=resp.status, body=data, headers=out)

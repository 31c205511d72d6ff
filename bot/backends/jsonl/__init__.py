"""JSON-lines backend: one event per line on stdin, one reply per line on stdout, for scripts
and integration tests.  Also the worked example of docs/dev-guide.md ("Adding a backend").

In:  {"user": "7", "text": "bonjour"} or {"user": "7", "choice": "menu:start:refuse"}
Out: {"chat": "7", "text": "... 1. ... 2. ...", "choices": ["menu:start:refuse", ...]}"""

from __future__ import annotations

import asyncio
import json
import sys

from ...core.types import BackendBase, Event, Reply
from ...ops.backend_spec import BackendSpec

NAME = "jsonl"


class JsonLinesBackend(BackendBase):
    name = NAME  # no real buttons (numbered text), may write later, no handle, no deep link: the defaults

    def __init__(self, app, stdin=None, stdout=None):
        self.app, self.stdin, self.stdout = app, stdin or sys.stdin, stdout or sys.stdout
        self._stopped = False

    async def receive(self, handler) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopped:
            line = await loop.run_in_executor(None, self.stdin.readline)
            if not line:
                return  # end of input: the runner stops when every backend has
            try:
                msg = json.loads(line)
            except ValueError:
                continue  # not JSON: skipped, never logged (it may be anything)
            if not isinstance(msg, dict) or not str(msg.get("user", "")).strip():
                continue
            user = str(msg["user"])
            choice = msg.get("choice") if isinstance(msg.get("choice"), str) else None
            text = msg.get("text") if isinstance(msg.get("text"), str) else None
            await handler(
                Event(
                    backend=NAME,
                    chat_id=user,
                    user_id=user,
                    text=text,
                    choice=choice,
                    kind="button" if choice else "text",
                )
            )

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        choices = [b.payload for row in reply.buttons for b in row if b.payload]
        self.stdout.write(
            json.dumps({"chat": chat_id, "text": reply.numbered_text(), "choices": choices}, ensure_ascii=False) + "\n"
        )
        self.stdout.flush()
        return None

    async def stop(self) -> None:
        self._stopped = True


SPEC = BackendSpec(NAME, create=lambda app, settings, args: JsonLinesBackend(app))  # `mes-bot jsonl` and `run`

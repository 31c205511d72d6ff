"""A clock that tests move instead of sleeping: ``sleep(s)`` advances it by ``s`` at once."""

from __future__ import annotations

import asyncio


class VirtualTime:
    def __init__(self, start: float = 1000.0):
        self.t = float(start)
        self.slept = 0.0

    def __call__(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.t += seconds
            self.slept += seconds
        await asyncio.sleep(0)

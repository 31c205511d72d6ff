"""Standard streams that behave in a shell: ``mes-bot … | head -1`` ends quietly (no BrokenPipeError
traceback), and the console reads its input without blocking Ctrl-C."""

from __future__ import annotations

import asyncio
import codecs
import os
import sys
import threading

#: exit status after the reader of our output went away: what a shell reports for a SIGPIPE death
EXIT_BROKEN_PIPE = 128 + 13


def silence_stdout() -> None:
    """After a broken pipe, point standard output at /dev/null so the flush at exit stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)
    except (OSError, ValueError):
        pass


def real_fd(stream) -> int | None:
    """The file descriptor behind ``stream``, or None (a StringIO in tests)."""
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):
        return None


class LineReader:
    """Lines from a file descriptor, read by a daemon thread with ``os.read``.

    Unlike ``readline`` in the default executor, a blocked read never holds up the event loop's
    shutdown (Ctrl-C quits at once, without waiting for Enter) nor a lock of ``sys.stdin``.  Yields
    str lines without their end of line, then None at end of input."""

    CHUNK = 65536

    def __init__(self, fd: int):
        self.fd = fd
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.loop = asyncio.get_running_loop()
        threading.Thread(target=self._run, name="console-stdin", daemon=True).start()

    def _put(self, item: str | None) -> bool:
        try:
            self.loop.call_soon_threadsafe(self.queue.put_nowait, item)
            return True
        except RuntimeError:  # the loop is closed: nobody is listening any more
            return False

    def _run(self) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        pending = ""
        while True:
            try:
                chunk = os.read(self.fd, self.CHUNK)
            except OSError:
                chunk = b""
            if not chunk:
                break
            pending += decoder.decode(chunk)
            *lines, pending = pending.split("\n")
            for line in lines:
                if not self._put(line.rstrip("\r")):
                    return
        pending += decoder.decode(b"", final=True)
        if pending:
            self._put(pending.rstrip("\r"))
        self._put(None)

    async def readline(self) -> str | None:
        return await self.queue.get()

"""Console backend, the embedded default: no token, no account, SQLite in a local folder.

Interactive in a terminal; also reads one message per line from standard input and
exits 0 at end of input.  Buttons are numbered; typing the number, the label or a
natural answer selects.  Due reminders are printed while it runs."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from ..core.types import BackendBase, Event, Reply
from ..infra.pipes import EXIT_BROKEN_PIPE, LineReader, real_fd, silence_stdout
from ..ops.backend_spec import BackendSpec

NAME = "console"
USER = "local"


class ConsoleBackend(BackendBase):
    name = NAME

    def __init__(self, app, stdin=None, stdout=None, locale: str | None = None):
        self.app = app
        if stdin is None and hasattr(sys.stdin, "reconfigure"):
            sys.stdin.reconfigure(errors="replace")  # bytes that are not UTF-8 become U+FFFD, never a crash
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.locale = locale
        self.interactive = bool(getattr(self.stdin, "isatty", lambda: False)())
        self.username = None
        self._print_lock = asyncio.Lock()
        self._reader: LineReader | None = None
        self._receiving = False
        self.interrupted = False  # stopped (Ctrl-C, SIGTERM) before the end of the input
        self.output_closed = False  # the reader of our output went away (`| head`)
        app.forget_hooks.append(self._erase_exports)

    def _exports(self) -> Path:
        return Path(self.app.settings.data_dir) / "exports"

    def _erase_exports(self, user_key: str) -> None:
        """/oubli at the terminal: the calendar files written for this person go too."""
        if user_key != f"{NAME}:{USER}":
            return
        folder = self._exports()
        if folder.is_dir():
            for f in folder.iterdir():
                if f.is_file():
                    f.unlink()

    def event(self, text: str | None = None, kind: str = "text", **kw) -> Event:
        return Event(
            backend=NAME, chat_id=USER, user_id=USER, text=text, kind=kind, locale=self.locale, is_direct=True, **kw
        )

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        text = reply.numbered_text()
        if reply.attachment is not None:
            folder = self._exports()
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            path = folder / Path(reply.attachment.filename).name
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # the owner only
            with os.fdopen(fd, "wb") as f:
                f.write(reply.attachment.data)
            os.chmod(path, 0o600)
            text += f"\n[{reply.attachment.filename} -> {path}]"
        async with self._print_lock:
            if self.output_closed:
                return None
            try:
                self.stdout.write(text + "\n\n")
                self.stdout.flush()
            except BrokenPipeError:
                self.output_closed = True
                if self.stdout is sys.stdout:
                    silence_stdout()
        return None

    async def is_admin(self, user_id: str, chat_id: str) -> bool:
        return True  # the person at the terminal runs the bot

    async def stop(self) -> None:
        """Stop reading at once (Ctrl-C does not wait for Enter)."""
        if self._receiving:
            self.interrupted = True
            if self._reader is not None:
                self._reader.queue.put_nowait(None)

    async def _readline(self) -> str | None:
        if self.interactive:
            self.stdout.write("> ")
            self.stdout.flush()
        fd = real_fd(self.stdin)
        if fd is not None:  # a terminal, a pipe or a file: a reader thread that never blocks Ctrl-C
            if self._reader is None:
                self._reader = LineReader(fd)
            line = await self._reader.readline()
        else:  # an in-memory stream (tests)
            raw: str = await asyncio.get_running_loop().run_in_executor(None, self.stdin.readline)
            line = None if raw == "" else raw.rstrip("\r\n")
        if line is None and self.interactive:
            self.stdout.write("\n")  # Ctrl-D: the shell's prompt starts on its own line
            self.stdout.flush()
        return line

    async def receive(self, handler) -> None:
        self._receiving = True
        try:
            while not self.output_closed and not self.interrupted:
                line = await self._readline()
                if line is None:
                    return
                if not line.strip():
                    continue
                await handler(self.event(line))
        finally:
            self._receiving = False


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--today", help="pretend today is YYYY-MM-DD (demos, reproducible checks)")
    p.add_argument("--lang", choices=["fr", "en"], help="language (default: French)")
    p.add_argument("--tz", help="time zone, e.g. Europe/Paris, America/Cayenne")


def overrides(args: argparse.Namespace) -> dict:
    # a terminal is a conversation: only warnings and errors are logged there unless asked
    return dict(default_locale=args.lang, timezone=args.tz, log_level=args.log_level or "WARNING")


def make_clock(settings, args: argparse.Namespace | None):
    """``--today``: the system clock shifted to that day (demos, reproducible checks)."""
    if args is None or not getattr(args, "today", None):
        return None
    from datetime import date

    from ..infra.clock import OffsetClock
    from ..infra.config import ConfigError

    try:
        return OffsetClock(date.fromisoformat(args.today), settings.timezone)
    except ValueError:
        raise ConfigError("--today expects YYYY-MM-DD") from None


def create(app, settings, args: argparse.Namespace | None = None) -> ConsoleBackend:
    """A console reading standard input (local trials; not for servers)."""
    return ConsoleBackend(app, locale=getattr(args, "lang", None))


async def greet(app, backend: ConsoleBackend) -> None:
    """What the user sees first: the welcome menu for a new user, pending reminders otherwise."""
    if app.store.get_session(backend.event().session_key) is None:
        await app.handle_event(backend.event(kind="start"))
    else:
        summary = app.services.pending_summary
        if summary is not None:
            for reply in await summary(backend.event()):
                await app.deliver(reply.addressed(backend.event().address))


def exit_code(backend: ConsoleBackend) -> int:
    """141 for `mes-bot console | head` (the reader went away); a stop (end of input, Ctrl-C,
    SIGTERM) is a clean one."""
    return EXIT_BROKEN_PIPE if backend.output_closed else 0


SPEC = BackendSpec(
    NAME,
    create=create,
    configure=configure,
    overrides=overrides,
    clock=make_clock,
    before_scheduler=greet,
    exit_code=exit_code,
)


async def run_console(app, backend: ConsoleBackend) -> int:
    """The console in-process on an App the caller made (and closes): the runner, no signals."""
    from ..ops.run import Runner

    runner = Runner(app.settings, app=app, backends={NAME: backend}, keep_store=True)
    return await runner.serve(install_signals=False)

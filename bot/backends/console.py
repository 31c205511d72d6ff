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

NAME = "console"
USER = "local"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", help="data folder (default: per-user XDG data dir)")
    p.add_argument("--config", help="TOML configuration file")
    p.add_argument("--today", help="pretend today is YYYY-MM-DD (demos, reproducible checks)")
    p.add_argument("--lang", choices=["fr", "en"], help="language (default: French)")
    p.add_argument("--tz", help="time zone, e.g. Europe/Paris, America/Cayenne")


class ConsoleBackend(BackendBase):
    name = NAME

    def __init__(self, app, stdin=None, stdout=None, locale: str | None = None):
        self.app = app
        if stdin is None and hasattr(sys.stdin, "reconfigure"):
            sys.stdin.reconfigure(errors="replace")   # bytes that are not UTF-8 become U+FFFD, never a crash
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.locale = locale
        self.interactive = bool(getattr(self.stdin, "isatty", lambda: False)())
        self.username = None
        self._print_lock = asyncio.Lock()
        self._reader = None
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
        return Event(backend=NAME, chat_id=USER, user_id=USER, text=text, kind=kind,
                     locale=self.locale, is_direct=True, **kw)

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        text = reply.numbered_text()
        if reply.attachment is not None:
            folder = self._exports()
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            path = folder / Path(reply.attachment.filename).name
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)   # the owner only
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
        self._stopped = True

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
            line = await asyncio.get_running_loop().run_in_executor(None, self.stdin.readline)
            line = None if line == "" else line.rstrip("\r\n")
        if line is None and self.interactive:
            self.stdout.write("\n")  # Ctrl-D: the shell's prompt starts on its own line
            self.stdout.flush()
        return line

    async def receive(self, handler) -> None:
        while not self.output_closed:
            line = await self._readline()
            if line is None:
                return
            if not line.strip():
                continue
            await handler(self.event(line))


def create(app, settings) -> ConsoleBackend:
    """For ``mes-bot run``: a console reading standard input (local trials; not for servers)."""
    return ConsoleBackend(app)


async def run_console(app, backend: ConsoleBackend) -> int:
    stop = asyncio.Event()
    app.add_backend(backend)
    # What the user sees first: the welcome menu for a new user, pending reminders otherwise.
    if app.store.get_session(backend.event().session_key) is None:
        await app.handle_event(backend.event(kind="start"))
    else:
        summary = app.services.pending_summary
        if summary is not None:
            for reply in await summary(backend.event()):
                await app.deliver(reply.addressed(backend.event().address))
    await app.tick()
    tickers = asyncio.create_task(app.run_tickers(stop, interval=min(app.settings.scheduler_interval, 30)))
    try:
        await backend.receive(app.handle_event)
    finally:
        stop.set()
        await tickers
    return EXIT_BROKEN_PIPE if backend.output_closed else 0


def main(args) -> int:
    from ..core.app import App
    from ..infra.clock import OffsetClock, SystemClock
    from ..infra.config import load_settings
    from datetime import date

    settings = load_settings(getattr(args, "config", None), data_dir=args.data_dir,
                             default_locale=args.lang, timezone=args.tz)
    clock = SystemClock()
    if args.today:
        try:
            clock = OffsetClock(date.fromisoformat(args.today), settings.timezone)
        except ValueError:
            print("mes-bot: --today expects YYYY-MM-DD", file=sys.stderr)
            return 2
    app = App(settings, clock=clock)
    backend = ConsoleBackend(app, locale=args.lang)
    try:
        return asyncio.run(run_console(app, backend))
    except KeyboardInterrupt:  # Ctrl-C: quit at once, the shell's prompt on its own line
        if not backend.output_closed:
            print(file=sys.stdout, flush=True)
        return 0 if backend.interactive else 130
    finally:
        app.store.close()

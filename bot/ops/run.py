"""The one start-up path: ``mes-bot run --config FILE`` (every configured backend in one process,
sharing one App: one database, one scheduler) and ``mes-bot <backend>`` (the same with that backend
alone, its own options given on the command line).

Start-up: configuration is loaded and checked (each backend's requirements, declared in its
package's ``SPEC``: :mod:`bot.ops.backend_spec`) before anything connects; the database opens
(taking the data folder's lock; pending migrations run, after a copy ``mes-bot.db.bak-v<N>``);
each backend is built by its ``SPEC.create``; the health endpoint starts if ``health_listen`` is
set; then the scheduler and every backend's ``receive`` run side by side.

Shutdown (SIGTERM or SIGINT), within ``shutdown_timeout`` (<= 9.5 s):
1. ``app.services.stopping`` (an ``asyncio.Event``) is set: long tickers (broadcasts) park
   at the next recipient; the scheduler finishes its current tick and stops; every service in
   ``app.services`` with an async ``stop()`` (the broadcaster's background waves) is stopped;
2. every backend's ``stop()`` is awaited: it stops receiving and lets in-flight handlers end;
3. what still runs is cancelled, the database is closed (WAL checkpoint).
Exit code 0 after a clean stop, 1 when a backend failed, 2 for a configuration error, or the
code its ``SPEC.failure`` gives (5: service unreachable at start), with one line on stderr.
A watchdog ends the process at 9.8 s whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
from typing import Any

log = logging.getLogger("mes_bot.run")

HARD_LIMIT = 9.8  # seconds after the stop request: the process is gone


def configure(p: argparse.ArgumentParser) -> None:
    """The options of ``mes-bot run``."""
    _common_options(p)
    p.add_argument("--backends", help="comma-separated backends, e.g. telegram,matrix (overrides)")


def configure_backend(p: argparse.ArgumentParser, name: str) -> None:
    """The options of ``mes-bot <name>``: the runner's own, then the backend's."""
    from .backend_spec import spec_of

    _common_options(p)
    spec_of(name).configure(p)


def _common_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="TOML configuration file (see deploy/config.example.toml)")
    p.add_argument("--data-dir", help="data folder (overrides the configuration; default: per-user XDG data dir)")
    p.add_argument("--health-listen", help="host:port for /healthz and /metrics (overrides)")
    p.add_argument("--log-level", help="DEBUG, INFO, WARNING (default INFO)")


class Runner:
    """Owns the App, the backends, the scheduler task and the health server."""

    def __init__(
        self,
        settings,
        app=None,
        backends: dict | None = None,
        args: argparse.Namespace | None = None,
        keep_store: bool = False,
    ):
        self.settings = settings
        self.app = app
        self.keep_store = keep_store  # the caller closes the database (an App it made and still reads)
        self._given_backends = backends  # tests may inject backend objects
        self.args = args  # the options of ``mes-bot <backend>`` (None under ``run``)
        self.specs: dict = {}  # name -> BackendSpec of the backends built here
        self.failure: tuple[int, str] | None = None  # exit code and line of the first known failure
        self.stop_event: asyncio.Event | None = None
        self.tasks: dict[str, asyncio.Task] = {}
        self.health: Any = None  # bot.ops.health.HealthServer when health_listen is set
        self.failed: list[str] = []
        self.ready: asyncio.Event | None = None  # set once everything runs

    def request_stop(self, reason: str = "signal") -> None:
        if self.stop_event is not None and not self.stop_event.is_set():
            log.info("shutdown_requested reason=%s", reason)
            self.stop_event.set()

    def build(self) -> None:
        from ..core.app import App
        from ..infra.config import BACKENDS
        from .backend_spec import spec_of

        if self.app is None:
            self.app = App(self.settings, clock=self._clock())
        if self._given_backends is not None:
            for name, b in self._given_backends.items():
                if name in BACKENDS:
                    self.specs[name] = spec_of(name)
                self.app.add_backend(b)
            return
        for name in self.settings.backends:
            spec = self.specs[name] = spec_of(name)
            self.app.add_backend(spec.create(self.app, self.settings, self.args))

    async def serve(self, install_signals: bool = True) -> int:
        loop = asyncio.get_running_loop()
        self.stop_event = asyncio.Event()
        self.ready = asyncio.Event()
        if install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.add_signal_handler(sig, self._on_signal, sig)
        self.build()
        app = self.app
        app.services.stopping = self.stop_event
        await self._start_health()
        for name, spec in self.specs.items():
            if spec.before_scheduler is not None:  # e.g. the console's welcome, before any reminder
                await spec.before_scheduler(app, app.backends[name])
        tick_stop = asyncio.Event()
        tickers = asyncio.create_task(app.run_tickers(tick_stop), name="tickers")
        self._start_backends()
        await self._watch()
        await self._shutdown(tick_stop, tickers)
        if self.failure is not None:
            return self.failure[0]
        if self.failed:
            return 1
        codes = [spec.exit_code(app.backends[name]) for name, spec in self.specs.items() if spec.exit_code]
        return next((c for c in codes if c), 0)

    async def _start_health(self) -> None:
        if not self.settings.health_listen:
            return
        from ..infra.config import parse_hostport
        from .health import HealthServer

        host, port = parse_hostport("health_listen", self.settings.health_listen)
        self.health = HealthServer(self.app, host, port, tasks=self.tasks)
        await self.health.start()

    def _start_backends(self) -> None:
        from ..infra import metrics

        app = self.app
        for name, backend in app.backends.items():
            self.tasks[name] = asyncio.create_task(backend.receive(app.handle_event), name=f"receive:{name}")
            metrics.set_gauge("backend_up", 1, backend=name)
        log.info("started backends=%s db_version=%s", ",".join(app.backends) or "-", app.store.schema_version)
        assert self.ready is not None
        self.ready.set()

    async def _watch(self) -> None:
        """Until a stop is asked, a backend fails, or every backend has finished."""
        assert self.stop_event is not None
        stop_wait = asyncio.create_task(self.stop_event.wait())
        pending = set(self.tasks.values())
        while not self.stop_event.is_set() and pending:
            done, _ = await asyncio.wait(pending | {stop_wait}, return_when=asyncio.FIRST_COMPLETED)
            for t in done:
                if t is stop_wait:
                    continue
                pending.discard(t)
                name = t.get_name().split(":", 1)[-1]
                exc = None if t.cancelled() else t.exception()
                if exc is not None:
                    self._failed(name, exc)
                else:
                    log.info("backend_finished backend=%s", name)
        if not self.stop_event.is_set():
            self.request_stop("all_backends_finished")
        stop_wait.cancel()

    def _clock(self):
        """A backend command's own clock (the console's ``--today``), else the system's."""
        from .backend_spec import spec_of

        for name in self.settings.backends:
            spec = spec_of(name)
            clock = spec.clock(self.settings, self.args) if spec.clock is not None else None
            if clock is not None:
                return clock
        return _make_clock()

    def _failed(self, name: str, exc: BaseException) -> None:
        """A backend stopped on an error: a failure its package knows (unreachable at start, a
        refused token) is one log line and one line for the terminal; anything else is logged
        with where it happened."""
        spec = self.specs.get(name)
        known = spec.failure(exc) if spec is not None else None
        if known is not None:
            log.error("backend_failed backend=%s exc=%s", name, type(exc).__name__)
            if self.failure is None:
                self.failure = known
        else:
            log.error(
                "backend_failed backend=%s exc=%s",
                name,
                type(exc).__name__,
                exc_info=(type(exc), exc, exc.__traceback__),
            )
        self.failed.append(name)
        self.request_stop("backend_failed")

    def _on_signal(self, sig) -> None:
        if self.stop_event is not None and self.stop_event.is_set():
            log.warning("second_signal sig=%s", signal.Signals(sig).name)
            return
        self.request_stop(signal.Signals(sig).name)
        _start_watchdog()

    async def _shutdown(self, tick_stop: asyncio.Event, tickers: asyncio.Task) -> None:
        loop = asyncio.get_running_loop()
        budget = float(self.settings.shutdown_timeout)
        deadline = loop.time() + budget
        if self.health is not None:
            self.health.stopping = True

        def left(share: float = 1.0) -> float:
            return max(0.05, min(deadline - loop.time(), budget * share))

        # 1. scheduler: finish the current tick (broadcasts park on app.services.stopping).
        tick_stop.set()
        if not await _wait(tickers, left(0.6)):
            log.warning("shutdown_tickers_cancelled")
        # 1b. services with an async stop() (e.g. the broadcaster's background waves).
        svc_stops = [
            asyncio.create_task(_safe_stop(svc, key))
            for key, svc in list(self.app.services.items())
            if key != "stopping" and asyncio.iscoroutinefunction(getattr(svc, "stop", None))
        ]
        if svc_stops:
            await asyncio.wait(svc_stops, timeout=left(0.3))
        # 2. backends: stop receiving, let in-flight handlers end.
        stops = [asyncio.create_task(_safe_stop(b)) for b in self.app.backends.values()]
        if stops:
            await asyncio.wait(stops, timeout=left())
        for name, task in self.tasks.items():
            if not await _wait(task, left()):
                log.warning("shutdown_receive_cancelled backend=%s", name)
        if self.health is not None:
            await self.health.stop()
        if not self.keep_store:
            try:
                self.app.store.close()
            except Exception:
                log.exception("store_close_failed")
        log.info("stopped failed=%d", len(self.failed))


def _make_clock():
    """The system clock; tests only: the time read from ``MESBOT_FAKE_CLOCK_FILE``, so
    whole-process tests move time without sleeping."""
    path = os.environ.get("MESBOT_FAKE_CLOCK_FILE")
    if path:
        from ..infra.clock import FileClock

        log.warning("fake_clock_in_use")
        return FileClock(path)
    from ..infra.clock import SystemClock

    return SystemClock()


async def _safe_stop(obj, what: str | None = None) -> None:
    try:
        await obj.stop()
    except Exception:
        log.exception("stop_failed what=%s", what or getattr(obj, "name", "?"))


async def _wait(task: asyncio.Task, timeout: float) -> bool:
    """Wait for ``task``; cancel it after ``timeout``.  True when it ended by itself."""
    if task.done():
        return True
    done, _ = await asyncio.wait({task}, timeout=timeout)
    if done:
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.error("task_failed task=%s exc=%s", task.get_name(), type(exc).__name__)
        return True
    task.cancel()
    await asyncio.wait({task}, timeout=0.5)
    return False


_watchdog_started = False


def _start_watchdog() -> None:
    """Whatever a library does, the process ends within 10 s of the stop request."""
    global _watchdog_started
    if _watchdog_started:
        return
    _watchdog_started = True

    def fire():
        log.error("shutdown_watchdog seconds=%s", HARD_LIMIT)
        _flush()
        os._exit(1)

    t = threading.Timer(HARD_LIMIT, fire)
    t.daemon = True
    t.start()


def _flush() -> None:
    for h in logging.getLogger().handlers:
        with contextlib.suppress(Exception):
            h.flush()
    for s in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            s.flush()


def run(settings, args: argparse.Namespace | None = None) -> int:
    """Run until stopped; returns the exit code.  Uses its own event loop so that a thread
    stuck in a blocking read (e.g. a terminal) cannot delay the exit."""
    runner = Runner(settings, args=args)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        code = loop.run_until_complete(runner.serve())
    finally:
        try:
            rest = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for t in rest:
                t.cancel()
            if rest:
                loop.run_until_complete(asyncio.wait(rest, timeout=1.0))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()
            asyncio.set_event_loop(None)
    if runner.failure is not None:
        print(f"mes-bot: {runner.failure[1]}", file=sys.stderr)
    return code


def main(args) -> int:
    """``mes-bot run``, or ``mes-bot <backend>`` when the command line set ``args._backend``."""
    from ..infra import log as botlog
    from ..infra.config import load_settings
    from .backend_spec import require_backends, spec_of

    name = getattr(args, "_backend", None)
    overrides = dict(
        data_dir=getattr(args, "data_dir", None),
        health_listen=getattr(args, "health_listen", None),
        log_level=getattr(args, "log_level", None),
        backends=getattr(args, "backends", None),
    )
    spec = spec_of(name) if name else None
    if spec is not None:
        overrides.update(spec.overrides(args), backends=name)
    settings = load_settings(getattr(args, "config", None), **overrides)
    if spec is not None and spec.adjust is not None:
        spec.adjust(settings, args)
    require_backends(settings)  # before connecting anywhere
    botlog.setup(settings.log_level, hash_key=settings.log_hash_key)
    from ..store import NewerDatabaseError

    try:
        code = run(settings, args if spec is not None else None)
    except NewerDatabaseError as e:
        log.error("database_too_new")
        print(f"mes-bot: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        from ..infra import health_state

        if health_state.is_storage_error(e):
            raise  # the command line says what is wrong with the data folder, in one line
        log.error("start_failed exc=%s", type(e).__name__)
        print(f"mes-bot: cannot start: {e}", file=sys.stderr)
        return 1
    _flush()
    # A thread blocked in a read (nothing in flight) must not keep the process alive.
    others = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    for t in others:
        t.join(timeout=0.2)
    if any(t.is_alive() for t in others):
        os._exit(code)
    return code

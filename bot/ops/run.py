"""``mes-bot run --config FILE``: every configured backend in one process, sharing one App
(one database, one scheduler).

Start-up: configuration is loaded and checked (:func:`bot.infra.config.require_backends`) before
anything connects; the database opens (pending migrations run, after a copy
``mes-bot.db.bak-v<N>``); each backend is built with ``bot.backends.<name>.create(app, settings)``;
the health endpoint starts if ``health_listen`` is set; then the scheduler and every backend's
``receive`` run side by side.

Shutdown (SIGTERM or SIGINT), within ``shutdown_timeout`` (<= 9.5 s):
1. ``app.services["stopping"]`` (an ``asyncio.Event``) is set: long tickers (broadcasts) park
   at the next recipient; the scheduler finishes its current tick and stops; every service in
   ``app.services`` with an async ``stop()`` (the broadcaster's background waves) is stopped;
2. every backend's ``stop()`` is awaited: it stops receiving and lets in-flight handlers end;
3. what still runs is cancelled, the database is closed (WAL checkpoint).
Exit code 0 after a clean stop, 1 when a backend failed, 2 for a configuration error.
A watchdog ends the process at 9.8 s whatever happens.
"""
from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import signal
import sys
import threading

log = logging.getLogger("mes_bot.run")

HARD_LIMIT = 9.8  # seconds after the stop request: the process is gone


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="TOML configuration file (see deploy/config.example.toml)")
    p.add_argument("--data-dir", help="data folder (overrides the configuration)")
    p.add_argument("--backends", help="comma-separated backends, e.g. telegram,matrix (overrides)")
    p.add_argument("--health-listen", help="host:port for /healthz and /metrics (overrides)")


class Runner:
    """Owns the App, the backends, the scheduler task and the health server."""

    def __init__(self, settings, app=None, backends: dict | None = None):
        self.settings = settings
        self.app = app
        self._given_backends = backends  # tests may inject backend objects
        self.stop_event: asyncio.Event | None = None
        self.tasks: dict[str, asyncio.Task] = {}
        self.health = None
        self.failed: list[str] = []
        self.ready: asyncio.Event | None = None  # set once everything runs

    def request_stop(self, reason: str = "signal") -> None:
        if self.stop_event is not None and not self.stop_event.is_set():
            log.info("shutdown_requested reason=%s", reason)
            self.stop_event.set()

    def build(self) -> None:
        from ..core.app import App

        if self.app is None:
            self.app = App(self.settings, clock=_make_clock())
        if self._given_backends is not None:
            for b in self._given_backends.values():
                self.app.add_backend(b)
            return
        for name in self.settings.backends:
            mod = importlib.import_module(f"bot.backends.{name}")
            create = getattr(mod, "create", None)
            if create is None:
                raise RuntimeError(f"backend {name!r} cannot run under 'mes-bot run' (no create())")
            self.app.add_backend(create(self.app, self.settings))

    async def serve(self, install_signals: bool = True) -> int:
        from ..infra import metrics
        from ..infra.config import parse_hostport

        loop = asyncio.get_running_loop()
        self.stop_event = asyncio.Event()
        self.ready = asyncio.Event()
        if install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                try:
                    loop.add_signal_handler(sig, self._on_signal, sig)
                except (NotImplementedError, RuntimeError):
                    pass
        self.build()
        app = self.app
        app.services["stopping"] = self.stop_event
        if self.settings.health_listen:
            from .health import HealthServer

            host, port = parse_hostport("health_listen", self.settings.health_listen)
            self.health = HealthServer(app, host, port, tasks=self.tasks)
            await self.health.start()
        tick_stop = asyncio.Event()
        tickers = asyncio.create_task(app.run_tickers(tick_stop), name="tickers")
        for name, backend in app.backends.items():
            self.tasks[name] = asyncio.create_task(backend.receive(app.handle_event), name=f"receive:{name}")
            metrics.set_gauge("backend_up", 1, backend=name)
        log.info("started backends=%s db_version=%s", ",".join(app.backends) or "-",
                 app.store.schema_version)
        self.ready.set()

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
                    log.error("backend_failed backend=%s exc=%s", name, type(exc).__name__,
                              exc_info=(type(exc), exc, exc.__traceback__))
                    self.failed.append(name)
                    self.request_stop("backend_failed")
                else:
                    log.info("backend_finished backend=%s", name)
        if not self.stop_event.is_set():
            self.request_stop("all_backends_finished")
        stop_wait.cancel()
        await self._shutdown(tick_stop, tickers)
        return 1 if self.failed else 0

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

        # 1. scheduler: finish the current tick (broadcasts park on app.services["stopping"]).
        tick_stop.set()
        if not await _wait(tickers, left(0.6)):
            log.warning("shutdown_tickers_cancelled")
        # 1b. services with an async stop() (e.g. the broadcaster's background waves).
        svc_stops = [asyncio.create_task(_safe_stop(svc, key)) for key, svc in list(self.app.services.items())
                     if key != "stopping" and asyncio.iscoroutinefunction(getattr(svc, "stop", None))]
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
        try:
            self.app.store.close()
        except Exception:
            log.exception("store_close_failed")
        log.info("stopped failed=%d", len(self.failed))


def _make_clock():
    """The system clock; tests only: the time read from ``MESBOT_FAKE_CLOCK_FILE`` (as
    ``mes-bot telegram`` does), so whole-process tests move time without sleeping."""
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
        try:
            h.flush()
        except Exception:
            pass
    for s in (sys.stdout, sys.stderr):
        try:
            s.flush()
        except Exception:
            pass


def run(settings) -> int:
    """Run until stopped; returns the exit code.  Uses its own event loop so that a thread
    stuck in a blocking read (e.g. a terminal) cannot delay the exit."""
    runner = Runner(settings)
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
    return code


def main(args) -> int:
    from ..infra import log as botlog
    from ..infra.config import load_settings, require_backends

    backends = getattr(args, "backends", None)
    settings = load_settings(getattr(args, "config", None), data_dir=getattr(args, "data_dir", None),
                             backends=backends, health_listen=getattr(args, "health_listen", None))
    require_backends(settings)  # before connecting anywhere
    botlog.setup(settings.log_level, hash_key=settings.log_hash_key)
    from ..store import NewerDatabaseError

    try:
        code = run(settings)
    except NewerDatabaseError as e:
        log.error("database_too_new")
        print(f"mes-bot: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        from ..infra import health_state

        if health_state.is_storage_error(e):
            raise   # the command line says what is wrong with the data folder, in one line
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

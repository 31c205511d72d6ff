"""Optional HTTP endpoint (``health_listen``, e.g. ``127.0.0.1:9108``) with two pages:

* ``GET /healthz``: 200 ``{"status": "ok", ...}`` when the scheduler ticked recently and every
  backend is connected; 503 otherwise (or while shutting down).  JSON, no user identifier.
* ``GET /metrics``: Prometheus text format (:func:`bot.infra.metrics.render`).

A tiny asyncio HTTP/1.0 server from the standard library: two read-only pages do not need a
web framework, and it starts in the same event loop as the backends.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time

from ..infra import metrics

log = logging.getLogger("mes_bot.health")

MAX_REQUEST = 8192


class HealthServer:
    def __init__(
        self,
        app,
        host: str = "127.0.0.1",
        port: int = 9108,
        tasks: dict | None = None,
        stale_after: float | None = None,
    ):
        self.app = app
        self.host, self.port = host, port
        self.tasks = tasks if tasks is not None else {}  # backend name -> receive task
        interval = float(app.settings.scheduler_interval)
        self.stale_after = stale_after or max(3 * interval, interval + 60.0)
        self.stopping = False
        self._server: asyncio.AbstractServer | None = None
        metrics.add_collector("health", self.collect)
        metrics.add_collector("store", self.collect_store)

    # -- state ---------------------------------------------------------------------------
    def backend_states(self) -> dict[str, bool]:
        out = {}
        for name, backend in self.app.backends.items():
            task = self.tasks.get(name)
            alive = task is None or not task.done()
            out[name] = bool(alive and backend.connected)
        return out

    def tick_age(self) -> float | None:
        last = metrics.get("scheduler_last_tick")
        if not last:
            return None
        return max(0.0, self.app.clock.now().timestamp() - last)

    def status(self) -> tuple[bool, dict]:
        age = self.tick_age()
        scheduler_ok = age is not None and age <= self.stale_after
        backends = self.backend_states()
        from ..infra import health_state

        storage = health_state.problems()
        ok = scheduler_ok and all(backends.values()) and not self.stopping and not storage
        body = {
            "status": "ok" if ok else ("stopping" if self.stopping else "unhealthy"),
            "scheduler": {
                "ok": scheduler_ok,
                "last_tick_age_s": None if age is None else round(age, 1),
                "stale_after_s": self.stale_after,
            },
            "backends": {k: ("up" if v else "down") for k, v in backends.items()},
            "storage": {"ok": not storage, "errors": storage},
        }
        return ok, body

    def collect(self) -> None:
        age = self.tick_age()
        interval = float(self.app.settings.scheduler_interval)
        if age is not None:
            metrics.set_gauge("scheduler_lag_seconds", max(0.0, age - interval))
        for name, up in self.backend_states().items():
            metrics.set_gauge("backend_up", 1 if up else 0, backend=name)
        metrics.set_gauge("up", 0 if self.stopping else 1)

    def collect_store(self) -> None:
        """Reminder queue gauges straight from the database (counts only)."""
        collect_store_gauges(self.app.store, self.app.clock.now().timestamp())

    # -- server --------------------------------------------------------------------------
    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        sock = self._server.sockets[0].getsockname()
        self.port = sock[1]
        log.info("health_listening host=%s port=%s", self.host, self.port)

    async def stop(self) -> None:
        metrics.remove_collector("health")
        metrics.remove_collector("store")
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):  # slow or failed: stopping goes on
                await asyncio.wait_for(self._server.wait_closed(), 1.0)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5.0)
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError):
                return
            if len(head) > MAX_REQUEST:
                return await self._reply(writer, 431, "text/plain", b"too large\n")
            line = head.split(b"\r\n", 1)[0].decode("latin-1")
            parts = line.split()
            if len(parts) != 3 or parts[0] not in ("GET", "HEAD"):
                return await self._reply(writer, 405, "text/plain", b"method not allowed\n")
            path = parts[1].split("?", 1)[0]
            head_only = parts[0] == "HEAD"
            if path == "/healthz":
                ok, body = self.status()
                data = (json.dumps(body) + "\n").encode()
                await self._reply(writer, 200 if ok else 503, "application/json", data, head_only)
            elif path == "/metrics":
                t0 = time.perf_counter()
                text = metrics.render()
                log.debug("metrics_rendered ms=%d", (time.perf_counter() - t0) * 1000)
                await self._reply(writer, 200, "text/plain; version=0.0.4; charset=utf-8", text.encode(), head_only)
            else:
                await self._reply(writer, 404, "text/plain", b"not found\n", head_only)
        except Exception:
            log.exception("health_request_failed")
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    @staticmethod
    async def _reply(writer, code: int, ctype: str, body: bytes, head_only: bool = False) -> None:
        reason = {
            200: "OK",
            404: "Not Found",
            405: "Method Not Allowed",
            431: "Too Large",
            503: "Service Unavailable",
        }.get(code, "")
        writer.write(
            f"HTTP/1.0 {code} {reason}\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\n"
            f"Connection: close\r\n\r\n".encode()
            + (b"" if head_only else body)
        )
        with contextlib.suppress(Exception):  # the client went away: nothing to tell it
            await asyncio.wait_for(writer.drain(), 5.0)


def collect_store_gauges(store, now_ts: float) -> None:
    """Set ``reminders_pending``, ``reminders_due``, ``reminders_sent`` (and failed) from the
    reminder queue, when the reminders table exists.  Counts only, never who."""
    try:
        counts = store.reminder_counts(now_ts)
        if counts is None:
            return
        pending, due, by_state = counts
    except Exception:
        log.warning("store_metrics_failed")
        return
    metrics.set_gauge("reminders_pending", pending)
    metrics.set_gauge("reminders_due", due)
    metrics.set_gauge("reminders_sent_stored", by_state.get("sent", 0))
    metrics.set_gauge("reminders_failed_stored", by_state.get("failed", 0))

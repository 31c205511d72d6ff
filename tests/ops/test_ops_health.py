"""Health and metrics over HTTP on 127.0.0.1, driven through the real Runner of `mes-bot run`
with an in-process backend; and the shutdown order (stop receiving, park in-flight work)."""

import asyncio
import json
import re
import socket
from datetime import timedelta

import pytest

from bot.infra import metrics
from bot.core.app import App
from bot.infra.clock import FakeClock
from bot.infra.config import Settings
from bot.core.types import BackendBase, Event, TransientError
from bot.ops.run import Runner


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def http_get(port: int, path: str) -> tuple[int, str]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    await writer.drain()
    data = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    head, _, body = data.decode().partition("\r\n\r\n")
    return int(head.split()[1]), body


class LoopBackend(BackendBase):
    """A backend whose receive() runs until stop(), like the real ones."""

    def __init__(self, name="fake"):
        self.name = name
        self.connected = True
        self.sent = []
        self.stopped = asyncio.Event()
        self.fail_next = 0
        self.inflight_done = 0

    async def receive(self, handler):
        self.handler = handler
        await self.stopped.wait()

    async def send(self, chat_id, reply):
        if self.fail_next:
            self.fail_next -= 1
            raise TransientError("boom")
        self.sent.append(chat_id)
        return str(len(self.sent))

    async def is_admin(self, user_id, chat_id):
        return False

    async def stop(self):
        self.stopped.set()


@pytest.fixture
def runner_env(tmp_path):
    metrics.reset()
    port = free_port()
    settings = Settings(
        data_dir=tmp_path, health_listen=f"127.0.0.1:{port}", scheduler_interval=30.0, shutdown_timeout=2.0
    )
    clock = FakeClock("2026-11-22T10:00:00+01:00")
    app = App(settings, clock=clock)
    tg, mx = LoopBackend("telegram"), LoopBackend("matrix")
    runner = Runner(settings, app=app, backends={"telegram": tg, "matrix": mx})
    yield runner, app, clock, port, tg, mx
    metrics.reset()


async def start(runner):
    task = asyncio.create_task(runner.serve(install_signals=False))
    for _ in range(200):
        if runner.ready is not None and runner.ready.is_set():
            break
        await asyncio.sleep(0.01)
    assert runner.ready.is_set()
    return task


async def test_healthz_and_metrics(runner_env):
    runner, app, clock, port, tg, mx = runner_env
    task = await start(runner)
    code, body = await http_get(port, "/healthz")
    data = json.loads(body)
    assert code == 200, body
    assert data["status"] == "ok" and data["backends"] == {"telegram": "up", "matrix": "up"}
    assert data["scheduler"]["ok"] is True

    # traffic: a person starts a chat on each backend; one send fails
    await tg.handler(Event(backend="telegram", chat_id="555001", user_id="555001", kind="start", locale="fr"))
    await mx.handler(Event(backend="matrix", chat_id="!room:hs", user_id="@alice:hs", kind="start", locale="fr"))
    mx.fail_next = 1  # counted as a failure, then retried by App.deliver (issue 16): nothing raised, nothing lost
    await mx.handler(Event(backend="matrix", chat_id="!room:hs", user_id="@alice:hs", text="/aide", locale="fr"))
    # a reminder waiting in the queue, one already due
    now = int(clock.now().timestamp())
    with app.store.transaction() as db:
        db.execute(
            "INSERT INTO deadlines (id, user_key, label, deadline, tz, until_at, schedule, created_at,"
            " updated_at) VALUES (1, 'telegram:555001', 'me', '2026-12-01', 'Europe/Paris', ?, '7,0',"
            " 'x', 'x')",
            [now + 10 * 86400],
        )
        db.execute(
            "INSERT INTO reminders (deadline_id, user_key, due_at, offset_days) VALUES (1, 'telegram:555001', ?, 7)",
            [now - 60],
        )
        db.execute(
            "INSERT INTO reminders (deadline_id, user_key, due_at, offset_days) VALUES (1, 'telegram:555001', ?, 0)",
            [now + 86400],
        )

    code, text = await http_get(port, "/metrics")
    assert code == 200
    assert "# TYPE mesbot_messages_in_total counter" in text
    assert re.search(r'^mesbot_messages_in_total\{backend="telegram"\} 1$', text, re.M)
    assert re.search(r'^mesbot_messages_in_total\{backend="matrix"\} 2$', text, re.M)
    assert re.search(r'^mesbot_messages_out_total\{backend="telegram"\} [1-9]', text, re.M)
    assert re.search(r'^mesbot_send_failures_total\{backend="matrix",kind="TransientError"\} 1$', text, re.M)
    assert re.search(r"^mesbot_reminders_pending 2$", text, re.M)
    assert re.search(r"^mesbot_reminders_due 1$", text, re.M)
    assert re.search(r"^mesbot_scheduler_lag_seconds 0$", text, re.M)
    assert re.search(r'^mesbot_backend_up\{backend="matrix"\} 1$', text, re.M)
    # no user identifier anywhere, only known label names
    for ident in ("555001", "alice", "!room"):
        assert ident not in text
    labels = set(re.findall(r'(\w+)="', text))
    assert labels <= metrics.ALLOWED_LABELS, labels

    # a backend loses its connection -> 503 naming it
    mx.connected = False
    code, body = await http_get(port, "/healthz")
    assert code == 503 and json.loads(body)["backends"]["matrix"] == "down"
    mx.connected = True
    # the scheduler has not ticked for 10 minutes (interval 30 s) -> 503 and a lag in /metrics
    clock._now += timedelta(minutes=10)
    code, body = await http_get(port, "/healthz")
    assert code == 503 and json.loads(body)["scheduler"]["ok"] is False
    code, text = await http_get(port, "/metrics")
    assert re.search(r"^mesbot_scheduler_lag_seconds 570$", text, re.M)
    # it ticks again -> healthy
    await app.tick()
    metrics.set_gauge("scheduler_last_tick", clock.now().timestamp())
    assert (await http_get(port, "/healthz"))[0] == 200
    assert (await http_get(port, "/nope"))[0] == 404

    runner.request_stop("test")
    assert await asyncio.wait_for(task, 5) == 0
    assert tg.stopped.is_set() and mx.stopped.is_set()
    with pytest.raises(OSError):
        await http_get(port, "/healthz")  # endpoint closed


def test_metric_labels_never_carry_user_ids():
    metrics.reset()
    metrics.inc("messages_in", backend="telegram", user_id="123456")
    text = metrics.render()
    assert "123456" not in text and "user_id" not in text
    assert 'mesbot_messages_in_total{backend="telegram"} 1' in text
    metrics.reset()


async def test_failed_backend_stops_everything_with_exit_1(runner_env):
    runner, app, clock, port, tg, mx = runner_env

    async def crash(handler):
        raise RuntimeError("M_UNKNOWN_TOKEN")

    mx.receive = crash
    task = asyncio.create_task(runner.serve(install_signals=False))
    assert await asyncio.wait_for(task, 5) == 1
    assert tg.stopped.is_set()  # the other backend was stopped cleanly


async def test_shutdown_parks_a_long_ticker_and_cancels_a_stuck_one(runner_env):
    """A broadcast-like ticker that checks app.services.stopping parks between sends;
    one that ignores it is cancelled within the budget; the whole stop stays under 10 s."""
    runner, app, clock, port, tg, mx = runner_env
    progress = {"sent": 0, "parked": False}
    started = asyncio.Event()

    async def wave(now):
        stopping = app.services.stopping
        started.set()
        for i in range(10_000):
            if stopping.is_set():
                progress["parked"] = True  # would persist the cursor here
                return i
            await app.send("telegram", f"c{i}", _reply())
            progress["sent"] += 1
            await asyncio.sleep(0.001)
        return 10_000

    app.add_ticker("wave", wave)
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(runner.serve(install_signals=False))
    await asyncio.wait_for(started.wait(), 5)
    await asyncio.sleep(0.05)
    t0 = loop.time()
    runner.request_stop("test")
    assert await asyncio.wait_for(task, 9) == 0
    assert loop.time() - t0 < 1.0
    assert progress["parked"] and progress["sent"] == len(tg.sent) > 0  # every send accounted for


async def test_stuck_ticker_is_cancelled_within_budget(runner_env):
    runner, app, clock, port, tg, mx = runner_env
    started = asyncio.Event()

    async def stuck(now):
        started.set()
        await asyncio.sleep(3600)

    app.add_ticker("stuck", stuck)
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(runner.serve(install_signals=False))
    await asyncio.wait_for(started.wait(), 5)
    t0 = loop.time()
    runner.request_stop("test")
    assert await asyncio.wait_for(task, 9) == 0
    assert loop.time() - t0 <= runner.settings.shutdown_timeout + 0.6


def _reply():
    from bot.core.types import Reply

    return Reply(key="x/y", text="hello")

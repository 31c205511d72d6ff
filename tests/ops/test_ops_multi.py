"""One real ``mes-bot run --config FILE`` process with two backends at once: Telegram (against
the emulator) and Matrix (against the test Synapse), one database, one scheduler.

A Telegram user and a Matrix human each send a date and get the deadline answer, each sets
reminders, the injected clock (``MESBOT_FAKE_CLOCK_FILE``) moves so the first reminder falls
due, and each reminder goes out on its own transport only.  ``/healthz`` and ``/metrics`` are
read over HTTP on 127.0.0.1; SIGTERM ends the process with exit code 0 within 10 s.
Secrets (bot token, Matrix password, log hash key) come from the environment, never the TOML."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support.synapse import make_human, unique
from tests.support.telegram_emulator import Emulator

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROOT = Path(__file__).resolve().parents[2]
START = "2026-11-05T10:00:00+01:00"  # "reçu le 3 novembre" is two days ago
FIRST_REMINDER = "2026-12-01T10:30:00+01:00"  # the 14-days-before reminder is due, no other
LAST_DAY = "15 décembre 2026"  # 3 Nov + 6 weeks


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MESBOT_", "TELEGRAM_", "MATRIX_", "CREDENTIALS_DIRECTORY"))
    }
    env.update(PYTHONPATH=str(ROOT), **extra)
    return env


def http_get(url: str) -> tuple[int, str]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=3) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


async def get(url: str) -> tuple[int, str]:
    """Blocking HTTP in a thread: the emulator runs in this event loop."""
    return await asyncio.to_thread(http_get, url)


async def wait_healthy(port: int, proc, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        assert proc.returncode is None, f"mes-bot run exited early with {proc.returncode}"
        try:
            status, body = await get(f"http://127.0.0.1:{port}/healthz")
            last = (status, body)
            if status == 200:
                return json.loads(body)
        except OSError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"never healthy: {last}")


def metric(text: str, name: str, **labels) -> float:
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    line = f"{name}{{{want}}}" if labels else name
    for row in text.splitlines():
        if row.split(" ")[0] == line:
            return float(row.split(" ")[1])
    return 0.0


async def test_one_process_telegram_and_matrix_share_db_and_scheduler(synapse, tmp_path):
    t0 = time.monotonic()
    emu = await Emulator().start()
    bot_uid, bot_pw = synapse.register(unique("bot"))
    port = free_port()
    data = tmp_path / "data"
    clock_file = tmp_path / "clock"
    clock_file.write_text(START)
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'data_dir = "{data}"\n'
        '[operations]\nbackends = ["telegram", "matrix"]\n'
        f'health_listen = "127.0.0.1:{port}"\nshutdown_timeout = 5.0\n'
        "[reminders]\nscheduler_interval = 0.2\n"
        f'[telegram]\napi_url = "{emu.base_url}"\nrate_chat = 50.0\n'
        f'[matrix]\nhomeserver = "{synapse.url}"\nuser = "{bot_uid}"\n',
        encoding="utf-8",
    )
    hash_key = "h" * 32
    env = clean_env(
        TELEGRAM_BOT_TOKEN=emu.token,
        MATRIX_PASSWORD=bot_pw,
        MESBOT_LOG_HASH_KEY=hash_key,
        MESBOT_FAKE_CLOCK_FILE=str(clock_file),
    )
    for secret in (emu.token, bot_pw, hash_key):
        assert secret not in cfg.read_text()
    err_path = tmp_path / "stderr.log"
    with open(err_path, "wb") as err_file:  # the child keeps its own copy
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            "--config",
            str(cfg),
            cwd=str(tmp_path),
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=err_file,
        )
    alice = None
    try:
        health = await wait_healthy(port, proc)
        assert health["backends"] == {"telegram": "up", "matrix": "up"}
        await emu.wait_until(lambda: emu.calls["getUpdates"] >= 1, 20, "telegram polling")

        # 1. a date on each transport, each answered on its own
        tg = 6101
        emu.private_message(tg, "reçu le 3 novembre")
        [answer] = await emu.wait_for(tg, 1, 15)
        assert "3 novembre 2026" in answer["text"] and LAST_DAY in answer["text"]

        alice = await make_human(synapse, tmp_path, "alice")
        room = await alice.create_room(invite=[bot_uid], direct=True, encrypted=True)
        welcome = await alice.wait_messages(room, 2, timeout=30)
        assert len(welcome) == 2 and not any(m["undecrypted"] for m in welcome), welcome
        await alice.send(room, "reçu le 3 novembre")
        [m_answer] = await alice.wait_messages(room, 1, timeout=20)
        assert "3 novembre 2026" in m_answer["body"] and LAST_DAY in m_answer["body"]
        assert "1. " in m_answer["body"]  # numbered choices, not Telegram buttons

        # 2. reminders on both: Telegram presses buttons, Matrix types the numbers
        n = 1
        for label in ("rappels", "Oui", "moi", "Par défaut"):
            emu.press(tg, label=label)
            n = len(await emu.wait_for(tg, n + 1, 10))
        assert "5 rappels" in emu.sent[tg][-1]["text"]
        for choice, expect in (
            ("Recevoir des rappels", "1. Oui"),
            ("1", "1. moi"),
            ("1", "1. Par défaut"),
            ("1", "5 rappels"),
        ):
            await alice.send(room, choice)
            got = await alice.wait_messages(room, 1, timeout=20)
            assert got and expect in got[-1]["body"], (choice, [m["body"] for m in got])
        db = sqlite3.connect(f"file:{data / 'mes-bot.db'}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT user_key, sent_at FROM reminders").fetchall()
        finally:
            db.close()
        keys = {k.split(":", 1)[0] for k, _ in rows}
        assert keys == {"telegram", "matrix"} and len(rows) == 10  # one database for both
        assert all(sent is None for _, sent in rows)

        # nothing due yet: a few scheduler ticks send nothing anywhere
        await asyncio.sleep(0.6)
        tg_before = {c: len(v) for c, v in emu.sent.items()}
        assert await alice.wait_messages(None, 1, timeout=0.5) == []
        assert {c: len(v) for c, v in emu.sent.items()} == tg_before

        # move the injected clock: the first reminder of each person falls due
        clock_file.write_text(FIRST_REMINDER)
        [tg_reminder] = (await emu.wait_for(tg, tg_before[tg] + 1, 15))[tg_before[tg] :]
        assert LAST_DAY in tg_reminder["text"]
        m_reminders = await alice.wait_messages(None, 1, timeout=20)
        assert len(m_reminders) == 1 and m_reminders[0]["room_id"] == room
        assert LAST_DAY in m_reminders[0]["body"] and m_reminders[0]["sender"] == bot_uid
        # each reminder on its own transport only: exactly one more message per person
        await asyncio.sleep(0.6)
        assert {c: len(v) for c, v in emu.sent.items()} == {**tg_before, tg: tg_before[tg] + 1}
        assert await alice.wait_messages(None, 1, timeout=1.0) == []

        # 3. health and metrics
        health = await wait_healthy(port, proc, timeout=5)
        assert health["status"] == "ok" and health["scheduler"]["ok"]
        assert health["backends"] == {"telegram": "up", "matrix": "up"}
        status, text = await get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200
        for backend in ("telegram", "matrix"):
            assert metric(text, "mesbot_messages_in_total", backend=backend) >= 5, (backend, text)
            assert metric(text, "mesbot_messages_out_total", backend=backend) >= 6, (backend, text)
            assert metric(text, "mesbot_backend_up", backend=backend) == 1
        assert metric(text, "mesbot_reminders_sent_total") == 2
        labels = " ".join(re.findall(r"\{([^}]*)\}", text))
        for ident in (str(tg), alice.user_id, alice.user_id.split(":")[0][1:], room, bot_uid):
            assert ident not in labels and ident not in text, ident

        # 4. SIGTERM: exit 0 within 10 s
        t_stop = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 12)
        stop_s = time.monotonic() - t_stop
        assert proc.returncode == 0
        assert stop_s < 10, stop_s
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        if alice is not None:
            await alice.close()
        await emu.stop()
    log = err_path.read_text(encoding="utf-8")
    events = [json.loads(line)["event"] for line in log.splitlines() if line.startswith("{")]
    assert "started" in events and "stopped" in events
    for secret in ("reçu le 3 novembre", emu.token, bot_pw, hash_key, alice.user_id, str(tg)):
        assert secret not in log, secret
    assert time.monotonic() - t0 < 60


def test_matrix_without_credentials_fails_before_connecting(tmp_path):
    """`mes-bot run` with the matrix backend (next to telegram) and no password or access token:
    exit 2 with a message naming the setting; no connection was made to either server (both
    point at a listening socket that counts connections) and no database was created."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    try:
        cfg = tmp_path / "config.toml"
        cfg.write_text(
            f'data_dir = "{tmp_path / "data"}"\n[operations]\nbackends = ["telegram", "matrix"]\n'
            f'[telegram]\napi_url = "http://127.0.0.1:{port}/bot"\n'
            f'[matrix]\nhomeserver = "http://127.0.0.1:{port}"\nuser = "@mesbot:mesbot.test"\n'
        )
        r = subprocess.run(
            [sys.executable, "-m", "bot", "run", "--config", str(cfg)],
            cwd=str(tmp_path),
            env=clean_env(TELEGRAM_BOT_TOKEN="123456:ABCdef_ghi-JKL"),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert r.returncode == 2, r.stderr
        assert "'matrix_password'" in r.stderr and "MATRIX_PASSWORD" in r.stderr
        assert "MATRIX_ACCESS_TOKEN" in r.stderr
        assert "Traceback" not in r.stderr
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
        assert not (tmp_path / "data" / "mes-bot.db").exists()
    finally:
        listener.close()


async def test_health_reports_a_backend_that_lost_its_connection(tmp_path):
    """/healthz must not call a backend connected just because its loop still runs: when
    getUpdates fails (network or 5xx), it turns unhealthy, and healthy again once polls succeed."""
    from bot.infra import metrics
    from bot.ops.health import HealthServer
    from tests.support.telegram_env import start_env

    env = await start_env(tmp_path)
    try:
        metrics.set_gauge("scheduler_last_tick", env.clock.now().timestamp())
        health = HealthServer(env.app, tasks={"telegram": env.task})
        await env.emu.wait_until(lambda: env.backend.connected, 10, "first poll")
        assert health.status()[0] is True
        env.emu.fail(502, method="getUpdates", times=None)
        await env.emu.wait_until(lambda: not env.backend.connected, 10, "poll failure seen")
        ok, body = health.status()
        assert ok is False and body["status"] == "unhealthy"
        env.emu.clear_faults()
        await env.emu.wait_until(lambda: env.backend.connected, 15, "reconnected")
        assert health.status()[0] is True
    finally:
        await env.stop()
        await env.emu.stop()

"""The whole bot as a separate process (`python -m bot telegram --api-url ...`) against the
emulator: start, a date, a reminder fired by moving the injected clock (no sleeping for
weeks), private logs, clean stop on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.support.telegram_emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]


async def test_bot_process_start_date_reminder_and_sigterm(tmp_path):
    emu = await Emulator().start()
    clock_file = tmp_path / "clock"
    clock_file.write_text("2026-11-22T10:00:00+01:00")
    env = dict(
        os.environ,
        MESBOT_FAKE_CLOCK_FILE=str(clock_file),
        MESBOT_SCHEDULER_INTERVAL="0.2",
        TELEGRAM_BOT_TOKEN=emu.token,
        PYTHONPATH=str(ROOT),
    )
    env.pop("MESBOT_TELEGRAM_TOKEN", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "telegram",
        "--api-url",
        emu.base_url,
        "--data-dir",
        str(tmp_path / "data"),
        cwd=str(ROOT),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await emu.wait_until(lambda: emu.calls["getUpdates"] >= 1 or proc.returncode is not None, 20, "polling")
        assert proc.returncode is None
        u = 501
        emu.tap_start(u)
        n = len(await emu.wait_for(u, 2, 10))
        emu.press(u, label="reçu")
        n = len(await emu.wait_for(u, n + 1, 10))
        emu.private_message(u, "reçu le 20 novembre")
        n = len(await emu.wait_for(u, n + 1, 10))
        assert "1er janvier 2027" in emu.sent[u][-1]["text"]
        for label in ("rappels", "Oui", "moi", "Par défaut"):
            emu.press(u, label=label)
            n = len(await emu.wait_for(u, n + 1, 10))
        await asyncio.sleep(0.5)  # a few ticks: nothing due yet
        n = len(emu.sent[u])
        clock_file.write_text("2026-12-18T10:30:00+01:00")
        msgs = await emu.wait_for(u, n + 1, 10)
        assert "1er janvier 2027" in msgs[-1]["text"]
        assert all(m.get("_parse_mode") == "HTML" for m in msgs if "_raw" in m)
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 15)
        assert proc.returncode == 0
        err = (await proc.stderr.read()).decode()
        assert "telegram_stopped" in err
        for secret in ("reçu le 20 novembre", "User501", emu.token):
            assert secret not in err
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await emu.stop()


async def test_refused_token_exits_with_a_clear_message(tmp_path):
    emu = await Emulator().start()
    try:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        env.pop("MESBOT_FAKE_CLOCK_FILE", None)
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "telegram",
            "--token",
            "42:not-the-right-token",
            "--api-url",
            emu.base_url,
            "--data-dir",
            str(tmp_path / "data"),
            cwd=str(ROOT),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _out, err = await asyncio.wait_for(proc.communicate(), 20)
        assert proc.returncode == 2
        assert "refused the token" in err.decode()
        assert "not-the-right-token" not in err.decode()
    finally:
        await emu.stop()

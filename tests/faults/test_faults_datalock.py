"""Issue 16, point 2: two real processes on one data folder.  The first (a Telegram bot polling
the emulator) holds the folder; every command that writes refuses to start with one clear
line and exit code 3, before connecting anywhere; backup and check still work beside it."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.support.telegram_emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]


async def run_cmd(args, env, stdin=b""):
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=str(ROOT),
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(stdin), 60)
    return proc.returncode, out.decode(), err.decode()


async def test_second_process_on_one_data_folder_refuses_to_start(tmp_path):
    emu = await Emulator().start()
    data = tmp_path / "data"
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=emu.token, PYTHONPATH=str(ROOT))
    for k in ("MESBOT_FAKE_CLOCK_FILE", "MESBOT_DATA_DIR", "MESBOT_BACKENDS"):
        env.pop(k, None)
    first = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "telegram",
        "--api-url",
        emu.base_url,
        "--data-dir",
        str(data),
        cwd=str(ROOT),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await emu.wait_until(lambda: emu.calls["getUpdates"] >= 1 or first.returncode is not None, 30, "polling")
        assert first.returncode is None
        get_me = emu.calls["getMe"]
        writers = [
            ["telegram", "--api-url", emu.base_url, "--data-dir", str(data)],
            ["run", "--backends", "telegram", "--data-dir", str(data)],
            [
                "matrix",
                "--homeserver",
                "http://127.0.0.1:9",
                "--user",
                "@bot:example.org",
                "--password",
                "pw",
                "--data-dir",
                str(data),
            ],
            ["console", "--data-dir", str(data)],
        ]
        for args in writers:
            code, out, err = await run_cmd(args, env, b"menu\n")
            lines = [ln for ln in err.splitlines() if ln.strip()]
            assert code == 3, (args[0], code, err[-500:])
            assert lines == [lines[0]] and "already running on the data folder" in lines[0], (args[0], err)
            assert str(first.pid) in lines[0]
            assert "Traceback" not in err and out == ""
        assert emu.calls["getMe"] == get_me  # refused before connecting to anything
        # read-only commands work beside the running bot
        code, out, err = await run_cmd(["backup", str(tmp_path / "copy.db"), "--data-dir", str(data)], env)
        assert code == 0, err
        assert (tmp_path / "copy.db").is_file()
        code, out, err = await run_cmd(
            ["check", "--backends", "telegram", "--data-dir", str(data)],
            dict(env, MESBOT_TELEGRAM_API_URL=emu.base_url),
        )
        assert "database" in out and "FAIL  database" not in out, out
        # the bot that holds the folder is unaffected and still answers
        emu.tap_start(777)
        await emu.wait_for(777, 1, 20)
    finally:
        if first.returncode is None:
            first.terminate()
            await asyncio.wait_for(first.wait(), 20)
        await emu.stop()
    # once it stopped, the folder is free again
    code, out, err = await run_cmd(["console", "--data-dir", str(data)], env, b"")
    assert code == 0, err

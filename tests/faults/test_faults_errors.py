"""Issue 16, point 9: clear errors.  A real full disk (a small tmpfs) during a conversation and an
/oubli; a truncated database and an immutable file at start for every command; an unreachable
Bot API; absurd settings; bytes that are not UTF-8 on the console; --token-file."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.infra import health_state, metrics
from bot.infra.config import ConfigError, load_settings
from bot.ops.health import HealthServer
from bot.store import Store
from tests.support.telegram_env import close_env, settle, start_env

ROOT = Path(__file__).resolve().parents[2]


def base_env(**extra) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), **extra)
    for k in ("MESBOT_FAKE_CLOCK_FILE", "MESBOT_DATA_DIR", "MESBOT_BACKENDS", "TELEGRAM_BOT_TOKEN"):
        env.pop(k, None)
    return env


async def run_cmd(args, env=None, stdin=b"", timeout=60):
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=str(ROOT),
        env=env or base_env(),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(stdin), timeout)
    return proc.returncode, out.decode(), err.decode()


def make_db(data: Path) -> Path:
    store = Store(data / "mes-bot.db")
    for i in range(400):  # enough pages that cutting the file loses some
        store.touch_user(f"console:u{i}", "console", f"c{i}")
    store.checkpoint()
    store.close()
    return data / "mes-bot.db"


def writer_commands(data: Path) -> dict[str, list[str]]:
    return {
        "console": ["console", "--data-dir", str(data)],
        "telegram": ["telegram", "--token", "1:x", "--api-url", "http://127.0.0.1:9/bot", "--data-dir", str(data)],
        "run": ["run", "--backends", "console", "--data-dir", str(data)],
        "matrix": [
            "matrix",
            "--homeserver",
            "http://127.0.0.1:9",
            "--user",
            "@b:example.org",
            "--password",
            "p",
            "--data-dir",
            str(data),
        ],
    }


def assert_one_clear_line(code, err, want_code, words):
    assert code == want_code, (code, err[-800:])
    assert "Traceback" not in err, err[-800:]
    last = err.strip().splitlines()[-1]
    assert last.startswith("mes-bot: ") and words in last, err[-800:]


async def test_truncated_database_refused_by_every_command_with_one_line(tmp_path):
    data = tmp_path / "data"
    db = make_db(data)
    size = db.stat().st_size
    with open(db, "r+b") as f:
        f.truncate(size // 2)
    for args in writer_commands(data).values():
        code, _out, err = await run_cmd(args)
        assert_one_clear_line(code, err, 4, "damaged")
    code, out, _err = await run_cmd(["check", "--backends", "console", "--data-dir", str(data)])
    assert code == 1 and "FAIL  database" in out and "damaged" in out, out


async def test_immutable_database_refused_at_start_and_detected_by_check(tmp_path):
    data = tmp_path / "data"
    db = make_db(data)
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(db)]).returncode != 0:
        pytest.skip("chattr +i is not allowed here")
    try:
        for args in writer_commands(data).values():
            code, _out, err = await run_cmd(args)
            assert_one_clear_line(code, err, 4, "not writable")
        code, out, _err = await run_cmd(["check", "--backends", "console", "--data-dir", str(data)])
        assert code == 1 and "FAIL  database" in out and "not writable" in out, out
    finally:
        subprocess.run(["chattr", "-i", str(db)])


async def test_unreachable_bot_api_or_homeserver_at_start_exits_5_with_one_line(tmp_path):
    env = base_env(MESBOT_CONNECT_TIMEOUT="1")
    code, _out, err = await run_cmd(
        ["telegram", "--token", "1:x", "--api-url", "http://127.0.0.1:9/bot", "--data-dir", str(tmp_path / "data")], env
    )
    assert_one_clear_line(code, err, 5, "cannot reach the Bot API")
    assert "1:x" not in err
    code, _out, err = await run_cmd(
        [
            "matrix",
            "--homeserver",
            "http://127.0.0.1:9",
            "--user",
            "@b:example.org",
            "--password",
            "p",
            "--data-dir",
            str(tmp_path / "data2"),
        ],
        env,
    )
    assert_one_clear_line(code, err, 5, "cannot reach the homeserver")


async def test_token_file_and_absurd_settings(tmp_path):
    token = tmp_path / "token"
    token.write_text("123:abc\n")
    os.chmod(token, 0o600)
    env = base_env(MESBOT_CONNECT_TIMEOUT="1")
    code, _out, err = await run_cmd(
        [
            "telegram",
            "--token-file",
            str(token),
            "--api-url",
            "http://127.0.0.1:9/bot",
            "--data-dir",
            str(tmp_path / "data"),
        ],
        env,
    )
    assert code == 5 and "123:abc" not in err  # the token came from the file, and is never printed
    for bad in (
        {"MESBOT_MARGIN_DAYS": "99999999999999999999"},
        {"MESBOT_TELEGRAM_RATE_GLOBAL": "inf"},
        {"MESBOT_TELEGRAM_RATE_CHAT": "nan"},
        {"MESBOT_DATA_DIR": ""},
        {"MESBOT_REMINDER_OFFSETS": "14,9999"},
        {"MESBOT_REPLY_STALE_AFTER": "inf"},
    ):
        with pytest.raises(ConfigError):
            load_settings(env=bad)
    for text in ('data_dir = ""\n', "data_dir = 5\n", "[reminders]\nmargin_days = 99999999999999999999\n"):
        cfg = tmp_path / "bad.toml"
        cfg.write_text(text)
        code, _out, err = await run_cmd(
            ["console", "--config", str(cfg), "--data-dir", str(tmp_path / "d")]
            if "data_dir" not in text
            else ["console", "--config", str(cfg)]
        )
        assert_one_clear_line(code, err, 2, "configuration error")


async def test_console_survives_bytes_that_are_not_utf8(tmp_path):
    code, out, err = await run_cmd(
        ["console", "--data-dir", str(tmp_path / "data")], stdin=b"\xff\xfe\xfa bonjour \xc3\x28\n/aide\n"
    )
    assert code == 0, err[-800:]
    assert "Traceback" not in err and "Commandes" in out
    code, out, err = await run_cmd(
        ["run", "--backends", "console", "--data-dir", str(tmp_path / "data2")], stdin=b"\xff\xfe\xfa bonjour\n/aide\n"
    )
    assert code == 0 and "Commandes" in out, err[-800:]


@pytest.fixture
def small_disk(tmp_path):
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if (
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)], capture_output=True).returncode
        != 0
    ):
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)])


def fill(folder: Path) -> Path:
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as f:
        try:
            for _ in range(100_000):  # bounded: 3 MiB disk
                f.write(b"\0" * 4096)
                f.flush()
        except OSError:
            pass
    return filler


async def test_disk_full_is_told_to_the_operator_and_a_failed_forget_to_the_person(small_disk, caplog):
    health_state.reset()
    env = await start_env(small_disk)
    emu, app = env.emu, env.app
    try:
        emu.tap_start(3030)
        n = len(await settle(emu, 3030, 2))
        emu.private_message(3030, "/oubli")
        n = len(await settle(emu, 3030, n + 1))
        before = metrics.get("storage_errors", kind="disk_full")
        fill(small_disk)
        caplog.set_level(logging.INFO, logger="mes_bot")
        emu.press(3030, label=app.renderer.label("menu.forget_yes", "fr"))
        got = await settle(emu, 3030, n + 1)
        assert got[-1]["text"] == app.renderer.render("menu/forget_failed", "fr")  # told it did not happen
        assert app.store.get_user("telegram:3030") is not None  # and it did not
        lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("storage_failed")]
        assert lines and "kind=disk_full" in lines[0] and "disk" in lines[0]
        assert metrics.get("storage_errors", kind="disk_full") > before
        ok, body = HealthServer(app, port=0).status()
        assert not ok and body["storage"] == {"ok": False, "errors": ["disk_full"]}
        metrics.remove_collector("health"), metrics.remove_collector("store")
        (small_disk / "filler").unlink()
    finally:
        health_state.reset()
        await close_env(env)

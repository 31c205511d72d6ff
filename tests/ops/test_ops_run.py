"""`mes-bot run` as a real process: the start command of the container (``mes-bot run --config``),
its HEALTHCHECK (``mes-bot check --live``), JSON logs without identifiers, and SIGTERM -> exit 0
within 10 s."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MESBOT_", "TELEGRAM_", "MATRIX_"))}
    env.update(extra)
    return env


def wait_healthy(port: int, proc, seconds: float = 30) -> dict:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"bot exited early: {proc.returncode} {proc.stderr.read().decode()}")
        try:
            with opener.open(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                return json.loads(r.read())
        except OSError:
            time.sleep(0.1)
    raise AssertionError("never healthy")


def test_run_console_health_live_check_and_sigterm(tmp_path):
    port = free_port()
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'data_dir = "{tmp_path / "data"}"\n[operations]\nbackends = ["console"]\n'
        f'health_listen = "127.0.0.1:{port}"\nshutdown_timeout = 2.0\n'
    )
    env = clean_env(MESBOT_LOG_HASH_KEY="k" * 32)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--config", str(cfg)],
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        health = wait_healthy(port, proc)
        assert health["status"] == "ok" and health["backends"] == {"console": "up"}
        proc.stdin.write(b"/aide\n")
        proc.stdin.flush()
        # the container's HEALTHCHECK command
        live = subprocess.run(
            [sys.executable, "-m", "bot", "check", "--config", str(cfg), "--live"],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert live.returncode == 0, live.stdout + live.stderr
        assert "HTTP 200" in live.stdout
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=10)
        elapsed = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert rc == 0
    assert elapsed < 10
    out = proc.stdout.read().decode()
    assert out.strip(), "the console answered /aide"
    lines = [json.loads(line) for line in proc.stderr.read().decode().splitlines() if line.strip()]
    events = [line["event"] for line in lines]
    assert "started" in events and "shutdown_requested" in events and "stopped" in events
    assert all({"ts", "level", "logger", "event"} <= set(line) for line in lines)
    assert (tmp_path / "data" / "mes-bot.db").exists()
    # the health check fails once the bot is gone
    dead = subprocess.run(
        [sys.executable, "-m", "bot", "check", "--config", str(cfg), "--live", "--timeout", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert dead.returncode == 1 and "FAIL" in dead.stdout


def test_dockerfile_uses_the_tested_commands():
    docker = (ROOT / "deploy" / "Dockerfile").read_text()
    assert 'CMD ["mes-bot", "run", "--config", "/etc/mes-bot/config.toml"]' in docker
    assert '"check", "--config", "/etc/mes-bot/config.toml", "--live"' in docker
    assert "USER mesbot" in docker and 'VOLUME ["/data"]' in docker and "HEALTHCHECK" in docker
    unit = (ROOT / "deploy" / "mes-bot.service").read_text()
    for directive in (
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "StateDirectory=mes-bot",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "DynamicUser=yes",
        "KillSignal=SIGTERM",
        "ExecStart=/opt/mes-bot/bin/mes-bot run --config /etc/mes-bot/config.toml",
    ):
        assert directive in unit, directive
    compose = (ROOT / "deploy" / "compose.yaml").read_text()
    assert "stop_grace_period" in compose and "/data" in compose


def test_run_refuses_a_database_from_a_newer_version(tmp_path):
    import sqlite3

    from bot.store import Store
    from bot.store.base import code_schema_version

    data = tmp_path / "data"
    Store(data / "mes-bot.db").close()
    conn = sqlite3.connect(data / "mes-bot.db")
    conn.execute(f"PRAGMA user_version = {code_schema_version() + 1}")
    conn.close()
    r = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--backends", "console", "--data-dir", str(data)],
        env=clean_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert r.returncode == 2
    assert "newer than this mes-bot" in r.stderr

"""SIGTERM to a real `mes-bot run` (Telegram backend, real python-telegram-bot, against the
Bot API emulator) in the middle of a broadcast wave: exit 0 within 10 s, nothing lost; a restart
finishes the wave."""

import asyncio
import json
import os
import signal
import sys
import time


from bot.store import Store
from tests.support.telegram_emulator import Emulator

N = 120


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MESBOT_", "TELEGRAM_", "MATRIX_"))}
    env.update(extra)
    return env


async def start_bot(cfg, env):
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--config",
        str(cfg),
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def sigterm(proc) -> tuple[int, float, list[dict]]:
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        rc = await asyncio.wait_for(proc.wait(), 10)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        raise AssertionError("did not exit within 10 s of SIGTERM") from None
    elapsed = time.monotonic() - t0
    err = (await proc.stderr.read()).decode()
    lines = [json.loads(line) for line in err.splitlines() if line.strip()]
    return rc, elapsed, lines


async def test_sigterm_during_broadcast_loses_nothing(tmp_path):
    emu = await Emulator().start()
    users = list(range(5000, 5000 + N))
    emu.add_users(users)
    data = tmp_path / "data"
    store = Store(data / "mes-bot.db")
    coll = store.ensure_collective("telegram", "-1001234")
    store.add_followers_bulk(coll["id"], [(f"telegram:{u}", "telegram", str(u), "fr") for u in users])
    bid = store.create_broadcast(
        coll["id"], "basics", custom_text=None, requested_by="telegram:1", needs_approval=False
    )["id"]
    store.close()
    cfg = tmp_path / "config.toml"
    # 40 messages/s: the wave of 120 takes about 3 s, long enough to be interrupted.
    cfg.write_text(
        f'data_dir = "{data}"\nbackends = ["telegram"]\nscheduler_interval = 1.0\n'
        f'shutdown_timeout = 5.0\n[telegram]\napi_url = "{emu.base_url}"\nrate_global = 40.0\n'
    )
    env = clean_env(TELEGRAM_BOT_TOKEN=emu.token, MESBOT_LOG_HASH_KEY="x" * 32)

    def received() -> dict[int, int]:
        return {u: len(emu.sent[u]) for u in users}

    try:
        proc = await start_bot(cfg, env)
        await emu.wait_until(lambda: sum(received().values()) >= 25, 30, "wave under way")
        rc, elapsed, lines = await sigterm(proc)
        assert rc == 0, lines[-5:]
        assert elapsed < 10
        got = received()
        reached = sum(1 for n in got.values() if n)
        assert 25 <= reached < N, "interrupted in the middle of the wave"
        events = [line["event"] for line in lines]
        assert "shutdown_requested" in events and "stopped" in events
        assert all("5000" not in json.dumps(line) for line in lines)  # no user id in logs

        # What the database knows after the stop: every follower is still accounted for, and
        # everything that reached a person is recorded (at most the one in flight as "sending").
        s = Store(data / "mes-bot.db")
        try:
            rows = s.db.execute("SELECT chat_id, status FROM deliveries WHERE broadcast_id = ?", [bid]).fetchall()
        finally:
            s.close()
        status = {int(c): st for c, st in rows}
        assert len(status) == N
        # "sent" is never claimed for someone who got nothing (that would be a loss) ...
        assert all(got[u] for u in users if status[u] == "sent")
        # ... and at most the one message in flight at the stop is delivered without being
        # recorded as sent (it will be sent again: at most one duplicate).
        in_flight = [u for u in users if got[u] and status[u] != "sent"]
        assert len(in_flight) <= 1, in_flight

        # Restart: the wave resumes and finishes; everyone got it, at most one duplicate.
        proc = await start_bot(cfg, env)
        await emu.wait_until(lambda: all(received().values()), 30, "wave finished")
        s = Store(data / "mes-bot.db")
        try:
            for _ in range(40):
                b = s.get_broadcast(bid)
                if b["status"] == "done":
                    break
                await asyncio.sleep(0.05)
        finally:
            s.close()
        rc2, _, _ = await sigterm(proc)
        assert rc2 == 0
        final = received()
        duplicates = sum(n - 1 for n in final.values() if n > 1)
        assert min(final.values()) >= 1  # nothing lost
        assert duplicates <= 1, {u: n for u, n in final.items() if n > 1}
        assert b["status"] == "done" and b["sent"] == N
    finally:
        await emu.stop()

"""Broadcast benchmark: one wave to N followers through the real bot code (store queue,
Broadcaster, TelegramBackend with its pacer) and the real python-telegram-bot client, over
HTTP, to the Bot API emulator running in a separate process (so the CPU figure is the bot's)
that enforces Telegram's limits and counts its 429s.

    python bench/broadcast.py [--recipients N] [--limit MSGS_PER_S]

Defaults: 100000 recipients at 30 msg/s (about 55 minutes).  Above 30 msg/s the wave uses
paid broadcast (``allow_paid_broadcast``) at the given rate.  Ends with exactly one line:

    broadcast: N recipients, sent S, lost L, duplicates D, 429s R, rate X msg/s (limit Y msg/s), cpu C s/1000 msgs
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
# bench/telegram.py would shadow the `telegram` library: keep this folder off the path
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

FIRST_USER = 10_000_000


def _emulator_process(conn, limit: float, paid: bool, n_users: int) -> None:
    from tests.support.telegram_emulator import Emulator, Limits

    async def run():
        limits = (
            Limits(global_rate=30.0, global_burst=30.0, paid_rate=limit)
            if paid
            else Limits(global_rate=limit, global_burst=limit)
        )
        emu = Emulator(limits=limits)
        await emu.start()
        emu.add_users(range(FIRST_USER, FIRST_USER + n_users))
        conn.send((emu.token, emu.base_url))
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, conn.recv)  # "stop"
        per_chat = [len(v) for k, v in emu.sent.items() if FIRST_USER <= int(k) < FIRST_USER + n_users]
        conn.send(
            {
                "chats": len([c for c in per_chat if c > 0]),
                "messages": sum(per_chat),
                "duplicates": sum(c - 1 for c in per_chat if c > 1),
                "429": emu.errors[429],
            }
        )
        await emu.stop()

    asyncio.run(run())


async def _run(n: int, limit: float) -> dict:
    from bot.core.app import App
    from bot.backends.telegram.backend import create
    from bot.infra.config import Settings

    paid = limit > 30.0
    parent, child = mp.Pipe()
    proc = mp.Process(target=_emulator_process, args=(child, limit, paid, n), daemon=True)
    proc.start()
    token, base_url = parent.recv()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            s = Settings(
                data_dir=Path(tmp),
                telegram_token=token,
                telegram_api_url=base_url,
                telegram_rate_global=30.0 if paid else limit,
                telegram_paid_broadcast=paid,
                telegram_paid_rate=limit,
                broadcast_approval_threshold=n + 1,
            )
            app = App(s)
            backend = create(app, s)
            await backend.start()
            app.add_backend(backend)
            store = app.store
            coll = store.ensure_collective("telegram", "-1001234567890")
            store.add_followers_bulk(
                coll["id"], ((f"telegram:{u}", "telegram", str(u), "fr") for u in range(FIRST_USER, FIRST_USER + n))
            )
            store.create_broadcast(coll["id"], "basics", custom_text=None, requested_by="bench", needs_approval=False)
            br = app.services.broadcaster
            cpu0, t0 = time.process_time(), time.perf_counter()
            await app.tick()
            await br.wait_idle()
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            b = store.get_broadcast(1)
            await backend.stop()
            store.close()
    finally:
        parent.send("stop")
        emu = parent.recv()
        proc.join(10)
    sent = b["sent"]
    return {
        "n": n,
        "sent": sent,
        "lost": n - emu["chats"],
        "duplicates": emu["duplicates"],
        "r429": emu["429"],
        "rate": sent / elapsed if elapsed else 0.0,
        "limit": limit,
        "cpu": cpu / max(sent, 1) * 1000,
        "status": b["status"],
        "failed": b["failed"],
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--recipients", type=int, default=100_000)
    ap.add_argument("--limit", type=float, default=30.0, help="messages per second allowed")
    args = ap.parse_args(argv)
    r = asyncio.run(_run(args.recipients, args.limit))
    print(
        f"broadcast: {r['n']} recipients, sent {r['sent']}, lost {r['lost']}, duplicates {r['duplicates']}, "
        f"429s {r['r429']}, rate {r['rate']:.1f} msg/s (limit {r['limit']:g} msg/s), "
        f"cpu {r['cpu']:.2f} s/1000 msgs"
    )
    return 0 if r["lost"] == 0 and r["duplicates"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Telegram send benchmark: N messages through the real bot code (TelegramBackend.send:
pacing, HTML escaping, error mapping) and the real python-telegram-bot client, over HTTP,
to the Bot API emulator running in a separate process (so the CPU figures are the bot's).

    python bench/telegram.py [--on N] [--off N] [--limit 30] [--concurrency 4]

Prints achieved messages/s with limits on (the emulator enforces Telegram's limits and
counts its 429s; goal: >= 95% of the limit, zero 429s) and off (the client's ceiling on
this machine), and client CPU seconds per 1,000 messages.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
# this file is named telegram.py: keep its folder off the path so `import telegram` is the library
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))


def _emulator_process(conn, limits_on: bool, limit: float, n_users: int) -> None:
    from tests.support.telegram_emulator import Emulator, Limits

    async def run():
        emu = Emulator(limits=Limits(global_rate=limit, global_burst=limit) if limits_on else None)
        await emu.start()
        emu.add_users(range(1, n_users + 1))
        conn.send((emu.token, emu.base_url))
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, conn.recv)  # "stop"
        sent = sum(len(v) for v in emu.sent.values())
        conn.send({"sent": sent, "429": emu.errors[429], "errors": dict(emu.errors)})
        await emu.stop()

    asyncio.run(run())


async def _run(n: int, limits_on: bool, limit: float, concurrency: int) -> dict:
    from bot.core.app import App
    from bot.backends.telegram.backend import create
    from bot.infra.config import Settings
    from bot.core.types import Reply

    parent, child = mp.Pipe()
    proc = mp.Process(target=_emulator_process, args=(child, limits_on, limit, n), daemon=True)
    proc.start()
    token, base_url = parent.recv()
    with tempfile.TemporaryDirectory() as tmp:
        s = Settings(data_dir=Path(tmp), telegram_token=token, telegram_api_url=base_url, telegram_rate_global=limit)
        app = App(s)
        backend = create(app, s, rate_limit=limits_on)
        await backend.start()
        app.add_backend(backend)
        reply = Reply("bench/x", "Rappel : le dernier jour pour refuser est le 1er janvier 2027 <test & co>.")
        sem = asyncio.Semaphore(concurrency)
        failures = 0

        async def one(uid: int):
            nonlocal failures
            async with sem:
                try:
                    await backend.send(str(uid), reply)
                except Exception:
                    failures += 1

        # warm-up outside the measure (connections, first requests): not counted in the rate
        cpu0, t0 = time.process_time(), time.perf_counter()
        await asyncio.gather(*[one(uid) for uid in range(1, n + 1)])
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        await backend.application.shutdown()
        app.store.close()
    parent.send("stop")
    stats = parent.recv()
    proc.join(5)
    return {
        "n": n,
        "elapsed": elapsed,
        "rate": n / elapsed,
        "cpu_per_1000": cpu / n * 1000,
        "failures": failures,
        "sent": stats["sent"],
        "429s": stats["429"],
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--on", type=int, default=900, help="messages with limits on (default 900: ~30 s at 30/s)")
    ap.add_argument("--off", type=int, default=3000, help="messages with limits off")
    ap.add_argument("--limit", type=float, default=30.0, help="overall limit, messages/s")
    ap.add_argument("--concurrency", type=int, default=4, help="concurrent sends with limits off")
    args = ap.parse_args(argv)
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    on = asyncio.run(_run(args.on, True, args.limit, concurrency=256))
    print(
        f"telegram limits on : {on['n']} msgs in {on['elapsed']:.1f} s = {on['rate']:.2f} msg/s "
        f"({on['rate'] / args.limit * 100:.1f}% of {args.limit:g}/s), 429s {on['429s']}, "
        f"delivered {on['sent']}, failed {on['failures']}, cpu {on['cpu_per_1000']:.2f} s/1000 msgs"
    )
    off = asyncio.run(_run(args.off, False, args.limit, concurrency=args.concurrency))
    print(
        f"telegram limits off: {off['n']} msgs in {off['elapsed']:.1f} s = {off['rate']:.0f} msg/s "
        f"(client ceiling, concurrency {args.concurrency}), delivered {off['sent']}, failed {off['failures']}, "
        f"cpu {off['cpu_per_1000']:.2f} s/1000 msgs"
    )
    ok = on["429s"] == 0 and on["rate"] >= 0.95 * args.limit and on["failures"] == 0 and off["failures"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

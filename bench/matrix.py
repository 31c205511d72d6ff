"""Matrix bench on a local Synapse (rate limits raised): messages/s the bot sends into one
room and into 50 rooms, and round-trip latency (human message -> bot reply) in plain and
encrypted rooms, through the real bot (App + MatrixBackend + nio) and a real nio human.

    python bench/matrix.py [--messages 300] [--rooms 50] [--samples 40]

Needs Synapse in its own venv: $MESBOT_SYNAPSE_PYTHON, or .synapse-venv/ at the repository
root (scripts/test.sh creates it)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


async def send_rate(bot, rooms: list[str], total: int, concurrency: int) -> float:
    from bot.core.types import Reply

    sem = asyncio.Semaphore(concurrency)

    async def one(i: int):
        async with sem:
            await bot.backend.send(rooms[i % len(rooms)], Reply(key="bench", text=f"message {i}"))

    t = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(total)))
    return total / (time.perf_counter() - t)


async def round_trips(human, room: str, samples: int, bot_id: str) -> list[float]:
    out = []
    for _ in range(samples):
        t = time.perf_counter()
        await human.send(room, "/aide")
        got = await human.wait_messages(room, 1, timeout=20, sender=bot_id)
        if not got:
            raise RuntimeError("no reply within 20 s")
        out.append((time.perf_counter() - t) * 1000)
    return out


async def main_async(args) -> None:
    from tests.support.synapse import Synapse, make_human, start_bot

    python = os.environ.get("MESBOT_SYNAPSE_PYTHON") or str(ROOT / ".synapse-venv" / "bin" / "python")
    if not Path(python).exists():
        sys.exit("Synapse not found: set MESBOT_SYNAPSE_PYTHON or run scripts/test.sh once")
    work = Path(tempfile.mkdtemp(prefix="mesbot-bench-matrix-"))
    syn = Synapse(python, work / "synapse")
    syn.start()
    bot = human = None
    try:
        bot = await start_bot(syn, work / "bot")
        human = await make_human(syn, work, "bench")
        # rooms: one plain, one encrypted, then enough plain rooms for the spread test
        plain = await human.create_room(invite=[bot.user_id], direct=True, encrypted=False)
        enc = await human.create_room(invite=[bot.user_id], direct=True, encrypted=True)
        others = [plain]
        for _ in range(args.rooms - 1):
            others.append(await human.create_room(invite=[bot.user_id], direct=False, encrypted=False, name="bench"))
        ok = await bot.wait_until(lambda: all(bot.joined(r) for r in others + [enc]), timeout=120)
        if not ok:
            raise RuntimeError("the bot did not join every room")
        await human.wait_messages(None, 4, timeout=10)  # greetings
        for r in (plain, enc):
            await round_trips(human, r, 2, bot.user_id)  # warm-up (key sharing)

        one = await send_rate(bot, [plain], args.messages, 1)
        one_c = await send_rate(bot, [plain], args.messages, 8)
        many = await send_rate(bot, others, args.messages, 8)
        one_e = await send_rate(bot, [enc], args.messages, 1)
        human._inbox.clear()
        await human.wait_messages(None, 10**6, timeout=3)  # drain
        rt_plain = await round_trips(human, plain, args.samples, bot.user_id)
        rt_enc = await round_trips(human, enc, args.samples, bot.user_id)

        print(f"matrix send, 1 room (sequential): {one:.0f} msg/s ({args.messages} messages)")
        print(f"matrix send, 1 room (8 in flight): {one_c:.0f} msg/s")
        print(f"matrix send, {len(others)} rooms (8 in flight): {many:.0f} msg/s")
        print(f"matrix send, 1 encrypted room (sequential): {one_e:.0f} msg/s")
        for name, v in (("plain", rt_plain), ("encrypted", rt_enc)):
            print(
                f"matrix round-trip {name}: median {statistics.median(v):.0f} ms, p99 {pct(v, 99):.0f} ms (n={len(v)})"
            )
        print("(local Synapse with raised rate limits; a default Synapse allows 0.2 msg/s, burst 10)")
    finally:
        if human:
            await human.close()
        if bot:
            await bot.stop()
        syn.stop()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--messages", type=int, default=300)
    p.add_argument("--rooms", type=int, default=50)
    p.add_argument("--samples", type=int, default=40)
    args = p.parse_args()
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()

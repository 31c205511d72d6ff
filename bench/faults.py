"""Faults and bad actors, measured (issue 16): the whole bot, the real python-telegram-bot and the
Bot API emulator.

    python bench/faults.py [--burst 150] [--followers 50] [--wave 60]

Prints:
1. fairness: user B's reply latency (one /aide) alone, then while user A's burst of ``--burst``
   /aide is being answered (Telegram's real pacing: 1 message/s per private chat, burst 3);
   A's answered / dropped counts;
2. a 60 s storm of 500 on every sendMessage during a wave to ``--followers`` followers, on an
   injected clock: delivered, failed, blocked, duplicates, simulated duration;
3. two real processes on one data folder during a wave to ``--wave`` followers: the second's exit
   code, messages sent, duplicates;
4. with ``--matrix`` (a real Synapse: $MESBOT_SYNAPSE_PYTHON or .synapse-venv/): room B's reply latency
   (one /aide) alone, during room A's burst of ``--burst`` /aide, and while every reply into room A meets a
   502 storm (a reverse proxy between the bot and Synapse); A's answered / dropped counts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]  # keep `import telegram` the library
sys.path.insert(0, str(ROOT))

from bot.jobs.pacing import Pacer  # noqa: E402 - after the sys.path line above
from tests.support.telegram_env import close_env, start_env  # noqa: E402 - after the sys.path line above

A, B = 5001, 5002


def _first_send_to(emu, chat, after: float) -> float:
    return min(t for t, m, c in emu.call_log if m == "sendMessage" and c == chat and t >= after)


async def fairness(tmp: Path, burst: int) -> None:
    out = {}
    for label, n in (("alone", 0), (f"during A's burst of {burst}", burst)):
        env = await start_env(tmp / label.replace(" ", "_"), pacer=Pacer())  # Telegram's own limits
        emu = env.emu
        try:
            emu.add_users([A, B])
            for _ in range(n):
                emu.private_message(A, "/aide")
            t0 = time.monotonic()
            emu.private_message(B, "/aide")
            await emu.wait_for(B, 1, timeout=120)
            out[label] = _first_send_to(emu, B, t0) - t0
            if n:
                await emu.wait_until(lambda env=env: env.backend._backlog.total() == 0, 120, "A's backlog")
                out["A answered"] = len(emu.sent[A])
                out["A dropped"] = env.backend.counters["dropped"]
        finally:
            await close_env(env)
    print(
        f"1. fairness: B's latency alone {out['alone'] * 1000:.0f} ms; "
        f"during A's burst of {burst} {out['during A' + chr(39) + f's burst of {burst}'] * 1000:.0f} ms; "
        f"A answered {out['A answered']} (incl. 1 notice), dropped {out['A dropped']}"
    )


async def storm(tmp: Path, followers: int) -> None:
    env = await start_env(tmp / "storm")

    def now() -> float:
        return env.clock.now().timestamp()

    async def sleep(s: float) -> None:
        if s > 0:
            env.clock.advance(seconds=s)
        await asyncio.sleep(0)

    env.backend.pacer = Pacer(clock=now, sleep=sleep)
    env.emu.fault_clock = now
    try:
        users = list(range(7000, 7000 + followers))
        env.emu.add_users(users)
        store = env.app.store
        coll = store.ensure_collective("telegram", "-1009876")
        store.add_followers_bulk(coll["id"], [(f"telegram:{u}", "telegram", str(u), "fr") for u in users])
        bid = store.create_broadcast(coll["id"], "basics", custom_text=None, requested_by="b", needs_approval=False)[
            "id"
        ]
        t0 = now()
        env.emu.fail(500, method="sendMessage", times=None, until=t0 + 60)
        for _ in range(50):
            await env.app.tick()
            b = store.get_broadcast(bid)
            if b["status"] == "done":
                break
        got = Counter({u: len(env.emu.sent[u]) for u in users})
        print(
            f"2. 60 s storm of 500s during a wave to {followers}: delivered {b['sent']}, failed {b['failed']}, "
            f"blocked {b['blocked']}, duplicates {sum(v - 1 for v in got.values() if v > 1)}, "
            f"500s answered {env.emu.errors[500]}, wave took {now() - t0:.0f} s (simulated)"
        )
    finally:
        await close_env(env)


async def two_processes(tmp: Path, followers: int) -> None:
    from bot.store import Store
    from tests.support.telegram_emulator import Emulator

    emu = await Emulator().start()
    data = tmp / "two"
    users = list(range(8000, 8000 + followers))
    emu.add_users(users)
    store = Store(data / "mes-bot.db")
    coll = store.ensure_collective("telegram", "-1001111")
    store.add_followers_bulk(coll["id"], [(f"telegram:{u}", "telegram", str(u), "fr") for u in users])
    store.create_broadcast(coll["id"], "basics", custom_text=None, requested_by="b", needs_approval=False)
    store.close()
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=emu.token, PYTHONPATH=str(ROOT), MESBOT_SCHEDULER_INTERVAL="0.5")
    for k in ("MESBOT_FAKE_CLOCK_FILE", "MESBOT_DATA_DIR"):
        env.pop(k, None)
    args = [sys.executable, "-m", "bot", "telegram", "--api-url", emu.base_url, "--data-dir", str(data)]
    first = await asyncio.create_subprocess_exec(
        *args, cwd=str(ROOT), env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    second = await asyncio.create_subprocess_exec(
        *args, cwd=str(ROOT), env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        # whichever process starts second (they race) must refuse and exit
        ends = {asyncio.ensure_future(p.wait()): p for p in (first, second)}
        done, pending = await asyncio.wait(ends, timeout=60, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        if not done:
            raise RuntimeError("neither process refused to start within 60 s")
        code2 = next(iter(done)).result()
        await emu.wait_until(lambda: all(emu.sent[u] for u in users), 120, "the wave")
        await asyncio.sleep(2)  # anything extra would show up now
        total = sum(len(emu.sent[u]) for u in users)
        print(
            f"3. two processes on one data folder, wave to {followers}: second process exit code {code2} "
            f"(refused), messages {total}, duplicates {total - followers}"
        )
    finally:
        for p in (first, second):
            if p.returncode is None:
                p.terminate()
                await asyncio.wait_for(p.wait(), 20)
        await emu.stop()


async def _latency(human, room: str, bot_id: str) -> float:
    t0 = time.monotonic()
    await human.send(room, "/aide")
    if not await human.wait_messages(room, 1, timeout=60, sender=bot_id):
        raise RuntimeError("no reply within 60 s")
    return time.monotonic() - t0


async def matrix_fairness(tmp: Path, burst: int) -> None:
    from tests.support.matrix_faults import FaultProxy
    from tests.support.synapse import Synapse, make_human, start_bot

    python = os.environ.get("MESBOT_SYNAPSE_PYTHON") or str(ROOT / ".synapse-venv" / "bin" / "python")
    if not Path(python).exists():
        print("4. Matrix: skipped (Synapse not found: set MESBOT_SYNAPSE_PYTHON or run scripts/test.sh once)")
        return
    syn = Synapse(python, tmp / "synapse")
    syn.start()
    proxy = await FaultProxy(syn.url).start()
    bot = alice = bob = None
    try:
        bot = await start_bot(syn, tmp / "mbot", matrix_homeserver=proxy.url, matrix_reactions=False)
        alice, bob = await make_human(syn, tmp, "alice"), await make_human(syn, tmp, "bob")
        room_a = await alice.create_room(invite=[bot.user_id], direct=True, encrypted=False)
        room_b = await bob.create_room(invite=[bot.user_id], direct=True, encrypted=False)
        await alice.wait_messages(room_a, 2)
        await bob.wait_messages(room_b, 2)
        alone = sorted([await _latency(bob, room_b, bot.user_id) for _ in range(5)])[2]
        base = proxy.forwarded[room_a]  # the bot's sends into A that reached Synapse
        await asyncio.gather(*(alice.send(room_a, "/aide") for _ in range(burst)))
        during = await _latency(bob, room_b, bot.user_id)
        a_before_b = proxy.forwarded[room_a] - base
        await bot.wait_until(lambda: bot.backend.backlog.total() == 0, 120)
        a_answered = proxy.forwarded[room_a] - base
        sent_before = proxy.forwarded[room_a]
        proxy.fail(room_a, 502)
        await alice.send(room_a, "/aide")
        await bot.wait_until(lambda: proxy.failed[room_a] >= 1)
        storm = await _latency(bob, room_b, bot.user_id)
        failed = proxy.failed[room_a]
        proxy.clear(room_a)
        await bot.wait_until(lambda: proxy.forwarded[room_a] > sent_before, 60)
        delivered = proxy.forwarded[room_a] - sent_before
        print(
            f"4. Matrix fairness: B's latency alone {alone * 1000:.0f} ms (median of 5); during A's burst of "
            f"{burst} {during * 1000:.0f} ms (A answered {a_before_b} before B); A answered {a_answered} "
            f"(incl. 1 notice), dropped {bot.backend.backlog.dropped}; during a 502 storm on A's replies "
            f"{storm * 1000:.0f} ms (A's reply failed {failed} times meanwhile, then delivered {delivered})"
        )
    finally:
        for h in (alice, bob):
            if h is not None:
                await h.close()
        if bot is not None:
            await bot.stop()
        await proxy.stop()
        syn.stop()


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--burst", type=int, default=150)
    ap.add_argument("--followers", type=int, default=50)
    ap.add_argument("--wave", type=int, default=60)
    ap.add_argument("--matrix", action="store_true", help="also measure Matrix rooms (needs Synapse)")
    ap.add_argument("--matrix-only", action="store_true", help="only the Matrix figures")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not a.matrix_only:
            await fairness(Path(tmp), a.burst)
            await storm(Path(tmp), a.followers)
            await two_processes(Path(tmp), a.wave)
        if a.matrix or a.matrix_only:
            await matrix_fairness(Path(tmp), a.burst)


if __name__ == "__main__":
    asyncio.run(main())

"""Reminder queue bench (issue 5).

Prints, for 100,000 and 1,000,000 pending reminders (5 per user):
- database size per user,
- time to find the due reminders (index lookup of 1,000 due rows, and the full batch query the
  scheduler runs, with joins), goal < 10 ms at 1,000,000,
- peak memory (max RSS) of a bot process with 100,000 users (App + flows + scheduler + the Telegram
  library imported, ticking over due reminders), goal < 150 MB,
- python-telegram-bot's JobQueue (APScheduler, in memory) holding the same 100,000 reminders, in the
  same run: time to add them and peak memory.  (Those jobs are lost on restart; ours are rows.)

Each measurement of memory runs in its own child process.  Run: .venv/bin/python bench/scheduler.py
"""

from __future__ import annotations

import asyncio
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=timezone.utc)
PER_USER = 5
DUE_NOW = 1000


def build(data_dir: Path, users: int, finished_per_user: int = 0) -> Path:
    """A database like a busy bot's: ``users`` users, one deadline each, 5 pending reminders
    each (1,000 of them due now), plus optional finished rows (history)."""
    from bot.store import Store

    store = Store(data_dir / "mes-bot.db")
    rnd = random.Random(5)
    now_ts = int(NOW.timestamp())
    conn = store.db.conn
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO users (user_key, backend, chat_id, locale, tz, active, created_at, updated_at)"
        " VALUES (?, 'telegram', ?, 'fr', 'Europe/Paris', 1, '2026-11-01T10:00:00+00:00', '2026-11-01T10:00:00+00:00')",
        ((f"telegram:{100000000 + i}", str(100000000 + i)) for i in range(users)),
    )
    conn.executemany(
        "INSERT INTO deadlines (id, user_key, label, deadline, recommended, tz, until_at, schedule, status,"
        " created_at, updated_at) VALUES (?, ?, 'me', '2026-12-20', '2026-12-15', 'Europe/Paris', ?,"
        " '14,7,3,1,0', 'active', '2026-11-01T10:00:00+00:00', '2026-11-01T10:00:00+00:00')",
        ((i + 1, f"telegram:{100000000 + i}", now_ts + 40 * 86400) for i in range(users)),
    )
    due_users = set(rnd.sample(range(users), min(DUE_NOW, users)))

    def rows():
        for i in range(users):
            for k in range(PER_USER):
                if k == 0 and i in due_users:
                    due = now_ts - rnd.randint(0, 600)
                else:
                    due = now_ts + rnd.randint(60, 35 * 86400)
                yield (i + 1, f"telegram:{100000000 + i}", due, k, "plan", "pending", None)
            for _ in range(finished_per_user):
                yield (
                    i + 1,
                    f"telegram:{100000000 + i}",
                    now_ts - rnd.randint(86400, 30 * 86400),
                    9,
                    "plan",
                    "sent",
                    now_ts - 86400,
                )

    conn.executemany(
        "INSERT INTO reminders (deadline_id, user_key, due_at, offset_days, kind, state, sent_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows(),
    )
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    store.close()
    return data_dir / "mes-bot.db"


def timed(fn, runs: int = 30) -> float:
    fn()  # warm the page cache
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return statistics.median(out)


def queue_figures(pending: int) -> dict:
    from bot.store import Store

    users = pending // PER_USER
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        path = build(Path(d), users, finished_per_user=2)
        build_s = time.perf_counter() - t
        size = sum(p.stat().st_size for p in Path(d).glob("mes-bot.db*"))
        store = Store(path)
        now_ts = int(NOW.timestamp())
        ids_ms = timed(lambda: store.due_ids(now_ts, 1000))
        batch_ms = timed(lambda: store.due_reminders(now_ts, 200))
        count_ms = timed(lambda: store.count_live(), runs=5)
        n_due = len(store.due_ids(now_ts, 5000))
        plan = store.db.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM reminders WHERE sent_at IS NULL AND due_at <= ?"
            " ORDER BY due_at LIMIT 1000",
            [now_ts],
        ).fetchall()
        store.close()
    return {
        "pending": pending,
        "users": users,
        "history": users * 2,
        "build_s": build_s,
        "size": size,
        "per_user": size / users,
        "due": n_due,
        "ids_ms": ids_ms,
        "batch_ms": batch_ms,
        "count_ms": count_ms,
        "plan": " / ".join(r[-1] for r in plan),
    }


# ------------------------------------------------------------------ child processes (memory)
def child_bot(data_dir: str) -> None:
    """A bot process: App (router, flows, templates, scheduler) on 100,000 users, ticking."""
    import telegram.ext  # noqa: F401  (a Telegram bot process has it loaded)

    from bot.core.app import App
    from bot.core.types import BackendBase
    from bot.infra.clock import FakeClock
    from bot.infra.config import Settings

    class NullBackend(BackendBase):
        name = "telegram"
        sent = 0

        async def send(self, chat_id, reply):
            NullBackend.sent += 1
            return None

    async def main():
        clock = FakeClock(NOW)
        app = App(Settings(data_dir=Path(data_dir)), clock=clock)
        app.add_backend(NullBackend())
        t = time.perf_counter()
        for _ in range(30):  # 30 ticks a minute apart: sends the due ones, renders each message
            await app.tick()
            clock.advance(minutes=1)
        dt = time.perf_counter() - t
        app.store.close()
        print(f"{NullBackend.sent} {dt:.3f}")

    asyncio.run(main())


def child_ptb(n: int) -> None:
    """python-telegram-bot's JobQueue (APScheduler in memory) holding ``n`` one-shot reminders."""
    from telegram.ext import Application

    async def cb(context):  # pragma: no cover - never fires in the bench
        pass

    async def main():
        app = Application.builder().token("123456:TEST-token-for-bench").build()
        jq = app.job_queue
        await jq.start()
        rnd = random.Random(5)
        t = time.perf_counter()
        for i in range(n):
            jq.run_once(
                cb,
                when=timedelta(seconds=rnd.randint(60, 35 * 86400)),
                chat_id=100000000 + i,
                data={"deadline": "2026-12-20", "offset": i % 5},
            )
        dt = time.perf_counter() - t
        jobs = len(jq.jobs())
        await jq.stop(wait=False)
        print(f"{jobs} {dt:.3f}")

    asyncio.run(main())


def child_baseline() -> None:
    """The same imports as a bot process, nothing running: the memory baseline."""
    import telegram.ext  # noqa: F401 - imported for its memory only

    from bot.core.app import App  # noqa: F401 - imported for its memory only
    import flows  # noqa: F401 - imported for its memory only

    print("0 0")


def run_child(*args) -> tuple[str, float]:
    """Run this file as a child; return its output and its peak RSS in MB."""
    code = (
        "import resource, runpy, sys; sys.argv = %r\n"
        "try:\n    runpy.run_path(%r, run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "print('RSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    ) % ([__file__, *args], __file__)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    lines = out.stdout.strip().splitlines()
    rss_kb = int(lines[-1].split()[1])
    return lines[-2], rss_kb / 1024


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1].startswith("--child-"):
        {
            "--child-bot": lambda: child_bot(sys.argv[2]),
            "--child-ptb": lambda: child_ptb(int(sys.argv[2])),
            "--child-base": child_baseline,
        }[sys.argv[1]]()
        return 0
    t0 = time.perf_counter()
    print("Reminder queue (SQLite, WAL, partial index on due_at WHERE sent_at IS NULL)")
    print("5 pending reminders per user, plus 2 finished ones per user as history; 1,000 due now.\n")
    for pending in (100_000, 1_000_000):
        f = queue_figures(pending)
        print(
            f"{f['pending']:>9,} pending ({f['users']:,} users, {f['history']:,} finished rows): "
            f"db {f['size'] / 1e6:.1f} MB = {f['per_user']:.0f} bytes/user (built in {f['build_s']:.1f} s)"
        )
        print(
            f"           find {f['due']:,} due ids: {f['ids_ms']:.2f} ms | scheduler batch of 200 with joins:"
            f" {f['batch_ms']:.2f} ms | count pending: {f['count_ms']:.1f} ms"
        )
        print(f"           plan: {f['plan']}")
    print()
    base_out, base_rss = run_child("--child-base")
    print(f"Baseline process (bot + flows + telegram imported, no data): peak RSS {base_rss:.0f} MB")
    with tempfile.TemporaryDirectory() as d:
        build(Path(d), 100_000)
        out, rss = run_child("--child-bot", d)
        sent, secs = out.split()
        print(
            f"Bot process, 100,000 users / 500,000 pending reminders, 30 ticks ({sent} sent in {float(secs):.2f} s):"
            f" peak RSS {rss:.0f} MB (goal < 150 MB)"
        )
    out, rss = run_child("--child-ptb", "100000")
    jobs, secs = out.split()
    print(
        f"python-telegram-bot JobQueue (APScheduler, memory), {int(jobs):,} jobs added in {float(secs):.1f} s:"
        f" peak RSS {rss:.0f} MB; lost on restart"
    )
    print(f"\n(total bench time {time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Bench: warm parse time per phrase (median, p99) and cold start of `mes-bot deadline`.

Goals (issue 3): p99 under 2 ms warm; cold start under 1 s.
Run: .venv/bin/python bench/dates.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def phrases() -> list[tuple[str, date]]:
    from tests.corpus.test_dates_corpus import CORPUS

    return [(p, date.fromisoformat(t)) for t, rows in CORPUS.items() for p, _ in rows]


def warm(rounds: int = 20) -> list[float]:
    from bot.lang.dates import parse

    items = phrases()
    for p, t in items:  # warm-up (imports, regex caches, dateparser fallback)
        parse(p, t)
    times = []
    for _ in range(rounds):
        for p, t in items:
            t0 = time.perf_counter()
            parse(p, t)
            times.append((time.perf_counter() - t0) * 1000)
    return times


def cold(runs: int = 5) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bot", "deadline", "le 3 novembre", "--today", "2026-11-22", "--json"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        out.append(time.perf_counter() - t0)
    return out


def main() -> int:
    times = sorted(warm())
    p99 = times[int(len(times) * 0.99) - 1]
    print(f"warm parse: {len(phrases())} phrases x 20 rounds = {len(times)} calls")
    print(f"  median {statistics.median(times):.3f} ms   p99 {p99:.3f} ms   max {times[-1]:.3f} ms   (goal p99 < 2 ms)")
    c = cold()
    print(
        f"cold start `mes-bot deadline ... --json`: median {statistics.median(c):.3f} s   min {min(c):.3f} s"
        f"   (goal < 1 s)"
    )
    return 0 if p99 < 2 and statistics.median(c) < 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())

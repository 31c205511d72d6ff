"""Bench: warm time per question (median, p99), RSS added by the recognizer, `mes-bot deadline` cold start.

Bounds (issue 14): p99 <= 5 ms warm, <= 40 MB added, the deadline command's cold start unchanged
(the recognizer is loaded lazily, on the first free-text question: that command never loads it).
Baseline: the keyword table with its nearest-example vote (the recognizer before issue 14).
Run: .venv/bin/python bench/questions.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_RSS = """
import sys, time
sys.path.insert(0, {root!r})
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
from bot.lang import intents
intents.INTENTS
before = rss()
t = time.perf_counter()
{build}
print(round(rss() - before, 1), round((time.perf_counter() - t) * 1000))
"""
BUILDS = {
    "keywords + nearest examples (before)": (
        "from bot.lang import intents_before\nintents_before.classify_keywords_knn('mon medecin voit tout ?')"
    ),
    "keywords + classifier + retrieval + language (now)": (
        "from bot.lang import language, recognizer\n"
        "recognizer.retriever(); recognizer.classifier()\n"
        "intents.classify('est-ce que mon medecin traitant peut voir les documents que je cache ?')\n"
        "language.detect('who can see it')"
    ),
}


def questions() -> list[str]:
    from bot.lang import intents
    from tests.corpus.test_intents_heldout import HELDOUT_2

    return [q for q, *_r in HELDOUT_2] + [q for q, _n in intents.examples()][::3]


def warm(fn, items, rounds: int = 5) -> tuple[list[float], list[float]]:
    """Wall and CPU (this thread's) milliseconds per question, after a first pass."""
    for q in items:
        fn(q)
    wall, cpu = [], []
    for _ in range(rounds):
        for q in items:
            t, c = time.perf_counter(), time.thread_time()
            fn(q)
            cpu.append((time.thread_time() - c) * 1000)
            wall.append((time.perf_counter() - t) * 1000)
    return wall, cpu


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]


def cold_deadline(runs: int = 5) -> tuple[float, bool]:
    """Median wall time of `mes-bot deadline`, and whether it loaded the recognizer."""
    code = (
        "import sys, runpy; sys.argv=['mes-bot','deadline','reçu mardi dernier']; "
        f"sys.path.insert(0, {str(ROOT)!r}); from bot.ops import cli\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
        "print('LOADED' if 'bot.lang.recognizer' in sys.modules or 'bot.lang.intents' in sys.modules else 'LAZY')"
    )
    times, loaded = [], False
    for _ in range(runs):
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT).stdout
        times.append(time.perf_counter() - t)
        loaded = loaded or "LOADED" in out
    return statistics.median(times) * 1000, loaded


def main() -> int:
    import os

    from bot.lang import intents, intents_before, language

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (a shared machine inflates the times)")
    items = questions()
    print(f"{len(items)} questions (held-out sentences of the tests and every third labelled example)")

    def fresh(fn):
        def run(q):
            intents._score.cache_clear()  # the per-message cache would hide the work on repeated questions
            return fn(q)

        return run

    for name, fn in (
        ("keywords + nearest examples (before)", fresh(intents_before.classify_keywords_knn)),
        ("now: classify + language", fresh(lambda q: (language.detect(q), intents.classify(q)))),
    ):
        wall, cpu = warm(fn, items)
        print(
            f"  {name:40} warm median {statistics.median(wall):.2f} ms, p99 {pct(wall, 0.99):.2f} ms"
            f" (CPU time: median {statistics.median(cpu):.2f} ms, p99 {pct(cpu, 0.99):.2f} ms)"
        )
    for name, build in BUILDS.items():
        out = subprocess.run(
            [sys.executable, "-c", _RSS.format(root=str(ROOT), build=build)], capture_output=True, text=True
        ).stdout.split()
        print(f"  RSS added by {name}: {out[0]} MB (built in {out[1]} ms, on the first question)")
    ms, loaded = cold_deadline()
    print(f"  `mes-bot deadline` cold start: {ms:.0f} ms median; recognizer loaded: {'yes' if loaded else 'no'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

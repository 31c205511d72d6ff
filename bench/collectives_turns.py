"""Cost of one turn of the collectives' flows (real router, store and templates, fake transport):
an admin schedules a weekly campaign through the wizard, again and again; prints the median and
p90 time per turn, and the same for a bare turn (a /menu, no collectives state) as the baseline.

    python bench/collectives_turns.py [--rounds 30]
    PYTHONPATH=/path/to/other/tree python bench/collectives_turns.py   # the same on another tree
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.harness import Chat, make_app  # noqa: E402

WIZARD = (
    ("press", "Nouvelle campagne"),
    ("press", "L'essentiel"),
    ("press", "Chaque semaine"),
    ("press", "Mardi"),
    ("press", "10:00"),
    ("press", "Oui"),
)


async def run(rounds: int) -> tuple[list[float], list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        app, backend, _clock = make_app(Path(tmp))
        backend.admins.add(("admin1", "-100"))
        g = Chat(app, backend, user="admin1", chat="-100", direct=False)
        await g.say("/campagne")
        p = Chat(app, backend, user="admin1")
        await p.start(g.last[0].private_start)
        wizard, bare = [], []
        for _ in range(rounds):
            for how, what in WIZARD:
                t0 = time.perf_counter()
                await (p.press(what) if how == "press" else p.say(what))
                wizard.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            await p.say("/menu")
            bare.append(time.perf_counter() - t0)
            await p.say("/campagne")
        app.store.close()
        return wizard, bare


def fmt(xs: list[float]) -> str:
    xs = sorted(xs)
    return f"median {statistics.median(xs) * 1000:.2f} ms, p90 {xs[int(len(xs) * 0.9)] * 1000:.2f} ms ({len(xs)} turns)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    wizard, bare = asyncio.run(run(args.rounds))
    print(f"wizard turn: {fmt(wizard)}")
    print(f"bare turn (/menu): {fmt(bare)}")


if __name__ == "__main__":
    main()

"""Split a question set in two, once and reproducibly (seeded, each topic split evenly).

Usage: .venv/bin/python bench/split_set.py --set FILE.jsonl --out DIR [--seed 14] [--kept 0.5]

Writes DIR/A.jsonl (the part one may read while tuning) and DIR/B.jsonl (``--kept`` of each topic, a half
by default, a third with ``--kept 0.333``: run for counts only, never read, the figure of how the changes
generalise).  Lines are kept verbatim.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path


def split(lines: list[str], seed: int, kept: float = 0.5) -> tuple[list[str], list[str]]:
    by_topic: dict[str, list[str]] = {}
    for line in lines:
        by_topic.setdefault(json.loads(line)["expect"], []).append(line)
    rng = random.Random(seed)
    a, b = [], []
    owed = 0.0  # the fractions of a question each topic's rounding left over, carried to the next topic
    for topic in sorted(by_topic):
        group = by_topic[topic][:]
        rng.shuffle(group)
        want = len(group) * kept + owed
        n_kept = min(len(group), int(want + 0.5))
        owed = want - n_kept
        a += group[n_kept:]
        b += group[:n_kept]
    return a, b


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--kept", type=float, default=0.5, help="the share of each topic kept aside (B)")
    args = ap.parse_args(argv)
    lines = [x for x in Path(args.set).read_text(encoding="utf-8").splitlines() if x.strip()]
    a, b = split(lines, args.seed, args.kept)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "A.jsonl").write_text("\n".join(a) + "\n", encoding="utf-8")
    (out / "B.jsonl").write_text("\n".join(b) + "\n", encoding="utf-8")
    print(f"{len(a)} + {len(b)} questions written to {out}/A.jsonl and B.jsonl")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

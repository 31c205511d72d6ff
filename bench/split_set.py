"""Split a question set in two halves, once and reproducibly (seeded, each topic split evenly).

Usage: .venv/bin/python bench/split_set.py --set FILE.jsonl --out DIR [--seed 14]

Writes DIR/A.jsonl (the half one may read while tuning) and DIR/B.jsonl (run for counts only, never read:
the figure of how the changes generalise).  Lines are kept verbatim.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path


def split(lines: list[str], seed: int) -> tuple[list[str], list[str]]:
    by_topic: dict[str, list[str]] = {}
    for line in lines:
        by_topic.setdefault(json.loads(line)["expect"], []).append(line)
    rng = random.Random(seed)
    a, b = [], []
    flip = 0
    for topic in sorted(by_topic):
        group = by_topic[topic][:]
        rng.shuffle(group)
        half = len(group) // 2 + (flip if len(group) % 2 else 0)
        flip ^= len(group) % 2
        a += group[:half]
        b += group[half:]
    return a, b


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args(argv)
    lines = [x for x in Path(args.set).read_text(encoding="utf-8").splitlines() if x.strip()]
    a, b = split(lines, args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "A.jsonl").write_text("\n".join(a) + "\n", encoding="utf-8")
    (out / "B.jsonl").write_text("\n".join(b) + "\n", encoding="utf-8")
    print(f"{len(a)} + {len(b)} questions written to {out}/A.jsonl and B.jsonl")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

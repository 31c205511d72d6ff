"""The right / confidently-wrong trade-off of the vote (bot.intents.decide), at the classify level.

Usage: .venv/bin/python bench/nlu_calibrate.py --set FILE.jsonl [--scales 0.8,0.9,1,1.1,1.2]

For each scale, the answer thresholds (``intents.ANSWER_VOTE``) are multiplied by it and every question of
FILE is classified again; a lower scale answers more (more right, more wrong), a higher one offers more.
Scale 1 is the shipped operating point.  Then the same for the lead the classifier needs over its runner-up
when not all three recognizers agree (``intents.ANCHOR_LEAD``), the operating point without that third-round
rule (any recognizer may lead), and without the second-round calibration (a lone recognizer's own lead,
"outside" holding most of the vote) for comparison.
Outcomes as in bench/nlu_compare.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from nlu_compare import OUTCOMES, outcome  # noqa: E402 - after the sys.path line above


def measure(rows) -> Counter:
    from bot.lang import intents

    c: Counter = Counter()
    for row in rows:
        r = intents.classify(row["text"])
        c[outcome(r.kind, r.best, r.top, [row["expect"], *row.get("also_ok", [])])] += 1
    return c


def line(label: str, c: Counter, n: int) -> str:
    return f"{label:28} " + "  ".join(f"{o} {100 * c[o] / n:5.1f} %" for o in OUTCOMES)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", required=True)
    ap.add_argument("--scales", default="0.8,0.9,1,1.1,1.2")
    args = ap.parse_args(argv)
    from bot.lang import intents

    rows = [json.loads(x) for x in Path(args.set).read_text(encoding="utf-8").splitlines() if x.strip()]
    shipped = dict(intents.ANSWER_VOTE)
    for scale in (float(s) for s in args.scales.split(",")):
        intents.ANSWER_VOTE.update({k: v * scale for k, v in shipped.items()})
        print(line(f"answer thresholds x{scale:g}", measure(rows), len(rows)))
    intents.ANSWER_VOTE.update(shipped)
    leads = dict(intents.ANCHOR_LEAD)
    for scale in (float(s) for s in args.scales.split(",")):
        intents.ANCHOR_LEAD.update({k: v * scale for k, v in leads.items()})
        print(line(f"classifier's lead x{scale:g}", measure(rows), len(rows)))
    intents.ANCHOR_LEAD.update(leads)
    decide = intents.decide
    intents.decide = lambda tokens, sources, anchor=None: decide(tokens, sources)
    print(line("without the anchor rule", measure(rows), len(rows)))
    intents.decide = decide
    ratio, share = intents.ALONE_RATIO, intents.OUTSIDE_SHARE
    intents.ALONE_RATIO, intents.OUTSIDE_SHARE = (0.0, 0.0, 0.0), 99.0
    print(line("without the calibration", measure(rows), len(rows)))
    intents.ALONE_RATIO, intents.OUTSIDE_SHARE = ratio, share
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

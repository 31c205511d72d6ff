"""Compare recognizers on a question set, at the classify level (no router, no dates, no language).

Usage: .venv/bin/python bench/nlu_compare.py --set FILE.jsonl [--verbose APPROACH]

Approaches: ``keywords`` (weighted keyword table + nearest-example vote, the recognizer before issue 14),
``retrieval`` (BM25 over examples, keywords and page text: bot/lang/recognizer.py), ``classifier`` (naive Bayes
over stems, letter 4-grams and word pairs: bot/lang/recognizer.py), ``combined`` (the three weighed together:
what bot.lang.intents.classify does now).  Each alone is judged with the same thresholds as the
combination.  Outcomes as in bench/heldout_questions.py: right (answered one of the expected topics,
or "outside" for an outside question), offered (topics offered include a right one),
honest ("outside" for an answerable question), wrong (another topic answered), other.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUTCOMES = ("right", "offered", "honest", "wrong", "other")


def outcome(kind: str, best: str | None, top: list[str], ok: list[str]) -> str:
    if kind == "outside" or (kind == "answer" and best == "outside"):
        return "right" if "outside" in ok else "honest"
    if kind == "answer":
        return "right" if best in ok else "wrong"
    if kind == "offer" and set(top) & set(ok):
        return "offered"
    return "other"


def approaches():
    from bot.lang import intents, intents_before, recognizer

    def keywords(text):
        r = intents_before.classify_keywords_knn(text)
        return r.kind, r.best, r.top

    def retrieval(text):
        toks = intents.normalise(text)
        r = intents.decide(toks, [(recognizer.retriever().scores(toks), 1.0, intents.STRONG_RETRIEVAL)])
        return r.kind, r.best, r.top

    def classifier(text):
        toks = intents.normalise(text)
        r = intents.decide(toks, [(recognizer.classifier().scores(toks), 1.0, 0.0)])
        return r.kind, r.best, r.top

    def combined(text):
        r = intents.classify(text)
        return r.kind, r.best, r.top

    return {"keywords": keywords, "retrieval": retrieval, "classifier": classifier, "combined": combined}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", required=True)
    ap.add_argument("--verbose", default="")
    args = ap.parse_args(argv)
    rows = [json.loads(x) for x in Path(args.set).read_text(encoding="utf-8").splitlines() if x.strip()]
    for name, fn in approaches().items():
        c: Counter = Counter()
        for row in rows:
            ok = [row["expect"], *row.get("also_ok", [])]
            kind, best, top = fn(row["text"])
            o = outcome(kind, best, top, ok)
            c[o] += 1
            if args.verbose == name and o != "right":
                print(f"  {o:8} {row['id']} expect={'/'.join(ok)} got={kind}:{best} top={top} {row['text']!r}")
        n = len(rows)
        print(f"{name:10} " + "  ".join(f"{o} {c[o]} ({100 * c[o] / n:.0f} %)" for o in OUTCOMES))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

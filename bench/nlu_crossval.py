"""Cross-validation over the labelled examples: each fifth of locales/<lang>/nlu/examples.toml is classified by
recognizers built without it (classify level, as bench/nlu_compare.py).

Usage: .venv/bin/python bench/nlu_crossval.py [--folds 5]

Thousands of sentences instead of a few hundred: a third, steadier opinion on a mechanism change, next to the
tune set (to choose) and the dev set (to check).  The examples' authors wrote from the topic catalogue, so
their phrasing is closer to each other's than a stranger's would be (the figures flatter the recognizer),
and the keyword table stays whole (it was written knowing some examples).  A fold is chosen by a stable
hash of the sentence, so every run splits the same way.
"""

from __future__ import annotations

import argparse
import sys
import zlib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from nlu_compare import OUTCOMES, outcome  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args(argv)
    from bot.lang import intents, language, recognizer

    original = intents.examples
    everything = original()
    fold_of = [zlib.crc32(q.encode("utf-8")) % args.folds for q, _name in everything]
    counts: dict[str, Counter] = {}
    try:
        for k in range(args.folds):
            kept = [ex for ex, f in zip(everything, fold_of, strict=True) if f != k]
            setattr(intents, "examples", lambda kept=kept: kept)  # noqa: B010 (the recognizers read it)
            recognizer.retriever.cache_clear()
            recognizer.classifier.cache_clear()
            for (q, name), f in zip(everything, fold_of, strict=True):
                if f != k:
                    continue
                r = intents.classify(q)
                o = outcome(r.kind, r.best, r.top, [name])
                for lang in (language.detect(q) or "?", "all"):
                    counts.setdefault(lang, Counter())[o] += 1
    finally:
        setattr(intents, "examples", original)  # noqa: B010
        recognizer.retriever.cache_clear()
        recognizer.classifier.cache_clear()
    for lang, c in sorted(counts.items()):
        n = sum(c.values()) or 1
        print(f"{lang:4} {n:5d}  " + "  ".join(f"{o} {100 * c[o] / n:5.1f} %" for o in OUTCOMES))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

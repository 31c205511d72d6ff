"""How well each recognizer *ranks* the topics of a question set, per language (no thresholds).

Usage: .venv/bin/python bench/nlu_rank.py --set FILE.jsonl

"focused" adds to the vote a quarter of the vote over the message's sentences with a question mark alone
(``intents.asked_part``), a ranking measured here and not used by ``classify``.

For the keyword table, the classifier, the retrieval and the weighed vote (bot.lang.intents.decide), prints
how often the first topic is an acceptable one (top 1) and how often one of the first three is (top 3),
for each language of the set and overall; then the outcomes of ``intents.classify`` per language (as in
bench/nlu_compare.py).  Ranking bounds what any threshold can reach: the right answers cannot exceed top 1.
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

from nlu_compare import OUTCOMES, outcome  # noqa: E402


#: "focused": the vote plus this share of the vote over the sentences with the question mark alone
FOCUS = 0.25


def _vote(toks: list[str]):
    from bot.lang import intents, recognizer

    kw = list(intents._score(tuple(toks)))
    cl = recognizer.classifier().scores(toks)
    rt = recognizer.retriever().scores(toks)
    vote = intents.decide(
        toks,
        [
            (kw, intents.W_KEYWORDS, intents.STRONG_KEYWORDS, intents.ALONE_RATIO[0]),
            (cl, intents.W_CLASSIFIER, 0.0, intents.ALONE_RATIO[1]),
            (rt, intents.W_RETRIEVAL, intents.STRONG_RETRIEVAL, intents.ALONE_RATIO[2]),
        ],
    )
    return kw, cl, rt, vote.scores


def rankings(text: str) -> dict[str, list[str]]:
    from bot.lang import intents

    kw, cl, rt, vote = _vote(intents.normalise(text))
    focused = dict(vote)
    asked = intents.asked_part(text)
    if asked != text:
        for name, v in _vote(intents.normalise(asked))[3]:
            focused[name] = focused.get(name, 0.0) + FOCUS * v
    return {
        "keywords": [n for n, _s in kw],
        "classifier": [n for n, _s in cl],
        "retrieval": [n for n, _s in rt],
        "vote": [n for n, _s in vote],
        "focused": sorted(focused, key=lambda n: -focused[n]),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", required=True)
    args = ap.parse_args(argv)
    from bot.lang import intents

    rows = [json.loads(x) for x in Path(args.set).read_text(encoding="utf-8").splitlines() if x.strip()]
    top1: dict[tuple[str, str], int] = Counter()
    top3: dict[tuple[str, str], int] = Counter()
    outs: dict[str, Counter] = {}
    n: Counter = Counter()
    for row in rows:
        ok = {row["expect"], *row.get("also_ok", [])}
        lang = row.get("lang", "fr")
        for lg in (lang, "all"):
            n[lg] += 1
        for name, ranked in rankings(row["text"]).items():
            for lg in (lang, "all"):
                top1[name, lg] += bool(ranked[:1] and ranked[0] in ok)
                top3[name, lg] += bool(ok & set(ranked[:3]))
        r = intents.classify(row["text"])
        o = outcome(r.kind, r.best, r.top, sorted(ok))
        for lg in (lang, "all"):
            outs.setdefault(lg, Counter())[o] += 1
    langs = sorted(k for k in n if k != "all") + ["all"]
    for name in ("keywords", "classifier", "retrieval", "vote", "focused"):
        print(
            f"{name:10} "
            + "  ".join(
                f"{lg} top1 {100 * top1[name, lg] / n[lg]:5.1f} % top3 {100 * top3[name, lg] / n[lg]:5.1f} %"
                for lg in langs
            )
        )
    for lg in langs:
        print(f"classify {lg:3} ({n[lg]}) " + "  ".join(f"{o} {100 * outs[lg][o] / n[lg]:5.1f} %" for o in OUTCOMES))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Add labelled questions to the recognizer's training data (locales/<lang>/nlu/examples.toml).

Usage: .venv/bin/python bench/add_examples.py --from FILE.jsonl [--from ...] [--avoid SET.jsonl ...]

Each line of FILE is {"text", "lang", and "topic" or "expect"}: a question set whose figures are no longer
used (it was tuned on) or examples written for training.  A line is appended at the end of its topic's list
in its language's file, unless the same question (folded) is already an example, is one of the test
questions (tests/corpus/test_intents_heldout.py) or is in an ``--avoid`` set (a set still measured): a test
sentence is never also a training example.  The files are edited in place, one line per example, so the
change reads well in a diff.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _rows(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def _test_questions() -> set[str]:
    from bot.lang.textnorm import fold
    from tests.corpus.test_intents_heldout import HELDOUT_2

    return {fold(q) for q, *_ in HELDOUT_2}


def add(lang: str, by_topic: dict[str, list[str]]) -> int:
    """Append each topic's new examples before the closing bracket of its list; returns how many."""
    path = ROOT / "locales" / lang / "nlu" / "examples.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    known = set(tomllib.loads("\n".join(lines)))
    added = 0
    for topic, texts in by_topic.items():
        if topic not in known:
            lines += ["", f"[{topic}]", "examples = [", "]"]
            known.add(topic)
        start = lines.index(f"[{topic}]")
        end = next(i for i in range(start, len(lines)) if lines[i] == "]")
        new = [f"  {json.dumps(t, ensure_ascii=False)}," for t in texts]
        lines[end:end] = new
        added += len(new)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return added


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="sources", action="append", required=True)
    ap.add_argument("--avoid", action="append", default=[])
    args = ap.parse_args(argv)
    from bot.lang import intents
    from bot.lang.textnorm import fold

    seen = {fold(q) for q, _n in intents.examples()} | _test_questions()
    for avoid in args.avoid:
        seen |= {fold(r["text"]) for r in _rows(Path(avoid))}
    topics = set(intents.INTENTS) | {"outside"}
    new: dict[str, dict[str, list[str]]] = {}
    skipped = 0
    for source in args.sources:
        for row in _rows(Path(source)):
            text, topic = row["text"].strip(), row.get("topic") or row.get("expect")
            if topic not in topics or fold(text) in seen or not text:
                skipped += 1
                continue
            seen.add(fold(text))
            new.setdefault(row["lang"], {}).setdefault(topic, []).append(text)
    for lang, by_topic in sorted(new.items()):
        print(f"{lang}: {add(lang, by_topic)} examples added")
    print(f"{skipped} skipped (already known, a test question, or an unknown topic)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

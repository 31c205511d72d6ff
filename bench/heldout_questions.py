"""Held-out questions through the REAL app: how often does the reply answer what was asked?

Usage: .venv/bin/python bench/heldout_questions.py --set FILE.jsonl [--verbose] [--locale fr]

Each line of FILE is {"id", "text", "lang", "expect": key, "also_ok": [keys], "fact", "class"}; the key is an
answer page of the catalogue (``outside``: the sources do not answer it).  Every question is the first message
of a fresh conversation (its own user) of the app built by tests/support/harness.py, whose platform language is
``--locale`` (French by default, so an English question must be recognised as English by the bot itself).
The outcome is read from what a user sees: the session's flow:state after the turn, and the replies.

- right:   the expected page (or an also_ok one) was answered, in the question's language; for ``outside``,
           the "my sources do not answer this" reply, in the question's language;
- offered: buttons were offered that include a right topic (no page answered);
- honest:  the "my sources do not answer this" reply for a question the sources do answer;
- wrong:   another page answered with confidence, or the right page in the other language;
- other:   the menu, "not understood", buttons without a right topic.

Rows whose every acceptable page is missing from this checkout are counted apart as well ("no page here").
This script relies only on tests/support/harness.py (make_app, Chat), the store's get_session and the replies, so it
runs unchanged on older commits of the project.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: catalogue key -> the flow:state that answers it
TARGETS = {
    "what_is": "understand:start",
    "contents": "understand:contents",
    "access": "understand:access",
    "doctor": "understand:doctor",
    "emergency": "understand:emergency",
    "never": "understand:never",
    "debate": "understand:debate",
    "keep": "understand:debate_keep",
    "compulsory": "understand:choice",
    "decide": "understand:decide",
    "notice_help": "understand:notice",
    "dmp": "understand:dmp",
    "refuse": "refuse:start",
    "online": "refuse:online",
    "phone": "refuse:phone",
    "phone_ready": "refuse:phone_ready",
    "lost_code": "refuse:code",
    "ready": "refuse:ready",
    "proof": "refuse:proof",
    "phishing": "refuse:phishing",
    "deaf": "refuse:deaf",
    "missed": "after:start",
    "close": "after:close",
    "data": "after:data",
    "reopen": "after:reopen",
    "restrict": "after:restrict",
    "refused_before": "after:refused_before",
    "children": "children:start",
    "two_parents": "children:parents",
    "teen": "children:teen",
    "turning18": "children:adult",
    "regimes": "children:regimes",
    "others": "others:start",
    "protected": "others:protected",
    "relative": "others:relative",
    "offline": "others:offline",
    "abroad": "others:abroad",
    "window": "questions:window",
    "received": "deadline:*",
    "sources": "sources:start",
    "police": "questions:police",
    "research": "questions:research",
    "leak": "questions:leak",
    "law": "questions:law",
    "figures": "questions:figures",
}
OUTSIDE_KEY = "questions/outside"
PAGES = set(TARGETS.values())
OUTCOMES = ("right", "offered", "honest", "wrong", "other")

_WORD = re.compile(r"[a-zà-ÿ']+")
# word lists written as text: a list literal would be one word per line once formatted
_FR = set(
    "le la les des est une un vous votre pour dans avec pas que qui sur par ou au aux du ce cette "  # noqa: SIM905
    "être sont peut si ne plus mais aussi donc très même votre vos nous il elle".split()
)
_EN = set(
    "the is are you your for in with not that who on by or to of this be can if it and an "  # noqa: SIM905
    "what do does will have has".split()
)


def reply_language(text: str) -> str | None:
    """'fr' or 'en' by counting function words (None: too little text to tell)."""
    words = _WORD.findall(text.lower().replace("’", "'"))
    fr = sum(w in _FR for w in words)
    en = sum(w in _EN for w in words)
    if fr + en < 3:
        return None
    return "fr" if fr > en else "en"


def _matches(state: str, target: str) -> bool:
    if target.endswith(":*"):
        return state.split(":")[0] == target[:-2]
    return state == target


def _page_exists(reg, target: str) -> bool:
    flow, _, state = target.partition(":")
    if state == "*":
        return flow in reg.flows
    return reg.state(flow, state) is not None


def grade(row: dict, state: str, replies) -> str:
    keys = [r.key for r in replies]
    text = "\n".join(r.text for r in replies)
    lang_ok = reply_language(text) in (None, row.get("lang", "fr"))
    ok_keys = [row["expect"], *row.get("also_ok", [])]
    ok_targets = [TARGETS[k] for k in ok_keys if k in TARGETS]
    payloads = [b.payload or "" for r in replies for b in r.flat_buttons()]
    offered = [p[2:] for p in payloads if p.startswith("g:") and p[2:] in PAGES or p.startswith("g:deadline:")]
    answered = next((t for t in [state] if t in PAGES or t.startswith("deadline:")), None)
    if OUTSIDE_KEY in keys and not answered:
        if "outside" in ok_keys:
            return "right" if lang_ok else "wrong"
        return "honest"
    if answered:
        if any(_matches(answered, t) for t in ok_targets):
            return "right" if lang_ok else "wrong"
        return "wrong"
    if any(_matches(o, t) for o in offered for t in ok_targets):
        return "offered"
    return "other"


async def run(rows: list[dict], locale: str | None, verbose: bool) -> Counter:
    try:
        from tests.support.harness import Chat, make_app
    except ImportError:  # older commits
        from tests.harness import Chat, make_app

    counts: Counter = Counter()
    missing: Counter = Counter()
    by_class: dict[str, Counter] = {}
    by_lang: dict[str, Counter] = {}
    with tempfile.TemporaryDirectory() as tmp:
        app, backend, _clock = make_app(Path(tmp))
        reg = app.router.reg
        for i, row in enumerate(rows):
            chat = Chat(app, backend, user=f"q{i}", locale=locale)
            replies = await chat.say(row["text"])
            session = app.store.get_session(chat._event(text="x").session_key)
            state = f"{session.flow}:{session.state}" if session else "menu:main"
            outcome = grade(row, state, replies)
            counts[outcome] += 1
            by_class.setdefault(row.get("class", "?"), Counter())[outcome] += 1
            by_lang.setdefault(row.get("lang", "fr"), Counter())[outcome] += 1
            ok_keys = [row["expect"], *row.get("also_ok", [])]
            here = any(k == "outside" or (k in TARGETS and _page_exists(reg, TARGETS[k])) for k in ok_keys)
            if not here:
                missing[outcome] += 1
            if verbose and outcome != "right":
                print(
                    f"{outcome:8} {row.get('id', i)!s:>6} expect={'/'.join(ok_keys)} got={state} "
                    f"keys={[r.key for r in replies]} {'[no page here] ' if not here else ''}{row['text']!r}"
                )
    n = sum(counts.values()) or 1
    print(f"{n} questions (platform language {locale or 'default'})")
    for o in OUTCOMES:
        print(f"  {o:8} {counts[o]:4d}  {100 * counts[o] / n:5.1f} %")
    for lang, c in sorted(by_lang.items()):
        tot = sum(c.values()) or 1
        print(f"  lang {lang} {tot:4d}: " + ", ".join(f"{o} {c[o]} ({100 * c[o] / tot:.1f} %)" for o in OUTCOMES))
    m = sum(missing.values())
    if m:
        print(
            f"  of which {m} expect a page missing from this checkout: "
            + ", ".join(f"{o} {missing[o]}" for o in OUTCOMES if missing[o])
        )
        k = n - m
        right, wrong = counts["right"] - missing["right"], counts["wrong"] - missing["wrong"]
        print(
            f"  without them ({k}): right {right} ({100 * right / (k or 1):.1f} %), "
            f"wrong {wrong} ({100 * wrong / (k or 1):.1f} %)"
        )
    if verbose:
        for cls, c in sorted(by_class.items()):
            tot = sum(c.values())
            print(f"  class {cls:24} {tot:3d}: " + ", ".join(f"{o} {c[o]}" for o in OUTCOMES if c[o]))
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", required=True, help="a JSON-lines file of questions")
    ap.add_argument("--verbose", action="store_true", help="print every question not answered right")
    ap.add_argument("--locale", default="fr", help="the platform language of every conversation (default fr)")
    args = ap.parse_args(argv)
    rows = [json.loads(line) for line in Path(args.set).read_text(encoding="utf-8").splitlines() if line.strip()]
    asyncio.run(run(rows, args.locale or None, args.verbose))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

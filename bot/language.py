"""Which language a message is written in, from the locales' own vocabulary (no model).

A word counts for a language when it is at least ``RATIO`` times more frequent in that language's
templates and nlu data than in any other's; the message is in a language when that language has at least ``MIN_WORDS`` more such
words than the other.  Short or mixed messages give None: the reply keeps the person's language."""
from __future__ import annotations

import re
from functools import lru_cache

from .nlu_data import LOCALES, locales_root
from .textnorm import fold

MIN_WORDS = 2
RATIO = 4
_WORD = re.compile(r"[a-z]+")


@lru_cache(maxsize=1)
def _vocabularies() -> dict[str, frozenset[str]]:
    from collections import Counter

    seen: dict[str, Counter] = {}
    for lang in LOCALES:
        words: Counter = Counter()
        for path in (locales_root() / lang).rglob("*"):
            if path.suffix in (".j2", ".toml"):
                words.update(_WORD.findall(fold(path.read_text(encoding="utf-8"))))
        seen[lang] = words
    return {lang: frozenset(w for w, n in words.items()
                            if all(n >= RATIO * seen[o].get(w, 0) for o in LOCALES if o != lang))
            for lang, words in seen.items()}


def detect(text: str) -> str | None:
    """'fr', 'en'... or None when the message does not tell."""
    vocab = _vocabularies()
    counts = {lang: 0 for lang in vocab}
    for w in _WORD.findall(fold(text or "").replace("'", " ")):
        for lang, words in vocab.items():
            if w in words:
                counts[lang] += 1
    ranked = sorted(counts.items(), key=lambda p: -p[1])
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] >= MIN_WORDS:
        return ranked[0][0]
    return None

"""Which language a message is written in, from the locales' own vocabulary (no model).

A word counts for a language when it is at least ``RATIO`` times more frequent in that language's
templates and nlu data than in any other's; the message is in a language when that language has at
least ``MIN_WORDS`` more such words than the other.  Names written alike in every language ("Mon espace
santé", "carte Vitale": ``names`` in words.toml) are left out first.  Short or mixed messages give None:
the reply keeps the person's language."""

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
    return {
        lang: frozenset(
            w for w, n in words.items() if all(n >= RATIO * seen[o].get(w, 0) for o in LOCALES if o != lang)
        )
        for lang, words in seen.items()
    }


@lru_cache(maxsize=1)
def _names() -> re.Pattern[str]:
    """The names every language writes alike, as one pattern (longest first)."""
    from .nlu_data import words

    names = sorted(words("words", "names"), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(n).replace(r"\ ", " ") for n in names) + r")\b")


@lru_cache(maxsize=1)
def _function_words() -> dict[str, frozenset[str]]:
    """Each language's small words (articles, pronouns, question words): they count double, since
    names and terms ("médecin traitant", "carte Vitale") cross languages but these do not."""
    from .nlu_data import load

    out = {}
    for lang in LOCALES:
        data = load("words", lang)
        out[lang] = frozenset(set(data.get("stop", ())) | set(data.get("question", ())))
    return out


def detect(text: str) -> str | None:
    """'fr', 'en'... or None when the message does not tell."""
    vocab = _vocabularies()
    small = _function_words()
    counts = {lang: 0 for lang in vocab}
    folded = " ".join(_WORD.findall(fold(text or "")))
    for w in _WORD.findall(_names().sub(" ", folded)):
        for lang, words in vocab.items():
            if w in words:
                counts[lang] += 2 if w in small[lang] else 1
    ranked = sorted(counts.items(), key=lambda p: -p[1])
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] >= MIN_WORDS:
        return ranked[0][0]
    return None

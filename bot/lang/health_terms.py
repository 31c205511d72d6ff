"""Health details people may type by mistake ("je suis diabétique", "j'ai fait une IVG").

:func:`strip` removes them from the text the rest of the bot reads and says whether any
were found; :mod:`bot.lang.privacy` then warns the person and keeps nothing.  The list names
conditions, treatments and sensitive care, not the words of the topic itself: "médecin",
"santé", "dossier médical", "urgence", "ordonnance", "Assurance maladie" are not health
details, and dates, ages and durations never match.
"""

from __future__ import annotations

import re

from . import nlu_data
from .textnorm import strip_accents

# Folded (no accents, lower case) stems, whole words, phrases and safe look-alikes: locales/fr/nlu/health.toml.
_DATA = nlu_data.load("health", "fr")
_STEMS: list[str] = list(_DATA.get("stems", ()))
_WORDS: list[str] = list(_DATA.get("words", ()))
_PHRASES: list[str] = list(_DATA.get("phrases", ()))
_STEM_RE = re.compile(
    r"(?<![\w-])(?:" + "|".join(re.escape(s) for s in sorted(_STEMS, key=len, reverse=True)) + r")[\w-]*", re.I
)
_WORD_RE = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in _WORDS) + r")(?![\w-])", re.I)
_PHRASE_RE = re.compile(
    r"(?<![\w-])(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in _PHRASES) + r")(?![\w-])", re.I
)
# Words that start like a stem but are not health details.
_SAFE = set(_DATA.get("safe", ()))


def _folded_map(text: str) -> str:
    """Same length as ``text``: accents removed character by character, lower case."""
    return "".join(((strip_accents(c) or c)[:1].lower() or c)[:1] for c in text)


def strip(text: str) -> tuple[str, bool]:
    """Remove health details from ``text``; return the rest and whether any were found."""
    if not text:
        return text or "", False
    folded = _folded_map(text)
    spans: list[tuple[int, int]] = []
    for rx in (_PHRASE_RE, _WORD_RE, _STEM_RE):
        for m in rx.finditer(folded):
            if rx is _STEM_RE and m.group(0).lower() in _SAFE:
                continue
            spans.append(m.span())
    if not spans:
        return text, False
    spans.sort()
    out, last = [], 0
    for a, b in spans:
        if a < last:
            a = last
        if a >= b:
            continue
        out.append(text[last:a])
        out.append(" ")
        last = b
    out.append(text[last:])
    return re.sub(r"[ \t]{2,}", " ", "".join(out)).strip(), True

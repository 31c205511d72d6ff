"""Text normalisation shared by button matching, intents and dates."""

from __future__ import annotations

import re
import unicodedata

_PUNCT = re.compile(r"[^\w\s/.:-]", re.UNICODE)
_SPACES = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower case, no accents, typographic apostrophes made plain, spaces collapsed."""
    text = text.replace("\u2019", "'").replace("\u00a0", " ").replace("\u202f", " ")
    text = strip_accents(text).casefold()
    return _SPACES.sub(" ", text).strip()


def words(text: str) -> str:
    """Fold and drop punctuation except / . : - (useful inside dates)."""
    return _SPACES.sub(" ", _PUNCT.sub(" ", fold(text))).strip()


def label_key(text: str) -> str:
    """Fold a button label for comparison with what a person typed."""
    t = re.sub(r"[^\w\s]", " ", fold(text))
    return _SPACES.sub(" ", t).strip()

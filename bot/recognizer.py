"""Retrieval recognizer: which answer page is nearest to a question, by BM25 (SQLite FTS5).

The documents are the labelled example questions (locales/<lang>/nlu/examples.toml), each topic's
keywords (keywords.toml) and the text of the page that answers it (the templates, every language).
Words are folded, SMS spellings expanded (bot.intents.normalise), reduced to their stem by the
Snowball stemmers (French and English), and a word the index does not know is read as the nearest
known word when it is one or two typos away (rapidfuzz).  A topic's score sums the BM25 scores of
its documents among the best ``TOP`` hits.  Built once, on first use (about 30 ms, 2-3 MB).
"""
from __future__ import annotations

import re
import sqlite3
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from . import intents

TOP = 12
FADE = 0.0
_JINJA = re.compile(r"{[{%#].*?[}%#]}", re.S)


@lru_cache(maxsize=1)
def _stemmers():
    import snowballstemmer

    return snowballstemmer.stemmer("french"), snowballstemmer.stemmer("english")


@lru_cache(maxsize=16384)
def _stems(word: str) -> tuple[str, ...]:
    fr, en = _stemmers()
    a, b = fr.stemWord(word), en.stemWord(word)
    return (a,) if a == b else (a, b)


def _page_text(target: str) -> str:
    """The answer page's own words, every language (template tags removed)."""
    from .nlu_data import LOCALES, locales_root

    flow, _, state = target.partition(":")
    out = []
    for lang in LOCALES:
        path = locales_root() / lang / flow / f"{state}.j2"
        if path.is_file():
            out.append(_JINJA.sub(" ", path.read_text(encoding="utf-8")))
    return "\n".join(out)


class Retriever:
    def __init__(self):
        docs: list[tuple[str, str]] = list(intents.examples())
        for name, it in {**intents.INTENTS, "outside": intents._OUTSIDE}.items():
            docs.append((" ".join(w.strip("=*") for words, _w in it.keys for w in words), name))
            if name in intents.INTENTS:
                page = _page_text(it.target)
                if page:
                    docs.append((page, name))
        self.words: dict[str, None] = {}
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.db.execute("CREATE VIRTUAL TABLE d USING fts5(body, label UNINDEXED, tokenize='unicode61')")
        rows = []
        for text, label in docs:
            rows.append((" ".join(self._terms(intents.normalise(text), learn=True)), label))
        self.db.executemany("INSERT INTO d(body, label) VALUES (?, ?)", rows)
        self.known = list(self.words)

    def _terms(self, toks: list[str], learn: bool = False) -> list[str]:
        out = []
        for t in toks:
            if t in intents._STOP or len(t) < 2:
                continue
            if learn:
                self.words[t] = None
            out.extend(_stems(t))
        return out

    def _spell(self, tok: str) -> str:
        """The known word one or two typos away (``tok`` itself when known or too short)."""
        if tok in self.words or len(tok) < 5 or tok.isdigit():
            return tok
        tol = 1 if len(tok) < 8 else 2
        hit = process.extractOne(tok, self.known, scorer=Levenshtein.distance, score_cutoff=tol)
        return hit[0] if hit else tok

    def scores(self, toks: list[str]) -> list[tuple[str, float]]:
        """Topics by summed BM25 score of their best documents, best first."""
        terms = self._terms([self._spell(t) for t in toks])
        if not terms:
            return []
        query = " OR ".join('"' + t.replace('"', "") + '"' for t in dict.fromkeys(terms))
        rows = self.db.execute("SELECT label, bm25(d) FROM d WHERE d MATCH ? ORDER BY bm25(d) LIMIT ?",
                               (query, TOP)).fetchall()
        # a topic's best document counts fully, its next ones less (a topic with many examples
        # must not win by their number alone); FTS5's bm25() is negative: lower is better
        seen: dict[str, int] = {}
        out: dict[str, float] = {}
        for label, score in rows:
            k = seen[label] = seen.get(label, 0) + 1
            out[label] = out.get(label, 0.0) - score * FADE ** (k - 1)
        return sorted(out.items(), key=lambda p: -p[1])


@lru_cache(maxsize=1)
def retriever() -> Retriever:
    return Retriever()

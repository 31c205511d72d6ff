"""Two learned recognizers: BM25 retrieval and a naive Bayes classifier.

The documents are the labelled example questions (locales/<lang>/nlu/examples.toml), each topic's
keywords (keywords.toml) and the text of the page that answers it (the templates, every language).
Words are folded, SMS spellings expanded (bot.intents.normalise), reduced to their stem by the
Snowball stemmers (French and English), and a word the index does not know is read as the nearest
known word when it is one or two typos away (rapidfuzz).  A topic's score is the BM25 score of its
best document among the best ``TOP`` hits.  The index is an in-memory inverted index scored with the
formula of SQLite's FTS5 (same scores): FTS5 ranked every matching row through its bm25() function, the
largest cost of a question once the examples passed 8,000 (bench/questions.py).

:class:`Classifier` is a multinomial naive Bayes over the same stems, letter 4-grams (for the
spellings the examples do not have) and pairs of stems (neighbours, or one word apart), trained on the
labelled examples and the keywords.
Both are built once, on the first free-text question (about 1 s with 8,700 examples), and answer
in well under a millisecond.
"""

from __future__ import annotations

import heapq
import math
import re
from array import array
from collections import Counter
from functools import lru_cache
from itertools import accumulate, chain

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from . import intents

TOP = 12
K1, B = 1.2, 0.75  # BM25's usual constants (SQLite FTS5's too)
COMMON_SHARE = 0.1  # a stem in more than this share of the documents is left out of the query
KNOWN_DOCS = 2  # a word is known when this many documents use it (one example's "lol" is an accident)
FADE = 0.0
ALPHA = 0.03  # naive Bayes smoothing
GRAM_WEIGHT = 0.3  # a letter 4-gram counts this much of a word
PAIR_WEIGHT = 1.0  # a pair of consecutive words (their stems)
SKIP_WEIGHT = 0.5  # a pair of words with one word between them ("masquer un document": masqu_docu)
SHARPNESS = 1.0  # log-likelihoods are divided by (feature mass) ** SHARPNESS before the softmax
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
        self.words: dict[str, int] = {}  # word -> how many documents use it
        self.labels: list[str] = []
        # the inverted index: stem -> the documents that hold it, and how many times (two flat arrays)
        postings: dict[str, list[tuple[int, int]]] = {}
        lengths: list[int] = []
        for text, label in docs:
            toks = intents.normalise(text)
            for t in set(toks) - intents._STOP:
                if len(t) > 1:
                    self.words[t] = self.words.get(t, 0) + 1
            terms = self._terms(toks)
            for t, n in Counter(terms).items():
                postings.setdefault(t, []).append((len(self.labels), n))
            self.labels.append(label)
            lengths.append(len(terms))
        self.known = list(self.words)
        n_docs, mean = len(lengths), sum(lengths) / max(len(lengths), 1)
        self.postings = {
            t: (array("I", (d for d, _n in p)), array("H", (n for _d, n in p))) for t, p in postings.items()
        }
        del postings
        df = {t: len(p[0]) for t, p in self.postings.items()}
        self.common = frozenset(t for t, n in df.items() if n > COMMON_SHARE * n_docs)
        # BM25 (as SQLite's FTS5 computes it): idf per stem, length normalisation per document
        self.idf = {t: max(math.log((n_docs - n + 0.5) / (n + 0.5)), 1e-6) for t, n in df.items()}
        self.norm = [K1 * (1 - B + B * n / mean) for n in lengths]

    def _terms(self, toks: list[str]) -> list[str]:
        out: list[str] = []
        for t in toks:
            if t in intents._STOP or len(t) < 2:
                continue
            out.extend(_stems(t))
        return out

    def _spell(self, tok: str) -> str:
        """The known word one or two typos away (``tok`` itself when known or too short)."""
        if tok in self.words or len(tok) < 5 or tok.isdigit():
            return tok
        tol = 1 if len(tok) < 8 else 2
        hit = process.extractOne(tok, self.known, scorer=Levenshtein.distance, score_cutoff=tol)
        return hit[0] if hit else tok

    def known_share(self, toks: list[str]) -> float:
        """The share of meaningful words the examples, keywords or pages use (typos forgiven)."""
        words = intents._meaningful(toks)
        if not words:
            return 0.0
        return sum(self.words.get(self._spell(t), 0) >= KNOWN_DOCS for t in words) / len(words)

    def scores(self, toks: list[str]) -> list[tuple[str, float]]:
        """Topics by summed BM25 score of their best documents, best first."""
        terms = self._terms([self._spell(t) for t in toks])
        if not terms:
            return []
        # a stem in most documents ("espace", "refuser") scores next to nothing and costs most of the time
        terms = [t for t in dict.fromkeys(terms) if t not in self.common and t in self.idf] or terms
        total: dict[int, float] = {}
        norm = self.norm
        for t in terms:
            idf = self.idf.get(t)
            if idf is None:
                continue
            docs, counts = self.postings[t]
            for doc, n in zip(docs, counts, strict=True):
                total[doc] = total.get(doc, 0.0) + idf * n * (K1 + 1) / (n + norm[doc])
        best = heapq.nsmallest(TOP, total.items(), key=lambda p: (-p[1], p[0]))
        # a topic's best document counts fully, its next ones less (a topic with many examples
        # must not win by their number alone)
        seen: dict[str, int] = {}
        out: dict[str, float] = {}
        for doc, score in best:
            label = self.labels[doc]
            k = seen[label] = seen.get(label, 0) + 1
            out[label] = out.get(label, 0.0) + score * FADE ** (k - 1)
        return sorted(out.items(), key=lambda p: -p[1])


@lru_cache(maxsize=1)
def retriever() -> Retriever:
    return Retriever()


def features(toks: list[str], spell=None) -> dict[str, float]:
    """Stems, letter 4-grams and pairs of word stems (next to each other, or one word apart) of a
    normalised message: pairs of stems rather than of words, so "masquer le document" and "masqué les
    documents" share them."""
    f: dict[str, float] = {}
    kept = []
    for t in toks:
        if spell is not None:
            t = spell(t)
        if t in intents._STOP or len(t) < 2:
            continue
        kept.append(_stems(t)[0])
        for st in _stems(t):
            f["w:" + st] = f.get("w:" + st, 0.0) + 1.0
        if len(t) >= 4 and not t.isdigit():
            padded = f"<{t}>"
            for i in range(len(padded) - 3):
                g = "g:" + padded[i : i + 4]
                f[g] = f.get(g, 0.0) + GRAM_WEIGHT
    for step, weight in ((1, PAIR_WEIGHT), (2, SKIP_WEIGHT)):
        for a, b in zip(kept, kept[step:], strict=False):
            f["p:" + a + "_" + b] = f.get("p:" + a + "_" + b, 0.0) + weight
    return f


class Classifier:
    """Multinomial naive Bayes over :func:`features`, trained on the examples and the keywords.

    The model is kept compact (a few MB): each feature's row of (topic, log-likelihood bonus) pairs
    lives in flat arrays, and only the topics that have the feature are stored."""

    def __init__(self) -> None:
        topics = {**intents.INTENTS, "outside": intents._OUTSIDE}
        examples = intents.examples()
        # one document at a time (normalised as it is counted): the whole set at once would cost memory
        docs = chain(
            ((intents.normalise(q), name) for q, name in examples),
            (([w.strip("=*") for w in words], name) for name, it in topics.items() for words, _w in it.keys),
        )
        self.labels = sorted({name for _q, name in examples} | set(topics))
        index = {name: i for i, name in enumerate(self.labels)}
        # features numbered as met, one small table of counts per topic (compact while building too)
        self.rows: dict[str, int] = {}
        counts: list[dict[int, float]] = [{} for _ in self.labels]
        for toks, name in docs:
            row = counts[index[name]]
            for k, v in features(toks).items():
                if v:
                    f = self.rows.setdefault(k, len(self.rows))
                    row[f] = row.get(f, 0.0) + v
        del docs
        # log P(k | topic) = log(ALPHA / denom) + log(1 + count / ALPHA): a base per topic, and a sparse
        # bonus for the topics that have the feature
        denom = [sum(row.values()) + ALPHA * len(self.rows) for row in counts]
        self.base = [math.log(ALPHA / d) for d in denom]
        feature, topic, count = array("I"), array("H"), array("d")
        for i, row in enumerate(counts):
            feature.extend(row.keys())
            topic.extend(i for _ in range(len(row)))
            count.extend(row.values())
        del counts
        order = sorted(range(len(feature)), key=feature.__getitem__)  # by feature, topics in order
        self.topic = array("H", (topic[j] for j in order))
        self.bonus = array("d", (math.log1p(count[j] / ALPHA) for j in order))
        per_feature = [0] * (len(self.rows) + 1)
        for f in feature:
            per_feature[f + 1] += 1
        self.starts = array("I", accumulate(per_feature))

    def scores(self, toks: list[str]) -> list[tuple[str, float]]:
        """Topics by posterior probability (the examples' own prior left out), best first."""
        feats = [(self.rows[k], v) for k, v in features(toks, retriever()._spell).items() if k in self.rows]
        mass = sum(v for _k, v in feats)
        total = [mass * b for b in self.base]
        starts, topic, bonus = self.starts, self.topic, self.bonus
        for r, v in feats:
            for j in range(starts[r], starts[r + 1]):
                total[topic[j]] += v * bonus[j]
        if not feats:
            return []
        total = [t / (mass**SHARPNESS) for t in total]  # a long message is not more certain by length alone
        top = max(total)
        ex = [math.exp(t - top) for t in total]
        z = sum(ex)
        return sorted(((name, e / z) for name, e in zip(self.labels, ex, strict=True)), key=lambda p: -p[1])


@lru_cache(maxsize=1)
def classifier() -> Classifier:
    return Classifier()

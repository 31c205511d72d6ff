"""The question recognizer before issue 14, kept to compare against (bench/nlu_compare.py, bench/questions.py).

The keyword table of :mod:`bot.lang.intents` with a second opinion: a nearest-neighbour vote over the
labelled examples (word stems and letter trigrams, TF-IDF cosine) that confirms the keyword answer,
turns a disagreement into buttons, or offers topics when no keyword matched."""

from __future__ import annotations

from functools import lru_cache

from .intents import INTENTS, OFFER_AT, OUTSIDE, _STOP, Result, _classify_keywords, _root, examples, normalise


def classify_keywords_knn(text: str, _skip: int | None = None) -> Result:
    """The recognizer before issue 14 (kept for comparison): keyword scores first; the nearest
    examples then confirm, split a close call, or rescue a miss."""
    res = _classify_keywords(text)
    if res.kind in ("greeting", "thanks") or not res.tokens:
        return res
    votes, best_sim = _neighbours().vote(res.tokens, skip=_skip)
    return _second_opinion(res, votes, best_sim)


def _second_opinion(res: Result, votes: list[tuple[str, float]], best_sim: float) -> Result:
    res.votes = votes
    if not votes:
        return res
    total = sum(v for _n, v in votes)
    nn, nv = votes[0]
    share = nv / total
    sure = best_sim >= KNN_SURE and share >= KNN_SHARE
    best = res.best
    if res.kind == "answer" and best is not None:  # an answer always has a best topic
        own = dict(votes).get(best, 0.0)
        if nn != best and nn != OUTSIDE[0] and sure and nv >= 2 * own:
            res.kind, res.offer = "offer", [best, nn]  # the two readings disagree: let the person pick
        return res
    if res.kind == "offer":
        tops = res.top
        # the examples settle a close call for the keyword leader, or, when very close, for another
        off_topic = dict(res.scores).get(OUTSIDE[0], 0.0) >= OFFER_AT
        if nn in tops and sure and not off_topic and best_sim >= (KNN_ANSWER if nn == res.best else KNN_OVERRIDE):
            res.kind, res.offer = "answer", None
            res.scores = [(nn, dict(res.scores).get(nn, 0.0))] + [p for p in res.scores if p[0] != nn]
        elif nn in INTENTS and nn not in tops and sure:
            res.offer = (tops + [nn])[:3]
        return res
    # no keyword decided ("none", or off-topic words): the examples may still recognise the question
    if sure and nn == OUTSIDE[0]:
        res.kind = "outside"
    elif sure and nn in INTENTS:
        res.kind = "offer"
        res.offer = [n for n, v in votes if n in INTENTS and v >= 0.5 * nv][:3]
    return res


# --- second opinion: nearest labelled examples ------------------------------------------------
#
# The keyword table is precise but only knows the words someone wrote into it.  A small
# nearest-neighbour vote over labelled example questions (locales/<lang>/nlu/examples.toml) looks at the
# whole sentence (word stems, plus letter trigrams for typos): it confirms a keyword answer,
# turns a disagreement into buttons, and offers topics when no keyword matched at all.

KNN_K = 5
KNN_SURE = 0.45  # best example at least this similar ...
KNN_SHARE = 0.6  # ... and this share of the votes: the examples are sure
KNN_ANSWER = 0.6  # sure enough to settle a close keyword call
KNN_OVERRIDE = 0.75  # ... in favour of a topic that is not the keyword leader


def _features(toks: list[str]) -> dict[str, float]:
    f: dict[str, float] = {}
    for t in toks:
        if t in _STOP:
            continue
        f["w:" + _root(t)] = f.get("w:" + _root(t), 0.0) + 1.0
        if len(t) >= 5 and not t.isdigit():
            padded = f"<{t}>"
            for i in range(len(padded) - 2):
                g = "g:" + padded[i : i + 3]
                f[g] = f.get(g, 0.0) + 0.25
    return f


class _Neighbours:
    """TF-IDF cosine over the labelled examples, with an inverted index (a few hundred examples)."""

    def __init__(self, examples: list[tuple[str, str]]) -> None:
        import math

        feats = [_features(normalise(q)) for q, _n in examples]
        df: dict[str, int] = {}
        for f in feats:
            for k in f:
                df[k] = df.get(k, 0) + 1
        n = len(feats)
        self.idf = {k: math.log((1 + n) / (1 + d)) + 1.0 for k, d in df.items()}
        self.labels = [lab for _q, lab in examples]
        self.index: dict[str, list[tuple[int, float]]] = {}
        for i, f in enumerate(feats):
            vec = self._weigh(f)
            for k, v in vec.items():
                self.index.setdefault(k, []).append((i, v))

    def _weigh(self, f: dict[str, float]) -> dict[str, float]:
        import math

        vec = {k: v * self.idf.get(k, 0.0) for k, v in f.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {k: v / norm for k, v in vec.items() if v}

    def vote(self, toks: list[str], skip: int | None = None) -> tuple[list[tuple[str, float]], float]:
        """Intents by summed similarity of the K nearest examples, and the best similarity."""
        sims: dict[int, float] = {}
        for k, v in self._weigh(_features(toks)).items():
            for i, w in self.index.get(k, ()):
                sims[i] = sims.get(i, 0.0) + v * w
        if skip is not None:
            sims.pop(skip, None)
        near = sorted(sims.items(), key=lambda p: -p[1])[:KNN_K]
        votes: dict[str, float] = {}
        for i, sim in near:
            if sim >= 0.2:
                votes[self.labels[i]] = votes.get(self.labels[i], 0.0) + sim
        return sorted(votes.items(), key=lambda p: -p[1]), (near[0][1] if near else 0.0)


@lru_cache(maxsize=1)
def _neighbours() -> _Neighbours:
    return _Neighbours(examples())

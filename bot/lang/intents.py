"""Offline recognition of free-text questions ("mon médecin voit tout ?", "c payant d'appeler").

No external service.  The text is folded (no accents, lower case) and SMS spellings and English
contractions expanded (:func:`normalise`).  Three recognizers then vote (:func:`classify`):

- the keyword table: every topic scores the weighted keyword phrases it finds; a word matches a
  key word exactly, by prefix (``stem*``), by a light French stem or with one or two typos; a
  precise page beats the broader page it belongs to (``SUBTOPIC``); ``OUTSIDE`` words (appointments,
  refunds of care, the weather...) point to "my sources do not answer";
- a naive Bayes classifier and BM25 retrieval over the labelled examples (:mod:`bot.recognizer`).

:func:`decide` weighs them: a clear winner is answered (less is needed when they agree), a close
call offers two or three topics, the ``outside`` label says the sources do not answer.  Every word
list (keywords, examples, spellings, small word classes) is data: ``locales/<lang>/nlu/*.toml``.
The recognizer used before (keywords and a nearest-example vote) is kept in
:mod:`bot.intents_before` to compare against.  About 1 ms per message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from . import nlu_data
from .textnorm import fold

# --- normalisation -----------------------------------------------------------------------

SMS: dict[str, str] = nlu_data.table("spelling", "sms")
#: phrases written several ways, read as one word ("e-mail", "sécurité sociale")
PHRASES: dict[str, str] = nlu_data.table("spelling", "phrases")
_PHRASE_RES = [(re.compile(r"\b" + re.escape(p).replace(r"\ ", "[ -]?") + r"\b"), one) for p, one in PHRASES.items()]
#: English contractions once apostrophes are gone ("what's" -> what s -> what is)
_PAIRS = {tuple(k.split()): tuple(v.split()) for k, v in nlu_data.table("spelling", "pairs").items()}
#: SMS-style "j" glued to a verb: jveux, jpeux, jprepare (no French word starts with "j" and a consonant)
_J_PRONOUN = nlu_data.load("spelling", "fr").get("glued_j", {}).get("pronoun", "")
_REPEAT = re.compile(r"([a-z])\1{2,}")
_SPLIT = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> list[str]:
    """Folded tokens with SMS spellings expanded ("c payant" -> c est payant)."""
    t = fold(text or "")
    for rx, one in _PHRASE_RES:
        t = rx.sub(one, t)
    t = _REPEAT.sub(r"\1", t)  # "merciii", "svppp"
    toks = [w for w in _SPLIT.split(t) if w]
    out: list[str] = []
    for w in toks:
        rep = SMS.get(w)
        if rep is None and _J_PRONOUN and len(w) > 3 and w[0] == "j" and w[1] not in "aeiouy" and w.isalpha():
            rep = _J_PRONOUN + " " + w[1:]
        if rep is None:
            out.append(w)
        elif rep:
            out.extend(rep.split())
    for i in range(len(out) - 1):
        pair = _PAIRS.get((out[i], out[i + 1]))
        if pair:
            out[i], out[i + 1] = pair
    # "c'est" gives "c est" and the SMS "c" gives "c est" too: drop doubled words
    return [w for i, w in enumerate(out) if i == 0 or w != out[i - 1]]


# --- keyword matching ------------------------------------------------------------------------


def _tol(n: int) -> int:
    """Typos allowed for a word of n letters (short words must be exact)."""
    return 0 if n < 6 else 1 if n < 9 else 2


_ENDINGS = tuple(nlu_data.load("spelling", "fr").get("stem", {}).get("endings", ()))
#: endings of a plural or feminine that still match a key word exactly
_PLURALS = tuple(nlu_data.load("spelling", "fr").get("stem", {}).get("plural", ()))


@lru_cache(maxsize=8192)
def _root(word: str) -> str:
    """A light French stem: "effacees", "efface", "effacer" -> "effac" (four letters kept at least)."""
    for end in _ENDINGS:
        if word.endswith(end) and len(word) - len(end) >= 4:
            return word[: -len(end)]
    return word


def _prefix_typo(tok: str, prefix: str) -> bool:
    """``tok`` starts with ``prefix`` but for a typo or two (same first letter, one letter more or less)."""
    tol = _tol(len(prefix))
    return (
        len(tok) >= len(prefix) - 1
        and min(Levenshtein.distance(tok[:n], prefix) for n in (len(prefix), len(prefix) + 1)) <= tol
    )


class _Tokens:
    """One message's tokens, with the positions each key word matches, computed for all key words at once.

    Each distinct token is looked up in the key words' index (:class:`_KeyIndex`) rather than each key
    word compared with each token: exact forms, light stems and prefixes are dictionary lookups; only
    a word no key uses is compared letter by letter (typos) with the key words of its first letter."""

    __slots__ = ("_at", "found")

    def __init__(self, toks: list[str]):
        at: dict[str, list[int]] = {}
        index = _key_index()
        by_token: dict[str, set[str]] = {}
        for i, t in enumerate(toks):
            stems = by_token.get(t)
            if stems is None:
                stems = by_token[t] = index.matches(t)
            for stem in stems:
                at.setdefault(stem, []).append(i)
        self._at = at
        self.found = frozenset(at)  # the key words some token matches

    def positions(self, stem: str) -> tuple[int, ...] | list[int]:
        return self._at.get(stem, ())


def _phrase_at(toks, words: tuple[str, ...], used: set[int] | None = None) -> bool:
    """All words in order, each at most three positions after the previous one.

    A key may not reuse a word ``used`` by a stronger key of the same intent (so
    "medecin traitant" and "medecin" do not count twice)."""
    if not isinstance(toks, _Tokens):
        toks = _Tokens(list(toks))
    used = used if used is not None else set()
    for i in toks.positions(words[0]):
        if i in used:
            continue
        hit, pos = [i], i
        for w in words[1:]:
            nxt = next((j for j in toks.positions(w) if pos < j < pos + 4 and j not in used), None)
            if nxt is None:
                break
            pos = nxt
            hit.append(nxt)
        if len(hit) == len(words):
            used.update(hit)
            return True
    return False


@dataclass(frozen=True)
class Intent:
    name: str
    target: str  # "flow:state" that answers it
    keys: tuple[tuple[tuple[str, ...], float], ...]
    generic: float = 1.0  # < 1: a broad topic that yields to a precise one


def _parse(spec: str) -> tuple[tuple[tuple[str, ...], float], ...]:
    """'medecin traitant:3 | docteur | voit tout:2' -> ((('medecin','traitant'),3.0), ...)."""
    out = []
    for part in spec.split("|"):
        part = part.strip()
        if not part:
            continue
        w = 1.0
        if ":" in part:
            part, weight = part.rsplit(":", 1)
            w = float(weight)
        out.append((tuple(part.split()), w))
    return tuple(out)


#: each topic of the catalogue and the "flow:state" page that answers it
TOPICS: dict[str, str] = {
    "what_is": "understand:start",
    "contents": "understand:contents",
    "access": "understand:access",
    "doctor": "understand:doctor",
    "emergency": "understand:emergency",
    "never": "understand:never",
    "debate": "understand:debate",
    "compulsory": "understand:choice",
    "refuse": "refuse:start",
    "online": "refuse:online",
    "phone": "refuse:phone",
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
    "children": "children:start",
    "turning18": "children:adult",
    "two_parents": "children:parents",
    "regimes": "children:regimes",
    "protected": "others:protected",
    "relative": "others:relative",
    "offline": "others:offline",
    "window": "questions:window",
    "received": "deadline:start",
    "sources": "sources:start",
    "police": "questions:police",
    "research": "questions:research",
    "leak": "questions:leak",
    "law": "questions:law",
    "figures": "questions:figures",
    "others": "others:start",
    "keep": "understand:debate_keep",
    "phone_ready": "refuse:phone_ready",
    # pages being written in another branch (the router falls back to the broader page until they exist)
    "decide": "understand:decide",
    "notice_help": "understand:notice",
    "dmp": "understand:dmp",
    "teen": "children:teen",
    "refused_before": "after:refused_before",
    "abroad": "others:abroad",
}


def keywords(name: str) -> list[str]:
    """A topic's weighted keywords ("medecin traitant:3.5"), every language's (locales/<lang>/nlu/keywords.toml)."""
    out: list[str] = []
    for data in nlu_data.merged("keywords").values():
        out.extend(data.get(name, {}).get("keys", ()))
    return out


_TABLE = [(name, target, " | ".join(keywords(name))) for name, target in TOPICS.items()]

#: what the sources do not cover at all (appointments, refunds of care, a new carte Vitale, the weather...):
#: when this wins, the bot says its sources do not answer rather than stretching a topic to fit
OUTSIDE = ("outside", "questions:outside", " | ".join(keywords("outside")))

#: words people commonly write that look like a typo of a key but are not
COMMON = set(nlu_data.load("spelling", "fr").get("common", {}).get("words", ()))
KNOWN: set[str] = set(COMMON)
for _n, _t, _spec in _TABLE:
    for _words, _w in _parse(_spec):
        KNOWN.update(w.strip("=*") for w in _words if not w.endswith("*"))
for _words, _w in _parse(OUTSIDE[2]):
    KNOWN.update(w.strip("=*") for w in _words if not w.endswith("*"))

#: broad intents ("refuser", "c'est quoi") weigh less when a precise topic is also present
GENERIC = {"refuse": 0.35, "what_is": 0.5, "others": 0.5, "access": 0.85}


#: a precise page and the broader page it belongs to: when both match, the broad one yields
SUBTOPIC = {
    "two_parents": "children",
    "turning18": "children",
    "teen": "children",
    "keep": "debate",
    "decide": "debate",
    "phone_ready": "phone",
    "refused_before": "missed",
    "abroad": "others",
    "data": "close",
    "reopen": "close",
    "doctor": "access",
    "emergency": "access",
    "restrict": "access",
    "missed": "window",
    "protected": "others",
    "relative": "others",
    "deaf": "phone",
    "lost_code": "ready",
    "received": "window",
}


def _sorted_keys(spec: str):
    return tuple(sorted(_parse(spec), key=lambda kw: (-len(kw[0]), -kw[1])))


INTENTS: dict[str, Intent] = {
    name: Intent(name, target, _sorted_keys(spec), GENERIC.get(name, 1.0)) for name, target, spec in _TABLE
}
_OUTSIDE = Intent(OUTSIDE[0], OUTSIDE[1], _sorted_keys(OUTSIDE[2]))
#: each topic's keys with the set of their words (a key one of whose words no token matches cannot match)
_KEYS: dict[str, list[tuple[tuple[str, ...], float, frozenset[str]]]] = {
    it.name: [(words, w, frozenset(words)) for words, w in it.keys] for it in (*INTENTS.values(), _OUTSIDE)
}


class _KeyIndex:
    """The key words of every topic, indexed by what a token can match them by.

    A token matches a key word ``=word`` when it is that word; ``stem*`` when it starts with the stem, or
    nearly (a typo or two, :func:`_prefix_typo`); any other key word when it is the word or a plural of it,
    shares its light stem (:func:`_root`, four letters or more), or is a typo of it (:func:`_tol`, same first
    letter).  A token that is itself a word of some key (``KNOWN``) is never read as a typo, nor is a number."""

    def __init__(self, stems: set[str]):
        self.exact: dict[str, set[str]] = {}  # a form that matches exactly ("=word", the word, its plurals)
        self.root: dict[str, set[str]] = {}  # a light stem shared ("effacees" ~ "effacer")
        self.prefix: dict[str, set[str]] = {}  # "stem*": the letters a token starts with
        self.fuzzy: dict[str, list[str]] = {}  # by first letter: key words a typo may reach
        self.fuzzy_prefix: dict[str, list[str]] = {}  # by first letter: "stem*" a typo may reach
        for stem in stems:
            if stem.startswith("="):
                self.exact.setdefault(stem[1:], set()).add(stem)
            elif stem.endswith("*"):
                s = stem[:-1]
                self.prefix.setdefault(s, set()).add(stem)
                if _tol(len(s)):
                    self.fuzzy_prefix.setdefault(s[0], []).append(stem)
            else:
                for form in (stem, *(stem + end for end in _PLURALS)):
                    self.exact.setdefault(form, set()).add(stem)
                if len(stem) >= 4 and not stem.isdigit():
                    self.root.setdefault(_root(stem), set()).add(stem)
                if not stem.isdigit() and _tol(len(stem)):
                    self.fuzzy.setdefault(stem[0], []).append(stem)
        self.longest_prefix = max((len(s) for s in self.prefix), default=0)

    def matches(self, tok: str) -> set[str]:
        """Every key word ``tok`` matches."""
        out = set(self.exact.get(tok, ()))
        out.update(self.root.get(_root(tok), ()))
        for n in range(1, min(len(tok), self.longest_prefix) + 1):
            out.update(self.prefix.get(tok[:n], ()))
        if tok in KNOWN:
            return out  # a real word of another key is never read as a typo of this one
        first = tok[0]
        for stem in self.fuzzy_prefix.get(first, ()):
            if stem not in out and _prefix_typo(tok, stem[:-1]):
                out.add(stem)
        if not tok.isdigit():
            for stem in self.fuzzy.get(first, ()):
                tol = _tol(len(stem))
                if abs(len(tok) - len(stem)) <= tol and stem not in out and Levenshtein.distance(tok, stem) <= tol:
                    out.add(stem)
        return out


@lru_cache(maxsize=1)
def _key_index() -> _KeyIndex:
    return _KeyIndex({w for keys in _KEYS.values() for words, _w, _f in keys for w in words})


GREETINGS = nlu_data.words("words", "greetings")
THANKS = nlu_data.words("words", "thanks")
# words that may surround a greeting or a thank-you without making it a question
FILLER = nlu_data.words("words", "filler")

ANSWER_AT = 2.5  # a best score from here on, clear of the runner-up, is answered
MARGIN = 1.0  # ... by at least this much
OFFER_AT = 1.5  # from here on, the two or three closest topics are offered


@dataclass
class Result:
    tokens: list[str]
    scores: list[tuple[str, float]] = field(default_factory=list)  # best first, score > 0
    kind: str = "none"  # "answer" | "offer" | "outside" | "greeting" | "thanks" | "none"
    offer: list[str] | None = None  # set when the examples changed the offer
    votes: list[tuple[str, float]] = field(default_factory=list)  # nearest-example votes, best first
    keywords_first: bool = False  # the keyword table ranks the best topic first too

    @property
    def best(self) -> str | None:
        return self.scores[0][0] if self.scores else None

    @property
    def top(self) -> list[str]:
        """Two or three closest intents worth offering as buttons."""
        if self.offer:
            return list(self.offer)
        if not self.scores:
            return []
        s1 = self.scores[0][1]
        topics = [(n, s) for n, s in self.scores if n in INTENTS]
        return [n for n, s in topics[:3] if s >= max(1.0, s1 * 0.45)]


@lru_cache(maxsize=512)
def _score(tokens: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
    toks = _Tokens([t for t in tokens if t])
    raw: dict[str, float] = {}
    found = toks.found
    for it in (*INTENTS.values(), _OUTSIDE):
        used: set[int] = set()
        s = 0.0
        for words, w, each in _KEYS[it.name]:
            if not each <= found:
                continue
            if len(words) == 1:  # most keys: one word, no phrase to follow
                hit = next((i for i in toks.positions(words[0]) if i not in used), None)
                if hit is not None:
                    used.add(hit)
                    s += w
            elif _phrase_at(toks, words, used):
                s += w
        if s > 0:
            raw[it.name] = s
    for child, parent in SUBTOPIC.items():  # "deux parents" + "enfant": the precise page answers
        if raw.get(child, 0.0) >= 2.0 and parent in raw and raw[child] >= 0.8 * raw[parent]:
            raw[parent] = raw[parent] * 0.6
    precise = any(s >= 2.0 for n, s in raw.items() if n not in INTENTS or INTENTS[n].generic == 1.0)
    out = [(n, round(s * (INTENTS[n].generic if precise and n in INTENTS else 1.0), 2)) for n, s in raw.items()]
    out.sort(key=lambda p: -p[1])
    return tuple(out)


def explain(text: str) -> dict[str, list[str]]:
    """Which keys matched, per intent (for tuning and for test failure messages)."""
    toks = _Tokens(normalise(text))
    out = {}
    for it in (*INTENTS.values(), _OUTSIDE):
        used: set[int] = set()
        hits = [" ".join(w) + f":{x}" for w, x in it.keys if _phrase_at(toks, w, used)]
        if hits:
            out[it.name] = hits
    return out


#: how the three recognizers are weighed: the keyword table, the naive Bayes classifier and the BM25
#: retrieval (bot/recognizer.py).  A keyword or retrieval score from STRONG_* on counts as a full vote
#: (the classifier gives probabilities).  One topic is answered when its vote leads the next by LEAD and
#: reaches ANSWER_VOTE[n], n being how many recognizers rank it first (they agree: less is needed);
#: from OFFER_VOTE, the two or three closest are offered.
W_KEYWORDS, W_CLASSIFIER, W_RETRIEVAL = 0.3, 0.4, 0.3
STRONG_KEYWORDS, STRONG_RETRIEVAL = 5.0, 25.0
ANSWER_VOTE = {3: 0.4, 2: 0.6, 1: 0.6, 0: 0.7}
LEAD, OFFER_VOTE = 0.1, 0.2
#: a topic ranked first by one recognizer alone is answered only when that recognizer leads its own
#: runner-up by this ratio (keywords, classifier, retrieval); chosen on dev-A, see the README
ALONE_RATIO = (2.0, 2.0, 1.15)
#: unless all three recognizers rank a topic first, it is answered only when the classifier (the most
#: often right of the three) ranks it first too, leading its own runner-up by this ratio, by how many
#: recognizers agree; the keyword table, or the keywords and the retrieval, without the classifier, offer
#: topics instead (measured on tune and dev: those answers were wrong a third of the time)
ANCHOR_LEAD = {2: 1.1, 1: 2.0}
#: "outside" holds this share of the best vote: no topic is answered, and when none is clear either,
#: "my sources do not answer" (with the nearest topics)
OUTSIDE_SHARE = 0.7
#: in a message of at most NAMED_TWO meaningful words, two topics the keyword table finds named alike (each
#: from ANSWER_AT) are both offered, never one answered ("fermer ou masquer ?")
NAMED_TWO = 3
#: a message of at most this many meaningful words is decided by the keyword table when it is clear
#: and the classifier ranks the same topic among its first SHORT_CLASSIFIER_RANK (otherwise the three vote)
SHORT = 4
SHORT_CLASSIFIER_RANK = 3
#: without any keyword, at least this share of the meaningful words must be known to the examples or pages
KNOWN_SHARE = 0.5


def classify(text: str, without: frozenset[str] = frozenset()) -> Result:
    """The keyword table, the classifier and the retrieval, weighed together; the topics ``without``
    are left out of all three (a dated question whose date is not what it asks about: the deadline
    page, which the date alone would favour, is not a candidate)."""
    from . import recognizer

    res = _classify_keywords(text, without)
    if res.kind in ("greeting", "thanks") or not res.tokens:
        return res
    if not res.scores and all(t in _STOP or t in FILLER for t in res.tokens):
        res.kind = "none"  # "ok", "oui", "d'accord" alone: no question to answer (the choices come again)
        return res
    if not res.scores and recognizer.retriever().known_share(res.tokens) < KNOWN_SHARE:
        res.kind = "outside" if looks_like_question(text) else "none"
        return res  # no keyword and mostly words no example or page uses: nothing to go on
    if not res.scores and len(_meaningful(res.tokens)) < 2:
        return res  # "lol": one word that is no keyword is not a question the examples can answer
    learned = recognizer.classifier().scores(res.tokens)
    found = recognizer.retriever().scores(res.tokens)
    if without:
        learned = [p for p in learned if p[0] not in without]
        found = [p for p in found if p[0] not in without]
    # the two learned recognizers agreeing that the sources do not answer ("horaires de la CPAM")
    # outweigh a keyword; otherwise a short message, which gives them little to go on, is the keywords'
    learned_differ = bool(learned and found) and learned[0][0] == found[0][0] == OUTSIDE[0] != res.best
    if (
        res.kind == "answer"
        and not learned_differ
        and len([t for t in res.tokens if t not in _STOP]) <= SHORT
        and res.best in [n for n, _p in learned[:SHORT_CLASSIFIER_RANK]]
    ):
        res.keywords_first = True
        return res
    voted = decide(
        res.tokens,
        [
            (res.scores, W_KEYWORDS, STRONG_KEYWORDS, ALONE_RATIO[0]),
            (learned, W_CLASSIFIER, 0.0, ALONE_RATIO[1]),
            (found, W_RETRIEVAL, STRONG_RETRIEVAL, ALONE_RATIO[2]),
        ],
        anchor=1,
    )
    named = [n for n, s in res.scores[:2] if s >= ANSWER_AT and n in INTENTS]
    if (
        voted.kind == "answer"
        and len(named) == 2
        and res.scores[0][1] == res.scores[1][1]
        and voted.best in named
        and len([t for t in res.tokens if t not in _STOP]) <= NAMED_TWO
    ):
        voted.kind, voted.offer = "offer", named  # two pages named alike ("fermer ou masquer ?"): both offered
    return voted


def _ratio(scores) -> float:
    """How far a recognizer's first topic leads its second (its own confidence)."""
    if not scores:
        return 0.0
    second = scores[1][1] if len(scores) > 1 else 0.0
    return scores[0][1] / max(second, 1e-3 * scores[0][1], 1e-9)


def decide(tokens: list[str], sources, anchor: int | None = None) -> Result:
    """One topic answered, two or three offered, "outside", or nothing, from (scores, weight, strong[,
    alone_ratio]) tuples: each source's scores are divided by max(its best score, strong), weighed and
    summed.  A topic only one source ranks first is answered only if that source leads its own runner-up
    by ``alone_ratio``; when "outside" holds OUTSIDE_SHARE of the best vote, nothing is answered and the
    sources are said not to answer (with the nearest topics) rather than stretching a topic.  With
    ``anchor`` (a source's index), a topic not every source ranks first is answered only when the anchor
    ranks it first, leading its runner-up by ANCHOR_LEAD[number of sources that agree]."""
    votes: dict[str, float] = {}
    weights = sum(src[1] for src in sources if src[0]) or 1.0
    for scores, weight, strong, *_ in sources:
        if not scores or not weight:
            continue
        top = max(scores[0][1], strong)
        for name, sc in scores:
            votes[name] = votes.get(name, 0.0) + weight / weights * sc / top
    ranked = sorted(votes.items(), key=lambda p: -p[1])
    res = Result(tokens, [(n, round(v, 3)) for n, v in ranked])
    if not ranked:
        return res
    (n1, v1), v2 = ranked[0], (ranked[1][1] if len(ranked) > 1 else 0.0)
    # a source agrees when it ranks n1 first strictly ahead of its next topic (a tie names no topic)
    firsts = [src for src in sources if src[0] and src[1] and src[0][0][0] == n1 and _ratio(src[0]) > 1.0]
    agree = len(firsts)
    sure_alone = agree != 1 or _ratio(firsts[0][0]) >= (firsts[0][3] if len(firsts[0]) > 3 else 0.0)
    if anchor is not None and agree < len([src for src in sources if src[0] and src[1]]):
        held = sources[anchor][0]
        if not held or held[0][0] != n1 or _ratio(held) < ANCHOR_LEAD.get(agree, 0.0):
            sure_alone = False
    res.keywords_first = bool(sources[0][0]) and sources[0][0][0][0] == n1
    if n1 == OUTSIDE[0]:
        res.kind = "outside" if v1 >= OFFER_VOTE else "none"
    elif (
        v1 >= ANSWER_VOTE[min(agree, 3)]
        and v1 - v2 >= LEAD
        and sure_alone
        and votes.get(OUTSIDE[0], 0.0) < OUTSIDE_SHARE * v1
    ):
        res.kind = "answer"
    elif v1 >= OFFER_VOTE and votes.get(OUTSIDE[0], 0.0) >= OUTSIDE_SHARE * v1:
        res.kind = "outside"
    elif v1 >= OFFER_VOTE:
        res.kind = "offer"
        res.offer = [n for n, v in ranked[:3] if n in INTENTS and v >= 0.5 * v1]
    return res


def _classify_keywords(text: str, without: frozenset[str] = frozenset()) -> Result:
    toks = normalise(text)
    scores = _score(tuple(toks))
    res = Result(toks, [p for p in scores if p[0] not in without] if without else list(scores))
    if not toks:
        return res
    rest = [t for t in toks if t not in GREETINGS and t not in THANKS and t not in FILLER]
    if not res.scores or res.scores[0][1] < OFFER_AT:
        if any(t in THANKS or any(t.startswith(w) for w in THANKS if len(w) >= 5) for t in toks) and len(rest) <= 2:
            res.kind = "thanks"
            return res
        if any(t in GREETINGS for t in toks) and len(rest) <= 2:
            res.kind = "greeting"
            return res
    if not res.scores:
        return res
    s1 = res.scores[0][1]
    s2 = res.scores[1][1] if len(res.scores) > 1 else 0.0
    outside = dict(res.scores).get(OUTSIDE[0], 0.0)
    if res.scores[0][0] == OUTSIDE[0]:
        # the sources do not cover this; a topic nearly as strong is offered instead of guessing
        if s1 >= OFFER_AT:
            res.kind = "offer" if s2 >= ANSWER_AT and s1 - s2 < MARGIN else "outside"
        return res
    clear_lead = s1 >= ANSWER_AT and s1 - s2 >= MARGIN
    far_ahead = s1 >= ANSWER_AT + 2 and s1 >= 1.5 * s2
    if clear_lead or far_ahead:
        res.kind = "answer"
    elif s1 >= OFFER_AT:
        res.kind = "offer"
    if res.kind == "answer" and outside >= OFFER_AT and s1 - outside < MARGIN + 0.5:
        res.kind = "offer"  # as much off-topic as on-topic: do not answer a page blindly
    return res


_STOP = nlu_data.words("words", "stop")


def examples() -> list[tuple[str, str]]:
    """Labelled example questions (text, topic) of every language (locales/<lang>/nlu/examples.toml)."""
    return [
        (q, name)
        for data in nlu_data.merged("examples").values()
        for name, part in data.items()
        for q in part.get("examples", ())
    ]


QUESTION_WORDS = nlu_data.words("words", "question")


def _meaningful(toks: list[str]) -> list[str]:
    """The words of a message that can carry a topic (not small words, question words or numbers)."""
    return [t for t in toks if t not in _STOP and t not in QUESTION_WORDS and len(t) > 1 and not t.isdigit()]


_SENTENCE_END = re.compile(r"(?<=[.!?\u2026])\s+|\n+")


def asked_part(text: str) -> str:
    """The sentences of a message that carry its question mark ("J'ai reçu le mail en mai. Comment je le
    ferme ?" -> "Comment je le ferme ?"); the story told around them is not what is asked."""
    parts = [p for p in _SENTENCE_END.split(text) if "?" in p]
    return " ".join(parts) if parts else text


def looks_like_question(text: str) -> bool:
    """A real question (not a stray word): a question mark or a question word, and at least three words."""
    toks = normalise(text)
    words_ = [t for t in toks if len(t) > 1 and not t.isdigit()]
    if len(words_) < 3:
        return False
    return "?" in (text or "") or bool(set(toks[:3]) & QUESTION_WORDS)

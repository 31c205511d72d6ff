"""Which date of a message is the date of the notice (the email or letter), and was it sent or arrived?

``bot.dates`` finds every date in a message; this module decides, from the words around each
one, what the date is tied to (see docs/dates.md, "How the notice date is chosen"):

- **other**: a word tied to something else sits right before (or just after) the date: a birth
  ("née le"), an age or birthday ("a eu 18 ans le"), "depuis le", an appointment, a move, a
  call, a time limit...  Such a date is never taken as the notice date;
- **notice**: its clause speaks of the notice (mail, courrier, lettre, reçu, envoyé, arrivé...);
- **neutral**: no such word ("le 3 novembre" alone).

The notice dates win over the neutral ones.  One date left: it is the notice date.  Several
different dates: a correction ("non, le 5") keeps the last one, a range ("le 3 ou le 4",
"entre le 3 et le 5") the earliest (approximate), a date said to be printed or sent wins over
an arrival day; otherwise the bot asks which one is the date of the email or letter.  Only
dates tied to something else: it asks too.

Works on the normalised text and the candidates' spans; imports nothing heavy (the command
line ``mes-bot deadline`` starts fast).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # dates imports this module
    from datetime import date

    from .dates import _Cand


class _Lazy:
    """A regular expression built from the language data and compiled on first use:
    ``mes-bot deadline "le 3 novembre"`` needs none of them (see :func:`plain`)."""

    __slots__ = ("pattern", "_rx")

    def __init__(self, pattern):
        self.pattern, self._rx = pattern, None

    def __getattr__(self, name):
        if self._rx is None:
            self._rx = re.compile(self.pattern() if callable(self.pattern) else self.pattern)
        return getattr(self._rx, name)


# --- vocabulary: locales/<lang>/nlu/notice.toml (regular-expression fragments on folded text) ----------
@lru_cache(maxsize=None)
def _words(key: str) -> tuple[str, ...]:
    """The entries of ``key`` in every language's notice.toml."""
    from . import nlu_data

    return tuple(w for lang in nlu_data.LOCALES for w in nlu_data.load("notice", lang).get(key, ()))


def _alt(*keys: str) -> str:
    return "|".join(w for k in keys for w in _words(k))


def _rx(template: str, **keys) -> _Lazy:
    """``template`` with each ``{name}`` replaced by the alternatives of its keys."""
    return _Lazy(lambda: template.format(**{n: _alt(*(k if isinstance(k, tuple) else (k,))) for n, k in keys.items()}))


_DOCUMENT = ("letter", "email", "other_documents")
_NOUN = _DOCUMENT + ("institution",)
_WORD_LISTS = {  # name -> keys of notice.toml
    "letter": ("letter",),
    "email": ("email",),
    "noun": _NOUN,
    "document": _DOCUMENT,
    "arrival": ("received", "had"),
    "strong": ("received",),
    "printed": ("printed",),
    "other": ("other",),
    "hedge": ("hedge",),
    "correction": ("correction",),
    "alternative": ("alternative",),
}
_RE = {name: _rx(r"\b(?:{w})\b", w=keys) for name, keys in _WORD_LISTS.items()}
_POSTAL_MAIL = _rx(r"\b(?:{w})\b", w="postal")  # English "mail" = the post
_UNSURE = _rx(r"\b(?:{w})\b", w="unsure")  # anywhere in the message: a single date is approximate
_HEDGE_BEFORE = _rx(r"\b(?:{h})\s*(?:(?:{a})\s+)?$", h="hedge", a="articles")
_HEDGE_AFTER = _rx(r"\s*(?:{h})\b", h="hedge_after")
_HEDGE_CLAUSE = _rx(r"\b(?:{h})\b", h="hedge_clause")
_RANGE_OR = _rx(r"^(?:{w}|-)$", w="range_or")
_RANGE_AND = _rx(r"^(?:{w})$", w="range_and")
_RANGE_BETWEEN = _rx(r"\b(?:{w})\s*$", w="between")
_ARTICLES = _rx(r"\b(?:{w})\b", w="articles")
OR_RANGE_DAYS = 3  # "le 3 ou le 4": the earliest; "le 2 ou le 12" is a question
BETWEEN_RANGE_DAYS = 7  # "entre le 5 et le 10", "entre Noël et le nouvel an"
# the notice did not come ("j'ai pas eu de mail", "no letter"): no date of the message is a notice date
_NO_NOTICE = _rx(
    r"\b(?:{neg})\s+(?:(?:{still})\s+)?(?:{verb})?\s*(?:(?:{art})\s*)?(?:{noun})\b",
    neg="negation",
    still="still",
    verb="negation_verbs",
    art="determiners",
    noun=_NOUN,
)
_SEVERAL = _rx(r"\b(?:{n})\s+(?:{doc})|\b(?:{other})\b", n="several_count", doc=_DOCUMENT, other="several_other")
_SAME_DAY = _rx(r"\s*(?:{w})\b", w="same_day")
_SAME_DAY_BACK = _rx(r"\b(?:{w})\b", w="same_day_back")
_SINCE_INSIDE = _rx(r"(?:{w})\b", w="since")
_SINCE_BEFORE = _rx(r"\b(?:{w})\s*(?:(?:{a})\s*)?$", w="since", a=("articles", "of"))
_BIRTH_ADJACENT = _rx(r"\b(?:{b})\s*(?:(?:{a})\s*)?$", b="birth", a="articles")  # "née le 12"
_NOUN_DU = _rx(r"\b(?:{n})\s*(?:(?:{of})\s*)?$", n=_NOUN, of="of")  # "la lettre du 3": its printed date
_OF_BEFORE = _rx(r"\b(?:{of})\s*$", of="of")
_OF_INSIDE = _rx(r"(?:{of})\b", of="of")
_NEGATED = _rx(r"\b(?:{n})\s*(?:(?:{a})\s*)?$", n="not_this", a="articles")  # "pas hier, lundi"


def _set(key: str) -> frozenset:
    return frozenset(_words(key))


BACK_WINDOW = 7  # words looked at before a date
FORWARD_WINDOW = 6  # words looked at after a date


@dataclass
class Reading:
    """One date of the message, with what it is tied to."""

    cand: _Cand  # one date found by bot.lang.dates
    role: str = "neutral"  # notice | neutral | other
    weak: bool = False  # other only because of "depuis": a date alone keeps it
    negated: bool = False  # "pas hier, lundi": not this one
    arrival: bool = False  # a letter's arrival day
    printed: bool = False  # said to be printed on the notice or sent
    email: bool = False  # tied to an email
    received: bool = False  # said to be received, arrived or seen (a letter or an email)
    letter: bool | None = None  # its own clause names a letter (True), an email (False), or neither
    hedged: bool = False  # "vers le 10", "le 3 je crois"
    words: str = ""  # the user's own words it was read from
    own_cue: bool = False  # a word right before the date ties it to something
    maybe_letter: bool = False  # "reçu le 3", nothing says email or letter: it may be a letter's arrival

    @property
    def day(self) -> date:
        """The date read (only readings with a date and no error reach :func:`_pick`)."""
        assert self.cand.value is not None
        return self.cand.value


@dataclass
class Choice:
    """What to do with the dates of a message."""

    picked: Reading | None = None
    ask: list[Reading] = field(default_factory=list)  # offer these (ask which one is the notice date)
    only_other: bool = False  # every date is tied to something else
    errors: list = field(default_factory=list)  # candidates with an error, most relevant first
    approximate: bool = False  # a range, or unsure words: approximate
    plain: bool = False  # the message is the date alone


class _Tokens:
    """The normalised text as words, each with its clause and the user's own word."""

    def __init__(self, text: str, s: str, normalise):
        self.s = s
        self.spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", s)]
        self.toks = [s[a:b] for a, b in self.spans]
        words = list(re.finditer(r"\S+", text))
        norm = [normalise(w.group(0)) for w in words]
        flat: list[str] = []
        owner: list[int] = []
        for i, n in enumerate(norm):
            for part in n.split():
                flat.append(part)
                owner.append(i)
        import difflib  # lazy: only messages with more than a date need it

        mapped: list[int | None] = [None] * len(self.toks)
        sm = difflib.SequenceMatcher(None, self.toks, flat, autojunk=False)
        for a, b, n in sm.get_matching_blocks():
            for k in range(n):
                mapped[a + k] = owner[b + k]
        self.orig, self.words, self.text = mapped, words, text
        # clause of every user word: a new clause after , ; . ! ? or before a conjunction;
        # words in brackets are an aside, and the clause goes on after them
        clause, stack, cl, nxt_id = [], [], 0, 1
        self.weak_end: set[int] = set()  # clauses ended by a comma or a conjunction (not a full stop, a bracket)
        for i, w in enumerate(words):
            t, low = w.group(0), norm[i]
            prev = norm[i - 1] if i else ""
            after = norm[i + 1] if i + 1 < len(words) else ""
            # "vingt et un", "et demi": a number, not a conjunction
            if (
                i
                and low in _set("conjunctions")
                and not (
                    low in _set("range_and")
                    and (prev in _set("tens") or any(after.startswith(h) for h in _words("half")))
                )
            ):
                self.weak_end.add(cl)
                cl, nxt_id = nxt_id, nxt_id + 1
            if t[:1] in "([":
                stack.append(cl)
                cl, nxt_id = nxt_id, nxt_id + 1
            clause.append(cl)
            closes = t[-1:] in ")]"
            if closes and stack:
                cl = stack.pop()
            elif re.search(r"[,;]$", t):
                self.weak_end.add(cl)
                cl, nxt_id = nxt_id, nxt_id + 1
            elif (
                re.search(r"[!?]$", t)
                or t in ("-", "--", "—", "–")
                or (t.endswith(".") and low.rstrip(".") not in _set("abbreviations") and "." not in t[:-1])
            ):
                cl, nxt_id = nxt_id, nxt_id + 1
        self.clause_of_word = clause

    def token_at(self, pos: int) -> int:
        for i, (_a, b) in enumerate(self.spans):
            if b > pos:
                return i
        return len(self.spans)

    def orig_index(self, tok: int, side: str) -> int | None:
        """The user's word for normalised word ``tok`` (or the nearest mapped one on ``side``)."""
        if not self.orig:
            return None
        tok = max(0, min(tok, len(self.orig) - 1))
        rng = range(tok, -1, -1) if side == "left" else range(tok, len(self.orig))
        for k in rng:
            if self.orig[k] is not None:
                return self.orig[k]
        return None

    def clause(self, tok: int) -> int:
        i = self.orig_index(tok, "left")
        if i is None:
            i = self.orig_index(tok, "right")
        return self.clause_of_word[i] if i is not None else 0

    def user_words(self, a: int, b: int) -> str:
        i, j = self.orig_index(a, "right"), self.orig_index(b - 1, "left")
        if i is None or j is None or j < i:
            return " ".join(self.toks[a:b])
        if j - i > 9:
            i = j - 9
        out = re.sub(r"[«»\"“”]", "", self.text[self.words[i].start() : self.words[j].end()])  # echoed in « »
        return " ".join(out.split()).strip(" ,;:!?.()[]'")


_ASKS_DEADLINE = _rx(r"\b(?:{w})", w="asks_deadline")


def asks_deadline(s: str) -> bool:
    """Does the normalised text ask for the time limit ("jusqu'à quand", "date limite", "how long")?"""
    return bool(_ASKS_DEADLINE.search(s))


def mentions_notice(s: str) -> bool:
    """Does the normalised text speak of the notice (an email, a letter, received, sent...)?"""
    return bool(_RE["noun"].search(s) or _RE["strong"].search(s) or _RE["printed"].search(s))


def _last(pattern: _Lazy, text: str) -> int:
    """Start of the last match of ``pattern`` in ``text`` (-1: none)."""
    pos = -1
    for m in pattern.finditer(text):
        pos = m.start()
    return pos


def _is_letter(text: str, default: bool | None) -> bool | None:
    """True: the words speak of a letter, not an email; False: an email; None: cannot tell."""
    t = _POSTAL_MAIL.sub(" " + _words("letter")[0].rstrip("s?") + " ", text)
    letter, email = bool(_RE["letter"].search(t)), bool(_RE["email"].search(t))
    return letter if letter != email else default


def _filler(word: str) -> bool:
    return word in _set("filler")


def _lone_date_clause(tk: _Tokens, masked: list, a: int, b: int, ids: set, spans) -> set:
    """ "Le 10, j'ai reçu un mail." / "J'ai reçu un mail, le 10.": a clause holding only a date
    belongs with the clause next to it (the following one first, if it holds no other date)."""
    n = len(tk.toks)
    rest = [masked[k] for k in range(n) if tk.clause(k) in ids and masked[k]]
    if any(not _filler(t) for t in rest):
        return set()
    dated = {tk.clause(k) for sa, sb in spans if (sa, sb) != (a, b) for k in range(sa, min(sb, n))}
    after = next((tk.clause(k) for k in range(b, n) if tk.clause(k) not in ids), None)
    before = next((tk.clause(k) for k in range(a - 1, -1, -1) if tk.clause(k) not in ids), None)
    own = tk.clause(max(a, min(b, n) - 1))
    sides = [
        cid
        for cid, ok in ((after, own in tk.weak_end), (before, before in tk.weak_end))  # "Le 10, j'ai…"
        if cid is not None and ok and cid not in dated
    ]  # "…un mail, le 10."
    about = [
        cid
        for cid in sides
        if any(
            tk.clause(k) == cid and masked[k] and (_RE["document"].match(masked[k]) or _RE["strong"].match(masked[k]))
            for k in range(n)
        )
    ]
    return {(about or sides)[0]} if sides else set()


def plain(text: str, s: str, cands: list, mode: str | None = None) -> Choice | None:
    """A message that is one date and nothing else ("le 3 novembre", "hier"): no words to weigh."""
    if len(cands) != 1 or cands[0].value is None or cands[0].error:
        return None
    c = cands[0]
    end = c.end if c.end >= 0 else len(s)
    if any(len(t) > 2 or not t.isalpha() for t in (s[: c.pos] + " " + s[end:]).split()):
        return None  # more than an article around the date ("le 3 novembre"): its words are read
    r = Reading(c, arrival=mode in ("arrival", "letter_any"), words=text.strip(" ,;:!?.()[]\"'«»"))
    return Choice(picked=r, plain=True)


@dataclass
class _Message:
    """What is read once per message: its words, the dates' word spans, and what the words
    outside the dates say as a whole."""

    tk: _Tokens
    spans: list[tuple[int, int]]  # the words of each date
    masked: list[str]  # the words, with the dates' words blanked
    letter: bool | None  # the message speaks of a letter (True), an email (False)
    printed: bool  # ... of a date printed on the notice or sent
    arrival: bool  # ... of a day it arrived or was seen
    no_notice: bool  # "pas de mail ni de lettre": no notice came


@dataclass
class _Around:
    """The words of one date's clause: before it, after it, inside it, and the whole clause."""

    back_ids: list[int]
    back: str
    fwd: str
    inside: str
    clause: str
    later: bool  # another date follows in the same clause


def read(text: str, s: str, cands: list[_Cand], normalise, *, mode: str | None = None) -> list[Reading]:
    """Tie every candidate date of the normalised text ``s`` to what its words say."""
    msg = _message(text, s, cands, normalise)
    out = [_read_one(msg, c, a, b, mode) for c, (a, b) in zip(cands, msg.spans, strict=True)]
    _share_with_joined(out, msg)
    return out


def _message(text: str, s: str, cands: list[_Cand], normalise) -> _Message:
    tk = _Tokens(text, s, normalise)
    n = len(tk.toks)
    spans = []
    for c in cands:
        end = c.end if c.end >= 0 else len(s)
        spans.append((tk.token_at(c.pos), tk.token_at(max(c.pos, end - 1)) + 1))
    masked = list(tk.toks)
    for a, b in spans:
        for k in range(a, min(b, n)):
            masked[k] = ""
    message = " ".join(t for t in masked if t)
    # "pas de mail ni de lettre": no notice came (unless another one is named: "une lettre, pas de mail")
    no_notice = bool(_NO_NOTICE.search(s)) and not _RE["document"].search(_NO_NOTICE.sub(" ", s))
    return _Message(
        tk,
        spans,
        masked,
        _is_letter(message, None),
        bool(_RE["printed"].search(message)),
        bool(_RE["arrival"].search(message)),
        no_notice,
    )


def _around(msg: _Message, a: int, b: int) -> _Around:
    tk, spans, masked, n = msg.tk, msg.spans, msg.masked, len(msg.tk.toks)
    ids = {tk.clause(k) for k in range(a, min(b, n))} or {tk.clause(a)}
    ids |= _lone_date_clause(tk, masked, a, b, ids, spans)
    prev_end = max([sb for _sa, sb in spans if sb <= a] + [0])
    next_start = min([sa for sa, _sb in spans if sa >= b] + [n])
    back_ids = [k for k in range(a - 1, prev_end - 1, -1) if tk.clause(k) in ids][:BACK_WINDOW][::-1]
    fwd_ids = [k for k in range(b, next_start) if tk.clause(k) in ids][:FORWARD_WINDOW]
    return _Around(
        back_ids=back_ids,
        back=" ".join(tk.toks[k] for k in back_ids),
        fwd=" ".join(tk.toks[k] for k in fwd_ids),
        inside=" ".join(tk.toks[a:b]),
        clause=" ".join(masked[k] for k in range(n) if masked[k] and tk.clause(k) in ids),
        later=any(sa >= b and tk.clause(sa) in ids for sa, _sb in spans),
    )


def _read_one(msg: _Message, c: _Cand, a: int, b: int, mode: str | None) -> Reading:
    w = _around(msg, a, b)
    r = Reading(c)
    # what comes after the last notice word before the date is bound to the date
    cut = max(_last(_RE["document"], w.back), _last(_RE["arrival"], w.back), _last(_RE["printed"], w.back))
    # "le même jour que la naissance de ma nièce, le 21": shared, not another date
    same = _SAME_DAY_BACK.search(w.back)
    other_back = _last(_RE["other"], w.back[: same.start()] if same else w.back)
    since_notice = _set_role(r, w, cut, other_back, msg.no_notice)
    _set_sent_or_arrived(r, w, msg, since_notice, mode)
    r.words = msg.tk.user_words(_echo_start(msg.tk, w, a), b)
    r.own_cue = bool(
        cut >= 0
        or other_back >= 0
        or _BIRTH_ADJACENT.search(w.back)
        or _RE["document"].search(w.fwd)
        or _RE["strong"].search(w.fwd)
    )
    return r


def _set_role(r: Reading, w: _Around, cut: int, other_back: int, no_notice: bool) -> bool:
    """Notice, neutral or other (and weak, negated); returns whether "depuis" ties the date to
    the notice ("j'ai la lettre depuis vendredi": it arrived)."""
    back, fwd = w.back, w.fwd
    other = (other_back >= 0 and other_back >= cut) or bool(_BIRTH_ADJACENT.search(back))
    if not other and not w.later and not _SAME_DAY.match(fwd):
        m = _RE["other"].search(fwd)
        found = [x.start() for p in ("document", "strong", "printed") for x in [_RE[p].search(fwd)] if x]
        other = m is not None and (not found or m.start() < min(found))
    kind = getattr(r.cand, "kind", "")
    since = kind not in ("relative", "fuzzy") and bool(_SINCE_INSIDE.match(w.inside) or _SINCE_BEFORE.search(back))
    since_notice = since and bool(_RE["noun"].search(back))
    if not other and since and not since_notice:
        other = r.weak = True  # "j'habite ici depuis le 3"; alone, "depuis le 10" is kept
    r.negated = bool(_NEGATED.search(back))
    cued = bool(_RE["noun"].search(w.clause) or _RE["strong"].search(w.clause) or _RE["printed"].search(w.clause))
    if other or no_notice:
        r.role = "other"
    elif cued or since_notice:
        r.role = "notice"
    return since_notice


def _set_sent_or_arrived(r: Reading, w: _Around, msg: _Message, since_notice: bool, mode: str | None) -> None:
    """Printed/sent or arrived, hedged, a letter or an email."""
    back, clause, inside = w.back, w.clause, w.inside
    # printed/sent or arrived: the nearest such word before the date decides; a clause that
    # says nothing of it takes what the message says
    pa, pp = _last(_RE["arrival"], back), _last(_RE["printed"], back)
    if since_notice:
        pa = max(pa, len(back))
    unsaid = pa < 0 and pp < 0
    if unsaid:  # the clause's words, else (nothing said of it here) the message's
        said = bool(_RE["printed"].search(clause) or _RE["arrival"].search(clause))
        scope_printed = _RE["printed"].search(clause) if said else msg.printed
        scope_arrival = _RE["arrival"].search(clause) if said else msg.arrival
        pa = 0 if scope_arrival and not scope_printed else -1
        pp = 0 if scope_printed and not scope_arrival else -1
    # a day counted from today ("hier", "mardi", "il y a 3 jours") is not a date printed on a
    # letter: "la lettre d'hier", "la lettre, c'était mardi" tell the day it came
    relative = getattr(r.cand, "kind", "") in ("relative", "weekday", "fuzzy")
    r.printed = pp > pa or (
        not relative and bool(_NOUN_DU.search(back) and (_OF_INSIDE.match(inside) or _OF_BEFORE.search(back)))
    )
    arrived_words = r.received = pa > pp and not r.printed
    came = arrived_words or (relative and not r.printed and unsaid and pp < 0)
    r.hedged = bool(
        _HEDGE_BEFORE.search(back)
        or _RE["hedge"].search(inside)
        or _HEDGE_AFTER.match(w.fwd)
        or _HEDGE_CLAUSE.search(clause)
    )
    _set_letter(r, clause, msg.letter, arrived_words, came, mode)


def _set_letter(
    r: Reading, clause: str, whole_letter: bool | None, arrived_words: bool, came: bool, mode: str | None
) -> None:
    """A letter or an email: the clause says, else the message, else the buttons (``mode``)."""
    r.letter = _is_letter(clause, None)
    is_letter = r.letter if r.letter is not None else whole_letter
    r.email = is_letter is False or (is_letter is None and mode == "email")
    if mode == "arrival":  # the user said they only know when the letter arrived
        r.arrival = not r.printed
    elif mode in ("letter", "letter_any"):  # a letter: its words, or (not said which) its arrival
        r.arrival = r.letter is not False and (arrived_words or (mode == "letter_any" and not r.printed))
    else:  # an email, or not said: a letter only if the words say so
        r.arrival = bool(is_letter) and came
        r.maybe_letter = mode is None and arrived_words and is_letter is None


def _echo_start(tk: _Tokens, w: _Around, a: int) -> int:
    """The words to echo start at a cue word close before the date (or its article)."""
    start = a
    for p in ("arrival", "printed", "noun", "other", "hedge"):
        for m in _RE[p].finditer(w.back):
            k = w.back_ids[w.back[: m.start()].count(" ")]
            if a - k <= 4:
                start = min(start, k)
    if start == a and a > 0 and a - 1 in w.back_ids and _ARTICLES.fullmatch(tk.toks[a - 1]):
        start = a - 1
    return start


def _share_with_joined(out: list[Reading], msg: _Message) -> None:
    """ "appelé le 3422 le 12 et le 13": a date joined to the one before shares what it is tied to."""
    by_pos = sorted(zip(out, msg.spans, strict=True), key=lambda x: x[1][0])
    for (prev, (_pa, pb)), (cur, (ca, _cb)) in pairwise(by_pos):
        gap = " ".join(t for t in msg.tk.toks[pb:ca] if not _ARTICLES.fullmatch(t))
        joined = _RANGE_AND.match(gap) or (_RANGE_OR.match(gap) and gap != "-")
        if joined and prev.role == "other" and not cur.own_cue:
            cur.role, cur.weak = "other", prev.weak


def choose(readings: list[Reading], s: str, spans_text) -> Choice:
    """Pick the notice date among the readings (or say what to ask)."""
    valid = [r for r in readings if r.cand.value is not None and r.cand.error is None]
    if any(not r.negated for r in valid):
        valid = [r for r in valid if not r.negated]
    # a firm correction said between two dates keeps what follows it ("le 5, non pardon le 3")
    ordered = sorted(valid, key=lambda r: r.cand.pos)
    for i in range(len(ordered) - 1, 0, -1):
        gap = spans_text(ordered[i - 1].cand, ordered[i].cand)
        if _RE["correction"].search(gap) and not _RE["alternative"].search(gap):
            dropped = {id(r) for r in ordered[:i]}
            valid = [r for r in valid if id(r) not in dropped]
            break
    unsure = bool(_UNSURE.search(s))
    several = bool(_SEVERAL.search(s))  # "deux mails", "et un autre le 13": several notices
    for role in ("notice", "neutral"):
        pool = [r for r in valid if r.role == role]
        if pool:
            return _approx(_pick(pool, spans_text, several), unsure)
    others = [r for r in valid if r.role == "other"]
    if others and all(r.weak for r in others):
        return _approx(_pick(others, spans_text), unsure)  # "depuis le 10" alone: since then they have it
    errs = [r.cand for r in readings if r.cand.error and r.role != "other"]
    if errs:
        return Choice(errors=errs)
    if others or any(r.role == "other" for r in readings):
        return Choice(ask=_distinct(others)[:3], only_other=True)
    return Choice()


def _approx(ch: Choice, unsure: bool) -> Choice:
    if ch.picked is not None and unsure:
        ch.approximate = True
    return ch


def _distinct(pool: list[Reading]) -> list[Reading]:
    seen, out = set(), []
    for r in sorted(pool, key=lambda r: r.cand.pos):
        key = (r.cand.value, r.arrival)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _pick(pool: list[Reading], spans_text, several: bool = False) -> Choice:
    days = {r.cand.value for r in pool}
    ordered = sorted(pool, key=lambda r: r.cand.pos)
    if len(days) > 1 and any(_RE["alternative"].search(spans_text(a.cand, b.cand)) for a, b in pairwise(ordered)):
        return Choice(ask=_distinct(pool)[:3])  # "elle dit le 20, moi je dirais plutôt le 22"
    if len(days) == 1:
        # the same day: an email's date is its sending date; else a letter that arrived that day
        for test in (
            lambda r: r.printed and not r.arrival,
            lambda r: r.email and not r.arrival,
            lambda r: r.arrival,
            lambda r: True,
        ):
            hits = [r for r in pool if test(r)]
            if hits:
                return Choice(picked=max(hits, key=lambda r: (r.role == "notice", -r.cand.pos)))
    # one notice (not "un mail le 2 et une lettre datée du 23"): the date printed on it (or said
    # sent) wins over the days it was received or seen; else the first day it was received
    one_notice = len({r.letter for r in pool} - {None}) <= 1 and not several
    printed = {r.cand.value for r in pool if r.printed and not r.arrival}
    if one_notice and len(printed) == 1:
        day = printed.pop()
        return Choice(picked=next(r for r in pool if r.cand.value == day and r.printed))
    if one_notice and not printed and all(r.received for r in pool):
        return Choice(picked=min(pool, key=lambda r: (r.cand.value, r.cand.pos)))
    ordered = sorted(pool, key=lambda r: r.cand.pos)
    if len(ordered) == 2 and ordered[0].arrival == ordered[1].arrival:
        first, second = ordered
        gap = spans_text(first.cand, second.cand)
        words = " ".join(_ARTICLES.sub(" ", _RE["hedge"].sub(" ", gap)).split())
        span = abs((second.day - first.day).days)
        between = bool(_RANGE_BETWEEN.search(spans_text(None, first.cand)))
        fuzzy = first.cand.fuzzy and second.cand.fuzzy  # "fin octobre début novembre"
        if (_RANGE_AND.match(words) and between and span <= BETWEEN_RANGE_DAYS) or (
            _RANGE_OR.match(words or "-") and (span <= OR_RANGE_DAYS or (fuzzy and span <= 31))
        ):
            best = min(pool, key=lambda r: r.day)
            return Choice(picked=best, approximate=True)
    return Choice(ask=_distinct(pool)[:3])

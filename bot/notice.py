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

import difflib
import re
from dataclasses import dataclass, field

# --- vocabulary (folded text: lower case, no accents, apostrophes as spaces) ---------------------------
_LETTER = r"courriers?|lettres?|letters?|plis?|enveloppes?|facteur|boite\s+aux\s+lettres|bal|la\s+poste|postman|post"
_EMAIL = r"e\s?mails?|mails?|courriels?|messages?|mel|sms|notifications?|notif|inbox|spams?|boite\s+mail"
_NOTICE_NOUN = _LETTER + r"|" + _EMAIL + r"|invitations?|avis|ameli|cpam|assurance\s+maladie|secu|espace\s+sante"
_ARRIVAL = (r"arrivee?s?|arrive|recue?s?|recu|reception|distribuee?s?|livree?s?|trouvee?s?|parvenue?s?|"
            r"apportee?s?|deposee?s?|glissee?s?|ramassee?s?|releve|recuperee?s?|ouvert|ouverte|"
            r"dans\s+(?:ma|la|notre|sa|mon)\s+boite|je\s+l\s+ai\s+eu|on\s+l\s+a\s+eu|eue?|"
            r"received|arrived|got|came|delivered|picked\s+up|opened")
_PRINTED = (r"datee?s?(?!\s+limite)|dated|imprimee?s?|ecrite?s?|indiquee?s?|marquee?s?|inscrite?s?|envoyee?s?|envoye|expediee?s?|"
            r"(?<!la\s)postee?s?|sent|posted|printed|en\s+haut|emise?s?|edite|editee")
_OTHER = (
    # birth, age, birthday
    r"naissance|naitre|accouchee?|accouchement|born|birth|birthday|anniversaire|anniv|\d{1,3}\s+ans|\d{1,3}\s+years?\s+old|"
    r"majeure?s?|majorite|turned\s+\d+|turns\s+\d+|"
    # appointments, health visits
    r"rdv|rendez\s?vous|rendezvous|consultation|medecin|docteur|dentiste|hopital|clinique|operation|operee?|"
    r"examen|analyses?|prise\s+de\s+sang|vaccin\w*|radio|irm|scanner|kine|pediatre|urgences|hospitalisee?|"
    r"appointment|doctor|hospital|surgery|"
    # moves, life events
    r"demenag\w*|emmenag\w*|installee?s?|moved|move|nouvelle\s+adresse|arrivee?s?\s+en\s+france|"
    r"mariee?|mariage|deces|decedee?|enterrement|divorce|embauchee?|vacances|conges?|voyage|wedding|holiday|"
    r"paye|salaire|facture|carte\s+vitale|inscrite?|inscription|"
    # calls and steps already taken
    r"appelee?|appelle|appel|telephone|called|call|refusee?|oppose|opposee?|opposition|cree|creation|connectee?|"
    # time limits, not sendings
    r"jusqu|au\s+plus\s+tard|date\s+limite|deadline|expire|expiration|avant\s+le|until|before")
_SINCE = r"depuis|since"
_HEDGE = (r"vers|environ|env|autour\s+du|autour\s+de|aux\s+alentours\s+du?|a\s+peu\s+pres|approximativement|"
          r"plus\s+ou\s+moins|dans\s+ces\s+eaux\s+la|genre|je\s+crois|je\s+pense|il\s+me\s+semble|peut\s+etre|"
          r"probablement|sans\s+doute|je\s+sais\s+plus|je\s+ne\s+sais\s+plus|pas\s+sure?|je\s+suppose|"
          r"around|about|approximately|roughly|i\s+think|maybe|probably|i\s+guess")
_CORRECTION = (r"non|pardon|plutot|je\s+veux\s+dire|enfin|correction|je\s+me\s+suis\s+trompee?|erreur|en\s+fait|"
               r"i\s+mean|sorry|rather|actually|no")
_RANGE_GAP = re.compile(r"^(?:ou|ou\s+bien|ou\s+alors|ou\s+peut\s+etre|voire|a|au|et|or|to|and|-)$")

_RE = {name: re.compile(r"\b(?:" + pat + r")\b") for name, pat in {
    "letter": _LETTER, "email": _EMAIL, "noun": _NOTICE_NOUN, "arrival": _ARRIVAL, "printed": _PRINTED,
    "other": _OTHER, "since": _SINCE, "hedge": _HEDGE, "correction": _CORRECTION}.items()}
_BIRTH_ADJACENT = re.compile(r"\b(?:nee?s?)\s*$")                     # "née le 12": right before the date
_NOUN_DU = re.compile(r"\b(?:" + _NOTICE_NOUN + r")\s*(?:du|d|of|from)?\s*$")  # "la lettre du 3": its printed date
_NEGATED = re.compile(r"\b(?:pas|non\s+pas|not)\s*(?:le|du|la|the|on|a)?\s*$")  # "pas hier, lundi"
_CONJUNCTION = re.compile(r"^(?:et|mais|puis|donc|car|alors|sauf|pourtant|and|but|then|so|because)$")
_NUMBER_ET = re.compile(r"^(?:vingt|trente|quarante|cinquante|soixante)$")

BACK_WINDOW = 7      # words looked at before a date
FORWARD_WINDOW = 4   # words looked at after a date


@dataclass
class Reading:
    """One date of the message, with what it is tied to."""

    cand: object                     # dates._Cand
    role: str = "neutral"            # notice | neutral | other
    weak: bool = False               # other only because of "depuis": a date alone keeps it
    negated: bool = False            # "pas hier, lundi": not this one
    arrival: bool = False            # a letter's arrival day
    printed: bool = False            # said to be printed on the notice or sent
    hedged: bool = False             # "vers le 10", "le 3 je crois"
    words: str = ""                  # the user's own words it was read from


@dataclass
class Choice:
    """What to do with the dates of a message."""

    picked: Reading | None = None
    ask: list[Reading] = field(default_factory=list)   # offer these (ask which one is the notice date)
    only_other: bool = False         # every date is tied to something else
    errors: list = field(default_factory=list)          # candidates with an error, most relevant first
    approximate: bool = False        # a range: the earliest day was taken


class _Tokens:
    """The normalised text as words, with clause boundaries and the user's own words for each."""

    def __init__(self, text: str, s: str, normalise):
        self.s = s
        self.spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", s)]
        words = [m for m in re.finditer(r"\S+", text)]
        flat: list[str] = []
        owner: list[int] = []
        for i, w in enumerate(words):
            for part in normalise(w.group(0)).split():
                flat.append(part)
                owner.append(i)
        toks = [s[a:b] for a, b in self.spans]
        mapped: list[int | None] = [None] * len(toks)
        sm = difflib.SequenceMatcher(None, toks, flat, autojunk=False)
        for a, b, n in sm.get_matching_blocks():
            for k in range(n):
                mapped[a + k] = owner[b + k]
        self.orig = mapped
        self.words = words
        self.text = text
        # clause index of every original word: a new clause after , ; . ! ? ( ) or before a conjunction
        clause, cl = [], 0
        for i, w in enumerate(words):
            t = w.group(0)
            low = normalise(t)
            prev = normalise(words[i - 1].group(0)) if i else ""
            nxt = normalise(words[i + 1].group(0)) if i + 1 < len(words) else ""
            if i and _CONJUNCTION.match(low) and not (low == "et" and (_NUMBER_ET.match(prev) or
                                                                          nxt.startswith("demi"))):
                cl += 1
            if t[:1] in "([":
                cl += 1
            clause.append(cl)
            if re.search(r"[,;!?)\]]$|(?<![a-z0-9])\.$|[a-z]{5,}\.$|\s-$", t) or t in ("-", "--", "—"):
                cl += 1
        self.clause_of_word = clause

    def token_at(self, pos: int) -> int:
        for i, (a, b) in enumerate(self.spans):
            if b > pos:
                return i
        return len(self.spans)

    def orig_index(self, tok: int, side: str) -> int | None:
        """The user's word for normalised word ``tok`` (or the nearest mapped one on ``side``)."""
        if not self.orig:
            return None
        tok = max(0, min(tok, len(self.orig) - 1))
        if self.orig[tok] is not None:
            return self.orig[tok]
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

    def clause_range(self, tok_a: int, tok_b: int) -> tuple[int, int]:
        """Normalised word range [start, end) of the clause(s) holding words tok_a..tok_b-1."""
        ca, cb = self.clause(tok_a), self.clause(max(tok_a, tok_b - 1))
        start, end = tok_a, tok_b
        while start > 0 and self.clause(start - 1) >= ca:
            start -= 1
        while end < len(self.spans) and self.clause(end) <= cb:
            end += 1
        return start, end

    def text_of(self, a: int, b: int) -> str:
        if a >= b:
            return ""
        return self.s[self.spans[a][0]:self.spans[b - 1][1]]

    def user_words(self, a: int, b: int) -> str:
        i, j = self.orig_index(a, "right"), self.orig_index(b - 1, "left")
        if i is None or j is None or j < i:
            return self.text_of(a, b)
        if j - i > 9:
            i = j - 9
        out = self.text[self.words[i].start():self.words[j].end()]
        return out.strip(" ,;:!?()[]\"'«»").strip()


def mentions_notice(s: str) -> bool:
    """Does the normalised text speak of the notice (an email, a letter, received, sent...)?"""
    return bool(_RE["noun"].search(s) or _RE["arrival"].search(s) or _RE["printed"].search(s))


def _last(pattern: re.Pattern, text: str) -> int:
    """Start of the last match of ``pattern`` in ``text`` (-1: none)."""
    pos = -1
    for m in pattern.finditer(text):
        pos = m.start()
    return pos


def read(text: str, s: str, cands: list, normalise, *, mode: str | None = None) -> list[Reading]:
    """Tie every candidate date of the normalised text ``s`` to what its words say."""
    tk = _Tokens(text, s, normalise)
    spans = []
    for c in cands:
        end = c.end if c.end >= 0 else len(s)
        a, b = tk.token_at(c.pos), tk.token_at(max(c.pos, end - 1)) + 1
        spans.append((a, b))
    whole_letter = bool(_RE["letter"].search(s))
    whole_email = bool(_RE["email"].search(s))
    out = []
    for idx, (c, (a, b)) in enumerate(zip(cands, spans)):
        lo, hi = tk.clause_range(a, b)
        prev_end = max([sb for sa, sb in spans if sb <= a] + [lo])
        next_start = min([sa for sa, sb in spans if sa >= b] + [hi])
        later = any(sa >= b and sa < hi for sa, sb in spans)
        back = tk.text_of(max(prev_end, a - BACK_WINDOW), a)
        fwd = tk.text_of(b, min(next_start, b + FORWARD_WINDOW))
        inside = tk.text_of(a, b)
        clause = tk.text_of(lo, hi)
        r = Reading(c)
        # what comes after the last notice word before the date is bound to the date
        cut = max(_last(_RE["noun"], back), _last(_RE["arrival"], back), _last(_RE["printed"], back))
        after_notice = back[cut:] if cut >= 0 else back
        other_back = _last(_RE["other"], back)
        other = (other_back >= 0 and other_back >= cut) or bool(_BIRTH_ADJACENT.search(back))
        if not other and not later:
            m = _RE["other"].search(fwd)
            n = [x.start() for p in ("noun", "arrival", "printed") for x in [_RE[p].search(fwd)] if x]
            other = m is not None and (not n or m.start() < min(n))
        kind = getattr(c, "kind", "")
        if not other and kind not in ("relative", "fuzzy") and (
                re.match(r"(?:depuis|since)\b", inside) or re.search(r"\b(?:depuis|since)\s*$", back)):
            other = r.weak = not (_RE["noun"].search(clause) and _RE["arrival"].search(clause))
        r.negated = bool(_NEGATED.search(back))
        if other:
            r.role = "other"
        elif _RE["noun"].search(clause) or _RE["arrival"].search(clause) or _RE["printed"].search(clause):
            r.role = "notice"
        # printed/sent or arrived: the nearest such word before the date decides
        pa, pp = _last(_RE["arrival"], back), _last(_RE["printed"], back)
        if pa < 0 and pp < 0:
            pa = 0 if _RE["arrival"].search(clause) and not _RE["printed"].search(clause) else -1
            pp = 0 if _RE["printed"].search(clause) and not _RE["arrival"].search(clause) else -1
        r.printed = pp > pa or bool(_NOUN_DU.search(back) and (inside.startswith("du") or re.search(r"\b(?:du|d|of|from)\s*$", back)))
        arrived_words = pa > pp and not r.printed
        r.hedged = bool(re.search(r"\b(?:" + _HEDGE + r")\s*(?:(?:le|du|au|l|the|on|a)\s+)?$", back)
                        or _RE["hedge"].search(inside)
                        or re.match(r"\s*(?:environ|a peu pres|plus ou moins|a quelques jours pres|or so)\b", fwd)
                        or re.search(r"\b(?:je crois|je pense|il me semble|peut etre|i think|maybe)\b", clause))
        # a letter (the clause, else the message, names a letter and no email)
        here_letter, here_email = bool(_RE["letter"].search(clause)), bool(_RE["email"].search(clause))
        if here_letter != here_email:
            is_letter = here_letter
        else:
            is_letter = whole_letter and not whole_email
        if mode == "arrival":          # the user said they only know when the letter arrived
            r.arrival = not r.printed
        elif mode in ("letter", "letter_any"):  # a letter: its words, or (not said which) its arrival
            r.arrival = arrived_words or (mode == "letter_any" and not r.printed)
        else:                          # an email, or not said: a letter only if the words say so
            r.arrival = is_letter and arrived_words
        # the words to echo: from a notice word close before the date, to the date
        w0 = max(prev_end, a - BACK_WINDOW)
        start = a
        for p in ("arrival", "printed", "noun"):
            for m in _RE[p].finditer(back):
                tok = w0 + back[:m.start()].count(" ")
                if a - tok <= 4:
                    start = min(start, tok)
        r.words = tk.user_words(start, b)
        out.append(r)
    return out


def choose(readings: list[Reading], s: str, spans_text) -> Choice:
    """Pick the notice date among the readings (or say what to ask)."""
    valid = [r for r in readings if r.cand.value is not None and r.cand.error is None]
    if any(not r.negated for r in valid):
        valid = [r for r in valid if not r.negated]
    # a correction said between two dates keeps what follows it ("le 5, non pardon le 3")
    ordered = sorted(valid, key=lambda r: r.cand.pos)
    for i in range(len(ordered) - 1, 0, -1):
        gap = spans_text(ordered[i - 1].cand, ordered[i].cand)
        if _RE["correction"].search(gap):
            dropped = set(id(r) for r in ordered[:i])
            valid = [r for r in valid if id(r) not in dropped]
            break
    for role in ("notice", "neutral"):
        pool = [r for r in valid if r.role == role]
        if pool:
            return _pick(pool, s, spans_text)
    others = [r for r in valid if r.role == "other"]
    if others and all(r.weak for r in others):
        return _pick(others, s, spans_text)  # "depuis le 10" alone: since then the user has the notice
    errs = [r.cand for r in readings if r.cand.error and r.role != "other"]
    if errs:
        return Choice(errors=errs)
    if others or any(r.role == "other" for r in readings):
        return Choice(ask=_distinct(others), only_other=True)
    return Choice()


def _distinct(pool: list[Reading]) -> list[Reading]:
    seen, out = set(), []
    for r in sorted(pool, key=lambda r: r.cand.pos):
        key = (r.cand.value, r.arrival)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _pick(pool: list[Reading], s: str, spans_text) -> Choice:
    days = {r.cand.value for r in pool}
    if len(days) == 1:
        best = max(pool, key=lambda r: (r.printed, r.role == "notice", -r.cand.pos))
        if any(r.arrival for r in pool) and not best.printed:
            best = next(r for r in pool if r.arrival)
        return Choice(picked=best)
    printed = {r.cand.value for r in pool if r.printed and not r.arrival}
    if len(printed) == 1:
        day = printed.pop()
        return Choice(picked=next(r for r in pool if r.cand.value == day and r.printed))
    ordered = sorted(pool, key=lambda r: r.cand.pos)
    if len(ordered) == 2:
        gap = spans_text(ordered[0].cand, ordered[1].cand).strip()
        gap = re.sub(r"\b(?:le|la|du|au|the|on)\b", " ", _RE["hedge"].sub(" ", gap)).split()
        if _RANGE_GAP.match(" ".join(gap) or "-") and ordered[0].arrival == ordered[1].arrival:
            best = min(pool, key=lambda r: r.cand.value)
            return Choice(picked=best, approximate=True)
    return Choice(ask=_distinct(pool)[:3])

"""Understand the notification date the way people write it, in everyday French.

Pipeline for one message (see docs/dates.md):

1. privacy screen first (``bot.privacy.screen``): NIR-like numbers, carte Vitale serials and
   codes are removed, so they are never read as dates nor echoed back;
2. normalisation: lower case, no accents, ``1er`` -> ``1``, spelled numbers -> digits (only
   where a number is expected), digits glued to words split, month and weekday typos fixed;
3. a small grammar of regular expressions, most specific first, each match masked before the
   next one runs: ISO, day-first numeric, day + month name (+ year), fuzzy months
   ("début novembre"), relative phrases ("il y a 3 jours", "avant-hier"), weekdays
   ("lundi dernier"), a bare day ("le 12");
4. dateparser as a fallback for what the grammar does not place (a month or weekday word
   left over), imported lazily and checked by the same rules;
5. checks: never in the future, never silently corrected (31/11 is refused), never before
   the scheme started (``facts.SCHEME_START_YEAR``).

When several dates appear, :mod:`bot.notice` keeps the one tied to the notice, or asks.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
import datetime as dt  # DateResult.date (a field named like the type)
from datetime import date, datetime, timedelta

from ..knowledge import facts
from . import notice
from .textnorm import fold

ERRORS = ("no_date", "future", "impossible", "too_old", "ambiguous", "which")
_ERROR_RANK = {"impossible": 0, "too_old": 1, "future": 2, "ambiguous": 3}


@dataclass(frozen=True)
class DateResult:
    """What was understood.  Holds dates and small numbers only, never the message text."""

    date: dt.date | None = None  # sending date for the rule (shifted for a letter's arrival day)
    understood: dt.date | None = None  # the user's own date, as understood
    error: str | None = None  # None or one of ERRORS
    approximate: bool = False  # fuzzy, or shifted for a letter's arrival day
    fuzzy: bool = False  # "début novembre", "la semaine dernière"...: earliest plausible day
    letter_arrived: bool = False  # the date is the day a letter arrived
    shift_days: int = 0  # days taken off for a letter's arrival
    kind: str = ""  # explicit | yearless | relative | weekday | bare_day | fuzzy | fallback
    detail: dict = field(default_factory=dict, compare=False)  # for explanations: day, month, year, max_day...
    hedged: bool = False  # said approximately ("vers le 10", "le 3 je crois")
    words: str = field(default="", compare=False)  # the user's words the date was read from (never stored)
    choices: tuple = field(default=(), compare=False)  # error "which": (date, arrived, words) to offer
    role: str = ""  # notice (words tie it to the notice) | neutral | other
    maybe_letter: bool = False  # received/arrived, email or letter not said: offer "it was a letter"

    @property
    def ok(self) -> bool:
        return self.error is None and self.date is not None


# --- vocabulary ------------------------------------------------------------------------------------
_MONTH_FORMS = {
    1: "janvier janv jan january jnvier janvie",
    2: "fevrier fevr fev feb february fevier fevrie",
    3: "mars mar march",
    4: "avril avr apr april",
    5: "mai may",
    6: "juin jun june",
    7: "juillet juil jul july juilet",
    8: "aout aou aug august",
    9: "septembre sept sep september setembre",
    10: "octobre oct october",
    11: "novembre nov november",
    12: "decembre dec december",
}
MONTHS: dict[str, int] = {w: m for m, forms in _MONTH_FORMS.items() for w in forms.split()}
_MONTH_FULL = {w: m for w, m in MONTHS.items() if len(w) >= 5}

_WEEKDAY_FORMS = {
    0: "lundi monday",
    1: "mardi tuesday",
    2: "mercredi wednesday",
    3: "jeudi thursday",
    4: "vendredi friday",
    5: "samedi saturday",
    6: "dimanche sunday",
}
WEEKDAYS: dict[str, int] = {w: d for d, forms in _WEEKDAY_FORMS.items() for w in forms.split()}

_NUMBER_WORDS = {
    "un": 1,
    "une": 1,
    "premier": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
    "dix sept": 17,
    "dix huit": 18,
    "dix neuf": 19,
    "vingt": 20,
    "vingt et un": 21,
    "vingt et une": 21,
    "vingt deux": 22,
    "vingt trois": 23,
    "vingt quatre": 24,
    "vingt cinq": 25,
    "vingt six": 26,
    "vingt sept": 27,
    "vingt huit": 28,
    "vingt neuf": 29,
    "trente": 30,
    "trente et un": 31,
    "trente et une": 31,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
# longest first, so "dix sept" wins over "dix"; hyphens are spaces after normalisation
_NUM_ALT = "|".join(
    sorted((re.escape(w.strip()).replace(r"\ ", r"[ -]") for w in _NUMBER_WORDS), key=len, reverse=True)
)
# "j" is a day unit ("il y a 15 j") unless it is the elided "je" of the next word ("le 15 j'ai reçu").
_UNIT = (
    r"(?:jours?|j(?!\s+(?!(?:avant|apres|environ|au|a|ago)\b)[aeiouyh])|jrs?|semaines?|sem|mois|ans?|annees?"
    r"|days?|weeks?|months?|years?)"
)
_AFTER_NUMBER_NOT_DAY = re.compile(
    r"\s*(?:[/.-]\s*\d|:\s*\d|" + _UNIT + r"\b|h\b|h\s*\d|heures?\b|min|eme\b|e\b|%|euros?\b|eur\b|"
    r"mails?\b|e mails?\b|courriers?\b|lettres?\b|enfants?\b|fois\b|personnes?\b|numeros?\b|chiffres?\b|"
    r"etages?\b|rue\b|avenue\b|av\b|bd\b|boulevard\b|bis\b|ter\b|chemin\b|allee\b|impasse\b|route\b|place\b|"
    r"arrondissement\b|arr\b|appartement\b|appart\b|apt\b|batiment\b|bat\b|etape\b|question\b|page\b|"
    # "le 15" is also the SAMU's number: "le 15 peut voir mon dossier ?" names no day
    r"(?:peut|peuvent|pourra|pourrait|voit|voie|voient|verra|a\s+acces|accede|consulte|samu|urgences?)\b)"
)

# --- normalisation --------------------------------------------------------------------------------
_PUNCT = re.compile(r"[^\w\s/.:-]")
_SPACES = re.compile(r"\s+")
_ORDINAL = re.compile(r"\b(\d{1,2})\s?(?:er|ere|ier|iere|nd|rd|th|st)\b|\b(1)\s?e\b")
# "3eme", "2e", "4ieme": a rank (floor, letter, time), never a day of the month in French
_ORDINAL_RANK = re.compile(r"\b(?!1\s?e\b)(\d{1,3})\s?(?:e|eme|ieme|em|iem|eme?s|ieme?s)\b")
_DIGIT_ALPHA = re.compile(r"(\d)([a-z])")
_ALPHA_DIGIT = re.compile(r"([a-z])(\d)")
_WORD = re.compile(r"[a-z]{4,12}")
_NUM_BEFORE = re.compile(r"\b(" + _NUM_ALT + r")\b(?=\s+(?:de\s+)?(?:[a-z]{3,10})\b)")
_NUM_AFTER_CTX = re.compile(
    r"\b(il y a|il ya|y a|ya|ca fait|cela fait|ca va faire|depuis|dans|ds|d ici|sous|des|il y a environ|"
    r"il y a presque)\s+(" + _NUM_ALT + r")\b"
)
_NUM_AFTER_LE = re.compile(r"\b(le|du)\s+(" + _NUM_ALT + r")\b")
_SINGULAR = {"un", "une", "premier", "one"}


def _num(word: str) -> int:
    return _NUMBER_WORDS[re.sub(r"[ -]+", " ", word)]


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment), stopping early above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] | None = None
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


_KNOWN_WORDS = (
    set(MONTHS)
    | set(WEEKDAYS)
    | {
        "jours",
        "semaine",
        "semaines",
        "dernier",
        "derniere",
        "prochain",
        "prochaine",
        "matin",
        "midi",
        "soir",
        "depuis",
        "janvier",
        "lettre",
        "lettres",
        "courrier",
        "juste",
        "environ",
        "mardis",
        "jeudis",
        "avant",
        "apres",
        "hier",
        "demain",
        "numero",
        "merci",
        "bonjour",
        "annee",
        "annees",
        "enfant",
        "enfants",
        "debut",
        "milieu",
        "novice",
        "octet",
        "marche",
        "maison",
        "mairie",
        "jardin",
        "mercredis",
        "lundis",
        "vendredis",
        "samedis",
        "dimanches",
        "decembre",
        "decembres",
        "juillet",
        "jouet",
        "jeudi",
        "mercie",
        "ferie",
        "feries",
        "feriee",
        "ferier",
        "demarche",
        "demarches",
        "marcher",
        "marches",
        "match",
        "marie",
        "jeune",
        "jeunes",
        "sardine",
        "madame",
        "monsieur",
        "mercis",
        "vendre",
        "vendeur",
    }
)


# typos are corrected towards the French names only: an English or already misspelt form as a
# target would stretch the tolerance ("match" -> "march", "ferie" -> "fevrie")
_TYPO_TARGETS = {
    "months": {
        w: m
        for w, m in MONTHS.items()
        if w in ["janvier", "fevrier", "avril", "juillet", "septembre", "octobre", "novembre", "decembre"]
    },
    "weekdays": {
        w: d
        for w, d in WEEKDAYS.items()
        if w in ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
    },
}


def _fix_word(word: str, table: dict[str, int], min_len: int) -> int | None:
    """Map a word to a month/weekday number, tolerating one typo (two for long words, when the
    first two letters are right: "demarche" is not "dimanche")."""
    if word in table:
        return table[word]
    if len(word) < min_len or word in _KNOWN_WORDS:
        return None
    limit = 1 if len(word) < 7 else 2
    targets = _TYPO_TARGETS["months" if table is MONTHS else "weekdays"] if table in (MONTHS, WEEKDAYS) else table
    best = None
    for form, value in targets.items():
        if len(form) < 5 or form[0] != word[0]:
            continue
        d = _edit_distance(word, form, limit)
        if d == 2 and form[1] != word[1]:
            continue
        if d <= limit and (best is None or d < best[0]):
            best = (d, value)
    return best[1] if best else None


def month_of(word: str) -> int | None:
    return _fix_word(word.rstrip("."), MONTHS, 5)


def weekday_of(word: str) -> int | None:
    return _fix_word(word, WEEKDAYS, 5)


def normalise(text: str) -> str:
    """Folded text ready for the grammar (sensitive numbers must already be removed)."""
    s = fold(text).replace("'", " ").replace("`", " ")
    s = _PUNCT.sub(" ", s)
    s = s.replace("_", " ")
    s = _ORDINAL.sub(lambda m: (m.group(1) or m.group(2)) + " ", s)
    s = _ORDINAL_RANK.sub(r"\1 eme", s)
    s = re.sub(r"(?<=\d)[-/.](?=[a-z])|(?<=[a-z])[-/.](?=\d)", " ", s)
    s = _DIGIT_ALPHA.sub(r"\1 \2", s)
    s = _ALPHA_DIGIT.sub(r"\1 \2", s)
    s = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", s)  # avant-hier, vingt-et-un, mi-octobre
    s = re.sub(r"(?<=[a-z])\.(?=\s|$)", " ", s)  # "nov." -> "nov"
    s = _SPACES.sub(" ", s).strip()
    if any(
        w in s
        for w in (
            "un",
            "deux",
            "trois",
            "quatre",
            "cinq",
            "six",
            "sept",
            "huit",
            "neuf",
            "dix",
            "onze",
            "douze",
            "treize",
            "quatorze",
            "quinze",
            "seize",
            "vingt",
            "trente",
            "premier",
            "one",
            "two",
            "three",
            "four",
            "five",
            "seven",
            "eight",
            "nine",
            "ten",
        )
    ):
        s = _spell_numbers(s)
    return s


def _spell_numbers(s: str) -> str:
    def before(m: re.Match) -> str:
        nxt = s[m.end() :].lstrip()
        word = re.match(r"(?:de\s+)?([a-z]{3,10})", nxt)
        w = word.group(1) if word else ""
        if w in MONTHS or month_of(w) or re.fullmatch(_UNIT, w) or w in ("quinzaine",):
            if m.group(1) == "sept" and re.fullmatch(r"\d.*", s[: m.start()].rstrip()[-1:] or "x"):
                return m.group(0)  # "3 sept 2026": the month
            return str(_num(m.group(1)))
        return m.group(0)

    s = _NUM_BEFORE.sub(before, s)
    s = _NUM_AFTER_CTX.sub(lambda m: f"{m.group(1)} {_num(m.group(2))}", s)
    s = _NUM_AFTER_LE.sub(lambda m: m.group(0) if m.group(2) in _SINGULAR else f"{m.group(1)} {_num(m.group(2))}", s)
    return s


# --- candidates ----------------------------------------------------------------------------------
@dataclass
class _Cand:
    pos: int
    value: date | None = None
    error: str | None = None
    fuzzy: bool = False
    kind: str = ""
    detail: dict = field(default_factory=dict)
    end: int = -1  # end of the words it was read from (in the normalised text)


def _checked(y: int, m: int, d: int, today: date, pos: int, kind: str, fuzzy: bool = False) -> _Cand:
    if not 1 <= m <= 12 or not 1 <= d <= 31:
        return _Cand(pos, error="impossible", kind=kind, detail={"day": d, "month": m, "year": y})
    if y < 100:
        y += 2000
    if y < facts.SCHEME_START_YEAR:
        return _Cand(pos, error="too_old", kind=kind, detail={"year": y, "start": facts.SCHEME_START_YEAR})
    max_day = calendar.monthrange(y, m)[1] if y <= 9999 else 31
    if d > max_day:
        return _Cand(
            pos,
            error="impossible",
            kind=kind,
            detail={"day": d, "month": m, "year": y, "max_day": max_day, "leap": m == 2 and d == 29},
        )
    if y > 9999:
        return _Cand(pos, error="future", kind=kind)
    value = date(y, m, d)
    if value > today:
        return _Cand(pos, error="future", kind=kind, detail={"date": value.isoformat()})
    return _Cand(pos, value=value, kind=kind, fuzzy=fuzzy)


def _yearless(m: int, d: int, today: date, pos: int, kind: str = "yearless", fuzzy: bool = False) -> _Cand:
    """A day and month without a year: the most recent such date within the last 12 months."""
    if not 1 <= m <= 12 or not 1 <= d <= 31 or d > (29 if m == 2 else calendar.monthrange(2001, m)[1]):
        max_day = 29 if m == 2 else (calendar.monthrange(2001, m)[1] if 1 <= m <= 12 else 0)
        return _Cand(
            pos, error="impossible", kind=kind, detail={"day": d, "month": m, "year": None, "max_day": max_day}
        )
    for y in (today.year, today.year - 1):
        if d <= calendar.monthrange(y, m)[1]:
            value = date(y, m, d)
            if value <= today:
                if value.year < facts.SCHEME_START_YEAR:
                    return _Cand(
                        pos, error="too_old", kind=kind, detail={"year": value.year, "start": facts.SCHEME_START_YEAR}
                    )
                return _Cand(pos, value=value, kind=kind, fuzzy=fuzzy)
    # 29 February with no leap day in the last 12 months
    return _Cand(
        pos,
        error="impossible",
        kind=kind,
        detail={
            "day": d,
            "month": m,
            "year": today.year if date(today.year, 3, 1) <= today else today.year - 1,
            "max_day": 28,
            "leap": True,
        },
    )


def _relative(today: date, n: int, unit: str) -> date:
    u = unit[0]
    if unit.startswith("mo"):  # mois, month(s)
        return _minus_months(today, n)
    if u == "j" or u == "d":
        return today - timedelta(days=n)
    if u == "s" or u == "w":
        return today - timedelta(days=7 * n)
    return _minus_months(today, 12 * n)  # ans, annees, years


def _minus_months(d: date, n: int) -> date:
    total = d.year * 12 + (d.month - 1) - n
    y, m = divmod(total, 12)
    if y < 1:
        return date(1, 1, 1)
    return date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


_FUZZY_DAY = {"debut": 1, "en": 1, "courant": 1, "mi": 10, "milieu": 10, "fin": 20, "": 1}

_RE_ISO = re.compile(
    r"(?<![\d/.-])(\d{4})\s?[-/.]\s?(\d{1,2})\s?[-/.]\s?(\d{1,2})(?!\d)(?!\s?[/.-]\s?\d)|"
    r"(?<![\d/.-])(20\d{2}) (\d{1,2}) (\d{1,2})(?![\d/.-])"
)  # "2026 11 02"
_RE_NUM = re.compile(
    r"(?<![\d/.:-])(\d{1,2})\s?([/.-])\s?(\d{1,2})(?:\s?[/.-]\s?(\d{4}|\d{2})(?!\d))?(?!\d)"
    r"(?!\s?[/.-]\s?(?>\d+)(?!\s?(?::\s?\d|h\b|h\s?\d)))"
)  # "14/11/2026 - 07:12": a time, not more digits
_RE_COMPACT = re.compile(r"(?<![\d/.-])(\d{2})(\d{2})(\d{4})(?![\d/.-])")
_RE_DAY_MONTH = re.compile(
    r"(?<![\d/.-])(\d{1,2})\s?(?:de\s+|d\s+)?([a-z]{3,10})\b\.?(?:\s?,?\s?((?:1[89]|2\d)\d{2}|\d{2})(?!\d)(?!\s?[h:])|"
    r"\s+(?:de\s+)?(?:l\s+)?((?:annee|an)\s+(?:derniere|dernier|passee|passe))\b|\s+(?:de\s+)?(cette\s+annee)\b)?"
)
_RE_MONTH_DAY = re.compile(
    r"\b([a-z]{3,10})\s+(?:le\s+)?(\d{1,2})\b(?!\s?[/.:-]\s?\d)(?:\s?,?\s?((?:1[89]|2\d)\d{2})(?!\d))?"
)
_RE_WEEKDAY_LAST_WEEK = re.compile(
    r"\b([a-z]{5,9})\s+(?:de\s+)?(?:la\s+)?semaine\s+(?:derniere|passee|d\s+avant)\b|"
    r"\b(?:la\s+)?semaine\s+(?:derniere|passee|d\s+avant)\s+(?:le\s+)?([a-z]{5,9})\b"
)
_RE_SPACED = re.compile(r"(?<![\d/.-])(\d{1,2}) (\d{1,2}) (20\d{2})(?![\d/.-])")
_RE_DAY_LAST_MONTH = re.compile(r"\b(?:le|du)\s+(\d{1,2})\s+(?:du|de)\s+(?:le\s+)?mois\s+(?:dernier|passe|d\s+avant)\b")
_RE_DAY_THIS_MONTH = re.compile(
    r"\b(?:le|du)?\s*(\d{1,2})\s+(?:de\s+ce|du)\s+mois(?:\s+ci\b|\s+en\s+cours\b)|\b(?:le|du)?\s*(\d{1,2})\s+de\s+ce\s+mois\b"
)
# "le 14 du 11": day "du" month number, as said aloud
_RE_DAY_DU_MONTH = re.compile(r"(?<![\d/.-])(\d{1,2})\s+du\s+(\d{1,2})(?:\s+(\d{4}))?\b(?!\s?[/.:-]\s?\d)")
_RE_WEEKDAY_DAY = re.compile(r"\b([a-z]{5,9})\s+(\d{1,2})\b(?!\s?[/.:-]\s?\d)(?!\s*(?:h\b|heures?|" + _UNIT + r"\b))")
_RE_WEEKEND = re.compile(
    r"(?:\b(?:ce|le|du|au|pendant\s+le)?\s*\bweek\s?end|\b(?:ce|le|du|au)\s+we)\b(\s+(?:dernier|passe))?"
)
_FUZZY_PREFIX = (
    r"(?:(?:au|vers|a|le|la|de)\s+)?(?:(debut|mi|milieu|fin|courant|en)\s*(?:du\s+mois\s+)?"
    r"(?:de\s+|d\s+)?)"
)
_RE_MONTH_ONLY = re.compile(
    r"\b" + _FUZZY_PREFIX + r"?(?:(?:le\s+|au\s+)?mois\s+(?:de\s+|d\s+))?([a-z]{3,10})\b(?:\s+(\d{4}))?"
)
# words between "il y a" and the amount: exact ones keep the date exact, the others make it approximate
_EXACT_QUALIFIERS = ("pile", "tout juste", "juste", "deja", "exactement", "seulement", "que", "a peine", "tout pile")
_QUALIFIERS = sorted(
    _EXACT_QUALIFIERS
    + (
        "environ",
        "a peu pres",
        "presque",
        "pres de",
        "plus de",
        "moins de",
        "genre",
        "bien",
        "au moins",
        "bientot",
        "quasiment",
        "quasi",
        "facilement",
        "approximativement",
        "grosso modo",
        "dans les",
        "aux alentours de",
        "autour de",
        "a tout casser",
        "un peu plus de",
        "un peu moins de",
        "pas loin de",
        "max",
        "maximum",
        "au plus",
        "a vue de nez",
        "en gros",
        "peut etre",
        "probablement",
        "surement",
        "plus d",
        "moins d",
        "pres d",
        "pas loin d",
        "un peu plus d",
        "un peu moins d",
        "autour d",
        "aux alentours d",
    ),
    key=len,
    reverse=True,
)
_RE_QUALIFIER = re.compile(r"\b(?:" + "|".join(_QUALIFIERS) + r")\b")
_RE_RELATIVE_UNIT = re.compile(
    r"\b(?:il\s?y\s?a|y\s?a|ca\s+(?:va\s+)?fai(?:t|re)|cela\s+fait|depuis|voila|ago)\s+"
    r"((?:(?:" + "|".join(w.replace(" ", r"\s+") for w in _QUALIFIERS) + r")\s+){0,3})"
    r"(\d{1,4}(?:\s?(?:-|a|ou|/|,)\s?\d{1,4}|\s\d{1,4}(?=\s*[a-z]))?|quelques|quelque|qques|qque|qqs|qq|qlqs|qlq|plusieurs|"
    r"un|une|1\s+bonne|une\s+bonne|1\s+petite|une\s+petite|1\s+bon|un\s+bon|1\s+petit|un\s+petit|bien|une\s+dizaine\s+de|"
    r"1\s+dizaine\s+de|dizaine\s+de|une\s+vingtaine\s+de|1\s+vingtaine\s+de|vingtaine\s+de)\s*"
    r"(" + _UNIT + r"|h|heures?|hours?)\b(\s+et\s+demie?)?"
    r"(\s+(?:environ|a\s+peu\s+pres|plus\s+ou\s+moins|grosso\s+modo|ou\s+plus|ou\s+un\s+peu\s+plus|a\s+peu\s+de\s+choses?\s+pres)\b)?"
)
_RE_AGO_EN = re.compile(
    r"\b(\d{1,4}|an?|one|(?:a\s+)?couple\s+(?:of\s+)?|(?:a\s+)?few|several)\s*(days?|weeks?|months?|years?)\s+ago\b"
)
_RE_QUINZAINE = re.compile(
    r"\b(?:il\s?y\s?a|y\s?a|ca\s+fait|cela\s+fait|depuis)\s+(?:environ\s+)?(?:une\s+|1\s+)?quinzaine\b"
)
_RE_FUTURE = re.compile(
    r"\b(?:apres\s?demain|demain|tomorrow|(?:dans|ds|d\s+ici|sous)\s+(?:\d{1,4}|quelques|plusieurs)\s*" + _UNIT + r"|"
    r"(?:dans|ds|d\s+ici|sous)\s+(?:une\s+|1\s+)?(?:huitaine|dizaine|quinzaine|vingtaine)|"
    r"(?:la\s+|le\s+|l\s+)?(?:semaine|mois|annee)\s+(?:qui\s+vient|d\s+apres|suivante?|a\s+venir)|"
    r"(?:la\s+)?semaine\s+pro(?:chaine)?|next\s+week|(?:le\s+)?mois\s+pro(?:chain)?|next\s+month|"
    r"(?:l\s+)?annee\s+pro(?:chaine)?)\b"
)
_RE_TODAY = re.compile(
    r"\b(?:au?jou?r?\s?d?\s?h?ui|ajd|auj|ce\s+matin|ce\s+midi|cet(?:te)?\s+apres?\s?midi|cet(?:te)?\s+aprem|"
    r"vien[st]?\s+(?:(?:tout\s+)?juste\s+)?d(?:e)?\s+(?:(?:l|le|la|les)\s+)?(?:recevoir|avoir|trouver|arriver)|"
    r"ce\s+soir|tout\s+a\s+l\s+heure|today|this\s+morning|tantot)\b"
)
_RE_LAST_NIGHT = re.compile(r"\b(?:cette\s+nuit|la\s+nuit\s+(?:derniere|passee)|last\s+night)\b")
_RE_DAY_BEFORE = re.compile(
    r"\bav[ae]n[td]?\s?av[ae]n[td]?\s?hier\b|\bav[ae]n[td]?\s?hier\b|\bhier\b|\byesterday\b|\bthe\s+day\s+before\s+yesterday\b"
)
_RE_WEEK = re.compile(
    r"\b(?:(?:en|au)\s+)?(debut|milieu|fin)?\s*(?:de\s+(?:la\s+)?)?(?:la\s+|cette\s+)?"
    r"(semaine\s+(?:derniere|passee|d\s+avant)|last\s+week|cette\s+semaine|this\s+week|debut\s+de\s+semaine|"
    r"semaine\s+d\s+avant)\b"
)
_RE_MONTH_REL = re.compile(
    r"\b(?:(?:au|en|vers)\s+)?(?:la\s+)?(debut|mi|milieu|fin)?\s*(?:de\s+|du\s+)?(?:le\s+)?"
    r"(mois\s+(?:dernier|passe|d\s+avant)|last\s+month|ce\s+mois\s+ci|ce\s+mois|mois\s+ci|this\s+month)\b"
)
_RE_MONTH_START = re.compile(r"\b(?:(?:au|en|vers)\s+)?(debut|fin|milieu|mi)\s+(?:de\s+|du\s+)mois\b(?!\s+(?:de|d)\s)")
_RE_YEAR_VAGUE = re.compile(
    r"\b(?:l\s+)?(?:annee\s+(?:derniere|passee)|an\s+(?:dernier|passe)|last\s+year|"
    r"il\s?y\s?a\s+longtemps|en\s+20\d{2})\b"
)
_RE_WEEKDAY = re.compile(
    r"\b(?:(ce|cette|le|dernier)\s+)?([a-z]{5,9})\b(?!\s+(?>\d+)(?!\s?(?:h\b|h\s?\d|:\s?\d|heures?\b)))"
    r"(?:\s+(dernier|passe|d\s+avant|de\s+la\s+semaine\s+(?:derniere|passee|d\s+avant)|prochain|pro|qui\s+vient|"
    r"last|next|matin|soir|midi|apres\s?midi))?"
)
_RE_BARE_DAY = re.compile(r"\b(?:le|du|au|des\s+le|depuis\s+le|on\s+the|the)\s+(\d{1,2})\b")
# fixed-date days people name instead of a date ("à Noël", "le jour de l'an")
_HOLIDAYS = {
    "noel": (12, 25),
    "reveillon de noel": (12, 24),
    "nouvel an": (1, 1),
    "jour de l an": (1, 1),
    "premier de l an": (1, 1),
    "1 de l an": (1, 1),
    "saint sylvestre": (12, 31),
    "st sylvestre": (12, 31),
    "reveillon du nouvel an": (12, 31),
    "reveillon du jour de l an": (12, 31),
    "toussaint": (11, 1),
    "armistice": (11, 11),
    "fete du travail": (5, 1),
    "fete nationale": (7, 14),
    "assomption": (8, 15),
    "saint valentin": (2, 14),
    "st valentin": (2, 14),
    "fete de la musique": (6, 21),
    "christmas": (12, 25),
    "christmas day": (12, 25),
    "christmas eve": (12, 24),
    "new year s eve": (12, 31),
    "new years eve": (12, 31),
    "new year s day": (1, 1),
    "new years day": (1, 1),
}
_RE_HOLIDAY = re.compile(
    r"\b(?:(veille|lendemain)\s+(?:de\s+la\s+|de\s+l\s+|du\s+|de\s+)?)?("
    + "|".join(sorted((k.replace(" ", r"\s+") for k in _HOLIDAYS), key=len, reverse=True))
    + r")\b(?:\s+(20\d{2}))?"
)
# "ouvert du lundi au vendredi": a range of opening days, not a date
# "c'est ouvert le samedi ?": "le <jour>" about opening hours is every such day, not a date
_RE_OPENING = re.compile(
    r"\b(?:ouvert|ouverte|ouverts|ouvre|ouvrent|ferme|fermee|fermes|fermees|joignable|joignables|"
    r"horaires?|permanence|accueil|disponible|dispo|travaille|travaillent|repond|repondent)\b"
)
_RE_WEEKDAY_RANGE = re.compile(r"\b(?:du|de|le|les)\s+([a-z]{5,9})\s+(?:au|a|jusqu\s+au)\s+([a-z]{5,9})\b")
_RE_AFTER_ANCHOR = re.compile(
    r"\b(\d{1,2})\s*(jours?|j|semaines?|sem|mois|days?|weeks?|months?)\s+"
    r"(?:apres|plus\s+tard|later|after(?:wards)?)\b"
)
_RE_ONLY_DAY = re.compile(r"^(?:le\s+)?(\d{1,2})$")
_PREFILTER = re.compile(
    r"\d|janv|fev|mars|avr|mai|juin|juil|aout|sep|oct|nov|dec|\blun|\bmar|\bmer|\bjeu|\bven|\bsam|\bdim|nuit|"
    r"hier|aujourd|ajd|auj|matin|soir|midi|semaine|mois|\ban|annee|jour|demain|dans|debut|\bmi\b|fin|quinz|yester|today|ago|"
    r"week|month|day|year|bre\b|di\b|vier|ier\b|llet|avril|ao|aprem|apres|vien|hui|noel|toussaint|sylvestre|"
    r"armistice|valentin|nouvel|fete|assomption|\bpro\b|\bici\b"
)


def _mask(s: str, m: re.Match) -> str:
    return s[: m.start()] + " " * (m.end() - m.start()) + s[m.end() :]


def _scan(s: str, today: date, expect_date: bool) -> list[_Cand]:
    """Every date of the normalised text ``s``, most precise forms first; each rule masks the
    words it read so that a looser rule after it does not read them again."""
    sc = _Scan(s, today)
    sc.numeric_forms()
    sc.named_months()
    sc.relative_phrases()
    sc.fuzzy_months()
    sc.weekdays()
    sc.bare_days(expect_date)
    sc.drop_labels()
    sc.after_anchor()
    sc.join_day_and_month()
    # 8. vague years: ask for the day
    sc.each(_RE_YEAR_VAGUE, lambda m: _Cand(m.start(), error="ambiguous", kind="vague"))
    if not sc.cands and expect_date and re.fullmatch(r"\s*(20\d{2})\s*", sc.s):
        sc.cands.append(_Cand(0, error="ambiguous", kind="vague"))
    return sc.cands


class _Scan:
    """One scan of a message: ``s`` is the text with the dates read so far masked."""

    def __init__(self, s: str, today: date):
        self.s = self.original = s
        self.today = today
        self.cands: list[_Cand] = []
        self.stripped = ""  # the text left when the fuzzy months are read
        self.starts: set[int] = set()  # where the dates read before the weekdays start

    def each(self, pattern: re.Pattern, fn: Callable[[re.Match], _Cand | None]) -> None:
        for m in list(pattern.finditer(self.s)):
            c = fn(m)
            if c is not None:
                if c.end < 0:
                    c.pos, c.end = m.start(), m.end()
                self.cands.append(c)
                self.s = _mask(self.s, m)

    # 1. numeric forms -----------------------------------------------------------------------
    def numeric_forms(self) -> None:
        today = self.today
        self.each(
            _RE_ISO,
            lambda m: _checked(
                int(m.group(1) or m.group(4)),
                int(m.group(2) or m.group(5)),
                int(m.group(3) or m.group(6)),
                today,
                m.start(),
                "explicit",
            ),
        )
        self.each(_RE_NUM, self.numeric)
        self.each(_RE_COMPACT, self.compact)
        self.each(
            _RE_SPACED,
            lambda m: (
                _checked(int(m.group(3)), int(m.group(2)), int(m.group(1)), today, m.start(), "explicit")
                if 1 <= int(m.group(2)) <= 12
                else None
            ),
        )

    def numeric(self, m: re.Match) -> _Cand | None:
        s, rest = self.s, self.s[m.end() :]
        if (
            m.group(4) is None
            and _AFTER_NUMBER_NOT_DAY.match(s, m.end())
            and not re.match(r"\s?[/.-]", rest)
            and re.match(r"\s*" + _UNIT + r"\b|\s*h\b|\s*heures?", rest)
            and not re.match(r"\s*jour\s+(?:ferie|feriee|chome|ou|de\s+l)\b", rest)
        ):  # "le 11/11 jour férié"
            return None
        if m.group(4) is None and (m.group(2) == "." or m.group(2) == "-") and re.match(r"\s*" + _UNIT + r"\b", rest):
            return None
        d, mo = int(m.group(1)), int(m.group(3))
        if m.group(4) is None:
            return _yearless(mo, d, self.today, m.start(), "yearless")
        return _checked(int(m.group(4)), mo, d, self.today, m.start(), "explicit")

    def compact(self, m: re.Match) -> _Cand | None:
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if not 1900 <= y <= 2199:
            return None
        return _checked(y, mo, d, self.today, m.start(), "explicit")

    # 2. day + month name (+ year) -------------------------------------------------------------
    def named_months(self) -> None:
        self.each(_RE_DAY_MONTH, self.day_month)
        self.each(_RE_MONTH_DAY, self.month_day)
        self.each(_RE_DAY_LAST_MONTH, self.day_last_month)
        self.each(_RE_DAY_THIS_MONTH, self.day_this_month)
        self.each(_RE_DAY_DU_MONTH, self.day_du_month)
        n_before = len(self.cands)
        self.each(_RE_HOLIDAY, self.holiday)
        for c in self.cands[n_before:]:
            c.detail["holiday"] = True
        self.each(_RE_WEEKDAY_DAY, self.weekday_day)

    def day_month(self, m: re.Match) -> _Cand | None:
        mo = month_of(m.group(2))
        if mo is None:
            return None
        d, today = int(m.group(1)), self.today
        if m.group(3):
            return _checked(int(m.group(3)), mo, d, today, m.start(), "explicit")
        if m.group(4) or m.group(5):  # "de l'année dernière", "de cette année"
            return _checked(today.year - (1 if m.group(4) else 0), mo, d, today, m.start(), "explicit")
        return _yearless(mo, d, today, m.start(), "yearless")

    def month_day(self, m: re.Match) -> _Cand | None:  # "novembre le 3", "November 3, 2026"
        mo = month_of(m.group(1))
        if mo is None or _AFTER_NUMBER_NOT_DAY.match(self.s, m.end()):
            return None
        d = int(m.group(2))
        if m.group(3):
            return _checked(int(m.group(3)), mo, d, self.today, m.start(), "explicit")
        return _yearless(mo, d, self.today, m.start(), "yearless")

    def day_last_month(self, m: re.Match) -> _Cand:  # "le 3 du mois dernier"
        d = int(m.group(1))
        first = _minus_months(self.today.replace(day=1), 1)
        if not 1 <= d <= calendar.monthrange(first.year, first.month)[1]:
            return _Cand(
                m.start(),
                error="impossible",
                kind="yearless",
                detail={
                    "day": d,
                    "month": first.month,
                    "year": first.year,
                    "max_day": calendar.monthrange(first.year, first.month)[1],
                },
            )
        return _Cand(m.start(), value=first.replace(day=d), kind="yearless")

    def day_this_month(self, m: re.Match) -> _Cand:  # "le 3 de ce mois(-ci)": this month only
        d = int(m.group(1) or m.group(2))
        return _checked(self.today.year, self.today.month, d, self.today, m.start(), "yearless")

    def day_du_month(self, m: re.Match) -> _Cand | None:  # "le 14 du 11"
        d, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12 or _AFTER_NUMBER_NOT_DAY.match(self.s, m.end()):
            return None
        if m.group(3):
            return _checked(int(m.group(3)), mo, d, self.today, m.start(), "explicit")
        return _yearless(mo, d, self.today, m.start(), "yearless")

    def holiday(self, m: re.Match) -> _Cand | None:  # "à Noël", "le lendemain du jour de l'an"
        today = self.today
        mo, d = _HOLIDAYS[re.sub(r"\s+", " ", m.group(2))]
        shift = {"veille": -1, "lendemain": 1}.get(m.group(1) or "", 0)
        if m.group(3):
            c = _checked(int(m.group(3)), mo, d, today, m.start(), "explicit")
            if c.value is None or not shift:
                return c
            v = c.value + timedelta(days=shift)
            return _checked(v.year, v.month, v.day, today, m.start(), "explicit")
        if not shift:
            return _yearless(mo, d, today, m.start(), "yearless")
        for y in (today.year, today.year - 1):
            v = date(y, mo, d) + timedelta(days=shift)
            if v <= today:
                return _checked(v.year, v.month, v.day, today, m.start(), "yearless")
        return None  # pragma: no cover

    def weekday_day(self, m: re.Match) -> _Cand | None:  # "mardi 3": the day number decides
        if weekday_of(m.group(1)) is None:
            return None
        d = int(m.group(2))
        return _bare_day(d, self.today, m.start()) if 1 <= d <= 31 else None

    # 3. future phrases (a valid date elsewhere in the message still wins), 4. relative phrases --
    def relative_phrases(self) -> None:
        today = self.today
        self.each(_RE_FUTURE, lambda m: _Cand(m.start(), error="future", kind="relative"))
        self.each(_RE_TODAY, lambda m: _Cand(m.start(), value=today, kind="relative"))
        self.each(_RE_DAY_BEFORE, self.day_before)
        self.each(_RE_LAST_NIGHT, lambda m: _Cand(m.start(), value=today - timedelta(days=1), kind="fuzzy", fuzzy=True))
        self.each(_RE_RELATIVE_UNIT, self.rel_unit)
        self.each(_RE_WEEKDAY_LAST_WEEK, self.weekday_last_week)
        self.each(_RE_AGO_EN, self.ago_en)
        self.each(_RE_QUINZAINE, lambda m: _Cand(m.start(), value=today - timedelta(days=15), kind="fuzzy", fuzzy=True))
        self.each(_RE_WEEK, self.week)
        self.each(_RE_WEEKEND, self.weekend)
        self.each(_RE_MONTH_REL, self.month_rel)
        self.each(_RE_MONTH_START, self.month_start)

    def day_before(self, m: re.Match) -> _Cand:
        t = m.group(0)
        n = 3 if t.count("av") == 2 else 2 if ("av" in t or "before" in t) else 1
        return _Cand(m.start(), value=self.today - timedelta(days=n), kind="relative")

    def rel_unit(self, m: re.Match) -> _Cand:
        qual, qty, unit, half = m.group(1), m.group(2), m.group(3), m.group(4)
        said = _RE_QUALIFIER.findall(re.sub(r"\s+", " ", qual or ""))
        fuzzy = any(q not in _EXACT_QUALIFIERS for q in said) or bool(half or m.group(5)) or not qty[0].isdigit()
        n, vague = _amount(qty, unit)
        fuzzy = fuzzy or vague
        # "plus de 3 semaines": at least that long ago; said to be approximate (n unchanged)
        # "il y a 48 h": whole days back, rounded up (the earliest plausible day)
        value = self.today - timedelta(days=-(-n // 24)) if unit[0] == "h" else _relative(self.today, n, unit)
        if half:
            value = _minus_half(value, unit)
        if value.year < facts.SCHEME_START_YEAR:
            return _Cand(
                m.start(),
                error="too_old",
                kind="relative",
                detail={"year": value.year, "start": facts.SCHEME_START_YEAR},
            )
        return _Cand(m.start(), value=value, kind="fuzzy" if fuzzy else "relative", fuzzy=fuzzy)

    def weekday_last_week(self, m: re.Match) -> _Cand | None:
        # "mercredi de la semaine dernière", "la semaine dernière, mardi"
        wd = weekday_of(m.group(1) or m.group(2))
        if wd is None:
            return None
        value = _monday(self.today) - timedelta(days=7) + timedelta(days=wd)
        return _Cand(m.start(), value=value, kind="weekday")

    def ago_en(self, m: re.Match) -> _Cand:
        # "3 days ago", "a week ago", "a couple of weeks ago" (earliest plausible)
        q = m.group(1)
        vague = not (q.isdigit() or q.strip() in ("a", "an", "one"))
        n = int(q) if q.isdigit() else (2 if "couple" in q else (7 if m.group(2)[0] == "d" else 3) if vague else 1)
        value = _relative(self.today, n, m.group(2))
        if value.year < facts.SCHEME_START_YEAR:
            return _Cand(m.start(), error="too_old", kind="relative")
        return _Cand(m.start(), value=value, kind="fuzzy" if vague else "relative", fuzzy=vague)

    def week(self, m: re.Match) -> _Cand:
        which = m.group(2)
        monday = _monday(self.today)
        if "derniere" in which or "passee" in which or "last" in which or "avant" in which:
            monday -= timedelta(days=7)
        part = m.group(1)
        value = monday + timedelta(days=3 if part == "fin" else 2 if part == "milieu" else 0)
        return _Cand(
            m.start(),
            value=min(value, self.today),
            kind="fuzzy",
            fuzzy=True,
            detail={"week_monday": monday} if not part else {},
        )

    def weekend(self, m: re.Match) -> _Cand | None:
        if re.match(r"\s+(?:du|of)\s+\d", self.original[m.end() :]):
            return None  # "le week-end du 14 novembre": the date decides
        if m.group(1):  # "le week-end dernier": the one before this week
            value = _monday(self.today) - timedelta(days=2)
        else:  # "ce week-end": the latest Saturday, today included
            value = self.today - timedelta(days=(self.today.weekday() - 5) % 7)
        return _Cand(m.start(), value=value, kind="fuzzy", fuzzy=True)

    def month_rel(self, m: re.Match) -> _Cand:
        which = m.group(2)
        first = self.today.replace(day=1)
        if "dernier" in which or "passe" in which or "last" in which or "avant" in which:
            first = _minus_months(first, 1)
        value = first.replace(day=_FUZZY_DAY.get(m.group(1) or "", 1))
        return _Cand(
            m.start(),
            value=min(value, self.today),
            kind="fuzzy",
            fuzzy=True,
            detail={"month": first.month, "year": first.year},
        )

    def month_start(self, m: re.Match) -> _Cand:  # "début du mois", "fin du mois"
        day, today = _FUZZY_DAY[m.group(1)], self.today
        return _Cand(
            m.start(),
            value=min(today.replace(day=day), today) if day <= today.day else None,
            error=None if day <= today.day else "future",
            kind="fuzzy",
            fuzzy=True,
        )

    # 5. fuzzy month ("début novembre", "mi-octobre", "en octobre", "novembre 2026") ------------
    def fuzzy_months(self) -> None:
        self.stripped = self.s.strip()
        self.each(_RE_MONTH_ONLY, self.month_only)

    def month_only(self, m: re.Match) -> _Cand | None:
        mo = month_of(m.group(2))
        if mo is None:
            return None
        prefix, year, today = m.group(1), m.group(3), self.today
        alone = self.stripped == m.group(0).strip()
        if not (prefix or year or alone or re.search(r"mois\s", m.group(0))):
            return None
        if m.group(2) in _SHORT_MONTHS and not (prefix or year):
            return None
        day = _FUZZY_DAY.get(prefix or "", 1)
        if year:
            c = _checked(int(year), mo, day, today, m.start(), "fuzzy", fuzzy=True)
            if c.error == "future" and int(year) == today.year and mo == today.month:
                c = _Cand(m.start(), value=today.replace(day=1), kind="fuzzy", fuzzy=True)
            c.detail.setdefault("month", mo)
            c.detail.setdefault("year", int(year))
            return c
        if mo == today.month and day > today.day:
            day = 1  # "fin novembre" said in November: the earliest day of the month
        c = _yearless(mo, day, today, m.start(), "fuzzy", fuzzy=True)
        c.detail.setdefault("month", mo)
        c.detail.setdefault("year", None)
        return c

    # 6. weekdays --------------------------------------------------------------------------------
    def weekdays(self) -> None:
        for m in list(_RE_WEEKDAY_RANGE.finditer(self.s)):  # "ouvert du lundi au vendredi": opening days
            if weekday_of(m.group(1)) is not None and weekday_of(m.group(2)) is not None:
                self.s = _mask(self.s, m)
        self.starts = {c.pos for c in self.cands}
        self.each(_RE_WEEKDAY, self.weekday)
        self.weekdays_of_that_week()

    def weekday(self, m: re.Match) -> _Cand | None:
        wd = weekday_of(m.group(2))
        if wd is None:
            return None
        nxt = re.match(r"[\s,]*(?:le\s+)?", self.original[m.end(2) :])
        if not m.group(3) and nxt is not None and m.end(2) + nxt.end() in self.starts:
            return _Cand(m.start(), kind="label")  # "lundi 17 novembre": the date decides (echoed in full)
        if m.group(1) == "le" and not m.group(3) and _RE_OPENING.search(self.original):
            return _Cand(m.start(), kind="label")  # "ouvert le samedi ?": opening days
        before, after = m.group(1) or "", m.group(3) or ""
        if after in ("prochain", "pro", "qui vient", "next"):
            return _Cand(m.start(), error="future", kind="weekday")
        return _Cand(
            m.start(),
            value=_weekday_before(self.today, wd, before, after),
            kind="weekday",
            detail={"weekday": wd} if before in ("", "le") and not after else {},
        )

    def weekdays_of_that_week(self) -> None:
        """ "la semaine dernière, le mail... mardi ou mercredi": the weekdays of that week."""
        cands, today = self.cands, self.today
        for c in cands:  # "la semaine du 16 février": that week
            if c.value is not None and re.search(r"\bsemaine\s+(?:du|de|d)\s*$", self.original[: c.pos]):
                c.detail["week_monday"] = _monday(c.value)
        weeks = [c for c in cands if "week_monday" in c.detail]
        bare_weekdays = [c for c in cands if "weekday" in c.detail and c.value is not None]
        if len(weeks) == 1 and bare_weekdays:
            monday = weeks[0].detail["week_monday"]
            for c in bare_weekdays:
                value = monday + timedelta(days=c.detail["weekday"])
                if value <= today:
                    c.value = value
            if all(c.value is not None and c.value >= monday for c in bare_weekdays):
                cands.remove(weeks[0])

    # 7. a bare day: "le 12" = the latest 12th not in the future ----------------------------------
    def bare_days(self, expect_date: bool) -> None:
        self.each(_RE_BARE_DAY, self.bare)
        if not self.cands and expect_date:
            m = _RE_ONLY_DAY.match(self.s.strip())
            if m and 1 <= int(m.group(1)) <= 31:
                c = _bare_day(int(m.group(1)), self.today, 0)
                c.end = len(self.s.strip())
                self.cands.append(c)

    def bare(self, m: re.Match) -> _Cand | None:
        d = int(m.group(1))
        named_day = re.match(r"\s*jour\s+(?:ou|ferie|feriee|chome|de\s+l)\b", self.s[m.end() :])  # "du 18 (jour où...)"
        if not 1 <= d <= 31 or (_AFTER_NUMBER_NOT_DAY.match(self.s, m.end()) and not named_day):
            return None
        if re.search(r"\b%d\s+eme\b" % (d + 1), self.original):
            return None  # "le 1er pour moi, le 2e pour mon fils": ranks, not days
        return _bare_day(d, self.today, m.start())

    # what is read together --------------------------------------------------------------------
    def drop_labels(self) -> None:
        cands = self.cands
        # "12/11/2026 (jeudi)", "jeudi, le 12": a weekday that agrees with a date is its label
        dated = {
            c.value.weekday()
            for c in cands
            if c.value is not None and "weekday" not in c.detail and c.kind not in ("fuzzy", "relative")
        }
        cands = [c for c in cands if not ("weekday" in c.detail and c.detail["weekday"] in dated)]
        # "le 24 décembre, joli cadeau de Noël": a holiday named next to a day is not another date
        if any(c.kind in ("explicit", "yearless") and "holiday" not in c.detail and c.value for c in cands):
            cands = [c for c in cands if "holiday" not in c.detail]
        self.cands = cands

    def after_anchor(self) -> None:
        """ "j'ai eu 18 ans le 10 et le mail est arrivé 2 jours après": counted from the date before."""
        for m in _RE_AFTER_ANCHOR.finditer(self.original):
            before = [(c.end, c.value) for c in self.cands if c.value is not None and c.end <= m.start()]
            if not before:
                continue
            anchor = max(before, key=lambda end_value: end_value[0])[1]
            n, unit = int(m.group(1)), m.group(2)
            value = (
                _minus_months(anchor, -n)
                if unit.startswith("mo")
                else anchor + timedelta(days=n * (7 if unit[0] in "sw" else 1))
            )
            future = value > self.today
            self.cands.append(
                _Cand(
                    m.start(),
                    value=None if future else value,
                    error="future" if future else None,
                    kind="relative",
                    end=m.end(),
                )
            )

    def join_day_and_month(self) -> None:
        """ "le mois dernier, le 20", "le 3, en novembre": the day and the month said apart."""
        cands = self.cands
        months = [c for c in cands if c.kind == "fuzzy" and "month" in c.detail]
        days = [c for c in cands if c.kind == "bare_day" and c.value is not None]
        if days and len({(c.detail["month"], c.detail["year"]) for c in months}) == 1:
            month = months[0].detail
            for c in days:
                d = c.detail["day"]
                joined = (
                    _checked(month["year"], month["month"], d, self.today, c.pos, "explicit")
                    if month["year"]
                    else _yearless(month["month"], d, self.today, c.pos, "yearless")
                )
                joined.end = c.end
                cands[cands.index(c)] = joined
            self.cands = [c for c in cands if c not in months]


_SHORT_MONTHS = ("mar", "jan", "dec", "sep", "oct", "nov", "jun", "jul", "aug", "apr", "may", "feb")


def _amount(qty: str, unit: str) -> tuple[int, bool]:
    """How many units "il y a <qty> <unit>" says, and whether that amount is vague."""
    if "dizaine" in qty or "vingtaine" in qty:
        return (10 if "dizaine" in qty else 20), True
    if qty[0].isdigit():
        nums = [int(x) for x in re.findall(r"\d+", qty)]
        return max(nums), len(nums) > 1  # "2-3 jours": the earliest plausible day
    if any(w in qty for w in ("bon", "petit")) or qty in ("bien", "un", "une"):
        return 1, False
    return (7 if unit[0] in "jd" else 3), False  # quelques (qq, qques...), plusieurs: earliest plausible


def _minus_half(value: date, unit: str) -> date:
    """ "il y a 2 mois et demi": half a unit more."""
    if unit.startswith("mo"):
        return value - timedelta(days=15)
    if unit[0] in "sw":
        return value - timedelta(days=4)
    if unit[0] in "a":
        return _minus_months(value, 6)
    return value - timedelta(days=1)


def _weekday_before(today: date, wd: int, before: str, after: str) -> date:
    """The day a weekday said with ``before``/``after`` words points to ("ce mardi", "mardi
    dernier", "mardi de la semaine d'avant")."""
    back = (today.weekday() - wd) % 7
    # "ce mardi": this week's, today included; "mardi", "mardi dernier": strictly before today
    days = back if before in ("ce", "cette") and "semaine" not in after else back or 7
    if "semaine" in after:
        return _monday(today) - timedelta(days=7) + timedelta(days=wd)
    if "avant" in after:
        return today - timedelta(days=days + 7)
    return today - timedelta(days=days)


def _bare_day(d: int, today: date, pos: int) -> _Cand:
    y, m = today.year, today.month
    for _ in range(3):
        if d <= calendar.monthrange(y, m)[1] and date(y, m, d) <= today:
            return _Cand(pos, value=date(y, m, d), kind="bare_day", detail={"day": d})
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return _Cand(pos, error="impossible", kind="bare_day", detail={"day": d})  # pragma: no cover


# --- the notice date ---------------------------------------------------------------------------------
KINDS = ("email", "letter", "letter_any", "arrival")


def notice_result(
    understood: date,
    *,
    arrived: bool,
    letter_shift_days: int = 4,
    fuzzy: bool = False,
    hedged: bool = False,
    kind: str = "",
    words: str = "",
) -> DateResult:
    """The one way from a notice date to the sending date: a letter's arrival day always goes
    through :func:`bot.knowledge.notice_rule.sending_day` (earlier, approximate)."""
    from ..knowledge.notice_rule import sending_day

    sent, shift = sending_day(understood, arrived=arrived, shift_days=letter_shift_days)
    return DateResult(
        date=sent,
        understood=understood,
        approximate=fuzzy or hedged or shift > 0,
        fuzzy=fuzzy,
        letter_arrived=arrived,
        shift_days=shift,
        kind=kind,
        hedged=hedged,
        words=words,
    )


# --- public API ---------------------------------------------------------------------------------------
def parse(
    text: str,
    today: date,
    *,
    letter_arrived: bool = False,
    letter_shift_days: int = 4,
    expect_date: bool = False,
    screened: bool = False,
    detect_letter: bool = True,
    kind: str | None = None,
) -> DateResult:
    """Understand the notification date in ``text``, seen from ``today`` (the user's local day).

    ``kind``: what the user already said by buttons: "email", "letter" (its printed date),
    "letter_any" (a letter, not said which date) or "arrival" (the day a letter arrived);
    ``letter_arrived=True`` is ``kind="arrival"``.  Words saying that a letter arrived make the
    date an arrival day whatever the kind; the sending date is then taken ``letter_shift_days``
    earlier and marked approximate (:func:`notice_result`).
    ``expect_date``: the message answers "what is the date?", so "12" alone is a day.
    ``screened``: the text already went through the privacy screen.
    Several dates: the one tied to the notice is kept (``bot.notice``); when that cannot be
    decided the result is the error "which" with the dates to offer in ``choices``."""
    del detect_letter  # kept for callers of the old signature: the words always count
    if isinstance(today, datetime):
        today = today.date()
    if letter_arrived:
        kind = "arrival"
    if not text or not text.strip():
        return DateResult(error="no_date")
    if not screened:
        from .privacy import screen

        text = screen(text[:2000]).text
    text = text[:2000]
    s = normalise(text)
    if not s or not _PREFILTER.search(s):
        return DateResult(error="no_date")
    cands = _candidates(s, today, expect_date)
    if not cands:
        return DateResult(error="no_date")
    ch = notice.plain(text, s, cands, kind) or notice.choose(
        notice.read(text, s, cands, normalise, mode=kind),
        s,
        lambda c1, c2: s[(max(c1.end, c1.pos) if c1 else 0) : c2.pos] if c1 is None or c2.pos >= c1.pos else "",
    )
    if ch.picked is not None:
        return _picked(ch, ch.picked, s, letter_shift_days)
    if ch.ask or ch.only_other:
        return _ask(ch, kind is not None or expect_date or bool(notice.mentions_notice(s)))
    if ch.errors:
        e = sorted(ch.errors, key=lambda c: (_ERROR_RANK.get(c.error or "", 9), c.pos))[0]
        return DateResult(error=e.error, kind=e.kind, detail=dict(e.detail))
    return DateResult(error="no_date")


def _candidates(s: str, today: date, expect_date: bool) -> list[_Cand]:
    """The grammar's dates, else dateparser's one."""
    cands = _scan(s, today, expect_date)
    if not cands:
        c = _fallback(s, today)
        if c is not None:
            c.end = len(s)
            cands.append(c)
    return cands


def _picked(ch: notice.Choice, r: notice.Reading, s: str, letter_shift_days: int) -> DateResult:
    """The notice date was found."""
    c, day = r.cand, r.day
    if day.year < facts.SCHEME_START_YEAR:  # pragma: no cover - candidates are checked already
        return DateResult(error="too_old", kind=c.kind, detail={"year": day.year, "start": facts.SCHEME_START_YEAR})
    res = notice_result(
        day,
        arrived=r.arrival,
        letter_shift_days=letter_shift_days,
        fuzzy=c.fuzzy,
        hedged=r.hedged or ch.approximate,
        kind=c.kind,
        words=r.words,
    )
    role = r.role
    if role == "neutral" and not ch.plain and notice.mentions_notice(s):
        role = "notice"  # the message speaks of the notice, and this is its only date
    return replace(res, role=role, maybe_letter=r.maybe_letter and not res.letter_arrived)


def _ask(ch: notice.Choice, about: bool) -> DateResult:
    """Several dates, or only dates tied to something else: which one (if the message is
    ``about`` the notice, or offers a date that may be it)."""
    if ch.ask and (about or not ch.only_other):
        choices = tuple((r.cand.value, r.arrival, r.words) for r in ch.ask)
        return DateResult(
            error="which",
            detail={"only_other": ch.only_other},
            choices=choices,
            role="other" if ch.only_other else "notice",
        )
    if about:
        return DateResult(error="which", detail={"only_other": True})
    return DateResult(error="no_date")


_FALLBACK_HINT = re.compile(r"\b[a-z]{3,10}\b")


def _fallback(s: str, today: date) -> _Cand | None:
    """dateparser, for a month or weekday word the grammar could not place ("novembre le 3")."""
    if (
        len(s) > 80
        or not any(
            (month_of(w) or weekday_of(w) is not None)
            for w in _FALLBACK_HINT.findall(s)
            if w not in ("mais", "mars")  # "mais" is not "mars"
        )
        and "mars" not in s.split()
    ):
        return None
    try:
        import dateparser  # lazy: about 0.1 s to import
    except ImportError:  # pragma: no cover
        return None
    base = datetime(today.year, today.month, today.day, 12, 0)
    try:
        found = dateparser.parse(
            s,
            languages=["fr", "en"],
            settings={
                "DATE_ORDER": "DMY",
                "PREFER_DATES_FROM": "past",
                "RELATIVE_BASE": base,
                "REQUIRE_PARTS": ["day", "month"],
                "RETURN_AS_TIMEZONE_AWARE": False,
            },
        )
    except Exception:  # dateparser can raise on odd input; a fallback must never crash the bot
        return None
    if found is None:
        return None
    value = found.date()
    if value > today:
        return _Cand(0, error="future", kind="fallback")
    if value.year < facts.SCHEME_START_YEAR:
        return _Cand(0, error="too_old", kind="fallback", detail={"year": value.year, "start": facts.SCHEME_START_YEAR})
    return _Cand(0, value=value, kind="fallback")


def has_date(text: str, today: date) -> bool:
    """Cheap: does this message state a date (valid or not)?  The intents helper lets such
    messages through to the deadline flow."""
    if not text or not _PREFILTER.search(text.lower()):
        return False
    r = parse(text, today)
    return r.ok or (r.error is not None and r.error != "no_date")


def month_name(month: int, locale: str = "fr") -> str:
    """Month name from babel (for explanations such as "novembre n'a que 30 jours")."""
    from babel.dates import get_month_names

    return str(get_month_names("wide", locale="fr_FR" if locale == "fr" else "en_GB")[month])

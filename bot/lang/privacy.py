"""Screen what people type for things they must never send in a chat.

Runs before anything else reads the message.  What it finds is removed from the text
that the rest of the bot sees, and only the *kind* of finding is kept (never the value).
Detect by shape, never by validating a key: a wrong NIR is still a NIR to protect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import nlu_data

# NIR: sex digit (1-4, 7, 8), year (2), month (2), département (2 or 2A/2B), commune (3),
# order (3), then a 2-digit key; spaces, dots or dashes allowed between groups.
_SEP = r"[ .\-]?"
NIR_RE = re.compile(
    r"(?<![\dA-Za-z])[1-478]"
    + _SEP
    + r"\d{2}"
    + _SEP
    + r"\d{2}"
    + _SEP
    + r"(?:\d{2}|2[ABab])"
    + _SEP
    + r"\d{3}"
    + _SEP
    + r"\d{3}"
    + r"(?:"
    + _SEP
    + r"\d{2})?(?!\d)"
)
# Any run of 13 to 15 digits (with separators) is treated as a possible NIR.
LONG_DIGITS_RE = re.compile(r"(?<!\d)(?:\d[ .\-]?){12,14}\d(?!\d)")
# Phone numbers (French formats, with or without spaces): not health data, but never kept either,
# and never to be read as a date ("06 12 34 56 78" is not 6 December).
PHONE_RE = re.compile(r"(?<![\d+])(?:\+33[ .\-]?|0033[ .\-]?|0)[1-9](?:[ .\-]?\d{2}){4}(?!\d)")
# carte Vitale serial number: a long digit run (8-12 digits) next to words about the card.
_WORDS = nlu_data.merged("privacy")  # the words of every language: locales/<lang>/nlu/privacy.toml


def _alternatives(key: str) -> str:
    return "|".join(x for data in _WORDS.values() for x in data.get(key, ()))


VITALE_WORDS = re.compile("(" + _alternatives("vitale") + ")", re.I)
DIGITS_8_12 = re.compile(r"(?<!\d)\d(?:[ ]?\d){7,11}(?!\d)")
# code provisoire: the token written after "code" when it looks like a code (it holds a digit,
# or is 6+ capital letters), or any code-like token (letters and digits mixed, 8-16 chars).
_CODE_WORD = "|".join(
    dict.fromkeys(d["code"] for d in sorted(_WORDS.values(), key=lambda d: -len(d.get("code", ""))) if d.get("code"))
)
CODE_AFTER_WORD = re.compile(
    r"\b(?:"
    + _CODE_WORD
    + r")(?:\s*(?:"
    + _alternatives("code_link")
    + r"|:|=|n°|no))?\s*[:=]?\s*([A-Za-z0-9][A-Za-z0-9\- ]{3,24})",
    re.I,
)
CODE_TOKEN = re.compile(r"(?=[A-Za-z0-9\- ]*\d)[A-Za-z0-9](?:[A-Za-z0-9]|[\- ](?=[A-Za-z0-9]*\d))*|[A-Z]{6,20}")
MIXED_TOKEN = re.compile(r"\b(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{8,16}\b")
# ...but never a date, a time or a legal reference written without spaces ("3novembre2026", "R1111-28").
NOT_A_CODE = re.compile("(" + _alternatives("months") + r")|^\d{1,2}h\d{0,2}$|^[LRD]\d{3,4}", re.I)


@dataclass
class Screened:
    text: str
    findings: list[str] = field(default_factory=list)  # kinds only: "nir", "vitale", "code", "phone", "health"

    @property
    def sensitive(self) -> bool:
        return bool(self.findings)


def screen(text: str) -> Screened:
    if not text:
        return Screened(text or "")
    findings: list[str] = []
    out = text

    def sub(pattern, kind, s, repl=" "):
        new, n = pattern.subn(repl, s)
        if n and kind not in findings:
            findings.append(kind)
        return new

    out = sub(NIR_RE, "nir", out)
    out = sub(LONG_DIGITS_RE, "nir", out)
    out = sub(PHONE_RE, "phone", out)
    if VITALE_WORDS.search(out):
        out = sub(DIGITS_8_12, "vitale", out)
    out, coded = _drop_codes_after_word(out)
    if coded:
        findings.append("code")

    def code_like(m):
        if NOT_A_CODE.search(m.group(0)):
            return m.group(0)
        if "code" not in findings:
            findings.append("code")
        return " "

    out = MIXED_TOKEN.sub(code_like, out)
    from . import health_terms  # health details (loaded on first use)

    out, found = health_terms.strip(out)
    if found and "health" not in findings:
        findings.append("health")
    return Screened(re.sub(r"[ \t]{2,}", " ", out).strip(), findings)


def _drop_codes_after_word(text: str) -> tuple[str, bool]:
    """ "code : AB12 CD34": the code said after the word "code" is dropped (last first, so the
    earlier positions stay right); whether one was."""
    found = False
    for m in list(CODE_AFTER_WORD.finditer(text))[::-1]:
        first = m.group(1).split()[0]
        if first.isalpha() and not first.isupper():
            continue  # "code postal", "code perdu": a word, not a code
        t = CODE_TOKEN.match(m.group(1))
        if t and len(t.group(0).replace(" ", "").replace("-", "")) >= 4 and not NOT_A_CODE.search(t.group(0)):
            a = m.start(1)
            text = text[:a] + " " + text[a + t.end() :]
            found = True
    return text, found

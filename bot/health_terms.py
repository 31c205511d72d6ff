"""Health details people may type by mistake ("je suis diabétique", "j'ai fait une IVG").

:func:`strip` removes them from the text the rest of the bot reads and says whether any
were found; :mod:`bot.privacy` then warns the person and keeps nothing.  The list names
conditions, treatments and sensitive care, not the words of the topic itself: "médecin",
"santé", "dossier médical", "urgence", "ordonnance", "Assurance maladie" are not health
details, and dates, ages and durations never match.
"""
from __future__ import annotations

import re

from .textnorm import strip_accents

# Folded (no accents, lower case) stems; a stem matches a whole word that starts with it.
_STEMS = """
diabet cancer tumeur leucemi lymphom metasta chimio radiotherap sida seropositi hepatit
depressi antidepress anxiolyti schizophren bipolai psychos autism autiste alzheimer parkinson epilep
sclerose asthm bpco insuffisan cardiaque infarctus avc hypertens cholesterol obesit anorexi boulimi
alcooli toxicomani addict cocain heroin cannabis methadon subutex suicid automutil
enceinte grossesse avortement fausse-couche handicap paraplegi tetraplegi myopathi mucovisci
dialys greffe transplant tuberculos syphilis chlamydi herpes papillomavirus gonorrh
endometrios infertil fiv pma vasectomi mastectomi prostat
arthros arthrit polyarthrit lupus crohn psoriasis eczema migrain fibromyalg thyroid hypothyroid
hyperthyroid dyslexi tdah trisomi demence cirrhos pancreatit ulcere glaucom cataract
psychiatr antipsychot neurolept lithium insuline levothyrox
doliprane xanax lexomil prozac deroxat seroplex ritaline ventoline kardegic
""".split()
# Whole words or short phrases (folded) that are health details on their own.
_WORDS = """
ivg vih hiv mst ist tca ald tsa toc tspt ptsd vhc vhb
""".split()
_PHRASES = [
    "je suis malade", "ma maladie", "mon cancer", "mon diabete", "maladie chronique", "maladie grave",
    "mon traitement pour", "en depression", "pense au suicide", "tentative de suicide", "trouble bipolaire",
    "troubles alimentaires", "trouble alimentaire", "sous traitement", "je prends des", "je prends du",
    "je prends de la", "arret maladie", "affection de longue duree", "mon handicap", "sclerose en plaques",
    "mon psy", "ma psy", "mon psychiatre", "ma psychiatre", "hopital psychiatrique",
]

_STEM_RE = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(s) for s in sorted(_STEMS, key=len, reverse=True))
                      + r")[\w-]*", re.I)
_WORD_RE = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in _WORDS) + r")(?![\w-])", re.I)
_PHRASE_RE = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in _PHRASES)
                        + r")(?![\w-])", re.I)
# Words that start like a stem but are not health details.
_SAFE = {"insuffisant", "insuffisante", "insuffisants", "insuffisantes", "greffier", "greffiers", "greffiere",
         "cancers-infos"}


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

"""Recognise a request to choose for the person ("je m'oppose ou pas ?", "dites-moi quoi faire",
"est-ce que je devrais refuser ?", "should I opt out?"), as opposed to a question about *how* to refuse."""
from __future__ import annotations

import re

from .textnorm import label_key

#: what may follow a verb of choice: nothing, "ou pas", or the space itself ("je dois garder une preuve" is not a choice)
_END = r"(?=$| ou\b| (mon|l|cet|ce|le) (espace|dossier|compte)\b)"
ASKS_TO_CHOOSE = re.compile(
    r"\b(dites|dis|dit|di) moi quoi faire\b"
    r"|\b(vous me|tu me|me) conseill\w*( quoi| de)?\b"
    r"|\b(je|j) ?(dois|devrais|doit|devrai) (vraiment )?(le |la )?(refuser|m opposer|opposer|garder|accepter)" + _END +
    r"|\b(dois|devrais) je (le |la )?(refuser|m opposer|garder|accepter)" + _END +
    r"|\b(faut il|faudrait il) (le |la )?(refuser|s opposer|garder|accepter)" + _END +
    r"|\b(refuse|refuser|m oppose|m opposer|oppose|garder|garde|accepter) ou (pas|non|le garder|refuser)\b"
    r"|\bc est (mieux|bien) de (refuser|garder|s opposer)\b"
    r"|\bshould i (refuse|keep|opt out|object|accept)( it)?$|\btell me what to do\b|\bdo you recommend\b")
HOW_TO = re.compile(r"\b(comment|en ligne|telephone|par tel|site|how)\b")


def asks_to_choose(text: str) -> bool:
    t = label_key(text).replace("'", " ")
    return bool(ASKS_TO_CHOOSE.search(t)) and not HOW_TO.search(t)

""""Should I refuse? Tell me what to do": the fair summary of both sides (``understand:decide``).

A narrow free-text interceptor, run just before the general question recogniser: a request to
choose for the person ("je m'oppose ou pas ?", "dites-moi quoi faire", "est-ce que je devrais
refuser ?", "should I opt out?") never lands on the refusal steps.  Questions about *how* to
refuse ("comment refuser en ligne ?") are left to the recogniser.
"""
from __future__ import annotations

from bot.choose_request import asks_to_choose
from bot.flowlib import Ctx, Turn


def intercept(ctx: Ctx, text: str) -> Turn | None:
    if asks_to_choose(text):
        return Turn(goto="understand:decide")
    return None


INTERCEPTORS = [(35, intercept)]

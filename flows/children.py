"""Children (one space per child, the parent who declared the child, 18 years) and other régimes."""
from __future__ import annotations

from bot.flowlib import Choice, Flow

from .understand import pages

ACTIONS = [
    [Choice("children.refuse_online", goto="refuse:online"), Choice("children.refuse_phone", goto="refuse:phone")],
    [Choice("children.close", goto="after:close")],
]

_states = pages("children", ["start", "adult", "parents", "regimes"], extra={
    "start": ACTIONS, "regimes": ACTIONS,
})

FLOWS = [Flow("children", _states, start="start")]

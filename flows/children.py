"""Children (one space per child, the parent who declared the child, 18 years) and other régimes."""
from __future__ import annotations

from bot.core.flowlib import Choice, Flow

from .understand import page, pages

ACTIONS = [
    [Choice("children.refuse_online", goto="refuse:online"), Choice("children.refuse_phone", goto="refuse:phone")],
    [Choice("children.close", goto="after:close")],
]

TEEN = [[Choice("children.teen", goto="children:teen")]]

_states = pages("children", ["start", "adult", "parents", "regimes"], extra={
    "start": ACTIONS + TEEN, "adult": TEEN, "regimes": ACTIONS,
})
_states["teen"] = page("children/teen", back="children:start", home=True, extra=ACTIONS + [
    [Choice("children.at18", goto="children:adult")],
])

FLOWS = [Flow("children", _states, start="start")]

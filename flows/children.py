"""Children (one space per child, the parent who declared the child, 18 years) and other régimes."""

from __future__ import annotations

from bot.core.flowlib import Choice, Flow

from .understand import page, pages

RECEIVED = [Choice("children.received", goto="deadline:start")]
ACTIONS = [
    RECEIVED,
    [Choice("children.refuse_online", goto="refuse:online"), Choice("children.refuse_phone", goto="refuse:phone")],
    [Choice("children.close", goto="after:close")],
]

TEEN = [[Choice("children.teen", goto="children:teen")]]

_states = pages(
    "children",
    ["start", "adult", "parents", "regimes"],
    extra={
        "start": ACTIONS + TEEN,
        "regimes": ACTIONS,
        # at 18: the date of the notice (not the birthday) gives the deadline; an existing space can be closed
        "adult": [RECEIVED, [Choice("children.close", goto="after:close")]] + TEEN,
    },
)
_states["teen"] = page(
    "children/teen",
    back="children:start",
    home=True,
    extra=ACTIONS
    + [
        [Choice("children.at18", goto="children:adult")],
    ],
)

FLOWS = [Flow("children", _states, start="start")]

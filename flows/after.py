"""The space already exists (or the deadline has passed): close it, or keep it and restrict it.

States other areas link to: ``after:start``, ``after:close``, ``after:restrict``, ``after:refused_before``.
"""

from __future__ import annotations

from bot.core.flowlib import Choice, Flow, Say, State

from .understand import MENU, page, pages

_states = {
    "start": State(
        prompt=Say(
            "after/start",
            buttons=[
                [Choice("after.restrict", goto="after:restrict")],
                [Choice("after.close", goto="after:close")],
                [Choice("after.understand", goto="understand:start")],
                [Choice("after.refused_before", goto="after:refused_before")],
                [Choice(MENU, goto="menu:main")],
            ],
        )
    ),
}
_states.update(
    pages(
        "after",
        ["close", "data", "reopen"],
        first_back="after:start",
        extra={
            "reopen": [[Choice("after.phone", goto="refuse:phone")]],
        },
    )
)
_states.update(
    pages(
        "after",
        ["restrict", "limit"],
        first_back="after:start",
        extra={
            "limit": [[Choice("after.close_instead", goto="after:close")]],
        },
    )
)

_states["refused_before"] = page(
    "after/refused_before",
    back="after:start",
    home=True,
    extra=[
        [Choice("after.phone", goto="refuse:phone")],
        [Choice("after.close", goto="after:close"), Choice("after.restrict", goto="after:restrict")],
        [Choice("after.old_dmp", goto="understand:dmp")],
    ],
)

FLOWS = [Flow("after", _states, start="start")]

"""Acting for someone else (a child, a protected adult, an elderly relative), without internet, living abroad."""

from __future__ import annotations

from bot.core.flowlib import Choice, Flow, Say, State

from .understand import MENU, page

_states = {
    "start": State(
        prompt=Say(
            "others/start",
            buttons=[
                [Choice("others.child", goto="children:start")],
                [Choice("others.protected", goto="others:protected")],
                [Choice("others.relative", goto="others:relative")],
                [Choice("others.offline", goto="others:offline")],
                [Choice("others.abroad", goto="others:abroad")],
                [Choice(MENU, goto="menu:main")],
            ],
        )
    ),
    "protected": page("others/protected", back="others:start", home=True),
    "relative": page(
        "others/relative",
        back="others:start",
        home=True,
        extra=[
            [Choice("others.steps_online", goto="refuse:online"), Choice("others.steps_phone", goto="refuse:phone")],
        ],
    ),
    "offline": page(
        "others/offline",
        back="others:start",
        home=True,
        extra=[
            [Choice("others.steps_phone", goto="refuse:phone")],
        ],
    ),
    "abroad": page(
        "others/abroad",
        back="others:start",
        home=True,
        extra=[
            [Choice("others.close", goto="after:close"), Choice("others.lost_code", goto="refuse:code")],
            [Choice("others.steps_phone", goto="refuse:phone")],
        ],
    ),
}

FLOWS = [Flow("others", _states, start="start")]

"""Understand Mon espace santé: short pages with "next" / "back" buttons.

Also holds :func:`pages`, the small helper every guidance flow uses to chain pages.
Every sentence is a template under ``locales/<lang>/understand/``.
"""

from __future__ import annotations

from bot.core.flowlib import Choice, Flow, Say, State

NEXT = "understand.next"
BACK = "understand.back"
MENU = "understand.menu"


def page(
    key: str,
    next: str | None = None,
    back: str | None = None,
    extra: list[list[Choice]] | None = None,
    home: bool = False,
) -> State:
    """One short page: its template, then "next", extra rows, "back" (and "menu")."""
    rows: list[list[Choice]] = []
    if next:
        rows.append([Choice(NEXT, goto=next)])
    rows.extend(extra or [])
    last: list[Choice] = []
    if back:
        last.append(Choice(BACK, goto=back))
    if home or not next:
        last.append(Choice(MENU, goto="menu:main"))
    if last:
        rows.append(last)
    return State(prompt=Say(key, buttons=rows))


def pages(
    flow: str,
    seq: list[str],
    extra: dict[str, list[list[Choice]]] | None = None,
    first_back: str | None = None,
    home: tuple[str, ...] = (),
) -> dict[str, State]:
    """A chain of pages ``flow:name`` (template ``flow/name``), each linked to the next and previous."""
    extra = extra or {}
    out: dict[str, State] = {}
    for i, name in enumerate(seq):
        nxt = f"{flow}:{seq[i + 1]}" if i + 1 < len(seq) else None
        prev = f"{flow}:{seq[i - 1]}" if i > 0 else first_back
        out[name] = page(f"{flow}/{name}", nxt, prev, extra.get(name), home=name in home)
    return out


SEQ = ["start", "contents", "access", "doctor", "emergency", "never", "debate", "debate_keep", "choice"]

TOPICS = [
    [Choice("understand.t_contents", goto="understand:contents")],
    [Choice("understand.t_access", goto="understand:access")],
    [Choice("understand.t_doctor", goto="understand:doctor")],
    [Choice("understand.t_emergency", goto="understand:emergency")],
    [Choice("understand.t_never", goto="understand:never")],
    [Choice("understand.t_debate", goto="understand:debate")],
    [Choice("understand.t_choice", goto="understand:choice")],
    [Choice("understand.t_decide", goto="understand:decide")],
    [Choice("understand.t_notice", goto="understand:notice"), Choice("understand.t_dmp", goto="understand:dmp")],
]

CHOICE_ROWS = [
    [Choice("understand.c_received", goto="deadline:start")],
    [Choice("understand.c_online", goto="refuse:online"), Choice("understand.c_phone", goto="refuse:phone")],
    [Choice("understand.c_keep", goto="after:restrict")],
    [Choice("understand.c_exists", goto="after:start")],
    [Choice("understand.c_decide", goto="understand:decide")],
]

_states = pages(
    "understand",
    SEQ,
    extra={name: [[Choice("understand.topics", goto="understand:topics")]] for name in SEQ[:-1]}
    | {"choice": CHOICE_ROWS},
)
# answer pages reached from the menu of topics or from free text (questions:*, intents)
_states["decide"] = page(
    "understand/decide",
    home=True,
    back="understand:topics",
    extra=[
        [
            Choice("understand.t_debate_no", goto="understand:debate"),
            Choice("understand.t_debate_keep", goto="understand:debate_keep"),
        ],
        [Choice("understand.c_refuse", goto="refuse:start"), Choice("understand.c_keep", goto="after:restrict")],
    ],
)
_states["notice"] = page(
    "understand/notice",
    home=True,
    back="understand:topics",
    extra=[
        [Choice("understand.c_deadline", goto="deadline:start")],
        [Choice("understand.t_what", goto="understand:start"), Choice("understand.t_decide", goto="understand:decide")],
        [Choice("understand.t_genuine", goto="refuse:phishing")],
    ],
)
_states["dmp"] = page(
    "understand/dmp",
    home=True,
    back="understand:topics",
    extra=[
        [Choice("understand.t_contents", goto="understand:contents")],
        [Choice("understand.t_refused_before", goto="after:refused_before")],
    ],
)
_states["topics"] = State(prompt=Say("understand/topics", buttons=TOPICS + [[Choice(MENU, goto="menu:main")]]))

FLOWS = [Flow("understand", _states, start="start")]

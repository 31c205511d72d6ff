"""Free-text questions, answered from any state (interceptor, priority 40).

:mod:`bot.intents` recognises the question offline; a clear match goes to the page that
answers it, a close call offers the two or three closest topics as buttons, greetings get
a short hello and the main menu.  A message that states a notification date is left to
the dates interceptor (priority 50), which computes the deadline.
"""
from __future__ import annotations

from bot import intents
from bot.flowlib import Choice, Ctx, Flow, Say, State, Turn

from .understand import MENU, page

ANSWERS = ("window", "police", "research", "leak", "law", "figures")
HOME_TOPICS = ("what_is", "refuse", "missed", "children")


def _has_date(ctx: Ctx, text: str) -> bool:
    try:
        from bot.dates import has_date
    except ImportError:  # the dates work is optional: no date detection without it
        return False
    try:
        return bool(has_date(text, ctx.today))
    except Exception:
        return False


def _exists(ctx: Ctx, target: str) -> bool:
    flow, _, state = target.partition(":")
    router = getattr(ctx.app, "router", None)
    reg = getattr(router, "reg", None)
    return reg is None or reg.state(flow, state) is not None


def target_of(ctx: Ctx, name: str) -> str:
    t = intents.INTENTS[name].target
    if not _exists(ctx, t) and name == "received":
        return "questions:window"
    return t


def topic_buttons(ctx: Ctx, names) -> list[list[Choice]]:
    rows, seen = [], set()
    for n in names:
        t = target_of(ctx, n)
        if t in seen:
            continue
        seen.add(t)
        rows.append([Choice(f"questions.t_{n}", goto=t)])
    rows.append([Choice(MENU, goto="menu:main")])
    return rows


def intercept(ctx: Ctx, text: str) -> Turn | None:
    if _has_date(ctx, text):
        return None
    res = intents.classify(text)
    state = ctx.app.router.reg.state(ctx.flow, ctx.state) if getattr(ctx.app, "router", None) else None
    own_text = state is not None and state.on_text is not None
    if res.kind == "greeting":
        return Turn([Say("questions/greeting")], goto="menu:main")
    if res.kind == "thanks":
        return Turn([Say("questions/thanks")], goto="menu:main")
    if res.kind == "answer":
        target = target_of(ctx, res.best)
        if own_text and target.split(":")[0] == ctx.flow:
            return None  # already in the flow that answers it: let the current step read the text
        return Turn(goto=target)
    if own_text:
        return None  # the current step reads free text itself: let it try
    if res.kind == "offer":
        return Turn([Say("questions/unsure", buttons=topic_buttons(ctx, res.top))])
    if intents.looks_like_question(text):
        return Turn([Say("questions/outside", buttons=topic_buttons(ctx, HOME_TOPICS))])
    return None


_states = {name: page(f"questions/{name}", home=True) for name in ANSWERS}
_states["window"] = page("questions/window", home=True, extra=[
    [Choice("questions.t_received", goto="deadline:start")],
])
_states["police"] = page("questions/police", home=True, extra=[
    [Choice("questions.t_access", goto="understand:access")], [Choice("questions.t_never", goto="understand:never")],
])
_states["research"] = page("questions/research", home=True, extra=[[Choice("questions.t_sources", goto="sources:start")]])
_states["leak"] = page("questions/leak", home=True, extra=[[Choice("questions.t_debate", goto="understand:debate")]])
_states["law"] = page("questions/law", home=True, extra=[[Choice("questions.t_compulsory", goto="understand:choice")]])

FLOWS = [Flow("questions", _states, start="window")]
INTERCEPTORS = [(40, intercept)]

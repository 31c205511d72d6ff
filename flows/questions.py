"""Free-text questions, answered from any state (interceptor, priority 40).

:mod:`bot.lang.intents` recognises the question offline; a clear match goes to the page that
answers it, a close call offers the two or three closest topics as buttons, greetings get
a short hello and the main menu.  A message that states a notification date is left to
the dates interceptor (priority 50), which computes the deadline.
"""

from __future__ import annotations

from bot.lang import intents, language
from bot.core.flowlib import Choice, Ctx, Flow, Say, Turn

from .understand import MENU, page

ANSWERS = ("window", "police", "research", "leak", "law", "figures")
HOME_TOPICS = ("what_is", "refuse", "missed", "children")


def _has_date(ctx: Ctx, text: str) -> bool:
    try:
        from bot.lang.dates import has_date
    except ImportError:  # the dates work is optional: no date detection without it
        return False
    try:
        return bool(has_date(text, ctx.today))
    except Exception:
        return False


def target_of(ctx: Ctx, name: str) -> str:
    return intents.INTENTS[name].target


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


#: pages a date in the message may be about (the notice, the 6 weeks): a message with a date goes to the
#: deadline flow first unless it is a clear question about another page ("le 3422 est ouvert samedi ?")
DATED = {"received", "window", "missed", "notice_help", "refuse", "what_is"}
DATELESS = set(intents.INTENTS) - DATED
#: the closest other topics offered after a clear answer: at most this many, scoring at least this share of the best
ALTERNATIVES = 2
NEAR_SHARE = 0.35


def _label(ctx: Ctx, name: str) -> str:
    return ctx.app.renderer.label(f"questions.t_{name}", ctx.locale)


def _understood(ctx: Ctx, res) -> Say:
    """Which topic the answer is about (so a wrong guess is visible), with the closest others."""
    here = target_of(ctx, res.best)
    top = res.scores[0][1] if res.scores else 0.0
    others = [
        n for n, s in res.scores[1:] if n in intents.INTENTS and s >= NEAR_SHARE * top and target_of(ctx, n) != here
    ][:ALTERNATIVES]
    rows = [[Choice(f"questions.t_{n}", goto=target_of(ctx, n))] for n in others]
    return Say("questions/understood", {"topic": _label(ctx, res.best), "others": bool(rows)}, buttons=rows)


def _nearby(res) -> list[str]:
    near = [n for n, s in res.scores if n in intents.INTENTS][:3]
    return near or list(HOME_TOPICS)


def _reply(ctx: Ctx, text: str, res) -> Turn | None:
    state = ctx.app.router.reg.state(ctx.flow, ctx.state) if getattr(ctx.app, "router", None) else None
    own_text = state is not None and state.on_text is not None
    if res.kind == "greeting":
        # the first message of a conversation gets the welcome; later, a short hello (never the welcome twice)
        first = not ctx.data.get("_buttons") and ctx.flow == "menu" and ctx.state == "main"
        return Turn([Say("questions/greeting", {"first": first})], goto="menu:main")
    if res.kind == "thanks":
        return Turn([Say("questions/thanks")], goto="menu:main")
    if res.kind == "answer":
        target = target_of(ctx, res.best)
        if own_text and (target.split(":")[0] == ctx.flow or not res.keywords_first):
            return None  # already in the flow that answers it, or only a guess: let the current step read the text
        return Turn([_understood(ctx, res)], goto=target)
    if own_text:
        return None  # the current step reads free text itself: let it try
    if res.kind == "offer" and res.top:
        # two or three named topics for a real question (not a few words left by the privacy screen)
        # are an answer, kept even after a privacy warning
        meaningful = [t for t in res.tokens if t not in intents._STOP]
        real = intents.looks_like_question(text) and len(meaningful) > intents.SHORT
        return Turn([Say("questions/unsure", buttons=topic_buttons(ctx, res.top))], fallback=not real)
    if res.kind in ("outside", "offer") or intents.looks_like_question(text):
        return Turn([Say("questions/outside", buttons=topic_buttons(ctx, _nearby(res)))], fallback=True)
    return None


#: words around a date (stop words aside) up to which a message is the date itself ("around the 10th")
DATE_ONLY = 2


def _about_the_notice(text: str) -> bool:
    from bot.lang import dates, notice

    return notice.mentions_notice(dates.normalise(text))


def intercept(ctx: Ctx, text: str) -> Turn | None:
    lang = language.detect(text)
    if lang and lang != ctx.locale:
        ctx.locale = lang  # this reply only: the person's chosen language is not changed
    res = intents.classify(text)
    if _has_date(ctx, text):
        if (_about_the_notice(text) and not intents.looks_like_question(text)) or len(
            [t for t in res.tokens if t not in intents._STOP]
        ) <= DATE_ONLY:
            return None  # the notice told with a date, no question ("18 ans ... et reçu un mail"), or little
            #              but the date ("around the 10th"): the deadline flow reads it, or asks which date
        if res.kind == "answer" and res.best in DATELESS:
            return _reply(ctx, text, res)
        if res.kind == "outside" and intents.looks_like_question(text):
            return _reply(ctx, text, res)  # a question the sources do not answer ("mal depuis ce matin")
        if res.kind == "offer" and res.best in DATELESS and intents.looks_like_question(text):
            # a doubtful question led by a topic a date does not change ("moved to Spain 3 years ago"):
            # offer it rather than read the date as the notice's
            return _reply(ctx, text, res)
        return None  # the deadline flow (priority 50) reads the date; after_dates takes what it leaves
    if res.kind == "offer":
        focused = _asked_clearly(text, res)
        if focused is not None:
            return _reply(ctx, text, focused)
    return _reply(ctx, text, res)


def _asked_clearly(text: str, res: intents.Result, without: frozenset[str] = frozenset()) -> intents.Result | None:
    """A story, then the question: the sentences with the question mark, read alone, clearly answer a page
    the keyword table ranks first too, and that the whole message's vote ranks among its first AGREE_RANK
    (the story's words spread the vote, the question names what is asked)."""
    asked = intents.asked_part(text)
    if asked == text:
        return None
    focused = intents.classify(asked, without=without)
    whole = [n for n, _s in res.scores[:AGREE_RANK]]
    named = focused.keywords_first  # the question names its page: the keyword table ranks it first too
    return focused if focused.kind == "answer" and named and focused.best in whole else None


#: the deadline page, which a date alone favours: left out of the vote on a dated question that asks about
#: something else, and offered as a button after the answer instead
DEADLINE_TOPIC = "received"
#: the whole message's vote must rank the question's page among its first AGREE_RANK
AGREE_RANK = 2


def _with_deadline_button(turn: Turn) -> Turn:
    """The answer to what was asked, and the deadline computation offered after it."""
    if turn.say and not any(c.goto == "deadline:start" for row in turn.say[0].buttons for c in row):
        turn.say[0].buttons = [*turn.say[0].buttons, [Choice(f"questions.t_{DEADLINE_TOPIC}", goto="deadline:start")]]
    return turn


def before_notice(ctx: Ctx, text: str) -> Turn | None:
    """Before the notice's dates (priority 35): the whole turn is answered in the message's own language
    (the deadline's reply too), and a question, with a question mark, led by a page a date does not change
    ("I have lived in Belgium for 5 years, do I have a space?") is answered, or its topics offered when
    the vote is close, rather than the date read as the notice's (and see :func:`_asked_elsewhere`)."""
    lang = language.detect(text)
    if lang and lang != ctx.locale:
        ctx.locale = lang  # this turn only: the person's chosen language is not changed
    if ctx.flow == "deadline" or "?" not in text or not _has_date(ctx, text):
        return None  # only an asked question: "the email is from Sunday, I'm 45" is the notice told
    from bot.lang import dates, notice

    res = None if notice.asks_deadline(dates.normalise(text)) else intents.classify(text)
    if res is not None and res.kind == "answer" and res.best in DATELESS:
        return _reply(ctx, text, res)
    turn = _asked_elsewhere(ctx, text)  # a clear answer to the question asked beats topics offered
    if turn is None and res is not None and res.kind == "offer" and res.best in DATELESS:
        return _reply(ctx, text, res)
    return turn


def _asked_elsewhere(ctx: Ctx, text: str) -> Turn | None:
    """A story with a date, then a question that is about something else ("I got the email in May and
    opened it. How do I close it?"): the sentences with the question mark hold no date, none follows them,
    they do not ask the time limit, and they name a page a date does not change (:func:`_asked_clearly`;
    the deadline page left out of both votes).  That page is answered, the deadline computation offered as
    a button."""
    from bot.lang import dates, notice

    asked = intents.asked_part(text)
    after = text[text.rfind("?") + 1 :]  # a date told after the question is what it asks about
    if _has_date(ctx, asked) or _has_date(ctx, after) or notice.asks_deadline(dates.normalise(asked)):
        return None
    without = frozenset({DEADLINE_TOPIC})
    res = _asked_clearly(text, intents.classify(text, without=without), without)
    if res is None or res.best not in DATELESS:
        return None
    turn = _reply(ctx, text, res)
    return _with_deadline_button(turn) if turn is not None else None


def after_dates(ctx: Ctx, text: str) -> Turn | None:
    """A message with a date that the deadline flow did not take ("quel temps fait-il demain ?")."""
    if not _has_date(ctx, text):
        return None  # intercept() already decided
    return _reply(ctx, text, intents.classify(text))


_states = {name: page(f"questions/{name}", home=True) for name in ANSWERS}
_states["window"] = page(
    "questions/window",
    home=True,
    extra=[
        [Choice("questions.t_received", goto="deadline:start")],
    ],
)
_states["police"] = page(
    "questions/police",
    home=True,
    extra=[
        [Choice("questions.t_access", goto="understand:access")],
        [Choice("questions.t_never", goto="understand:never")],
    ],
)
_states["research"] = page(
    "questions/research", home=True, extra=[[Choice("questions.t_sources", goto="sources:start")]]
)
_states["leak"] = page("questions/leak", home=True, extra=[[Choice("questions.t_debate", goto="understand:debate")]])
_states["law"] = page("questions/law", home=True, extra=[[Choice("questions.t_compulsory", goto="understand:choice")]])

FLOWS = [Flow("questions", _states, start="window")]
INTERCEPTORS = [(34, before_notice), (40, intercept), (60, after_dates)]

"""Flow "deadline": from the date of the email or letter to the last day to refuse.

A date is understood in any state (interceptor, priority 50), even as the very first
message.  The answer gives the understood date in full, the last day, the recommended day,
the days left and what to do next.  Before leaving for the reminders, the session holds
``data["deadline"] = {"sent", "deadline", "recommended", "approximate"}`` (ISO dates); the
buttons also carry the sending date, so an old button still works after /menu."""

from __future__ import annotations

import re
from datetime import date

from bot.lang import dates, nlu_data, notice
from bot.domain.deadline import compute, page_vars
from bot.core.flowlib import Choice, Ctx, Flow, Say, State, Turn

MODES = ("email", "letter", "arrival")
DATE_STATES = {"date", "which"}
# where each answer button leads (the router answers kindly if a target does not exist yet)
TARGETS = {
    "on": "refuse:online",
    "ph": "refuse:phone",
    "rem": "reminders:offer",
    "ics": "reminders:ics",
    "after": "after:start",
    "keep": "after:restrict",
    "und": "understand:decide",
}
# words showing that a message is about the notification (used before answering an error)
_ABOUT_NOTICE = re.compile("(" + "|".join(sorted(nlu_data.words("words", "notice"))) + ")")


def _mode(ctx: Ctx) -> str | None:
    mode = ctx.data.get("deadline_mode") if ctx.flow == "deadline" else None
    return mode if mode in MODES else None


def _kind(ctx: Ctx) -> str | None:
    """What the buttons already said about the notice (None: nothing)."""
    if ctx.flow == "deadline" and ctx.state == "letter":
        return "letter_any"  # "Un courrier", then a date typed instead of a button
    return _mode(ctx)


def understand(ctx: Ctx, text: str) -> dates.DateResult:
    """Every typed date goes through here.  A bare number is a day only where the bot asked for
    a date and shows no numbered choice (state "date"); elsewhere the router reads it as a choice."""
    return dates.parse(
        text,
        ctx.today,
        kind=_kind(ctx),
        letter_shift_days=ctx.settings.letter_shift_days,
        expect_date=(ctx.flow == "deadline" and ctx.state == "date"),
    )


def _payload(action: str, sent: date, approximate: bool) -> str:
    return f"{action}:{sent:%Y%m%d}:{int(bool(approximate))}"


def answer(ctx: Ctx, r: dates.DateResult) -> Turn:
    """The immediate answer to a message that states a date (or why it cannot be used)."""
    if r.error == "which":
        return ask_which(ctx, r)
    if not r.ok or r.date is None:
        return error_turn(ctx, r)
    dl = compute(
        r.date, ctx.today, margin_days=ctx.settings.margin_days, approximate=r.approximate, understood_date=r.understood
    )
    vars = page_vars(dl, r, maybe_letter=r.maybe_letter and not dl.passed)
    data: dict[str, object] = {"deadline": dl.to_data()}
    if r.letter_arrived:
        data["deadline_mode"] = "arrival"  # a correction ("non, le 5") is an arrival day too
    if dl.passed:
        buttons = [
            [Choice("deadline.after", _payload("after", dl.sent, dl.approximate))],
            [Choice("deadline.keep", _payload("keep", dl.sent, dl.approximate))],
            [Choice("deadline.understand", _payload("und", dl.sent, dl.approximate))],
            [Choice("deadline.again", "again")],
        ]
        return Turn([Say("deadline/passed", vars, buttons=buttons)], goto="deadline:result", data=data)

    def p(action: str) -> str:
        return _payload(action, dl.sent, dl.approximate)

    buttons = [
        [Choice("deadline.refuse_online", p("on")), Choice("deadline.refuse_phone", p("ph"))],
        [Choice("deadline.keep", p("keep")), Choice("deadline.understand", p("und"))],
        [Choice("deadline.reminders", p("rem")), Choice("deadline.ics", p("ics"))],
    ]
    if r.maybe_letter:  # "reçu le 3": if that was a letter arriving, it left earlier
        buttons.append([Choice("deadline.was_letter", f"letter:{r.understood:%Y%m%d}")])
    return Turn([Say("deadline/result", vars, buttons=buttons)], goto="deadline:result", data=data)


def error_turn(ctx: Ctx, r: dates.DateResult) -> Turn:
    code = r.error if r.error in dates.ERRORS else "no_date"
    vars = {}
    if code == "impossible":
        d = r.detail
        month = d.get("month") or 0
        vars = {
            "day": d.get("day") or 0,
            "month_name": dates.month_name(month, ctx.locale) if 1 <= month <= 12 else "",
            "max_day": d.get("max_day") or 0,
            "year": d.get("year") or 0,
            "leap": bool(d.get("leap")),
        }
    return Turn([Say(f"deadline/error_{code}", vars)])


def ask_which(ctx: Ctx, r: dates.DateResult) -> Turn:
    """Several dates, or only dates tied to something else: which one is the notice date?"""
    rows = [
        [Choice("deadline.pick", f"pick:{d:%Y%m%d}:{int(bool(arrived))}", vars={"day": d, "arrived": arrived})]
        for d, arrived, _words in r.choices
    ]
    rows.append([Choice("deadline.pick_other", "other")])
    choices = [{"day": d, "arrived": arrived, "words": words} for d, arrived, words in r.choices]
    vars = {"choices": choices, "only_other": bool(r.detail.get("only_other"))}
    return Turn([Say("deadline/ask_which", vars, buttons=rows)], goto="deadline:which")


def which_choice(ctx: Ctx, payload: str) -> Turn | None:
    action, _, rest = payload.partition(":")
    if action == "other":
        return Turn(goto="deadline:date")
    day_s, _, arrived = rest.partition(":")
    if action != "pick" or not re.fullmatch(r"\d{8}", day_s):
        return None
    try:
        day = date(int(day_s[:4]), int(day_s[4:6]), int(day_s[6:]))
    except ValueError:
        return None
    if day > ctx.today:
        return None
    return answer(
        ctx, dates.notice_result(day, arrived=arrived == "1", letter_shift_days=ctx.settings.letter_shift_days)
    )


# --- states -----------------------------------------------------------------------------------------------
def set_mode(mode: str):
    def step(ctx: Ctx) -> Turn:
        return Turn(goto="deadline:date", data={"deadline_mode": mode})

    return step


def start_prompt(ctx: Ctx) -> Say:
    ctx.data.pop("deadline_mode", None)  # a new date: "email or letter?" is asked again
    return Say("deadline/ask_kind", buttons=[[Choice("deadline.email", "email"), Choice("deadline.letter", "letter")]])


def date_prompt(ctx: Ctx) -> Say:
    return Say("deadline/ask_date", {"mode": ctx.data.get("deadline_mode") or "any"})


def date_text(ctx: Ctx, text: str) -> Turn:
    return answer(ctx, understand(ctx, text))


def which_text(ctx: Ctx, text: str) -> Turn | None:
    r = understand(ctx, text)
    if r.ok or r.error != "no_date":
        return answer(ctx, r)
    return None


def result_text(ctx: Ctx, text: str) -> Turn | None:
    """After an answer, a short message is read as a corrected date ("non, le 5")."""
    r = understand(ctx, text)
    if r.ok or r.error != "no_date":
        return answer(ctx, r)
    return None


def result_choice(ctx: Ctx, payload: str) -> Turn | None:
    action, _, rest = payload.partition(":")
    if action == "again":
        return Turn(goto="deadline:date")
    if action == "letter":  # "it was a letter, and that is the day it arrived"
        if not re.fullmatch(r"\d{8}", rest):
            return None
        try:
            day = date(int(rest[:4]), int(rest[4:6]), int(rest[6:]))
        except ValueError:
            return None
        t = answer(ctx, dates.notice_result(day, arrived=True, letter_shift_days=ctx.settings.letter_shift_days))
        return t
    target = TARGETS.get(action)
    sent_s, _, approx = rest.partition(":")
    if target is None or not re.fullmatch(r"\d{8}", sent_s):
        return None
    try:
        sent = date(int(sent_s[:4]), int(sent_s[4:6]), int(sent_s[6:]))
    except ValueError:
        return None
    dl = compute(sent, ctx.today, margin_days=ctx.settings.margin_days, approximate=approx == "1")
    return Turn(goto=target, data={"deadline": dl.to_data()})


# the bot asked about the notice (its kind or its date): a date typed here is read first,
# before any question a word of it might look like ("samedi", "le 18/12")
ASKING_STATES = {"start", "letter", "date", "which"}
LONG_MESSAGE = 8  # words: a longer message with a date but no word about the notice is about something else


def intercept_notice(ctx: Ctx, text: str) -> Turn | None:
    """Before the questions: the answer to the bot's own question about the notice, or a message
    whose words tie a date to the notice ("mail reçu le 3, je peux le faire par téléphone ?")."""
    if ctx.flow == "deadline" and ctx.state in ASKING_STATES:
        r = understand(ctx, text)
        if r.ok or r.error not in (None, "no_date"):
            return answer(ctx, r)
        return None
    r = understand(ctx, text)
    if (r.ok or r.error == "which") and r.role == "notice":
        return _answer_outside(ctx, r)
    return None


def _answer_outside(ctx: Ctx, r: dates.DateResult) -> Turn:
    t = answer(ctx, r)
    if ctx.flow != "deadline" and not r.letter_arrived:
        t.data = dict(t.data or {}, deadline_mode=None)  # a later correction is read from its own words
    return t


def intercept(ctx: Ctx, text: str) -> Turn | None:
    """A date typed anywhere (not while a flow waits for free text) gets an immediate answer."""
    if ctx.flow == "deadline" and ctx.state in DATE_STATES:
        return None  # the state's own handler knows whether it is an email or a letter
    r = understand(ctx, text)
    if (
        r.ok
        and r.role != "notice"
        and ctx.flow != "deadline"
        and len(text.split()) > LONG_MESSAGE
        and not notice.asks_deadline(dates.normalise(text))
    ):
        return None  # "le 10 février quelqu'un a consulté mon dossier, qui c'est ?": not the notice
    if r.ok or r.error == "which":
        return _answer_outside(ctx, r)
    if r.error in ("future", "impossible", "too_old", "ambiguous"):
        short = len(text.split()) <= 4
        if ctx.flow == "deadline" or short or _ABOUT_NOTICE.search(dates.normalise(text)):
            return answer(ctx, r)
    return None


FLOWS = [
    Flow(
        "deadline",
        {
            "start": State(
                prompt=start_prompt,
                on_choice={"email": set_mode("email"), "letter": "deadline:letter"},
                on_text=date_text,
            ),
            "letter": State(
                prompt=Say(
                    "deadline/ask_letter",
                    buttons=[
                        [Choice("deadline.letter_printed", "printed")],
                        [Choice("deadline.letter_arrival", "arrival")],
                    ],
                ),
                on_choice={"printed": set_mode("letter"), "arrival": set_mode("arrival")},
            ),
            "date": State(prompt=date_prompt, on_text=date_text),
            "which": State(on_choice=which_choice, on_text=which_text),
            "result": State(on_choice=result_choice, on_text=result_text),
        },
        start="start",
    )
]

INTERCEPTORS = [(35, intercept_notice), (50, intercept)]

"""Flow "deadline": from the date of the email or letter to the last day to refuse.

A date is understood in any state (interceptor, priority 50), even as the very first
message.  The answer gives the understood date in full, the last day, the recommended day,
the days left and what to do next.  Before leaving for the reminders, the session holds
``data["deadline"] = {"sent", "deadline", "recommended", "approximate"}`` (ISO dates); the
buttons also carry the sending date, so an old button still works after /menu."""
from __future__ import annotations

import re
from datetime import date

from bot.lang import dates, nlu_data
from bot.domain import phone
from bot.domain.deadline import compute
from bot.core.flowlib import Choice, Ctx, Flow, Say, State, Turn

MODES = ("email", "letter", "arrival")
DATE_STATES = {"date"}
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


def understand(ctx: Ctx, text: str, *, expect: bool = False) -> dates.DateResult:
    mode = _mode(ctx)
    return dates.parse(
        text, ctx.today,
        letter_arrived=(mode == "arrival"),
        letter_shift_days=ctx.settings.letter_shift_days,
        expect_date=expect,
        detect_letter=mode is None,
    )


def _payload(action: str, sent: date, approximate: bool) -> str:
    return f"{action}:{sent:%Y%m%d}:{int(bool(approximate))}"


def answer(ctx: Ctx, r: dates.DateResult) -> Turn:
    """The immediate answer to a message that states a date (or why it cannot be used)."""
    if not r.ok:
        return error_turn(ctx, r)
    dl = compute(r.date, ctx.today, margin_days=ctx.settings.margin_days,
                 approximate=r.approximate, understood_date=r.understood)
    vars = {
        "understood": r.understood, "sent": dl.sent, "deadline": dl.deadline,
        "recommended": dl.recommended, "days_left": dl.days_left, "status": dl.status,
        "approximate": dl.approximate, "fuzzy": r.fuzzy, "shift_days": r.shift_days,
        "recommended_is_today": dl.recommended == ctx.today,
        "recommended_phone_open": phone.is_working_day(dl.recommended),
        "last_day_phone_open": phone.is_working_day(dl.deadline),
    }
    data = {"deadline": dl.to_data()}
    if dl.passed:
        buttons = [[Choice("deadline.after", _payload("after", dl.sent, dl.approximate))],
                   [Choice("deadline.keep", _payload("keep", dl.sent, dl.approximate))],
                   [Choice("deadline.understand", _payload("und", dl.sent, dl.approximate))],
                   [Choice("deadline.again", "again")]]
        return Turn([Say("deadline/passed", vars, buttons=buttons)], goto="deadline:result", data=data)
    p = lambda action: _payload(action, dl.sent, dl.approximate)  # noqa: E731
    buttons = [
        [Choice("deadline.refuse_online", p("on")), Choice("deadline.refuse_phone", p("ph"))],
        [Choice("deadline.keep", p("keep")), Choice("deadline.understand", p("und"))],
        [Choice("deadline.reminders", p("rem")), Choice("deadline.ics", p("ics"))],
    ]
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


# --- states -----------------------------------------------------------------------------------------------
def set_mode(mode: str):
    def step(ctx: Ctx) -> Turn:
        return Turn(goto="deadline:date", data={"deadline_mode": mode})
    return step


def start_prompt(ctx: Ctx) -> Say:
    ctx.data.pop("deadline_mode", None)  # a new date: "email or letter?" is asked again
    return Say("deadline/ask_kind", buttons=[
        [Choice("deadline.email", "email"), Choice("deadline.letter", "letter")]])


def date_prompt(ctx: Ctx) -> Say:
    return Say("deadline/ask_date", {"mode": ctx.data.get("deadline_mode") or "email"})


def date_text(ctx: Ctx, text: str) -> Turn:
    return answer(ctx, understand(ctx, text, expect=True))


def result_text(ctx: Ctx, text: str) -> Turn | None:
    """After an answer, a short message is read as a corrected date ("non, le 5")."""
    r = understand(ctx, text, expect=True)
    if r.ok or r.error != "no_date":
        return answer(ctx, r)
    return None


def result_choice(ctx: Ctx, payload: str) -> Turn | None:
    action, _, rest = payload.partition(":")
    if action == "again":
        return Turn(goto="deadline:date")
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


def intercept(ctx: Ctx, text: str) -> Turn | None:
    """A date typed anywhere (not while a flow waits for free text) gets an immediate answer."""
    if ctx.flow == "deadline" and ctx.state in DATE_STATES:
        return None  # the state's own handler knows whether it is an email or a letter
    r = understand(ctx, text, expect=(ctx.flow == "deadline"))
    if r.ok:
        t = answer(ctx, r)
        if ctx.flow != "deadline":
            t.data["deadline_mode"] = None  # read as an email date: a later correction is read the same way
        return t
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
                prompt=Say("deadline/ask_letter", buttons=[
                    [Choice("deadline.letter_printed", "printed")],
                    [Choice("deadline.letter_arrival", "arrival")]]),
                on_choice={"printed": set_mode("letter"), "arrival": set_mode("arrival")},
            ),
            "date": State(prompt=date_prompt, on_text=date_text),
            "result": State(on_choice=result_choice, on_text=result_text),
        },
        start="start",
    )
]

INTERCEPTORS = [(50, intercept)]

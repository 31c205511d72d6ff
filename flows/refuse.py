"""Refuse Mon espace santé, online or by phone, step by step.

States other areas link to: ``refuse:online`` and ``refuse:phone``.
Opening hours and "open right now" come from :mod:`bot.domain.phone` (French public holidays
count as closed); the rule itself lives there and in :mod:`bot.knowledge.facts`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain import phone
from bot.knowledge import facts
from bot.core.flowlib import Choice, Ctx, Flow, Say, State

from .understand import MENU, NEXT, page, pages

ONLINE_SEQ = ["online", "phishing", "ready", "steps", "proof"]
PHONE_SEQ = ["phone", "phone_ready", "deaf"]

PARIS = ZoneInfo(facts.PHONE_TZ)


def phone_status(ctx: Ctx) -> dict:
    """Template variables for the phone page: open now / next opening (Paris time)."""
    status, nxt = "unknown", None
    try:
        if phone.is_open(ctx.now):
            status = "open"
        else:
            status = "closed"
            nxt = phone.next_opening(ctx.now)
    except Exception:  # a bug there must not hide the number and the hours
        status, nxt = "unknown", None
    out = {
        "status": status,
        "next_date": None,
        "next_time": None,
        "next_is_today": False,
        "next_is_tomorrow": False,
        "abroad": ctx.tz != facts.PHONE_TZ,
    }
    if nxt is not None:
        local = nxt.astimezone(PARIS)
        today = ctx.now.astimezone(PARIS).date()
        out.update(
            next_date=local.date().isoformat(),
            next_time=local.strftime("%H:%M"),
            next_is_today=local.date() == today,
            next_is_tomorrow=(local.date() - today).days == 1,
        )
    return out


def phone_prompt(ctx: Ctx) -> Say:
    return Say(
        "refuse/phone",
        phone_status(ctx),
        buttons=[
            [Choice(NEXT, goto="refuse:phone_ready")],
            [Choice("refuse.online_instead", goto="refuse:online")],
            [Choice(MENU, goto="menu:main")],
        ],
    )


_states = {}
_states["start"] = State(
    prompt=Say(
        "refuse/start",
        buttons=[
            [Choice("refuse.how_online", goto="refuse:online")],
            [Choice("refuse.how_phone", goto="refuse:phone")],
            [Choice(MENU, goto="menu:main")],
        ],
    )
)
_states.update(
    pages(
        "refuse",
        ONLINE_SEQ,
        first_back="refuse:start",
        extra={
            "ready": [[Choice("refuse.lost_code", goto="refuse:code")]],
            "proof": [[Choice("refuse.how_phone", goto="refuse:phone")]],
        },
    )
)
_states.update(pages("refuse", PHONE_SEQ, first_back="refuse:start"))
_states["phone"] = State(prompt=phone_prompt)
_states["code"] = page(
    "refuse/code", back="refuse:ready", home=True, extra=[[Choice("refuse.how_phone", goto="refuse:phone")]]
)

FLOWS = [Flow("refuse", _states, start="start")]

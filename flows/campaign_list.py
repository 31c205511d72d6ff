"""Collectives: "Mes campagnes" — a place's campaigns, lettered A, B, C…, with their counts, and
what to do with each: pause, resume, the flyer (QR code and posters); change it, post it now or
stop it lead to ``campaign_edit``.

The buttons name their campaign (``pause.12``), hence its place: that place, never the one
another conversation or message was about (the guard checks she administers it).  Older
releases sent ``p12``, ``r12``, ``s12``, ``e12``, ``n12``, ``f12``: still understood.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.flowlib import Choice, Choices, Ctx, Flow, Go, Say, State, Turn
from bot.jobs.broadcast import next_post_of
from flows.campaign_access import NAMED, admin_of_place, named_campaign_place, place, place_name, stale
from flows.campaign_post import schedule_vars

LETTERS = "ABCDEFGHIJ"  # campaigns are lettered, so they never read like the numbered choices
_OLD = {"p": "pause", "r": "resume", "s": "stop", "e": "edit", "n": "post_now", "f": "flyer"}


def renamed(payload: str) -> str:
    m = re.fullmatch(r"([psrfen])([0-9]{1,18})", payload)
    return f"{_OLD[m.group(1)]}.{m.group(2)}" if m else payload


def _buttons(c: dict, letter: str) -> list[list[Choice]]:
    """The rows under one campaign (none for an ended one: its counts only)."""

    def b(label: str, verb: str) -> Choice:
        return Choice(f"campaign.{label}_n", f"{verb}.{c['id']}", vars={"n": letter})

    first = {
        "active": [b("pause", "pause"), b("stop", "stop")],
        "paused": [b("resume", "resume"), b("stop", "stop")],
        "held": [b("stop", "stop")],
    }.get(c["status"])  # held: resumes by itself when the bot is back
    if first is None:
        return []
    return [first, [b("edit", "edit"), b("now", "post_now"), b("flyer", "flyer")]]


async def list_prompt(ctx: Ctx) -> Say:
    coll = place(ctx)
    rows = ctx.store.list_campaigns(coll["id"])[:8]
    ended = [c for c in ctx.store.list_campaigns(coll["id"], include_ended=True) if c["status"] in ("done", "stopped")][
        -2:
    ]  # the last ones that ended: their counts
    items = []
    buttons: list[list[Choice]] = []
    for i, c in zip(LETTERS, rows + ended, strict=False):  # at most ten
        nxt = (
            datetime.fromisoformat(c["next_at"]).astimezone(ZoneInfo(coll["tz"]))
            if c["next_at"] and c["status"] in ("active", "paused", "held")
            else None
        )
        items.append(
            dict(
                schedule_vars(c),
                n=i,
                template=c["template"],
                status=c["status"],
                next=nxt.date().isoformat() if nxt else None,
                next_time=nxt.strftime("%H:%M") if nxt else None,
                posts=c["posts"],
                visits=c["visits"],
                reminders_started=c["reminders_started"],
                followers_gained=c["followers_gained"],
            )
        )
        buttons += _buttons(c, i)
    buttons.append([Choice("campaign.back", goto="campaign:menu")])
    return Say("campaign/list", {"items": items, "name": await place_name(ctx, coll)}, buttons=buttons)


def _campaign(ctx: Ctx, payload: str) -> dict | None:
    """The running campaign of this place a button names (None: gone, ended, or another place's)."""
    m = NAMED.fullmatch(payload)
    c = ctx.store.get_campaign(int(m.group(2))) if m else None
    if c is None or c["collective_id"] != place(ctx)["id"] or c["status"] in ("stopped", "done", "draft"):
        return None
    return c


def pause(ctx: Ctx, payload: str) -> Turn:
    c = _campaign(ctx, payload)
    if c is None or c["status"] != "active":
        return stale()
    ctx.store.set_campaign_status(c["id"], "paused")
    return Turn([Say("campaign/paused")], reprompt=True)


def resume(ctx: Ctx, payload: str) -> Turn:
    c, coll = _campaign(ctx, payload), place(ctx)
    if c is None or c["status"] != "paused":
        return stale()
    nxt = next_post_of(c, coll["tz"], ctx.now)
    if nxt is None:
        ctx.store.set_campaign_status(c["id"], "done")
        return Turn([Say("campaign/ended")], reprompt=True)
    ctx.store.set_campaign_status(c["id"], "active", nxt.isoformat(timespec="seconds"))
    return Turn([Say("campaign/resumed")], reprompt=True)


def this_one(ctx: Ctx, payload: str) -> dict | Turn:
    """Stop (after a confirmation), change, post now: the campaign goes with her to campaign_edit."""
    c = _campaign(ctx, payload)
    return stale() if c is None else {"c_edit": c["id"]}


async def flyer(ctx: Ctx, payload: str) -> Turn:
    from bot.domain import flyer as flyer_mod

    c = _campaign(ctx, payload)
    if c is None:
        return stale()
    try:
        link = flyer_mod.flyer_link(ctx.app, ctx.event.backend, f"c_{c['code']}")
    except flyer_mod.NoPublicLink:
        return Turn([Say("campaign/flyer_no_link")], reprompt=True)
    start_cmd = None if f"c_{c['code']}" in link else f"/start c_{c['code']}"
    png, a4, a5 = flyer_mod.make(
        link,
        ctx.locale,
        renderer=ctx.app.renderer,
        purge_days=ctx.settings.purge_after_days,
        name=await place_name(ctx, place(ctx)),
        start_cmd=start_cmd,
    )
    return Turn(
        [
            Say("campaign/flyer_qr", {"link": link, "start_cmd": start_cmd}, attachment=png),
            Say("campaign/flyer_pdf", attachment=a4),
            Say("campaign/flyer_pdf_a5", attachment=a5),
        ],
        reprompt=True,
    )


FLOWS = [
    Flow(
        "campaign_list",
        {
            "list": State(
                prompt=list_prompt,
                guard=admin_of_place(lambda ctx, p: named_campaign_place(ctx, renamed(p))),
                on_choice=Choices(
                    {
                        "pause": pause,
                        "resume": resume,
                        "flyer": flyer,
                        "stop": Go("campaign_edit:stop", this_one),
                        "edit": Go("campaign_edit:menu", this_one),
                        "post_now": Go("campaign_edit:now", this_one),
                    },
                    renamed=renamed,
                ),
            ),
        },
        start="list",
        personal=False,
    ),
]

RENAMED = {"campaign:list": "campaign_list:list"}

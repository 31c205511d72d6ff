"""Collectives: the way in, and a place's menu.

``/campagne`` in a group or room (admins only) hands the admin a private link bound to that
place; ``/campagne @channel`` in a private chat does the same for a Telegram channel where
the bot is admin.  Everything else happens in private, in the flows this menu leads to, and
every step checks again that the person is still an admin of the place (the guard declared on
each state, flows/campaign_access.py).  ``/stats`` gives counts only.

The collectives' flows, one job each (diagrams in docs/flows/):
``campaign`` (this menu) · ``campaign_new`` (a new campaign) · ``campaign_list`` ("Mes
campagnes": pause, resume, flyer) · ``campaign_edit`` (change, post now, stop) ·
``campaign_place`` (which place, its name) · ``announce`` (an announcement to followers) ·
``announce_approval`` (a second admin's yes) · ``announce_wave`` (withdraw, stop a sending).
"""

from __future__ import annotations

import re

from bot.core.flowlib import END, Choice, Choices, Ctx, Flow, Say, State, Turn
from bot.jobs.broadcast import fmt_int
from flows import announce_wave
from flows.campaign_access import (
    admin_of_place,
    my_places,
    named_place,
    named_wave_place,
    open_place,
    place,
    place_name,
    session_place,
)
from flows.campaign_post import INVITE_BIND, deep_link

PLACE_RE = re.compile(r"^(@[A-Za-z0-9_]{4,64}|-?\d{1,20}|![A-Za-z0-9._~-]+:[A-Za-z0-9.:-]+)$")


# -- entry points --------------------------------------------------------------------------------
async def cmd_campagne(ctx: Ctx, arg: str) -> Turn:
    ev = ctx.event
    if not ev.is_direct:
        target = ev.chat_id
        if not await ctx.app.is_admin(ev, target):
            return Turn([Say("campaign/refused")])
        coll = ctx.store.ensure_collective(ev.backend, target, ctx.locale, ctx.tz, now=ctx.now)
        return Turn([Say("campaign/group_admin", private_start=f"a_{coll['code']}")])
    arg = (arg or "").strip()
    if arg:
        if not PLACE_RE.match(arg):
            return Turn([Say("campaign/bad_place")], goto="campaign:start")
        if not await ctx.app.is_admin(ev, arg):
            return Turn([Say("campaign/refused")], goto=END, clear=True)
        coll = ctx.store.ensure_collective(ev.backend, arg, ctx.locale, ctx.tz, now=ctx.now)
        return await open_place(ctx, coll)
    places = await my_places(ctx)
    if len(places) == 1:
        return await open_place(ctx, places[0])
    if places:
        return Turn(goto="campaign_place:pick")  # two groups: she says which, every time
    return Turn(goto="campaign:start")  # the intro: how to start from a group


async def cmd_stats(ctx: Ctx, arg: str) -> Turn:
    ev = ctx.event
    if not ev.is_direct:
        # never in the group (figures are for admins, a refusal is nobody's business): in private
        coll = ctx.store.collective_by_chat(ev.backend, ev.chat_id)
        if coll is None and await ctx.app.is_admin(ev, ev.chat_id):
            coll = ctx.store.ensure_collective(ev.backend, ev.chat_id, ctx.locale, ctx.tz, now=ctx.now)
        return Turn([Say("campaign/stats_private", private_start=f"s_{coll['code']}" if coll else "stats")])
    coll = await session_place(ctx)
    if coll is None:
        return Turn([Say("campaign/refused")], goto=END, clear=True)
    return Turn([stats_say(ctx, coll)])


def stats_say(ctx: Ctx, coll: dict) -> Say:
    s = ctx.store.collective_stats(coll["id"])
    return Say("campaign/stats", {k: fmt_int(v, ctx.locale) for k, v in s.items()})


async def _admin_link(ctx: Ctx, payload: str) -> tuple[dict | None, Turn | None]:
    """The place of an admin's private link (``a_``/``s_`` + its code): (place, None) when the person
    is its admin in a private chat, else (None, what to answer; None in a group)."""
    coll = ctx.store.collective_by_code(payload[2:])
    if coll is None or coll["backend"] != ctx.event.backend:
        return None, Turn([Say("core/bad_link")], goto=END)
    if not ctx.event.is_direct:
        return None, None
    if not await ctx.app.is_admin(ctx.event, coll["chat_id"]):
        return None, Turn([Say("campaign/refused")], goto=END, clear=True)
    return coll, None


async def start_admin(ctx: Ctx, payload: str) -> Turn | None:
    coll, refusal = await _admin_link(ctx, payload)
    return refusal if coll is None else await open_place(ctx, coll)


async def start_stats(ctx: Ctx, payload: str) -> Turn | None:
    """ "/stats" asked in a group, answered here in private (admins only)."""
    coll, refusal = await _admin_link(ctx, payload)
    if coll is None:
        return refusal
    turn = await open_place(ctx, coll)
    turn.say = [stats_say(ctx, coll)]
    return turn


async def start_campaign(ctx: Ctx, payload: str) -> Turn | None:
    """Deep link from a campaign post: personal reminders, in private."""
    code = payload[2:]
    if ctx.store.campaign_by_code(code) is None:
        return Turn([Say("core/bad_link")], goto=END)
    if not ctx.event.is_direct:  # typed in the room: continue in private with the same code
        return Turn([Say("core/go_private", private_start=payload)])
    ctx.store.campaign_visit(code)  # a count, never who
    return Turn(goto="deadline:start", data={"campaign": code})


# -- the intro and the menu -------------------------------------------------------------------------
async def intro(ctx: Ctx) -> Turn | Say:
    if ctx.event.is_direct:  # she already manages places: straight to them
        places = await my_places(ctx)
        if len(places) == 1:
            return await open_place(ctx, places[0])
        if places:
            return Turn(goto="campaign_place:pick")
    return Say("campaign/intro", {"direct": ctx.event.is_direct}, buttons=[[Choice("campaign.home", goto="menu:main")]])


async def menu_prompt(ctx: Ctx) -> Say:
    coll = place(ctx)
    n = len(ctx.store.list_campaigns(coll["id"]))
    more = [[Choice("campaign.places", goto="campaign_place:pick")]] if len(await my_places(ctx)) > 1 else []
    pid = coll["id"]
    return Say(
        "campaign/menu",
        {
            "campaigns": n,
            "followers": fmt_int(ctx.store.follower_count(pid), ctx.locale),
            "name": await place_name(ctx, coll),
        },
        # each button names its place: an old menu of another group acts on that group
        buttons=[
            [Choice("campaign.new", f"new.{pid}")],
            [Choice("campaign.list", f"list.{pid}")],
            [Choice("campaign.broadcast", f"announce.{pid}")],
            [Choice("campaign.invite", f"invite.{pid}"), Choice("campaign.stats", f"stats.{pid}")],
            [Choice("campaign.rename", f"name.{pid}")],
        ]
        + more
        + [[Choice("campaign.home", goto="menu:main")]],
    )


def show_stats(ctx: Ctx, payload: str) -> Turn:
    return Turn([stats_say(ctx, place(ctx))], reprompt=True)


async def invite(ctx: Ctx, payload: str) -> Turn:
    """Post the "follow our announcements" invitation into the place."""
    coll = place(ctx)
    start = f"f_{coll['code']}"
    link = deep_link(ctx, start)
    say = Say(
        "follow/invite",
        {"name": await place_name(ctx, coll), "start_cmd": None if link and start in link else f"/start {start}"},
        buttons=[[Choice("follow.follow_link", url=link)]],
    )
    try:
        await ctx.app.send(
            coll["backend"], coll["chat_id"], ctx.app.render_reply(say, coll["locale"], bind=INVITE_BIND)
        )
    except Exception:
        return Turn([Say("campaign/post_failed")], reprompt=True)
    return Turn([Say("campaign/invite_posted")], reprompt=True)


def menu_renamed(payload: str) -> str:
    """Payloads of older releases: ``bnew.12`` (announce), and a wave's ``w12``/``x12``/``X12``."""
    if payload.startswith("bnew."):
        return "announce." + payload[5:]
    return announce_wave.renamed(payload)


def menu_names(ctx: Ctx, payload: str) -> object:
    """The place a menu button names: its own (``new.12``), or its announcement's (``withdraw.7``)."""
    if payload.split(".", 1)[0] in announce_wave.VERBS:
        return named_wave_place(ctx, payload)
    return named_place(ctx, payload)


FLOWS = [
    Flow(
        "campaign",
        {
            "start": State(prompt=intro),
            "menu": State(
                prompt=menu_prompt,
                guard=admin_of_place(lambda ctx, p: menu_names(ctx, menu_renamed(p))),
                on_choice=Choices(
                    {
                        "new": "campaign_new:template",
                        "list": "campaign_list:list",
                        "announce": "announce:template",
                        "name": "campaign_place:name",
                        "invite": invite,
                        "stats": show_stats,
                        **announce_wave.ACTIONS,
                    },
                    renamed=menu_renamed,
                ),
            ),
        },
        start="start",
        personal=False,
    ),
]

COMMANDS = {"campagne": cmd_campagne, "stats": cmd_stats}
GROUP_COMMANDS = {"campagne", "stats"}
START = {"a_": start_admin, "c_": start_campaign, "s_": start_stats}

"""Collectives: which place an admin acts on, and the collective's display name.

``/campagne`` in private, or an old button whose place is ambiguous, lands on ``pick``: the
places she opened and still administers, by name (``place.12``; older releases sent ``p12``).
``name`` sets the name shown in posts, previews, announcements and the flyer (default: the
group's or room's title)."""

from __future__ import annotations

import re

from bot.core.flowlib import Choice, Choices, Ctx, Flow, Say, State, Turn
from flows.campaign_access import ADMIN, NAMED, admin_hash, my_places, open_place, place, place_name, refused


def renamed(payload: str) -> str:
    return f"place.{payload[1:]}" if re.fullmatch(r"p[0-9]{1,18}", payload) else payload


# -- places ---------------------------------------------------------------------------------
async def places_prompt(ctx: Ctx) -> Turn | Say:
    places = await my_places(ctx)
    if not places:
        return Turn(goto="campaign:start")
    return Say(
        "campaign/places",
        {"count": len(places)},
        buttons=[
            [Choice("campaign.place", f"place.{c['id']}", vars={"name": c["name"] or c["chat_id"]})] for c in places
        ]
        + [[Choice("campaign.home", goto="menu:main")]],
    )


async def pick_place(ctx: Ctx, payload: str) -> Turn | None:
    """Her choice: checked here (the one state of these flows open before a place is known)."""
    m = NAMED.fullmatch(payload)
    coll = ctx.store.get_collective(int(m.group(2))) if m else None
    if coll is None or coll["backend"] != ctx.event.backend:
        return None
    if not await ctx.app.is_admin(ctx.event, coll["chat_id"]):
        ctx.store.forget_admin(admin_hash(ctx), coll["id"])
        return refused()
    return await open_place(ctx, coll)


# -- the collective's name ----------------------------------------------------------------------
async def name_prompt(ctx: Ctx) -> Say:
    return Say(
        "campaign/ask_name",
        {"name": await place_name(ctx, place(ctx))},
        buttons=[[Choice("campaign.back", goto="campaign:menu")]],
    )


def got_name(ctx: Ctx, text: str) -> Turn:
    name = " ".join(text.split())
    if not name or len(name) > 80 or name.startswith("/"):
        return Turn([Say("campaign/bad_name", {"limit": 80})])
    ctx.store.set_collective_name(place(ctx)["id"], name)
    return Turn([Say("campaign/name_set", {"name": name})], goto="campaign:menu")


FLOWS = [
    Flow(
        "campaign_place",
        {
            "pick": State(prompt=places_prompt, on_choice=Choices({"place": pick_place}, renamed=renamed)),
            "name": State(prompt=name_prompt, on_text=got_name, free_text=True, verbatim=True, guard=ADMIN),
        },
        start="pick",
        personal=False,
    ),
]

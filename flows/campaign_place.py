"""Collectives: which place an admin acts on, and the collective's display name.

``/campagne`` in private, or an old button whose place is ambiguous, lands on ``pick``: the
places she opened and still administers, by name.  ``name`` sets the name shown in posts,
previews, announcements and the flyer (default: the group's or room's title)."""
from __future__ import annotations

import re

from bot.core.flowlib import Choice, Ctx, Flow, Say, State, Turn
from flows import campaign as cp


# -- places ---------------------------------------------------------------------------------
async def places_prompt(ctx: Ctx):
    places = await cp.my_places(ctx)
    if not places:
        return Turn(goto="campaign:start")
    return Say("campaign/places", {"count": len(places)},
               buttons=[[Choice("campaign.place", f"p{c['id']}", vars={"name": c["name"] or c["chat_id"]})]
                        for c in places] + [[Choice("campaign.home", goto="menu:main")]])


async def pick_place(ctx: Ctx, payload: str):
    m = re.fullmatch(r"p([0-9]{1,18})", payload)
    coll = ctx.store.get_collective(int(m.group(1))) if m else None
    if coll is None or coll["backend"] != ctx.event.backend:
        return None
    if not await ctx.app.is_admin(ctx.event, coll["chat_id"]):
        ctx.store.forget_admin(cp.admin_hash(ctx), coll["id"])
        return cp.refused()
    return await cp.open_place(ctx, coll)


@cp.admin_step
async def name_prompt(ctx: Ctx, coll: dict):
    return Say("campaign/ask_name", {"name": await cp.place_name(ctx, coll)},
               buttons=[[Choice("campaign.back", goto="campaign:menu")]])


@cp.admin_step
async def got_name(ctx: Ctx, coll: dict, text: str):
    name = " ".join(text.split())
    if not name or len(name) > 80 or name.startswith("/"):
        return Turn([Say("campaign/bad_name", {"limit": 80})])
    ctx.store.set_collective_name(coll["id"], name)
    return Turn([Say("campaign/name_set", {"name": name})], goto="campaign:menu")


FLOWS = [
    Flow("campaign_place", {
        "pick": State(prompt=places_prompt, on_choice=pick_place),
        "name": State(prompt=name_prompt, on_text=got_name, free_text=True, verbatim=True),
    }, start="pick", personal=False),
]

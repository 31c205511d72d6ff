"""Collectives: who may act on which place (group, channel or room), for every collective flow.

An admin's conversation is bound to one place (``data["place"]``).  The guards declared on the
collective states check, before each step, that the person is (still) an admin of that place, or
of the place the pressed button names (an old menu of another group acts on that group).  A
conversation that ended (weeks idle) is not a lock-out: the place she opened before is found
again when it is the only one she still administers; with several, she is asked which.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from bot.core.flowlib import END, Ctx, Guard, Say, Turn
from bot.jobs.broadcast import stable_hash

#: a button naming its record: ``verb.123``
NAMED = re.compile(r"([a-z_]+)\.([0-9]{1,18})")
GONE = "gone"  # the button names a record that no longer exists


def admin_hash(ctx: Ctx) -> str:
    return stable_hash(ctx.store, ctx.user_key)


def refused() -> Turn:
    return Turn([Say("campaign/refused")], goto=END, clear=True)


def stale() -> Turn:
    return Turn([Say("core/stale_button")], reprompt=True)


async def my_places(ctx: Ctx) -> list[dict]:
    """The places she opened before and still administers (re-checked with the platform)."""
    out = []
    for c in ctx.store.admin_places(admin_hash(ctx), ctx.event.backend):
        if await ctx.app.is_admin(ctx.event, c["chat_id"]):
            out.append(c)
    return out


async def session_place(ctx: Ctx) -> dict | None:
    """The place this conversation is bound to, if the person is (still) its admin."""
    pid = ctx.data.get("place")
    if not pid:
        places = await my_places(ctx)
        if len(places) != 1:
            return None
        ctx.data["place"] = places[0]["id"]
        return places[0]
    coll = ctx.store.get_collective(pid)
    if coll is None or coll["backend"] != ctx.event.backend:
        return None
    if not await ctx.app.is_admin(ctx.event, coll["chat_id"]):
        return None
    return coll


async def lost(ctx: Ctx) -> Turn:
    """No place for this step: several places and no conversation says which -> she chooses."""
    if not ctx.data.get("place") and len(await my_places(ctx)) > 1:
        return Turn([Say("campaign/which_place")], goto="campaign_place:pick")
    return refused()


async def place_name(ctx: Ctx, coll: dict) -> str | None:
    """The collective's display name: set by an admin, else the group's or room's title."""
    if coll.get("name"):
        return coll["name"]
    backend = ctx.app.backends.get(coll["backend"])
    title = None
    if backend is not None:
        try:
            title = await backend.chat_title(coll["chat_id"])
        except Exception:
            title = None
    if title:
        ctx.store.set_collective_name(coll["id"], title)
        coll["name"] = title
    return title


async def open_place(ctx: Ctx, coll: dict) -> Turn:
    """Bind the conversation to this place (she is its admin) and show its menu."""
    ctx.store.remember_admin(admin_hash(ctx), coll["id"], now=ctx.now, chat_id=ctx.event.chat_id, locale=ctx.locale)
    await place_name(ctx, coll)
    return Turn(goto="campaign:menu", data={"place": coll["id"]})


def place(ctx: Ctx) -> dict:
    """The place the state's guard checked (a step of a state guarded by :func:`admin_of_place`)."""
    coll: dict = ctx.guarded
    return coll


#: (ctx, payload) -> the collective row a button names, GONE, or None (it names none)
Namer = Callable[[Ctx, str], Any]


def admin_of_place(named: Namer | None = None, *, needs_place: bool = True) -> Guard:
    """The guard of the collective states: an admin of the place the button names, else of the
    conversation's place.  ``needs_place=False``: a button that names no place passes (its step
    decides; e.g. "keep sending")."""

    async def check(ctx: Ctx, payload: str | None) -> Turn | None:
        coll = named(ctx, payload) if named is not None and payload else None
        if coll == GONE:
            return stale()
        if coll is None and not needs_place:
            return None
        if coll is not None and coll["id"] != ctx.data.get("place"):
            if coll["backend"] != ctx.event.backend or not await ctx.app.is_admin(ctx.event, coll["chat_id"]):
                return refused()
            ctx.data["place"] = coll["id"]
        here = await session_place(ctx)
        if here is None:
            return await lost(ctx)
        ctx.guarded = here
        return None

    return Guard("admin", check)


#: every step of an admin's state: an admin of the conversation's place
ADMIN = admin_of_place()


def named_place(ctx: Ctx, payload: str) -> Any:
    """``verb.<place id>`` (the place's menu buttons)."""
    m = NAMED.fullmatch(payload)
    if not m:
        return None
    coll = ctx.store.get_collective(int(m.group(2)))
    return coll if coll is not None and coll["backend"] == ctx.event.backend else GONE


def named_campaign_place(ctx: Ctx, payload: str) -> Any:
    """``verb.<campaign id>`` (the buttons of "Mes campagnes"): that campaign's place."""
    m = NAMED.fullmatch(payload)
    c = ctx.store.get_campaign(int(m.group(2))) if m else None
    coll = ctx.store.get_collective(c["collective_id"]) if c else None
    return coll if coll is not None and coll["backend"] == ctx.event.backend else None


def named_wave_place(ctx: Ctx, payload: str) -> Any:
    """``verb.<announcement id>`` (withdraw a request, stop a sending): that announcement's place."""
    m = NAMED.fullmatch(payload)
    if not m:
        return None
    b = ctx.store.get_broadcast(int(m.group(2)))
    return ctx.store.get_collective(b["collective_id"]) if b else GONE

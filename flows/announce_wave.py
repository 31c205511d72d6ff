"""Collectives: an announcement on its way to the followers — its requester withdraws it while
it waits for a second admin, or an admin stops the sending (after a confirmation).

The buttons name their announcement (``withdraw.7``, ``stop.7``, ``stop_confirmed.7``,
``keep.7``), hence its place: the guard checks that the person administers that place.  They
come on the progress messages (bot/jobs/broadcast.py, still bound to the older name
``campaign:wave``) and under the "waiting for approval" message (the place's menu).
"""

from __future__ import annotations

import re

from bot.core.flowlib import Choice, Choices, Ctx, Flow, Say, State, Turn
from bot.jobs.broadcast import stable_hash
from flows.campaign_access import NAMED, admin_of_place, named_wave_place, place_name

#: older payloads: w7 (withdraw), x7 (stop?), X7 (stop, confirmed)
_OLD = {"w": "withdraw", "x": "stop", "X": "stop_confirmed"}
VERBS = ("withdraw", "stop", "stop_confirmed", "keep")


def renamed(payload: str) -> str:
    m = re.fullmatch(r"([wxX])([0-9]{1,18})", payload)
    return f"{_OLD[m.group(1)]}.{m.group(2)}" if m else payload


def _wave(ctx: Ctx, payload: str) -> tuple[dict, dict] | None:
    """(announcement, its place) named by the payload (None: a garbled one, stale)."""
    m = NAMED.fullmatch(payload)
    b = ctx.store.get_broadcast(int(m.group(2))) if m else None
    return None if b is None else (b, ctx.store.get_collective(b["collective_id"]))


async def withdraw(ctx: Ctx, payload: str) -> Turn | None:
    found = _wave(ctx, payload)
    if found is None:
        return None
    b, coll = found
    if b["status"] != "approval" or stable_hash(ctx.store, ctx.user_key) != b["requested_by"]:
        return Turn([Say("campaign/approval_gone")])
    ctx.store.stop_broadcast(b["id"])
    return Turn([Say("campaign/withdrawn", {"name": await place_name(ctx, coll)})])


async def stop_ask(ctx: Ctx, payload: str) -> Turn | None:
    found = _wave(ctx, payload)
    if found is None:
        return None
    b, coll = found
    if b["status"] not in ("queued", "running"):
        return Turn([Say("campaign/wave_over")])
    return Turn(
        [
            Say(
                "campaign/wave_stop_ask",
                {"name": await place_name(ctx, coll)},
                buttons=[
                    [Choice("campaign.wave_stop_yes", f"stop_confirmed.{b['id']}")],
                    [Choice("campaign.wave_stop_no", f"keep.{b['id']}")],
                ],
            )
        ]
    )


def stop_now(ctx: Ctx, payload: str) -> Turn | None:
    found = _wave(ctx, payload)
    if found is None:
        return None
    b = found[0]
    if b["status"] not in ("queued", "running"):
        return Turn([Say("campaign/wave_over")])
    br = ctx.app.services.broadcaster
    if br is not None:
        br.halt(b["id"])
    else:
        ctx.store.stop_broadcast(b["id"])
    return Turn([Say("campaign/wave_stopped")])


def keep(ctx: Ctx, payload: str) -> Turn:
    return Turn([Say("campaign/wave_kept")])


#: the wave's buttons, also understood on the place's menu (where the withdraw button is shown)
ACTIONS = {"withdraw": withdraw, "stop": stop_ask, "stop_confirmed": stop_now, "keep": keep}

FLOWS = [
    Flow(
        "announce_wave",
        {
            # a button that names no announcement ("keep" of an older release) needs no place
            "wave": State(
                guard=admin_of_place(lambda ctx, p: named_wave_place(ctx, renamed(p)), needs_place=False),
                on_choice=Choices(ACTIONS, renamed=renamed),
            ),
        },
        start="wave",
        personal=False,
    ),
]

RENAMED = {"campaign:wave": "announce_wave:wave"}

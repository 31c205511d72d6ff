"""Collectives: a second admin approves (or not) an announcement to many followers.

The requester gets a link (``v_<token>``) or the command ``/approuver <token>`` to pass on; the
second admin of the same place opens it in private, sees the announcement and answers.  The
requester cannot approve her own request and learns the answer, never who gave it.
"""

from __future__ import annotations

import contextlib

from bot.core.flowlib import END, Choice, Choices, Ctx, Flow, Say, State, Turn
from bot.jobs.broadcast import announce_say, fmt_int, stable_hash
from flows.campaign_access import ADMIN, admin_hash, place, place_name


async def start_approval(ctx: Ctx, payload: str) -> Turn:
    return await _approval(ctx, payload[2:])


async def cmd_approve(ctx: Ctx, arg: str) -> Turn:
    return await _approval(ctx, (arg or "").strip())


async def _approval(ctx: Ctx, token: str) -> Turn:
    b = ctx.store.broadcast_by_token(token) if token else None
    if b is None or b["status"] != "approval":
        return Turn([Say("campaign/approval_gone")], goto=END)
    coll = ctx.store.get_collective(b["collective_id"])
    if coll["backend"] != ctx.event.backend or not await ctx.app.is_admin(ctx.event, coll["chat_id"]):
        return Turn([Say("campaign/refused")], goto=END, clear=True)
    if stable_hash(ctx.store, ctx.user_key) == b["requested_by"]:
        return Turn([Say("campaign/approve_self")], goto=END)
    ctx.store.remember_admin(admin_hash(ctx), coll["id"], now=ctx.now, chat_id=ctx.event.chat_id, locale=ctx.locale)
    return Turn(goto="announce_approval:approve", data={"place": coll["id"], "a_bid": b["id"]})


async def approve_prompt(ctx: Ctx) -> Turn | list[Say]:
    coll = place(ctx)
    b = ctx.store.get_broadcast(ctx.data.get("a_bid") or 0)
    if b is None or b["status"] != "approval" or b["collective_id"] != coll["id"]:
        return Turn([Say("campaign/approval_gone")], goto=END)
    n = ctx.store.follower_count(coll["id"])
    return [
        announce_say(b, coll, payload=None),
        Say(
            "campaign/approve_ask",
            {"followers": fmt_int(n, ctx.locale), "name": await place_name(ctx, coll)},
            buttons=[[Choice("campaign.approve", "yes")], [Choice("campaign.reject", "no")]],
        ),
    ]


async def decide(ctx: Ctx, payload: str) -> Turn:
    coll = place(ctx)
    bid = ctx.data.get("a_bid")
    b = ctx.store.get_broadcast(bid or 0)
    if b is None or b["collective_id"] != coll["id"]:
        return Turn([Say("campaign/approval_gone")], goto=END)
    by = stable_hash(ctx.store, ctx.user_key)
    if by == b["requested_by"]:
        return Turn([Say("campaign/approve_self")], goto=END)
    if not ctx.store.decide_broadcast(bid, payload == "yes", by):
        return Turn([Say("campaign/approval_gone")], goto=END)
    ctx.data.pop("a_bid", None)
    await _tell_requester(ctx, b, coll, payload == "yes")
    return Turn([Say("campaign/approved" if payload == "yes" else "campaign/rejected")], goto="campaign:menu")


async def _tell_requester(ctx: Ctx, b: dict, coll: dict, approved: bool) -> None:
    """The admin who asked learns the answer, in her private chat (never who answered)."""
    if not b.get("report_chat") or b.get("report_backend") not in ctx.app.backends:
        return
    say = Say("campaign/decided", {"approved": approved, "name": await place_name(ctx, coll)})
    with contextlib.suppress(Exception):  # the decision stands; she sees it in the progress or in the menu
        await ctx.app.send(
            b["report_backend"], b["report_chat"], ctx.app.render_reply(say, b.get("report_locale") or coll["locale"])
        )


FLOWS = [
    Flow(
        "announce_approval",
        {
            "approve": State(prompt=approve_prompt, guard=ADMIN, on_choice=Choices({"yes": decide, "no": decide})),
        },
        start="approve",
        personal=False,
    ),
]

COMMANDS = {"approuver": cmd_approve}
START = {"v_": start_approval}
RENAMED = {"campaign:approve": "announce_approval:approve"}

"""Follow a collective: opt in (in private) to its announcements; unsubscribe from any of them.

Deep link ``f_<collective code>`` (posted by an admin with "Inviter à suivre"); ``/suivis``
lists what the person follows.  Only the private chat address and the language are kept.
"""

from __future__ import annotations

import re

from bot.core.flowlib import END, Choice, Ctx, Flow, Say, State, Turn


async def start_follow(ctx: Ctx, payload: str) -> Turn | None:
    coll = ctx.store.collective_by_code(payload[2:])
    if coll is None or coll["backend"] != ctx.event.backend:
        return Turn([Say("core/bad_link")], goto=END)
    return Turn(goto="follow:ask", data={"f_coll": coll["id"]})


def ask_prompt(ctx: Ctx):
    cid = ctx.data.get("f_coll")
    if not cid or ctx.store.get_collective(cid) is None:
        return Turn([Say("core/bad_link")], goto=END)
    if ctx.store.is_following(cid, ctx.user_key):
        return Say(
            "follow/already",
            buttons=[[Choice("follow.unsubscribe", f"u{cid}")], [Choice("follow.keep", goto="menu:main")]],
        )
    return Say(
        "follow/ask",
        buttons=[[Choice("follow.yes", "yes", words=("__yes__",))], [Choice("follow.no", "no", words=("__no__",))]],
    )


def ask_choice(ctx: Ctx, payload: str):
    cid = ctx.data.get("f_coll")
    if payload == "no":
        return Turn([Say("follow/declined")], goto=END)
    if payload == "yes" and cid:
        if ctx.store.get_collective(cid) is None:
            return Turn([Say("core/bad_link")], goto=END)
        new = ctx.store.follow(cid, ctx.user_key, ctx.event.backend, ctx.event.chat_id, ctx.locale, now=ctx.now)
        camp = ctx.store.campaign_by_code(ctx.data.get("campaign") or "")
        if new and camp is not None and camp["collective_id"] == cid:
            ctx.store.campaign_followed(camp["id"])  # came through this campaign's link: a count only
        return Turn([Say("follow/done")], goto=END)
    return _unsubscribe(ctx, payload)


def _unsubscribe(ctx: Ctx, payload: str):
    m = re.fullmatch(r"u([0-9]{1,18})", payload or "")
    if not m:
        return None
    cid = int(m.group(1))
    ctx.store.unfollow(cid, ctx.user_key)  # idempotent: pressing twice says the same
    return Turn([Say("follow/stopped")], goto=END)


def list_prompt(ctx: Ctx):
    rows = ctx.store.follows_of(ctx.user_key)
    if not rows:
        return Turn([Say("follow/none")], goto=END)
    return Say(
        "follow/list",
        {"count": len(rows)},
        buttons=[[Choice("follow.unsubscribe_n", f"u{r['id']}", vars={"n": i})] for i, r in enumerate(rows, 1)]
        + [[Choice("follow.keep", goto="menu:main")]],
    )


FLOWS = [
    Flow(
        "follow",
        {
            "ask": State(prompt=ask_prompt, on_choice=ask_choice),
            "announce": State(on_choice=_unsubscribe),
            "list": State(prompt=list_prompt, on_choice=_unsubscribe),
        },
        start="list",
        personal=True,
    ),
]

COMMANDS = {"suivis": "follow:list"}
START = {"f_": start_follow}

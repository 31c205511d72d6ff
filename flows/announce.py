"""Collectives: an announcement to the place's followers — which text, a preview, her yes.

    template -> (custom: text) -> preview -> queued, or waiting for a second admin
                                              (announce_approval) above the approval threshold

Every state is guarded: only an admin of the conversation's place gets any step.  Her own
words are kept in a draft row (``b_draft``) until she says yes.
"""

from __future__ import annotations

from bot.core.flowlib import Choice, Choices, Ctx, Flow, Go, Say, State, Turn
from bot.jobs.broadcast import announce_say, fmt_int, stable_hash
from bot.store.campaigns import new_token
from flows.campaign_access import ADMIN, place, place_name
from flows.campaign_new import start_draft
from flows.campaign_post import (
    READY,
    confirm_buttons,
    deep_link,
    drop_drafts,
    personal_kinds,
    read_words,
    template_rows,
)


async def template_prompt(ctx: Ctx) -> Turn | Say:
    coll = place(ctx)
    n = ctx.store.follower_count(coll["id"])
    if n == 0:
        return Turn([Say("campaign/no_followers")], goto="campaign:menu")
    ctx.data.pop("c_mode", None)
    return Say(
        "campaign/bcast_pick",
        {"followers": fmt_int(n, ctx.locale), "name": await place_name(ctx, coll)},
        buttons=template_rows(),
    )


def text_prompt(ctx: Ctx) -> Say:
    return Say(
        "campaign/ask_text",
        {"limit": ctx.settings.campaign_text_max},
        buttons=[[Choice("campaign.cancel", goto="campaign:menu")]],
    )


async def got_text(ctx: Ctx, text: str) -> Turn:
    words = read_words(ctx, text)
    if isinstance(words, Turn):
        return words
    plain, html = words
    drop_drafts(ctx)
    ctx.data.pop("c_mode", None)
    b = ctx.store.create_broadcast(
        place(ctx)["id"],
        "custom",
        custom_text=plain,
        needs_approval=False,
        requested_by=stable_hash(ctx.store, ctx.user_key),
        now=ctx.now,
    )
    ctx.store.broadcast_to_draft(b["id"], html)
    return Turn.to("announce:preview", b_draft=b["id"])


def draft(ctx: Ctx) -> dict:
    b = None
    if ctx.data.get("c_tpl") == "custom" and ctx.data.get("b_draft"):
        b = ctx.store.get_broadcast(ctx.data["b_draft"])
    return {
        "template": ctx.data.get("c_tpl", "basics"),
        "custom_text": (b or {}).get("custom_text"),
        "custom_html": (b or {}).get("custom_html"),
    }


async def preview_prompt(ctx: Ctx) -> list[Say]:
    coll = place(ctx)
    n = ctx.store.follower_count(coll["id"])
    need = n > ctx.settings.broadcast_approval_threshold
    b = draft(ctx)
    warn = personal_kinds(b["custom_text"])
    return [
        Say("campaign/preview_intro", {"name": await place_name(ctx, coll)}),
        announce_say(b, coll, payload="none"),  # its "unsubscribe" button does nothing here
        Say(
            "campaign/bcast_confirm",
            {
                "followers": fmt_int(n, ctx.locale),
                "count": n,
                "approval": need,
                "spread": ctx.settings.broadcast_spread_minutes,
                "warn": warn,
            },
            buttons=confirm_buttons("campaign.send_as_is" if warn else "campaign.send", warn, "announce:text"),
        ),
    ]


def cancel(ctx: Ctx, payload: str) -> list[Say]:
    drop_drafts(ctx)
    ctx.data.pop("c_mode", None)
    return [Say("campaign/cancelled")]


def send(ctx: Ctx, payload: str) -> Turn:
    """Her yes: queued for the followers, or first to a second admin above the threshold."""
    coll = place(ctx)
    n = ctx.store.follower_count(coll["id"])
    need = n > ctx.settings.broadcast_approval_threshold
    report = (ctx.event.backend, ctx.event.chat_id, ctx.locale, ctx.tz)
    if ctx.data.get("b_draft"):
        bid = ctx.data["b_draft"]
        ctx.store.queue_draft_broadcast(
            bid,
            "approval" if need else "queued",
            new_token() if need else None,
            report,
            ctx.settings.broadcast_spread_minutes,
        )
        b = ctx.store.get_broadcast(bid)
    else:
        b = ctx.store.create_broadcast(
            coll["id"],
            ctx.data.get("c_tpl", "basics"),
            custom_text=None,
            requested_by=stable_hash(ctx.store, ctx.user_key),
            needs_approval=need,
            report=report,
            spread_minutes=ctx.settings.broadcast_spread_minutes,
            now=ctx.now,
        )
    ctx.store.set_broadcast_report_user(b["id"], ctx.user_key)
    for k in ("c_tpl", "b_draft", "c_mode"):
        ctx.data.pop(k, None)
    if not need:
        return Turn(
            [Say("campaign/bcast_queued", {"followers": fmt_int(n, ctx.locale), "count": n})], goto="campaign:menu"
        )
    token = b["approval_token"]
    # a link button that survives forwarding (a private chat shows no private_start button);
    # only where the link carries the token (Telegram), else the command in the text does
    url = deep_link(ctx, f"v_{token}")
    buttons = [[Choice("campaign.approve_link", url=url)]] if url and f"v_{token}" in url else []
    approval = Say(
        "campaign/approval_needed",
        {
            "followers": fmt_int(n, ctx.locale),
            "threshold": ctx.settings.broadcast_approval_threshold,
            "token": token,
            "button": bool(buttons),
        },
        buttons=buttons,
        private_start=f"v_{token}",
    )
    withdraw = Say("campaign/approval_withdraw", buttons=[[Choice("campaign.withdraw", f"withdraw.{b['id']}")]])
    return Turn([approval, withdraw], goto="campaign:menu")


FLOWS = [
    Flow(
        "announce",
        {
            "template": State(
                prompt=template_prompt,
                guard=ADMIN,
                on_choice=Choices(
                    {
                        "custom": Go("announce:text", start_draft),
                        **{t: Go("announce:preview", start_draft) for t in READY},
                    }
                ),
            ),
            "text": State(prompt=text_prompt, on_text=got_text, free_text=True, verbatim=True, guard=ADMIN),
            "preview": State(
                prompt=preview_prompt,
                guard=ADMIN,
                on_choice=Choices(
                    {"ok": send, "no": Go("campaign:menu", cancel), "none": lambda ctx, p: Turn(reprompt=True)}
                ),
            ),
        },
        start="template",
        personal=False,
    ),
]

#: called "bnew" and "bpreview" in the flow "campaign" until this release
RENAMED = {"campaign:bnew": "announce:template", "campaign:bpreview": "announce:preview"}

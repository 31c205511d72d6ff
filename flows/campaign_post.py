"""Collectives: what an organiser writes and what is posted (shared by the campaign wizard, the
editor and the announcements): her words read with their formatting, the post with its real
link, the preview's question."""

from __future__ import annotations

from datetime import datetime

from bot.core.flowlib import Choice, Ctx, Say, Turn
from bot.jobs.broadcast import post_say
from bot.lang import privacy, richtext


#: a post's only button is a link; its reply is bound where the ticker binds the posts it makes
POST_BIND = "campaign:menu"
#: the invitation posted into the place: its buttons answer the follow flow
INVITE_BIND = "follow:ask"


def deep_link(ctx: Ctx, payload: str) -> str | None:
    from bot.domain.flyer import deep_link as link

    return link(ctx.app, ctx.event.backend, payload)


def post_of(ctx: Ctx, c: dict, when: datetime | None, name: str | None) -> Say:
    """The post as it goes into the place: her words, the collective's name, a real link."""
    payload = f"c_{c['code']}"
    link = deep_link(ctx, payload)
    return post_say(c, when, name=name, link=link, start_cmd=None if link and payload in link else f"/start {payload}")


def personal_kinds(text: str | None) -> list[str]:
    """What in her text looks like personal data (kinds only), for the preview's question."""
    return privacy.screen(text or "").findings


def read_words(ctx: Ctx, text: str) -> tuple[str, str | None] | Turn:
    """(her words as plain text, their formatting as safe HTML or None), or what to answer.

    Her words as written: the formatting she used (Telegram entities, Matrix HTML) is kept,
    nothing is cut; the preview says if something looks personal and lets her choose."""
    html = richtext.clean(ctx.event.html) if ctx.event.html else richtext.from_plain(text.strip())
    plain = richtext.to_plain(html).strip() if richtext.has_markup(html) else text.strip()
    limit = ctx.settings.campaign_text_max
    if not plain:
        return Turn([Say("campaign/text_empty")])
    if len(plain) > limit:
        return Turn([Say("campaign/text_too_long", {"limit": limit, "length": len(plain)})])
    return plain, html if richtext.has_markup(html) else None


def confirm_buttons(yes_label: str, warn: list, edit_text: str) -> list[list[Choice]]:
    """The preview's question: yes ("ok"), change the words (when something looks personal), no ("no")."""
    rows = [[Choice(yes_label, "ok", words=("__yes__",))]]
    if warn:
        rows.append([Choice("campaign.edit_text", goto=edit_text)])
    return rows + [[Choice("campaign.cancel", "no", words=("__no__",))]]


def schedule_vars(c: dict) -> dict:
    return {
        "kind": c["kind"],
        "date": c.get("at_date"),
        "weekday": c.get("weekday"),
        "time": c.get("at_time") or "10:00",
        "offsets": [int(o) for o in (c.get("offsets") or "").split(",") if o],
    }


READY = ("basics", "parents", "adults18", "close")  # the ready-made texts; "custom": her own words


def template_rows() -> list[list[Choice]]:
    return [[Choice(f"campaign.tpl_{t}", t)] for t in READY + ("custom",)] + [
        [Choice("campaign.back", goto="campaign:menu")]
    ]


def drop_drafts(ctx: Ctx) -> None:
    """Forget the campaign or announcement being prepared (its draft row too)."""
    if ctx.data.get("c_draft"):
        ctx.store.delete_draft_campaign(ctx.data["c_draft"])
    if ctx.data.get("b_draft"):
        ctx.store.delete_draft_broadcast(ctx.data["b_draft"])
    for k in ("c_draft", "b_draft"):
        ctx.data.pop(k, None)

"""Collectives: a new campaign, step by step — which text, how often, which day and time, then
the preview of the post as it will appear, and her yes.

    template -> (custom: text) -> kind -> weekly: weekday -> time -> preview
                                       -> once: date -> time -> preview
                                       -> countdown: date -> countdown_days -> time -> preview
                                       -> now: preview (posted at once on her yes)

Every state is guarded: only an admin of the conversation's place gets any step.  What is
being prepared lives in the session data (``c_tpl``, ``c_kind``, ``c_date``, ``c_weekday``,
``c_time``, ``c_offsets``, ``c_code``; her own words in a draft row ``c_draft``).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.flowlib import Choice, Choices, Ctx, Flow, Go, Say, State, Turn
from bot.jobs.broadcast import next_post_of
from bot.store.campaigns import new_code
from flows import campaign_when as when
from flows.campaign_access import ADMIN, place, place_name, stale
from flows.campaign_post import (
    READY,
    confirm_buttons,
    drop_drafts,
    personal_kinds,
    post_of,
    read_words,
    schedule_vars,
    template_rows,
)

CANCEL = [Choice("campaign.cancel", goto="campaign:menu")]
DRAFT_KEYS = ("c_tpl", "c_draft", "c_kind", "c_date", "c_weekday", "c_time", "c_offsets", "c_code", "c_time_hint")


def draft(ctx: Ctx) -> dict:
    """The campaign being prepared, as a dict shaped like a campaigns row."""
    d = ctx.data
    text = html = None
    if d.get("c_tpl") == "custom" and d.get("c_draft"):
        row = ctx.store.get_campaign(d["c_draft"])
        text, html = (row["custom_text"], row["custom_html"]) if row else ("", None)
    return {
        "code": "preview",
        "template": d.get("c_tpl", "basics"),
        "custom_text": text,
        "custom_html": html,
        "kind": d.get("c_kind", "once"),
        "at_date": d.get("c_date"),
        "weekday": d.get("c_weekday"),
        "at_time": d.get("c_time", "10:00"),
        "offsets": d.get("c_offsets"),
        "tz": ctx.tz,
    }


# -- which text ----------------------------------------------------------------------------------
async def template_prompt(ctx: Ctx) -> Say:
    ctx.data.pop("c_mode", None)
    return Say("campaign/pick", {"name": await place_name(ctx, place(ctx))}, buttons=template_rows())


def start_draft(ctx: Ctx, payload: str) -> dict:
    """A template chosen: a new campaign starts from a clean schedule."""
    for k in DRAFT_KEYS:
        ctx.data.pop(k, None)
    return {"c_tpl": payload, "c_draft": None}


def text_prompt(ctx: Ctx) -> Say:
    return Say("campaign/ask_text", {"limit": ctx.settings.campaign_text_max}, buttons=[CANCEL])


async def got_text(ctx: Ctx, text: str) -> Turn:
    if ctx.data.get("c_mode") == "broadcast":  # a conversation left here by an older release
        from flows.announce import got_text as announce_text

        return await announce_text(ctx, text)
    words = read_words(ctx, text)
    if isinstance(words, Turn):
        return words
    plain, html = words
    old = ctx.data.get("c_draft")
    if old:
        ctx.store.delete_draft_campaign(old)
    c = ctx.store.create_campaign(place(ctx)["id"], "custom", "once", None, custom_text=plain, now=ctx.now)
    ctx.store.campaign_to_draft(c["id"], html)
    if ctx.data.get("c_time"):  # she came back from the preview to change the words: keep the schedule
        return Turn.to("campaign_new:preview", c_draft=c["id"])
    return Turn.to("campaign_new:kind", c_draft=c["id"])


# -- how often -----------------------------------------------------------------------------------
ASK_KIND = Say(
    "campaign/ask_kind",
    buttons=[
        [Choice("campaign.kind_now", "now")],
        [Choice("campaign.kind_once", "once")],
        [Choice("campaign.kind_weekly", "weekly")],
        [Choice("campaign.kind_countdown", "countdown")],
        CANCEL,
    ],
)


def now_fields(ctx: Ctx, payload: str) -> dict:
    return {"c_kind": "now", "c_time": ctx.local_now.strftime("%H:%M"), "c_date": ctx.today.isoformat()}


# -- which day -----------------------------------------------------------------------------------
def date_prompt(ctx: Ctx) -> Say:
    return Say(
        "campaign/ask_date",
        {"kind": ctx.data.get("c_kind", "once"), "example": when.example_day(ctx)},
        buttons=[CANCEL],
    )


def got_date(ctx: Ctx, text: str) -> Turn:
    read = when.read_day(ctx, text, ctx.data.get("c_kind"))
    if isinstance(read, Turn):
        return read
    day, hhmm = read
    ctx.data["c_date"] = day.isoformat()
    ctx.data["c_time_hint"] = hhmm
    if ctx.data.get("c_kind") == "countdown":
        return Turn.to("campaign_new:countdown_days")
    return after_time(ctx, hhmm) if hhmm else Turn.to("campaign_new:time")


ASK_WEEKDAY = Say("campaign/ask_weekday", buttons=[*when.weekday_rows(), CANCEL])


def got_weekday(ctx: Ctx, text: str) -> Turn:
    """ "jeudi 18h" typed at the weekday step: the day, and the time if given."""
    read = when.read_weekday(text)
    if isinstance(read, Turn):
        return read
    ctx.data["c_weekday"], hhmm = read
    return after_time(ctx, hhmm) if hhmm else Turn.to("campaign_new:time")


def pick_weekday(ctx: Ctx, payload: str) -> dict | Turn:
    wd = when.weekday_of(payload)
    return stale() if wd is None else {"c_weekday": wd}


ASK_COUNTDOWN = Say(
    "campaign/ask_offsets", buttons=[[Choice(when.COUNTDOWN_LABELS[k], k)] for k in when.COUNTDOWNS] + [CANCEL]
)


def pick_countdown(ctx: Ctx, payload: str) -> Turn:
    ctx.data["c_offsets"] = when.COUNTDOWNS[payload]
    hint = ctx.data.get("c_time_hint")
    return after_time(ctx, hint) if hint else Turn.to("campaign_new:time")


# -- which time ----------------------------------------------------------------------------------
def time_prompt(ctx: Ctx) -> Say:
    other_day = [[Choice("campaign.other_day", goto="campaign_new:date")]] if ctx.data.get("c_kind") == "once" else []
    return Say("campaign/ask_time", buttons=[when.time_buttons(), *other_day, CANCEL])


def after_time(ctx: Ctx, hhmm: str) -> Turn:
    c = dict(draft(ctx), at_time=hhmm)
    nxt = next_post_of(c, ctx.tz, ctx.now)
    if nxt is None:
        # already past (10:00 chosen at 10:00): say so kindly, and stay on the time step
        return Turn(
            [when.time_past(c, ctx.local_now)],
            goto="campaign_new:time",
        )
    ctx.data.pop("c_time_hint", None)
    return Turn.to("campaign_new:preview", c_time=hhmm)


def pick_time(ctx: Ctx, payload: str) -> Turn | None:
    t = when.time_of(payload)
    return after_time(ctx, t) if t else None


def got_time(ctx: Ctx, text: str) -> Turn:
    t = when.parse_time(text)
    return after_time(ctx, t) if t else Turn([Say("campaign/bad_time")])


# -- the preview, and her yes --------------------------------------------------------------------
async def preview_prompt(ctx: Ctx) -> list[Say]:
    c = draft(ctx)
    if not ctx.data.get("c_code"):
        ctx.data["c_code"] = new_code()  # the post's link is the real one from the preview on
    c["code"] = ctx.data["c_code"]
    nxt = ctx.now if c["kind"] == "now" else next_post_of(c, ctx.tz, ctx.now)
    name = await place_name(ctx, place(ctx))
    first = nxt.astimezone(ZoneInfo(ctx.tz)) if nxt else None
    warn = personal_kinds(c["custom_text"])
    if c["kind"] == "now":
        yes = "campaign.publish_as_is" if warn else "campaign.publish"
    else:
        yes = "campaign.confirm_as_is" if warn else "campaign.confirm"
    return [
        Say("campaign/preview_intro", {"name": name}),
        post_of(ctx, c, nxt, name),
        Say(
            "campaign/preview_schedule",
            dict(
                schedule_vars(c),
                first=first.date().isoformat() if first else None,
                first_time=first.strftime("%H:%M") if first else None,
                warn=warn,
            ),
            buttons=confirm_buttons(yes, warn, "campaign_new:text"),
        ),
    ]


def cancel(ctx: Ctx, payload: str) -> list[Say]:
    drop_drafts(ctx)
    return [Say("campaign/cancelled")]


async def confirm(ctx: Ctx, payload: str) -> Turn:
    coll, c = place(ctx), draft(ctx)
    if c["kind"] == "now":
        return await publish_now(ctx, coll, c)
    nxt = next_post_of(c, coll["tz"], ctx.now)
    if nxt is None:
        return Turn(
            [when.time_past(c, ctx.local_now)],
            goto="campaign_new:time",
        )
    nxt_iso = nxt.isoformat(timespec="seconds")
    code = ctx.data.get("c_code") or new_code()
    if c["template"] == "custom" and ctx.data.get("c_draft"):
        cid = ctx.data["c_draft"]
        ctx.store.activate_draft_campaign(
            cid,
            coll["id"],
            kind=c["kind"],
            at_date=c["at_date"],
            weekday=c["weekday"],
            at_time=c["at_time"],
            offsets=c["offsets"],
            next_at=nxt_iso,
            code=code,
        )
        row = ctx.store.get_campaign(cid)
    else:
        row = ctx.store.create_campaign(
            coll["id"],
            c["template"],
            c["kind"],
            nxt_iso,
            at_date=c["at_date"],
            weekday=c["weekday"],
            at_time=c["at_time"],
            offsets=c["offsets"],
            now=ctx.now,
            code=code,
        )
    for k in DRAFT_KEYS:
        ctx.data.pop(k, None)
    first = datetime.fromisoformat(row["next_at"]).astimezone(ZoneInfo(coll["tz"]))
    return Turn(
        [
            Say(
                "campaign/created",
                {
                    "name": await place_name(ctx, coll),
                    "first": first.date().isoformat(),
                    "first_time": first.strftime("%H:%M"),
                },
            )
        ],
        goto="campaign:menu",
    )


async def publish_now(ctx: Ctx, coll: dict, c: dict) -> Turn:
    """ "Maintenant": a one-off campaign due now, posted at once by the same code as the ticker."""
    code = ctx.data.get("c_code") or new_code()
    now_iso = ctx.now.isoformat(timespec="seconds")
    local = ctx.now.astimezone(ZoneInfo(coll["tz"]))
    fields = dict(at_date=local.date().isoformat(), at_time=local.strftime("%H:%M"))
    if c["template"] == "custom" and ctx.data.get("c_draft"):
        cid = ctx.data["c_draft"]
        ctx.store.publish_draft_campaign_now(
            cid, coll["id"], at_date=fields["at_date"], at_time=fields["at_time"], next_at=now_iso, code=code
        )
    else:
        cid = ctx.store.create_campaign(coll["id"], c["template"], "once", now_iso, now=ctx.now, code=code, **fields)[
            "id"
        ]
    for k in DRAFT_KEYS:
        ctx.data.pop(k, None)
    br = ctx.app.services.broadcaster
    if br is not None:
        await br.post_due_campaigns(ctx.now)
    posted = (ctx.store.get_campaign(cid) or {}).get("posts", 0) > 0
    return Turn(
        [
            Say(
                "campaign/published" if posted else "campaign/post_failed",
                {"name": await place_name(ctx, coll)} if posted else {},
            )
        ],
        goto="campaign:menu",
    )


FLOWS = [
    Flow(
        "campaign_new",
        {
            "template": State(
                prompt=template_prompt,
                guard=ADMIN,
                on_choice=Choices(
                    {
                        "custom": Go("campaign_new:text", start_draft),
                        **{t: Go("campaign_new:kind", start_draft) for t in READY},
                    }
                ),
            ),
            "text": State(prompt=text_prompt, on_text=got_text, free_text=True, verbatim=True, guard=ADMIN),
            "kind": State(
                prompt=ASK_KIND,
                guard=ADMIN,
                on_choice=Choices(
                    {
                        "now": Go("campaign_new:preview", now_fields),
                        "once": Go("campaign_new:date", lambda ctx, p: {"c_kind": p}),
                        "weekly": Go("campaign_new:weekday", lambda ctx, p: {"c_kind": p}),
                        "countdown": Go("campaign_new:date", lambda ctx, p: {"c_kind": p}),
                    }
                ),
            ),
            "date": State(prompt=date_prompt, on_text=got_date, free_text=True, guard=ADMIN),
            "weekday": State(
                prompt=ASK_WEEKDAY,
                on_text=got_weekday,
                free_text=True,
                guard=ADMIN,
                on_choice=Choices({"day": Go("campaign_new:time", pick_weekday)}, renamed=when.renamed),
            ),
            "countdown_days": State(
                prompt=ASK_COUNTDOWN,
                guard=ADMIN,
                on_choice=Choices(dict.fromkeys(when.COUNTDOWNS, pick_countdown), renamed=when.renamed),
            ),
            "time": State(
                prompt=time_prompt,
                on_text=got_time,
                free_text=True,
                guard=ADMIN,
                on_choice=Choices({"at": pick_time}, renamed=when.renamed),
            ),
            "preview": State(
                prompt=preview_prompt,
                guard=ADMIN,
                on_choice=Choices({"ok": confirm, "no": Go("campaign:menu", cancel)}),
            ),
        },
        start="template",
        personal=False,
    ),
]

#: the wizard's states were in the flow "campaign" until this release (buttons already sent use them)
RENAMED = {
    "campaign:new": "campaign_new:template",
    "campaign:text": "campaign_new:text",
    "campaign:kind": "campaign_new:kind",
    "campaign:date": "campaign_new:date",
    "campaign:weekday": "campaign_new:weekday",
    "campaign:offsets": "campaign_new:countdown_days",
    "campaign:time": "campaign_new:time",
    "campaign:preview": "campaign_new:preview",
}

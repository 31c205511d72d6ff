"""Collectives: change a scheduled campaign (its words, time, day or end date), post it now,
or stop it after a confirmation.  Its code, QR and links stay the same.  Reached from the
buttons of "Mes campagnes" (flows/campaign_list.py); every state is guarded: the campaign is
still running and the person is still an admin of the campaign's own place (never the place
of another conversation)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.flowlib import Choice, Choices, Ctx, Flow, Guard, Say, State, Turn
from bot.jobs.broadcast import next_post_of
from flows import campaign_when as when
from flows.campaign_access import place_name, refused
from flows.campaign_list import LETTERS
from flows.campaign_post import POST_BIND, personal_kinds, post_of, read_words

BACK = [Choice("campaign.back", goto="campaign_list:list")]


async def _edited(ctx: Ctx, payload: str | None) -> Turn | None:
    """The guard: the campaign being changed is still running and she is still its place's admin."""
    c = ctx.store.get_campaign(ctx.data.get("c_edit") or 0)
    if c is None or c["status"] not in ("active", "paused", "held"):
        return Turn([Say("core/stale_button")], goto="campaign_list:list")
    coll = ctx.store.get_collective(c["collective_id"])
    if coll["backend"] != ctx.event.backend or not await ctx.app.is_admin(ctx.event, coll["chat_id"]):
        return refused()
    ctx.data["place"] = coll["id"]
    ctx.guarded = (coll, c)
    return None


EDITED = Guard("admin, campaign running", _edited)


def edited(ctx: Ctx) -> tuple[dict, dict]:
    """(place, campaign) the guard checked."""
    found: tuple[dict, dict] = ctx.guarded
    return found


def _letter(ctx: Ctx, coll: dict, c: dict) -> str:
    ids = [r["id"] for r in ctx.store.list_campaigns(coll["id"])]
    return LETTERS[ids.index(c["id"])] if c["id"] in ids[: len(LETTERS)] else "?"


async def _reschedule(ctx: Ctx, coll: dict, c: dict, **changes) -> Turn:
    """Apply new schedule fields; refuse kindly (and stay) when nothing would be left to post."""
    new = dict(c, **changes)
    nxt = next_post_of(new, coll["tz"], ctx.now)
    if nxt is None:
        return Turn([when.time_past(new, ctx.now.astimezone(ZoneInfo(coll["tz"])))])
    ctx.store.edit_campaign_schedule(c["id"], changes, nxt.isoformat(timespec="seconds"))
    return await _done(ctx, coll, c)


async def _done(ctx: Ctx, coll: dict, c: dict) -> Turn:
    c = ctx.store.get_campaign(c["id"])
    nxt = datetime.fromisoformat(c["next_at"]).astimezone(ZoneInfo(coll["tz"])) if c["next_at"] else None
    return Turn(
        [
            Say(
                "campaign/edited",
                {
                    "n": _letter(ctx, coll, c),
                    "name": await place_name(ctx, coll),
                    "next": nxt.date().isoformat() if nxt else None,
                    "next_time": nxt.strftime("%H:%M") if nxt else None,
                    "status": c["status"],
                },
            )
        ],
        goto="campaign_list:list",
    )


# -- what to change ----------------------------------------------------------------------------
async def menu_prompt(ctx: Ctx) -> list[Say]:
    coll, c = edited(ctx)
    rows = [[Choice("campaign.edit_time", goto="campaign_edit:time")]]
    if c["kind"] == "weekly":
        rows.insert(0, [Choice("campaign.edit_day", goto="campaign_edit:day")])
    else:
        rows.insert(0, [Choice("campaign.edit_date", goto="campaign_edit:date")])
    if c["template"] == "custom":
        rows.insert(0, [Choice("campaign.edit_words", goto="campaign_edit:text")])
    name = await place_name(ctx, coll)
    return [
        post_of(ctx, c, None, name),
        Say("campaign/edit_what", {"n": _letter(ctx, coll, c), "name": name}, buttons=rows + [BACK]),
    ]


def text_prompt(ctx: Ctx) -> Say:
    return Say("campaign/ask_text", {"limit": ctx.settings.campaign_text_max}, buttons=[BACK])


async def got_text(ctx: Ctx, text: str) -> Turn:
    coll, c = edited(ctx)
    words = read_words(ctx, text)
    if isinstance(words, Turn):
        return words
    plain, html = words
    ctx.store.set_campaign_words(c["id"], plain, html)
    c = ctx.store.get_campaign(c["id"])
    warn = personal_kinds(plain)
    name = await place_name(ctx, coll)
    turn = await _done(ctx, coll, c)
    turn.say = [Say("campaign/preview_intro", {"name": name}), post_of(ctx, c, None, name)] + turn.say
    if warn:  # kept as written; she may change the words again before the next post
        turn.say.append(
            Say(
                "campaign/personal_warning",
                {"kinds": warn},
                buttons=[
                    [Choice("campaign.keep_as_is", goto="campaign_list:list")],
                    [Choice("campaign.edit_text", goto="campaign_edit:text")],
                ],
            )
        )
        turn.goto = None
    return turn


def time_prompt(ctx: Ctx) -> Say:
    return Say("campaign/ask_time", buttons=[when.time_buttons(), BACK])


async def pick_time(ctx: Ctx, payload: str) -> Turn | None:
    coll, c = edited(ctx)
    t = when.time_of(payload)
    return await _reschedule(ctx, coll, c, at_time=t) if t else None


async def got_time(ctx: Ctx, text: str) -> Turn:
    coll, c = edited(ctx)
    t = when.parse_time(text)
    if t is None:
        return Turn([Say("campaign/bad_time")])
    return await _reschedule(ctx, coll, c, at_time=t)


def date_prompt(ctx: Ctx) -> Say:
    _coll, c = edited(ctx)
    return Say("campaign/ask_date", {"kind": c["kind"], "example": when.example_day(ctx)}, buttons=[BACK])


async def got_date(ctx: Ctx, text: str) -> Turn:
    coll, c = edited(ctx)
    read = when.read_day(ctx, text, c["kind"])
    if isinstance(read, Turn):
        return read
    day, hhmm = read
    changes = {"at_date": day.isoformat()}
    if hhmm:
        changes["at_time"] = hhmm
    return await _reschedule(ctx, coll, c, **changes)


ASK_DAY = Say("campaign/ask_weekday", buttons=[*when.weekday_rows(), BACK])


async def pick_day(ctx: Ctx, payload: str) -> Turn | None:
    coll, c = edited(ctx)
    wd = when.weekday_of(payload)
    return None if wd is None else await _reschedule(ctx, coll, c, weekday=wd)


async def got_day(ctx: Ctx, text: str) -> Turn:
    coll, c = edited(ctx)
    read = when.read_weekday(text)
    if isinstance(read, Turn):
        return read
    wd, hhmm = read
    return await _reschedule(ctx, coll, c, weekday=wd, **({"at_time": hhmm} if hhmm else {}))


# -- stop (confirmed) and post now ------------------------------------------------------------------
async def stop_prompt(ctx: Ctx) -> Say:
    coll, c = edited(ctx)
    return Say(
        "campaign/stop_ask",
        {"n": _letter(ctx, coll, c), "name": await place_name(ctx, coll)},
        buttons=[[Choice("campaign.stop_yes", "yes")], [Choice("campaign.stop_no", goto="campaign_list:list")]],
    )


def stop(ctx: Ctx, payload: str) -> Turn:
    _coll, c = edited(ctx)
    ctx.store.set_campaign_status(c["id"], "stopped")
    ctx.data.pop("c_edit", None)
    return Turn([Say("campaign/stopped")], goto="campaign_list:list")


async def now_prompt(ctx: Ctx) -> list[Say]:
    coll, c = edited(ctx)
    name = await place_name(ctx, coll)
    return [
        post_of(ctx, c, ctx.now, name),
        Say(
            "campaign/now_ask",
            {"n": _letter(ctx, coll, c), "name": name, "once": c["kind"] == "once"},
            buttons=[[Choice("campaign.publish", "yes")], [Choice("campaign.cancel", goto="campaign_list:list")]],
        ),
    ]


async def post_now(ctx: Ctx, payload: str) -> Turn:
    coll, c = edited(ctx)
    name = await place_name(ctx, coll)
    reply = ctx.app.render_reply(post_of(ctx, c, ctx.now, name), coll["locale"], bind=POST_BIND)
    try:
        await ctx.app.send(coll["backend"], coll["chat_id"], reply)
    except Exception:
        return Turn([Say("campaign/post_failed")], goto="campaign_list:list")
    # one post more; a one-off campaign posted now is over (it is not posted twice)
    ctx.store.campaign_advance(c["id"], None if c["kind"] == "once" else c["next_at"])
    ctx.data.pop("c_edit", None)
    return Turn([Say("campaign/published", {"name": name})], goto="campaign_list:list")


FLOWS = [
    Flow(
        "campaign_edit",
        {
            "menu": State(prompt=menu_prompt, guard=EDITED),
            "text": State(prompt=text_prompt, on_text=got_text, free_text=True, verbatim=True, guard=EDITED),
            "time": State(
                prompt=time_prompt,
                on_choice=Choices({"at": pick_time}, renamed=when.renamed),
                on_text=got_time,
                free_text=True,
                guard=EDITED,
            ),
            "date": State(prompt=date_prompt, on_text=got_date, free_text=True, guard=EDITED),
            "day": State(
                prompt=ASK_DAY,
                on_choice=Choices({"day": pick_day}, renamed=when.renamed),
                on_text=got_day,
                free_text=True,
                guard=EDITED,
            ),
            "stop": State(prompt=stop_prompt, on_choice=Choices({"yes": stop}), guard=EDITED),
            "now": State(prompt=now_prompt, on_choice=Choices({"yes": post_now}), guard=EDITED),
        },
        start="menu",
        personal=False,
    ),
]

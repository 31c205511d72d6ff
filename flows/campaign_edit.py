"""Collectives: change a scheduled campaign (its words, time, day or end date), post it now,
or stop it after a confirmation.  Its code, QR and links stay the same.  Reached from the
buttons of "Mes campagnes" (flows/campaign.py); every step checks that the person is still
an admin of the campaign's own place (never the place of another session)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.lang import richtext
from bot.jobs.broadcast import next_post_at
from bot.core.flowlib import Choice, Ctx, Flow, Say, State, Turn
from flows import campaign as cp

BACK = [Choice("campaign.back", goto="campaign:list")]


async def _campaign(ctx: Ctx):
    """(place, campaign) being changed, if it is still running and she is still its admin."""
    c = ctx.store.get_campaign(ctx.data.get("c_edit") or 0)
    if c is None or c["status"] not in ("active", "paused", "held"):
        return None, None
    coll = ctx.store.get_collective(c["collective_id"])
    if coll["backend"] != ctx.event.backend or not await ctx.app.is_admin(ctx.event, coll["chat_id"]):
        return coll, None
    ctx.data["place"] = coll["id"]
    return coll, c


def step(fn):
    async def run(ctx: Ctx, *args):
        coll, c = await _campaign(ctx)
        if c is None:
            return cp.refused() if coll is not None else Turn([Say("core/stale_button")], goto="campaign:list")
        return await fn(ctx, coll, c, *args)
    return run


def _letter(ctx: Ctx, coll: dict, c: dict) -> str:
    ids = [r["id"] for r in ctx.store.list_campaigns(coll["id"])]
    return cp.LETTERS[ids.index(c["id"])] if c["id"] in ids[:len(cp.LETTERS)] else "?"


async def _reschedule(ctx: Ctx, coll: dict, c: dict, **changes) -> Turn:
    """Apply new schedule fields; refuse kindly (and stay) when nothing would be left to post."""
    new = dict(c, **changes)
    nxt = next_post_at(new["kind"], tz=coll["tz"], at_time=new["at_time"], after=ctx.now, at_date=new["at_date"],
                       weekday=new["weekday"], offsets=new["offsets"])
    if nxt is None:
        return Turn([Say("campaign/time_past", {"kind": new["kind"], "date": new["at_date"], "time": new["at_time"],
                                                "now": ctx.now.astimezone(ZoneInfo(coll["tz"])).strftime("%H:%M")})])
    ctx.store.edit_campaign_schedule(c["id"], changes, nxt.isoformat(timespec="seconds"))
    return await _done(ctx, coll, c)


async def _done(ctx: Ctx, coll: dict, c: dict) -> Turn:
    c = ctx.store.get_campaign(c["id"])
    nxt = datetime.fromisoformat(c["next_at"]).astimezone(ZoneInfo(coll["tz"])) if c["next_at"] else None
    return Turn([Say("campaign/edited", {"n": _letter(ctx, coll, c), "name": await cp.place_name(ctx, coll),
                                         "next": nxt.date().isoformat() if nxt else None,
                                         "next_time": nxt.strftime("%H:%M") if nxt else None,
                                         "status": c["status"]})], goto="campaign:list")


# -- what to change ----------------------------------------------------------------------------
@step
async def menu_prompt(ctx: Ctx, coll: dict, c: dict):
    rows = [[Choice("campaign.edit_time", goto="campaign_edit:time")]]
    if c["kind"] == "weekly":
        rows.insert(0, [Choice("campaign.edit_day", goto="campaign_edit:day")])
    else:
        rows.insert(0, [Choice("campaign.edit_date", goto="campaign_edit:date")])
    if c["template"] == "custom":
        rows.insert(0, [Choice("campaign.edit_words", goto="campaign_edit:text")])
    name = await cp.place_name(ctx, coll)
    return [cp.post_of(ctx, c, None, name),
            Say("campaign/edit_what", {"n": _letter(ctx, coll, c), "name": name}, buttons=rows + [BACK])]


@step
async def text_prompt(ctx: Ctx, coll: dict, c: dict):
    return Say("campaign/ask_text", {"limit": ctx.settings.campaign_text_max}, buttons=[BACK])


@step
async def got_text(ctx: Ctx, coll: dict, c: dict, text: str):
    html = richtext.clean(ctx.event.html) if ctx.event.html else richtext.from_plain(text.strip())
    plain = richtext.to_plain(html).strip() if richtext.has_markup(html) else text.strip()
    if not plain:
        return Turn([Say("campaign/text_empty")])
    if len(plain) > ctx.settings.campaign_text_max:
        return Turn([Say("campaign/text_too_long", {"limit": ctx.settings.campaign_text_max, "length": len(plain)})])
    ctx.store.set_campaign_words(c["id"], plain, html if richtext.has_markup(html) else None)
    c = ctx.store.get_campaign(c["id"])
    warn = cp.personal_kinds(plain)
    name = await cp.place_name(ctx, coll)
    turn = await _done(ctx, coll, c)
    turn.say = [Say("campaign/preview_intro", {"name": name}), cp.post_of(ctx, c, None, name)] + turn.say
    if warn:   # kept as written; she may change the words again before the next post
        turn.say.append(Say("campaign/personal_warning", {"kinds": warn},
                            buttons=[[Choice("campaign.keep_as_is", goto="campaign:list")],
                                     [Choice("campaign.edit_text", goto="campaign_edit:text")]]))
        turn.goto = None
    return turn


@step
async def time_prompt(ctx: Ctx, coll: dict, c: dict):
    return Say("campaign/ask_time", buttons=[[Choice("campaign.time", f"t{t.replace(':', '')}", vars={"t": t})
                                              for t in cp.TIMES], BACK])


@step
async def pick_time(ctx: Ctx, coll: dict, c: dict, payload: str):
    t = cp.parse_time(payload[1:3] + ":" + payload[3:5]) if re.fullmatch(r"t\d{4}", payload) else None
    return await _reschedule(ctx, coll, c, at_time=t) if t else None


@step
async def got_time(ctx: Ctx, coll: dict, c: dict, text: str):
    t = cp.parse_time(text)
    if t is None:
        return Turn([Say("campaign/bad_time")])
    return await _reschedule(ctx, coll, c, at_time=t)


@step
async def date_prompt(ctx: Ctx, coll: dict, c: dict):
    return Say("campaign/ask_date", {"kind": c["kind"], "example": (ctx.today + timedelta(days=21)).isoformat()},
               buttons=[BACK])


@step
async def got_date(ctx: Ctx, coll: dict, c: dict, text: str):
    from bot.lang.campaign_dates import split_time

    rest, hhmm = split_time(text)
    d = cp.parse_when(rest if hhmm else text, ctx.today)
    if d is None:
        return Turn([Say("campaign/bad_date", {"example": (ctx.today + timedelta(days=21)).isoformat()})])
    if d < ctx.today or (c["kind"] == "countdown" and d <= ctx.today) or d > ctx.today + timedelta(days=400):
        return Turn([Say("campaign/date_range", {"kind": c["kind"], "today": ctx.today.isoformat()})])
    changes = {"at_date": d.isoformat()}
    if hhmm:
        changes["at_time"] = hhmm
    return await _reschedule(ctx, coll, c, **changes)


@step
async def day_prompt(ctx: Ctx, coll: dict, c: dict):
    days = [Choice(f"campaign.day{i}", f"d{i}") for i in range(7)]
    return Say("campaign/ask_weekday", buttons=[days[:4], days[4:], BACK])


@step
async def pick_day(ctx: Ctx, coll: dict, c: dict, payload: str):
    if not re.fullmatch(r"d[0-6]", payload):
        return None
    return await _reschedule(ctx, coll, c, weekday=int(payload[1]))


@step
async def got_day(ctx: Ctx, coll: dict, c: dict, text: str):
    from bot.lang.campaign_dates import split_time, weekday_in

    rest, hhmm = split_time(text)
    wd = weekday_in(rest)
    if wd is None:
        return Turn([Say("campaign/bad_weekday")])
    return await _reschedule(ctx, coll, c, weekday=wd, **({"at_time": hhmm} if hhmm else {}))


# -- stop (confirmed) and post now ------------------------------------------------------------------
@step
async def stop_prompt(ctx: Ctx, coll: dict, c: dict):
    return Say("campaign/stop_ask", {"n": _letter(ctx, coll, c), "name": await cp.place_name(ctx, coll)},
               buttons=[[Choice("campaign.stop_yes", "yes")], [Choice("campaign.stop_no", goto="campaign:list")]])


@step
async def stop_choice(ctx: Ctx, coll: dict, c: dict, payload: str):
    if payload != "yes":
        return None
    ctx.store.set_campaign_status(c["id"], "stopped")
    ctx.data.pop("c_edit", None)
    return Turn([Say("campaign/stopped")], goto="campaign:list")


@step
async def now_prompt(ctx: Ctx, coll: dict, c: dict):
    name = await cp.place_name(ctx, coll)
    return [cp.post_of(ctx, c, ctx.now, name),
            Say("campaign/now_ask", {"n": _letter(ctx, coll, c), "name": name, "once": c["kind"] == "once"},
                buttons=[[Choice("campaign.publish", "yes")], [Choice("campaign.cancel", goto="campaign:list")]])]


@step
async def now_choice(ctx: Ctx, coll: dict, c: dict, payload: str):
    if payload != "yes":
        return None
    name = await cp.place_name(ctx, coll)
    reply = ctx.app.render_reply(cp.post_of(ctx, c, ctx.now, name), coll["locale"], bind="campaign:menu")
    try:
        await ctx.app.send(coll["backend"], coll["chat_id"], reply)
    except Exception:
        return Turn([Say("campaign/post_failed")], goto="campaign:list")
    # one post more; a one-off campaign posted now is over (it is not posted twice)
    ctx.store.campaign_advance(c["id"], None if c["kind"] == "once" else c["next_at"])
    ctx.data.pop("c_edit", None)
    return Turn([Say("campaign/published", {"name": name})], goto="campaign:list")


FLOWS = [
    Flow("campaign_edit", {
        "menu": State(prompt=menu_prompt),
        "text": State(prompt=text_prompt, on_text=got_text, free_text=True, verbatim=True),
        "time": State(prompt=time_prompt, on_choice=pick_time, on_text=got_time, free_text=True),
        "date": State(prompt=date_prompt, on_text=got_date, free_text=True),
        "day": State(prompt=day_prompt, on_choice=pick_day, on_text=got_day, free_text=True),
        "stop": State(prompt=stop_prompt, on_choice=stop_choice),
        "now": State(prompt=now_prompt, on_choice=now_choice),
    }, start="menu", personal=False),
]

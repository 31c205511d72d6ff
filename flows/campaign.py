"""Collectives: campaigns posted into a group, channel or room, and broadcasts to followers.

``/campagne`` in a group or room (admins only) hands the admin a private link bound to that
place; ``/campagne @channel`` in a private chat does the same for a Telegram channel where
the bot is admin.  Everything else happens in private, and every step checks again that the
person is still an admin of the place.  ``/stats`` gives counts only.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.jobs.broadcast import fmt_int, next_post_at, post_say, stable_hash
from bot.store.campaigns import new_token
from bot.core.flowlib import END, Choice, Ctx, Flow, Say, State, Turn

READY = ("basics", "parents", "adults18", "close")
OFFSETS = {"o71": "7,1", "o1471": "14,7,1", "o31": "3,1"}
TIMES = ("10:00", "12:00", "18:00")
PLACE_RE = re.compile(r"^(@[A-Za-z0-9_]{4,64}|-?\d{1,20}|![A-Za-z0-9._~-]+:[A-Za-z0-9.:-]+)$")


# -- helpers ---------------------------------------------------------------------------------
async def _place(ctx: Ctx):
    """The collective this admin session is bound to, if the person is (still) its admin."""
    pid = ctx.data.get("place")
    if not pid:
        return None
    coll = ctx.store.get_collective(pid)
    if coll is None or coll["backend"] != ctx.event.backend:
        return None
    if not await ctx.app.is_admin(ctx.event, coll["chat_id"]):
        return None
    return coll


def refused() -> Turn:
    return Turn([Say("campaign/refused")], goto=END, clear=True)


def admin_step(fn):
    """Wrap a step: refuse politely (and change nothing) unless the person is an admin."""
    async def step(ctx: Ctx, *args):
        coll = await _place(ctx)
        if coll is None:
            return refused()
        return await fn(ctx, coll, *args)
    return step


def guarded(fn):
    """Same check for steps that do not need the place (prompts of the wizard)."""
    async def step(ctx: Ctx, *args):
        if await _place(ctx) is None:
            return refused()
        result = fn(ctx, *args)
        return await result if hasattr(result, "__await__") else result
    return step


def parse_day(text: str, today: date) -> date | None:
    t = text.strip().lower()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", t)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = re.fullmatch(r"(\d{1,2})[/.\- ](\d{1,2})(?:[/.\- ](\d{2,4}))?", t)
        if not m:
            return None
        d, mo = int(m.group(1)), int(m.group(2))
        y = int(m.group(3)) if m.group(3) else today.year
        if y < 100:
            y += 2000
        if not m.group(3):
            try:
                if date(y, mo, d) < today:
                    y += 1
            except ValueError:
                return None
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def parse_time(text: str) -> str | None:
    m = re.fullmatch(r"\s*(\d{1,2})\s*(?:[:h]\s*(\d{2})?)?\s*", text.lower())
    if not m:
        return None
    h, mi = int(m.group(1)), int(m.group(2) or 0)
    if h > 23 or mi > 59:
        return None
    return f"{h:02d}:{mi:02d}"


def _draft(ctx: Ctx) -> dict:
    """The campaign being prepared, as a dict shaped like a campaigns row."""
    d = ctx.data
    text = None
    if d.get("c_tpl") == "custom" and d.get("c_draft"):
        row = ctx.store.get_campaign(d["c_draft"])
        text = row["custom_text"] if row else ""
    return {"code": "preview", "template": d.get("c_tpl", "basics"), "custom_text": text,
            "kind": d.get("c_kind", "once"), "at_date": d.get("c_date"), "weekday": d.get("c_weekday"),
            "at_time": d.get("c_time", "10:00"), "offsets": d.get("c_offsets"), "tz": ctx.tz}


def _schedule_vars(c: dict) -> dict:
    return {"kind": c["kind"], "date": c.get("at_date"), "weekday": c.get("weekday"),
            "time": c.get("at_time") or "10:00", "offsets": [int(o) for o in (c.get("offsets") or "").split(",") if o]}


TEMPLATE_BUTTONS = [[Choice("campaign.tpl_basics", "basics")], [Choice("campaign.tpl_parents", "parents")],
                    [Choice("campaign.tpl_adults18", "adults18")], [Choice("campaign.tpl_close", "close")],
                    [Choice("campaign.tpl_custom", "custom")], [Choice("campaign.back", goto="campaign:menu")]]


# -- entry points --------------------------------------------------------------------------------
async def cmd_campagne(ctx: Ctx, arg: str) -> Turn:
    ev = ctx.event
    if not ev.is_direct:
        target = ev.chat_id
        if not await ctx.app.is_admin(ev, target):
            return Turn([Say("campaign/refused")])
        coll = ctx.store.ensure_collective(ev.backend, target, ctx.locale, ctx.tz, now=ctx.now)
        return Turn([Say("campaign/group_admin", private_start=f"a_{coll['code']}")])
    arg = (arg or "").strip()
    if arg:
        if not PLACE_RE.match(arg):
            return Turn([Say("campaign/bad_place")], goto="campaign:start")
        if not await ctx.app.is_admin(ev, arg):
            return Turn([Say("campaign/refused")], goto=END, clear=True)
        coll = ctx.store.ensure_collective(ev.backend, arg, ctx.locale, ctx.tz, now=ctx.now)
        return Turn(goto="campaign:menu", data={"place": coll["id"]})
    if await _place(ctx):
        return Turn(goto="campaign:menu")
    return Turn(goto="campaign:start")


async def cmd_stats(ctx: Ctx, arg: str) -> Turn:
    ev = ctx.event
    if not ev.is_direct:
        if not await ctx.app.is_admin(ev, ev.chat_id):
            return Turn([Say("campaign/refused")])
        coll = ctx.store.ensure_collective(ev.backend, ev.chat_id, ctx.locale, ctx.tz, now=ctx.now)
        return Turn([_stats_say(ctx, coll)])
    coll = await _place(ctx)
    if coll is None:
        return Turn([Say("campaign/refused")], goto=END, clear=True)
    return Turn([_stats_say(ctx, coll)])


def _stats_say(ctx: Ctx, coll: dict) -> Say:
    s = ctx.store.collective_stats(coll["id"])
    return Say("campaign/stats", {k: fmt_int(v, ctx.locale) for k, v in s.items()})


async def start_admin(ctx: Ctx, payload: str) -> Turn | None:
    coll = ctx.store.collective_by_code(payload[2:])
    if coll is None or coll["backend"] != ctx.event.backend:
        return Turn([Say("core/bad_link")], goto=END)
    if not ctx.event.is_direct:
        return None
    if not await ctx.app.is_admin(ctx.event, coll["chat_id"]):
        return Turn([Say("campaign/refused")], goto=END, clear=True)
    return Turn(goto="campaign:menu", data={"place": coll["id"]})


async def start_campaign(ctx: Ctx, payload: str) -> Turn | None:
    """Deep link from a campaign post: personal reminders, in private."""
    code = payload[2:]
    if ctx.store.campaign_by_code(code) is None:
        return Turn([Say("core/bad_link")], goto=END)
    return Turn(goto="deadline:start", data={"campaign": code})


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
    return Turn(goto="campaign:approve", data={"place": coll["id"], "a_bid": b["id"]})


# -- menu -------------------------------------------------------------------------------------------
async def intro(ctx: Ctx):
    return Say("campaign/intro", {"direct": ctx.event.is_direct},
               buttons=[[Choice("campaign.home", goto="menu:main")]])


@admin_step
async def menu_prompt(ctx: Ctx, coll: dict):
    n = len(ctx.store.list_campaigns(coll["id"]))
    return Say("campaign/menu", {"campaigns": n, "followers": fmt_int(ctx.store.follower_count(coll["id"]), ctx.locale)},
               buttons=[[Choice("campaign.new", goto="campaign:new")],
                        [Choice("campaign.list", goto="campaign:list")],
                        [Choice("campaign.broadcast", goto="campaign:bnew")],
                        [Choice("campaign.invite", "invite"), Choice("campaign.stats", "stats")],
                        [Choice("campaign.home", goto="menu:main")]])


@admin_step
async def menu_choice(ctx: Ctx, coll: dict, payload: str):
    if payload == "stats":
        return Turn([_stats_say(ctx, coll)], reprompt=True)
    if payload == "invite":
        reply = ctx.app.render_reply(Say("follow/invite", private_start=f"f_{coll['code']}"), coll["locale"],
                                     bind="follow:ask")
        try:
            await ctx.app.send(coll["backend"], coll["chat_id"], reply)
        except Exception:
            return Turn([Say("campaign/post_failed")], reprompt=True)
        return Turn([Say("campaign/invite_posted")], reprompt=True)
    return None


# -- new campaign ---------------------------------------------------------------------------------------
@admin_step
async def pick_template(ctx: Ctx, coll: dict, payload: str):
    if payload not in READY + ("custom",):
        return None
    data = {"c_tpl": payload, "c_draft": None, "c_mode": ctx.data.get("c_mode", "campaign")}
    if payload == "custom":
        return Turn.to("campaign:text", **data)
    if data["c_mode"] == "broadcast":
        return Turn.to("campaign:bpreview", **data)
    return Turn.to("campaign:kind", **data)


@admin_step
async def got_text(ctx: Ctx, coll: dict, text: str):
    text = text.strip()
    limit = ctx.settings.campaign_text_max
    if not text:
        return Turn([Say("campaign/text_empty")])
    if len(text) > limit:
        return Turn([Say("campaign/text_too_long", {"limit": limit, "length": len(text)})])
    if ctx.data.get("c_mode") == "broadcast":
        b = ctx.store.create_broadcast(coll["id"], "custom", custom_text=text, needs_approval=False,
                                       requested_by=stable_hash(ctx.store, ctx.user_key), now=ctx.now)
        ctx.store.broadcast_to_draft(b["id"])
        return Turn.to("campaign:bpreview", b_draft=b["id"])
    old = ctx.data.get("c_draft")
    if old:
        ctx.store.delete_draft_campaign(old)
    c = ctx.store.create_campaign(coll["id"], "custom", "once", None, custom_text=text, now=ctx.now)
    ctx.store.set_campaign_status(c["id"], "draft")
    return Turn.to("campaign:kind", c_draft=c["id"])


def kind_prompt(ctx: Ctx):
    return Say("campaign/ask_kind", buttons=[[Choice("campaign.kind_once", "once")],
                                             [Choice("campaign.kind_weekly", "weekly")],
                                             [Choice("campaign.kind_countdown", "countdown")],
                                             [Choice("campaign.cancel", goto="campaign:menu")]])


def pick_kind(ctx: Ctx, payload: str):
    if payload == "weekly":
        return Turn.to("campaign:weekday", c_kind="weekly")
    if payload in ("once", "countdown"):
        return Turn.to("campaign:date", c_kind=payload)
    return None


def date_prompt(ctx: Ctx):
    return Say("campaign/ask_date", {"kind": ctx.data.get("c_kind", "once"), "example": ctx.today.isoformat()},
               buttons=[[Choice("campaign.cancel", goto="campaign:menu")]])


def got_date(ctx: Ctx, text: str):
    d = parse_day(text, ctx.today)
    if d is None:
        return Turn([Say("campaign/bad_date")])
    kind = ctx.data.get("c_kind")
    if d < ctx.today or (kind == "countdown" and d <= ctx.today) or d > ctx.today + timedelta(days=400):
        return Turn([Say("campaign/date_range")])
    if kind == "countdown":
        return Turn.to("campaign:offsets", c_date=d.isoformat())
    return Turn.to("campaign:time", c_date=d.isoformat())


def weekday_prompt(ctx: Ctx):
    days = [Choice(f"campaign.day{i}", f"d{i}") for i in range(7)]
    return Say("campaign/ask_weekday", buttons=[days[:4], days[4:], [Choice("campaign.cancel", goto="campaign:menu")]])


def pick_weekday(ctx: Ctx, payload: str):
    if re.fullmatch(r"d[0-6]", payload):
        return Turn.to("campaign:time", c_weekday=int(payload[1]))
    return None


def offsets_prompt(ctx: Ctx):
    return Say("campaign/ask_offsets", buttons=[[Choice(f"campaign.{k}", k)] for k in OFFSETS]
               + [[Choice("campaign.cancel", goto="campaign:menu")]])


def pick_offsets(ctx: Ctx, payload: str):
    if payload in OFFSETS:
        return Turn.to("campaign:time", c_offsets=OFFSETS[payload])
    return None


def time_prompt(ctx: Ctx):
    return Say("campaign/ask_time", buttons=[[Choice("campaign.time", f"t{t.replace(':', '')}", vars={"t": t})
                                              for t in TIMES], [Choice("campaign.cancel", goto="campaign:menu")]])


def _after_time(ctx: Ctx, hhmm: str) -> Turn:
    c = dict(_draft(ctx), at_time=hhmm)
    nxt = next_post_at(c["kind"], tz=ctx.tz, at_time=hhmm, after=ctx.now, at_date=c["at_date"],
                       weekday=c["weekday"], offsets=c["offsets"])
    if nxt is None:
        return Turn([Say("campaign/date_range")], goto="campaign:kind")
    return Turn.to("campaign:preview", c_time=hhmm)


def pick_time(ctx: Ctx, payload: str):
    t = parse_time(payload[1:3] + ":" + payload[3:5]) if re.fullmatch(r"t\d{4}", payload) else None
    return _after_time(ctx, t) if t else None


def got_time(ctx: Ctx, text: str):
    t = parse_time(text)
    if t is None:
        return Turn([Say("campaign/bad_time")])
    return _after_time(ctx, t)


async def preview_prompt(ctx: Ctx):
    c = _draft(ctx)
    nxt = next_post_at(c["kind"], tz=ctx.tz, at_time=c["at_time"], after=ctx.now, at_date=c["at_date"],
                       weekday=c["weekday"], offsets=c["offsets"])
    post = post_say(c, nxt)
    post.private_start = None
    first = nxt.astimezone(ZoneInfo(ctx.tz)) if nxt else None
    warn = [Say("campaign/preview_health")] if _names_health(c.get("custom_text")) else []
    return [Say("campaign/preview_intro"), post, *warn,
            Say("campaign/preview_schedule", dict(_schedule_vars(c), first=first.date().isoformat() if first else None,
                                                  first_time=first.strftime("%H:%M") if first else None),
                buttons=[[Choice("campaign.confirm", "ok", words=("__yes__",))],
                         [Choice("campaign.cancel", "no", words=("__no__",))]])]


@admin_step
async def confirm_campaign(ctx: Ctx, coll: dict, payload: str):
    if payload == "no":
        _drop_drafts(ctx)
        return Turn([Say("campaign/cancelled")], goto="campaign:menu")
    if payload != "ok":
        return None
    c = _draft(ctx)
    nxt = next_post_at(c["kind"], tz=coll["tz"], at_time=c["at_time"], after=ctx.now, at_date=c["at_date"],
                       weekday=c["weekday"], offsets=c["offsets"])
    if nxt is None:
        return Turn([Say("campaign/date_range")], goto="campaign:kind")
    nxt_iso = nxt.isoformat(timespec="seconds")
    if c["template"] == "custom" and ctx.data.get("c_draft"):
        cid = ctx.data["c_draft"]
        ctx.store.activate_draft_campaign(cid, coll["id"], kind=c["kind"], at_date=c["at_date"], weekday=c["weekday"],
                                          at_time=c["at_time"], offsets=c["offsets"], next_at=nxt_iso)
        row = ctx.store.get_campaign(cid)
    else:
        row = ctx.store.create_campaign(coll["id"], c["template"], c["kind"], nxt_iso, at_date=c["at_date"],
                                        weekday=c["weekday"], at_time=c["at_time"], offsets=c["offsets"], now=ctx.now)
    for k in ("c_tpl", "c_draft", "c_kind", "c_date", "c_weekday", "c_time", "c_offsets"):
        ctx.data.pop(k, None)
    return Turn([Say("campaign/created", {"code": row["code"]})], goto="campaign:menu")


def _drop_drafts(ctx: Ctx) -> None:
    if ctx.data.get("c_draft"):
        ctx.store.delete_draft_campaign(ctx.data["c_draft"])
    if ctx.data.get("b_draft"):
        ctx.store.delete_draft_broadcast(ctx.data["b_draft"])
    for k in ("c_draft", "b_draft"):
        ctx.data.pop(k, None)


# -- list, pause, resume, stop -------------------------------------------------------------------------------
@admin_step
async def list_prompt(ctx: Ctx, coll: dict):
    rows = ctx.store.list_campaigns(coll["id"])
    items = []
    buttons = []
    for i, c in enumerate(rows[:10], 1):
        nxt = datetime.fromisoformat(c["next_at"]).astimezone(ZoneInfo(coll["tz"])) \
            if c["next_at"] else None
        items.append(dict(_schedule_vars(c), n=i, template=c["template"], status=c["status"], code=c["code"],
                          next=nxt.date().isoformat() if nxt else None, next_time=nxt.strftime("%H:%M") if nxt else None,
                          posts=c["posts"]))
        if c["status"] == "active":
            buttons.append([Choice("campaign.pause_n", f"p{c['id']}", vars={"n": i}),
                            Choice("campaign.stop_n", f"s{c['id']}", vars={"n": i})])
        else:
            buttons.append([Choice("campaign.resume_n", f"r{c['id']}", vars={"n": i}),
                            Choice("campaign.stop_n", f"s{c['id']}", vars={"n": i})])
    for i, c in enumerate(rows[:10], 1):
        buttons.append([Choice("campaign.flyer_n", f"f{c['id']}", vars={"n": i})])
    buttons.append([Choice("campaign.back", goto="campaign:menu")])
    return Say("campaign/list", {"items": items}, buttons=buttons)


@admin_step
async def list_choice(ctx: Ctx, coll: dict, payload: str):
    m = re.fullmatch(r"([psrf])([0-9]{1,18})", payload)
    if not m:
        return None
    c = ctx.store.get_campaign(int(m.group(2)))
    if c is None or c["collective_id"] != coll["id"] or c["status"] in ("stopped", "done", "draft"):
        return Turn([Say("core/stale_button")], reprompt=True)
    act = m.group(1)
    if act == "p" and c["status"] == "active":
        ctx.store.set_campaign_status(c["id"], "paused")
        return Turn([Say("campaign/paused")], reprompt=True)
    if act == "r" and c["status"] == "paused":
        nxt = next_post_at(c["kind"], tz=coll["tz"], at_time=c["at_time"], after=ctx.now, at_date=c["at_date"],
                           weekday=c["weekday"], offsets=c["offsets"])
        if nxt is None:
            ctx.store.set_campaign_status(c["id"], "done")
            return Turn([Say("campaign/ended")], reprompt=True)
        ctx.store.set_campaign_status(c["id"], "active", nxt.isoformat(timespec="seconds"))
        return Turn([Say("campaign/resumed")], reprompt=True)
    if act == "s":
        ctx.store.set_campaign_status(c["id"], "stopped")
        return Turn([Say("campaign/stopped")], reprompt=True)
    if act == "f":
        from bot.domain import flyer as flyer_mod

        try:
            link = flyer_mod.flyer_link(ctx.app, ctx.event.backend, f"c_{c['code']}")
        except flyer_mod.NoPublicLink:
            return Turn([Say("campaign/flyer_no_link")], reprompt=True)
        png, a4, a5 = flyer_mod.make(link, ctx.locale, renderer=ctx.app.renderer,
                                     purge_days=ctx.settings.purge_after_days)
        return Turn([Say("campaign/flyer_qr", {"link": link}, attachment=png),
                     Say("campaign/flyer_pdf", attachment=a4), Say("campaign/flyer_pdf_a5", attachment=a5)],
                    reprompt=True)
    return Turn([Say("core/stale_button")], reprompt=True)


def _deep_link(ctx: Ctx, payload: str) -> str | None:
    from bot.domain.flyer import deep_link

    return deep_link(ctx.app, ctx.event.backend, payload)


# -- broadcast to followers ---------------------------------------------------------------------------
@admin_step
async def bnew_prompt(ctx: Ctx, coll: dict):
    n = ctx.store.follower_count(coll["id"])
    if n == 0:
        return Turn([Say("campaign/no_followers")], goto="campaign:menu")
    ctx.data["c_mode"] = "broadcast"
    return Say("campaign/bcast_pick", {"followers": fmt_int(n, ctx.locale)}, buttons=TEMPLATE_BUTTONS)


def _names_health(text: str | None) -> bool:
    """The collective's text names an illness or a treatment: sent as written, the preview says so."""
    from bot.lang import health_terms

    return bool(text) and health_terms.strip(text)[1]


def _bcast_vars(ctx: Ctx) -> dict:
    text = ""
    if ctx.data.get("c_tpl") == "custom" and ctx.data.get("b_draft"):
        b = ctx.store.get_broadcast(ctx.data["b_draft"])
        text = (b or {}).get("custom_text") or ""
    return {"template": ctx.data.get("c_tpl", "basics"), "text": text, "days_left": None, "target": None}


@admin_step
async def bpreview_prompt(ctx: Ctx, coll: dict):
    n = ctx.store.follower_count(coll["id"])
    need = n > ctx.settings.broadcast_approval_threshold
    vars = _bcast_vars(ctx)
    warn = [Say("campaign/preview_health")] if _names_health(vars["text"]) else []
    return [Say("campaign/preview_intro"),
            Say("follow/announce", vars, buttons=[[Choice("follow.unsubscribe", "none")]]), *warn,
            Say("campaign/bcast_confirm", {"followers": fmt_int(n, ctx.locale), "count": n, "approval": need,
                                           "spread": ctx.settings.broadcast_spread_minutes},
                buttons=[[Choice("campaign.send", "ok", words=("__yes__",))],
                         [Choice("campaign.cancel", "no", words=("__no__",))]])]


@admin_step
async def bpreview_choice(ctx: Ctx, coll: dict, payload: str):
    if payload == "none":
        return Turn(reprompt=True)
    if payload == "no":
        _drop_drafts(ctx)
        ctx.data.pop("c_mode", None)
        return Turn([Say("campaign/cancelled")], goto="campaign:menu")
    if payload != "ok":
        return None
    n = ctx.store.follower_count(coll["id"])
    need = n > ctx.settings.broadcast_approval_threshold
    by = stable_hash(ctx.store, ctx.user_key)
    report = (ctx.event.backend, ctx.event.chat_id, ctx.locale, ctx.tz)
    if ctx.data.get("b_draft"):
        bid = ctx.data["b_draft"]
        ctx.store.queue_draft_broadcast(bid, "approval" if need else "queued", new_token() if need else None,
                                        report, ctx.settings.broadcast_spread_minutes)
        b = ctx.store.get_broadcast(bid)
    else:
        b = ctx.store.create_broadcast(coll["id"], ctx.data.get("c_tpl", "basics"), custom_text=None,
                                       requested_by=by, needs_approval=need, report=report,
                                       spread_minutes=ctx.settings.broadcast_spread_minutes, now=ctx.now)
    for k in ("c_tpl", "b_draft", "c_mode"):
        ctx.data.pop(k, None)
    if need:
        token = b["approval_token"]
        # a link button that survives forwarding (a private chat shows no private_start button);
        # only where the link carries the token (Telegram), else the command in the text does
        url = _deep_link(ctx, f"v_{token}")
        buttons = [[Choice("campaign.approve_link", url=url)]] if url and f"v_{token}" in url else []
        return Turn([Say("campaign/approval_needed", {"followers": fmt_int(n, ctx.locale),
                                                      "threshold": ctx.settings.broadcast_approval_threshold,
                                                      "token": token, "button": bool(buttons)},
                         buttons=buttons, private_start=f"v_{token}")],
                    goto="campaign:menu")
    return Turn([Say("campaign/bcast_queued", {"followers": fmt_int(n, ctx.locale), "count": n})], goto="campaign:menu")


# -- second admin's approval ----------------------------------------------------------------------------
@admin_step
async def approve_prompt(ctx: Ctx, coll: dict):
    b = ctx.store.get_broadcast(ctx.data.get("a_bid") or 0)
    if b is None or b["status"] != "approval" or b["collective_id"] != coll["id"]:
        return Turn([Say("campaign/approval_gone")], goto=END)
    n = ctx.store.follower_count(coll["id"])
    vars = {"template": b["template"], "text": b["custom_text"] or "", "days_left": None, "target": None}
    return [Say("follow/announce", vars),
            Say("campaign/approve_ask", {"followers": fmt_int(n, ctx.locale)},
                buttons=[[Choice("campaign.approve", "yes")], [Choice("campaign.reject", "no")]])]


@admin_step
async def approve_choice(ctx: Ctx, coll: dict, payload: str):
    bid = ctx.data.get("a_bid")
    b = ctx.store.get_broadcast(bid or 0)
    if b is None or b["collective_id"] != coll["id"] or payload not in ("yes", "no"):
        return Turn([Say("campaign/approval_gone")], goto=END)
    by = stable_hash(ctx.store, ctx.user_key)
    if by == b["requested_by"]:
        return Turn([Say("campaign/approve_self")], goto=END)
    if not ctx.store.decide_broadcast(bid, payload == "yes", by):
        return Turn([Say("campaign/approval_gone")], goto=END)
    ctx.data.pop("a_bid", None)
    return Turn([Say("campaign/approved" if payload == "yes" else "campaign/rejected")], goto="campaign:menu")


FLOWS = [
    Flow("campaign", {
        "start": State(prompt=intro),
        "menu": State(prompt=menu_prompt, on_choice=menu_choice),
        "new": State(prompt=guarded(lambda ctx: Turn([Say("campaign/pick", buttons=TEMPLATE_BUTTONS)],
                                             data={"c_mode": "campaign"})),
                     on_choice=pick_template),
        "text": State(prompt=guarded(lambda ctx: Say("campaign/ask_text", {"limit": ctx.settings.campaign_text_max},
                                                     buttons=[[Choice("campaign.cancel", goto="campaign:menu")]])),
                      on_text=got_text, free_text=True, own_text=True),
        "kind": State(prompt=guarded(kind_prompt), on_choice=guarded(pick_kind)),
        "date": State(prompt=guarded(date_prompt), on_text=guarded(got_date), free_text=True),
        "weekday": State(prompt=guarded(weekday_prompt), on_choice=guarded(pick_weekday)),
        "offsets": State(prompt=guarded(offsets_prompt), on_choice=guarded(pick_offsets)),
        "time": State(prompt=guarded(time_prompt), on_choice=guarded(pick_time), on_text=guarded(got_time),
                      free_text=True),
        "preview": State(prompt=guarded(preview_prompt), on_choice=confirm_campaign),
        "list": State(prompt=list_prompt, on_choice=list_choice),
        "bnew": State(prompt=bnew_prompt, on_choice=pick_template),
        "bpreview": State(prompt=bpreview_prompt, on_choice=bpreview_choice),
        "approve": State(prompt=approve_prompt, on_choice=approve_choice),
    }, start="start", personal=False),
]

COMMANDS = {"campagne": cmd_campagne, "stats": cmd_stats, "approuver": cmd_approve}
GROUP_COMMANDS = {"campagne", "stats"}
START = {"a_": start_admin, "c_": start_campaign, "v_": start_approval}

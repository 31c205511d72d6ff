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

from bot.lang import privacy, richtext
from bot.jobs.broadcast import fmt_int, next_post_at, post_say, stable_hash
from bot.store.campaigns import new_code, new_token
from bot.core.flowlib import END, Choice, Ctx, Flow, Say, State, Turn

READY = ("basics", "parents", "adults18", "close")
OFFSETS = {"o71": "7,1", "o1471": "14,7,1", "o31": "3,1"}
TIMES = ("10:00", "12:00", "18:00")
PLACE_RE = re.compile(r"^(@[A-Za-z0-9_]{4,64}|-?\d{1,20}|![A-Za-z0-9._~-]+:[A-Za-z0-9.:-]+)$")


# -- helpers ---------------------------------------------------------------------------------
LETTERS = "ABCDEFGHIJ"   # campaigns are lettered, so they never read like the numbered choices


async def _place(ctx: Ctx):
    """The collective this admin session is bound to, if the person is (still) its admin.

    A session that ended (weeks idle) is not a lock-out: the place she opened before is found
    again (keyed hash of her id) when it is the only one she still administers."""
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


def admin_hash(ctx: Ctx) -> str:
    return stable_hash(ctx.store, ctx.user_key)


async def my_places(ctx: Ctx) -> list[dict]:
    """The places she opened before and still administers (re-checked with the platform)."""
    out = []
    for c in ctx.store.admin_places(admin_hash(ctx), ctx.event.backend):
        if await ctx.app.is_admin(ctx.event, c["chat_id"]):
            out.append(c)
    return out


async def open_place(ctx: Ctx, coll: dict) -> Turn:
    """Bind the session to this place (she is its admin) and show its menu."""
    ctx.store.remember_admin(admin_hash(ctx), coll["id"], now=ctx.now, chat_id=ctx.event.chat_id, locale=ctx.locale)
    await place_name(ctx, coll)
    return Turn(goto="campaign:menu", data={"place": coll["id"]})


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


def refused() -> Turn:
    return Turn([Say("campaign/refused")], goto=END, clear=True)


async def _lost(ctx: Ctx) -> Turn:
    """No place for this step: several places and no session says which -> she chooses."""
    if not ctx.data.get("place") and len(await my_places(ctx)) > 1:
        return Turn([Say("campaign/which_place")], goto="campaign_place:pick")
    return refused()


def admin_step(fn):
    """Wrap a step: refuse politely (and change nothing) unless the person is an admin."""
    async def step(ctx: Ctx, *args):
        coll = await _place(ctx)
        if coll is None:
            return await _lost(ctx)
        return await fn(ctx, coll, *args)
    return step


def guarded(fn):
    """Same check for steps that do not need the place (prompts of the wizard)."""
    async def step(ctx: Ctx, *args):
        if await _place(ctx) is None:
            return await _lost(ctx)
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


def parse_when(text: str, today: date) -> date | None:
    """Digits as before, else words through the bot's date understanding ("le 15 décembre")."""
    from bot.lang.campaign_dates import parse_day as in_words

    return parse_day(text, today) or in_words(text, today)


def parse_time(text: str) -> str | None:
    from bot.lang.campaign_dates import split_time

    rest, hhmm = split_time(text)
    if hhmm and not rest.strip(" .,"):
        return hhmm
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
    text = html = None
    if d.get("c_tpl") == "custom" and d.get("c_draft"):
        row = ctx.store.get_campaign(d["c_draft"])
        text, html = (row["custom_text"], row["custom_html"]) if row else ("", None)
    return {"code": "preview", "template": d.get("c_tpl", "basics"), "custom_text": text, "custom_html": html,
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
        return await open_place(ctx, coll)
    places = await my_places(ctx)
    if len(places) == 1:
        return await open_place(ctx, places[0])
    if places:
        return Turn(goto="campaign_place:pick")   # two groups: she says which, every time
    return Turn(goto="campaign:start")   # the intro: how to start from a group


async def cmd_stats(ctx: Ctx, arg: str) -> Turn:
    ev = ctx.event
    if not ev.is_direct:
        # never in the group (figures are for admins, a refusal is nobody's business): in private
        coll = ctx.store.collective_by_chat(ev.backend, ev.chat_id)
        if coll is None and await ctx.app.is_admin(ev, ev.chat_id):
            coll = ctx.store.ensure_collective(ev.backend, ev.chat_id, ctx.locale, ctx.tz, now=ctx.now)
        return Turn([Say("campaign/stats_private", private_start=f"s_{coll['code']}" if coll else "stats")])
    coll = await _place(ctx)
    if coll is None:
        return Turn([Say("campaign/refused")], goto=END, clear=True)
    return Turn([_stats_say(ctx, coll)])


def _stats_say(ctx: Ctx, coll: dict) -> Say:
    s = ctx.store.collective_stats(coll["id"])
    return Say("campaign/stats", {k: fmt_int(v, ctx.locale) for k, v in s.items()})


async def _admin_link(ctx: Ctx, payload: str) -> tuple[dict | None, Turn | None]:
    """The place of an admin's private link (``a_``/``s_`` + its code): (place, None) when the person
    is its admin in a private chat, else (None, what to answer; None in a group)."""
    coll = ctx.store.collective_by_code(payload[2:])
    if coll is None or coll["backend"] != ctx.event.backend:
        return None, Turn([Say("core/bad_link")], goto=END)
    if not ctx.event.is_direct:
        return None, None
    if not await ctx.app.is_admin(ctx.event, coll["chat_id"]):
        return None, Turn([Say("campaign/refused")], goto=END, clear=True)
    return coll, None


async def start_admin(ctx: Ctx, payload: str) -> Turn | None:
    coll, refusal = await _admin_link(ctx, payload)
    return refusal if coll is None else await open_place(ctx, coll)


async def start_stats(ctx: Ctx, payload: str) -> Turn | None:
    """ "/stats" asked in a group, answered here in private (admins only)."""
    coll, refusal = await _admin_link(ctx, payload)
    if coll is None:
        return refusal
    turn = await open_place(ctx, coll)
    turn.say = [_stats_say(ctx, coll)]
    return turn


async def start_campaign(ctx: Ctx, payload: str) -> Turn | None:
    """Deep link from a campaign post: personal reminders, in private."""
    code = payload[2:]
    if ctx.store.campaign_by_code(code) is None:
        return Turn([Say("core/bad_link")], goto=END)
    if not ctx.event.is_direct:   # typed in the room: continue in private with the same code
        return Turn([Say("core/go_private", private_start=payload)])
    ctx.store.campaign_visit(code)   # a count, never who
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
    ctx.store.remember_admin(admin_hash(ctx), coll["id"], now=ctx.now, chat_id=ctx.event.chat_id, locale=ctx.locale)
    return Turn(goto="campaign:approve", data={"place": coll["id"], "a_bid": b["id"]})


# -- menu -------------------------------------------------------------------------------------------
async def intro(ctx: Ctx):
    if ctx.event.is_direct:   # she already manages places: straight to them
        places = await my_places(ctx)
        if len(places) == 1:
            return await open_place(ctx, places[0])
        if places:
            return Turn(goto="campaign_place:pick")
    return Say("campaign/intro", {"direct": ctx.event.is_direct},
               buttons=[[Choice("campaign.home", goto="menu:main")]])


@admin_step
async def menu_prompt(ctx: Ctx, coll: dict):
    n = len(ctx.store.list_campaigns(coll["id"]))
    more = [[Choice("campaign.places", goto="campaign_place:pick")]] if len(await my_places(ctx)) > 1 else []
    return Say("campaign/menu", {"campaigns": n, "followers": fmt_int(ctx.store.follower_count(coll["id"]), ctx.locale),
                                 "name": await place_name(ctx, coll)},
               # each button names its place: an old menu of another group acts on that group
               buttons=[[Choice("campaign.new", f"new.{coll['id']}")],
                        [Choice("campaign.list", f"list.{coll['id']}")],
                        [Choice("campaign.broadcast", f"bnew.{coll['id']}")],
                        [Choice("campaign.invite", f"invite.{coll['id']}"), Choice("campaign.stats", f"stats.{coll['id']}")],
                        [Choice("campaign.rename", f"name.{coll['id']}")]] + more
               + [[Choice("campaign.home", goto="menu:main")]])


MENU_GOTO = {"new": "campaign:new", "list": "campaign:list", "bnew": "campaign:bnew", "name": "campaign_place:name"}


async def menu_button(ctx: Ctx, payload: str):
    """A menu button: its place first (admin checked there), then what it does."""
    if re.fullmatch(r"[wxX][0-9]{1,18}", payload):
        return await wave_choice(ctx, payload)
    m = re.fullmatch(r"([a-z]+)\.([0-9]{1,18})", payload)
    if m:
        coll = ctx.store.get_collective(int(m.group(2)))
        if coll is None or coll["backend"] != ctx.event.backend:
            return None
        if coll["id"] != ctx.data.get("place"):
            if not await ctx.app.is_admin(ctx.event, coll["chat_id"]):
                return refused()
            ctx.data["place"] = coll["id"]
        payload = m.group(1)
        if payload in MENU_GOTO:
            return Turn(goto=MENU_GOTO[payload]) if await _place(ctx) else refused()
    return await menu_choice(ctx, payload)


@admin_step
async def menu_choice(ctx: Ctx, coll: dict, payload: str):
    if payload == "stats":
        return Turn([_stats_say(ctx, coll)], reprompt=True)
    if payload == "invite":
        payload = f"f_{coll['code']}"
        link = _deep_link(ctx, payload)
        invite = Say("follow/invite", {"name": await place_name(ctx, coll),
                                       "start_cmd": None if payload in link else f"/start {payload}"},
                     buttons=[[Choice("follow.follow_link", url=link)]])
        reply = ctx.app.render_reply(invite, coll["locale"],
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
    for k in ("c_kind", "c_date", "c_weekday", "c_time", "c_offsets", "c_code", "c_time_hint"):
        ctx.data.pop(k, None)   # a new campaign starts from a clean schedule
    if payload == "custom":
        return Turn.to("campaign:text", **data)
    if data["c_mode"] == "broadcast":
        return Turn.to("campaign:bpreview", **data)
    return Turn.to("campaign:kind", **data)


@admin_step
async def got_text(ctx: Ctx, coll: dict, text: str):
    # her words as written: the formatting she used (Telegram entities, Matrix HTML) is kept,
    # nothing is cut; the preview says if something looks personal and lets her choose
    html = richtext.clean(ctx.event.html) if ctx.event.html else richtext.from_plain(text.strip())
    text = richtext.to_plain(html).strip() if richtext.has_markup(html) else text.strip()
    limit = ctx.settings.campaign_text_max
    if not text:
        return Turn([Say("campaign/text_empty")])
    if len(text) > limit:
        return Turn([Say("campaign/text_too_long", {"limit": limit, "length": len(text)})])
    html = html if richtext.has_markup(html) else None
    if ctx.data.get("c_mode") == "broadcast":
        _drop_drafts(ctx)
        b = ctx.store.create_broadcast(coll["id"], "custom", custom_text=text, needs_approval=False,
                                       requested_by=stable_hash(ctx.store, ctx.user_key), now=ctx.now)
        ctx.store.broadcast_to_draft(b["id"], html)
        return Turn.to("campaign:bpreview", b_draft=b["id"])
    old = ctx.data.get("c_draft")
    if old:
        ctx.store.delete_draft_campaign(old)
    c = ctx.store.create_campaign(coll["id"], "custom", "once", None, custom_text=text, now=ctx.now)
    ctx.store.campaign_to_draft(c["id"], html)
    if ctx.data.get("c_time"):   # she came back from the preview to change the words: keep the schedule
        return Turn.to("campaign:preview", c_draft=c["id"])
    return Turn.to("campaign:kind", c_draft=c["id"])


def personal_kinds(text: str | None) -> list[str]:
    """What in her text looks like personal data (kinds only), for the preview's question."""
    return privacy.screen(text or "").findings


def kind_prompt(ctx: Ctx):
    return Say("campaign/ask_kind", buttons=[[Choice("campaign.kind_now", "now")],
                                             [Choice("campaign.kind_once", "once")],
                                             [Choice("campaign.kind_weekly", "weekly")],
                                             [Choice("campaign.kind_countdown", "countdown")],
                                             [Choice("campaign.cancel", goto="campaign:menu")]])


def pick_kind(ctx: Ctx, payload: str):
    if payload == "weekly":
        return Turn.to("campaign:weekday", c_kind="weekly")
    if payload in ("once", "countdown"):
        return Turn.to("campaign:date", c_kind=payload)
    if payload == "now":
        return Turn.to("campaign:preview", c_kind="now", c_time=ctx.local_now.strftime("%H:%M"),
                       c_date=ctx.today.isoformat())
    return None


def date_prompt(ctx: Ctx):
    example = (ctx.today + timedelta(days=21)).isoformat()   # a date every kind accepts
    return Say("campaign/ask_date", {"kind": ctx.data.get("c_kind", "once"), "example": example},
               buttons=[[Choice("campaign.cancel", goto="campaign:menu")]])


def got_date(ctx: Ctx, text: str):
    from bot.lang.campaign_dates import split_time

    rest, hhmm = split_time(text)
    d = parse_when(rest if hhmm else text, ctx.today)
    if d is None:
        return Turn([Say("campaign/bad_date", {"example": (ctx.today + timedelta(days=21)).isoformat()})])
    kind = ctx.data.get("c_kind")
    if d < ctx.today or (kind == "countdown" and d <= ctx.today) or d > ctx.today + timedelta(days=400):
        return Turn([Say("campaign/date_range", {"kind": kind, "today": ctx.today.isoformat()})])
    ctx.data["c_date"] = d.isoformat()
    ctx.data["c_time_hint"] = hhmm
    if kind == "countdown":
        return Turn.to("campaign:offsets")
    return _after_time(ctx, hhmm) if hhmm else Turn.to("campaign:time")


def got_weekday(ctx: Ctx, text: str):
    """ "jeudi 18h" typed at the weekday step: the day, and the time if given."""
    from bot.lang.campaign_dates import split_time, weekday_in

    rest, hhmm = split_time(text)
    wd = weekday_in(rest)
    if wd is None:
        return Turn([Say("campaign/bad_weekday")])
    ctx.data["c_weekday"] = wd
    return _after_time(ctx, hhmm) if hhmm else Turn.to("campaign:time")


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
        ctx.data["c_offsets"] = OFFSETS[payload]
        hint = ctx.data.get("c_time_hint")
        return _after_time(ctx, hint) if hint else Turn.to("campaign:time")
    return None


def time_prompt(ctx: Ctx):
    other_day = [[Choice("campaign.other_day", goto="campaign:date")]] if ctx.data.get("c_kind") == "once" else []
    return Say("campaign/ask_time", buttons=[[Choice("campaign.time", f"t{t.replace(':', '')}", vars={"t": t})
                                              for t in TIMES]] + other_day
               + [[Choice("campaign.cancel", goto="campaign:menu")]])


def _after_time(ctx: Ctx, hhmm: str) -> Turn:
    c = dict(_draft(ctx), at_time=hhmm)
    nxt = next_post_at(c["kind"], tz=ctx.tz, at_time=hhmm, after=ctx.now, at_date=c["at_date"],
                       weekday=c["weekday"], offsets=c["offsets"])
    if nxt is None:
        # already past (10:00 chosen at 10:00): say so kindly, and stay on the time step
        return Turn([Say("campaign/time_past", {"kind": c["kind"], "date": c["at_date"], "time": hhmm,
                                                "now": ctx.local_now.strftime("%H:%M")})], goto="campaign:time")
    ctx.data.pop("c_time_hint", None)
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
    coll = await _place(ctx)
    c = _draft(ctx)
    if not ctx.data.get("c_code"):
        ctx.data["c_code"] = new_code()     # the post's link is the real one from the preview on
    c["code"] = ctx.data["c_code"]
    nxt = ctx.now if c["kind"] == "now" else next_post_at(
        c["kind"], tz=ctx.tz, at_time=c["at_time"], after=ctx.now, at_date=c["at_date"], weekday=c["weekday"],
        offsets=c["offsets"])
    name = await place_name(ctx, coll)
    post = post_of(ctx, c, nxt, name)
    first = nxt.astimezone(ZoneInfo(ctx.tz)) if nxt else None
    warn = personal_kinds(c["custom_text"])
    return [Say("campaign/preview_intro", {"name": name}), post,
            Say("campaign/preview_schedule", dict(_schedule_vars(c), first=first.date().isoformat() if first else None,
                                                  first_time=first.strftime("%H:%M") if first else None, warn=warn),
                buttons=_confirm_buttons(("campaign.publish_as_is" if warn else "campaign.publish") if c["kind"] == "now"
                                         else ("campaign.confirm_as_is" if warn else "campaign.confirm"), warn))]


def post_of(ctx: Ctx, c: dict, when, name: str | None) -> Say:
    """The post as it goes into the place: her words, the collective's name, a real link."""
    payload = f"c_{c['code']}"
    link = _deep_link(ctx, payload)
    return post_say(c, when, name=name, link=link, start_cmd=None if link and payload in link else f"/start {payload}")


def _confirm_buttons(yes_label: str, warn: list) -> list:
    rows = [[Choice(yes_label, "ok", words=("__yes__",))]]
    if warn:
        rows.append([Choice("campaign.edit_text", goto="campaign:text")])
    return rows + [[Choice("campaign.cancel", "no", words=("__no__",))]]


@admin_step
async def confirm_campaign(ctx: Ctx, coll: dict, payload: str):
    if payload == "no":
        _drop_drafts(ctx)
        return Turn([Say("campaign/cancelled")], goto="campaign:menu")
    if payload != "ok":
        return None
    c = _draft(ctx)
    if c["kind"] == "now":
        return await _publish_new(ctx, coll, c)
    nxt = next_post_at(c["kind"], tz=coll["tz"], at_time=c["at_time"], after=ctx.now, at_date=c["at_date"],
                       weekday=c["weekday"], offsets=c["offsets"])
    if nxt is None:
        return Turn([Say("campaign/time_past", {"kind": c["kind"], "date": c["at_date"], "time": c["at_time"],
                                                "now": ctx.local_now.strftime("%H:%M")})], goto="campaign:time")
    nxt_iso = nxt.isoformat(timespec="seconds")
    code = ctx.data.get("c_code") or new_code()
    if c["template"] == "custom" and ctx.data.get("c_draft"):
        cid = ctx.data["c_draft"]
        ctx.store.activate_draft_campaign(cid, coll["id"], kind=c["kind"], at_date=c["at_date"], weekday=c["weekday"],
                                          at_time=c["at_time"], offsets=c["offsets"], next_at=nxt_iso, code=code)
        row = ctx.store.get_campaign(cid)
    else:
        row = ctx.store.create_campaign(coll["id"], c["template"], c["kind"], nxt_iso, at_date=c["at_date"],
                                        weekday=c["weekday"], at_time=c["at_time"], offsets=c["offsets"], now=ctx.now,
                                        code=code)
    for k in ("c_tpl", "c_draft", "c_kind", "c_date", "c_weekday", "c_time", "c_offsets", "c_code", "c_time_hint"):
        ctx.data.pop(k, None)
    first = datetime.fromisoformat(row["next_at"]).astimezone(ZoneInfo(coll["tz"]))
    return Turn([Say("campaign/created", {"name": await place_name(ctx, coll), "first": first.date().isoformat(),
                                          "first_time": first.strftime("%H:%M")})], goto="campaign:menu")


async def _publish_new(ctx: Ctx, coll: dict, c: dict) -> Turn:
    """ "Maintenant": a one-off campaign due now, posted at once by the same code as the ticker."""
    code = ctx.data.get("c_code") or new_code()
    now_iso = ctx.now.isoformat(timespec="seconds")
    local = ctx.now.astimezone(ZoneInfo(coll["tz"]))
    fields = dict(at_date=local.date().isoformat(), at_time=local.strftime("%H:%M"))
    if c["template"] == "custom" and ctx.data.get("c_draft"):
        cid = ctx.data["c_draft"]
        ctx.store.publish_draft_campaign_now(cid, coll["id"], at_date=fields["at_date"], at_time=fields["at_time"],
                                             next_at=now_iso, code=code)
    else:
        cid = ctx.store.create_campaign(coll["id"], c["template"], "once", now_iso, now=ctx.now, code=code,
                                        **fields)["id"]
    for k in ("c_tpl", "c_draft", "c_kind", "c_date", "c_weekday", "c_time", "c_offsets", "c_code", "c_time_hint"):
        ctx.data.pop(k, None)
    br = ctx.app.services.get("broadcaster")
    if br is not None:
        await br.post_due_campaigns(ctx.now)
    posted = (ctx.store.get_campaign(cid) or {}).get("posts", 0) > 0
    return Turn([Say("campaign/published" if posted else "campaign/post_failed",
                     {"name": await place_name(ctx, coll)} if posted else {})], goto="campaign:menu")


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
    rows = ctx.store.list_campaigns(coll["id"])[:8]
    ended = [c for c in ctx.store.list_campaigns(coll["id"], include_ended=True)
             if c["status"] in ("done", "stopped")][-2:]     # the last ones that ended: their counts
    items = []
    buttons = []
    for i, c in zip(LETTERS, rows + ended):
        nxt = datetime.fromisoformat(c["next_at"]).astimezone(ZoneInfo(coll["tz"])) \
            if c["next_at"] and c["status"] in ("active", "paused", "held") else None
        items.append(dict(_schedule_vars(c), n=i, template=c["template"], status=c["status"],
                          next=nxt.date().isoformat() if nxt else None, next_time=nxt.strftime("%H:%M") if nxt else None,
                          posts=c["posts"], visits=c["visits"], reminders_started=c["reminders_started"],
                          followers_gained=c["followers_gained"]))
        if c["status"] == "active":
            buttons.append([Choice("campaign.pause_n", f"p{c['id']}", vars={"n": i}),
                            Choice("campaign.stop_n", f"s{c['id']}", vars={"n": i})])
        elif c["status"] == "paused":
            buttons.append([Choice("campaign.resume_n", f"r{c['id']}", vars={"n": i}),
                            Choice("campaign.stop_n", f"s{c['id']}", vars={"n": i})])
        elif c["status"] == "held":   # resumes by itself when the bot is back
            buttons.append([Choice("campaign.stop_n", f"s{c['id']}", vars={"n": i})])
        else:                         # ended: its counts only
            continue
        buttons.append([Choice("campaign.edit_n", f"e{c['id']}", vars={"n": i}),
                        Choice("campaign.now_n", f"n{c['id']}", vars={"n": i}),
                        Choice("campaign.flyer_n", f"f{c['id']}", vars={"n": i})])
    buttons.append([Choice("campaign.back", goto="campaign:menu")])
    return Say("campaign/list", {"items": items, "name": await place_name(ctx, coll)}, buttons=buttons)


async def campaign_button(ctx: Ctx, payload: str):
    """A button of "Mes campagnes" names its campaign, hence its place: that place, never the
    one another session or message was about (admin status checked for it)."""
    m = re.fullmatch(r"[psrfen]([0-9]{1,18})", payload)
    c = ctx.store.get_campaign(int(m.group(1))) if m else None
    coll = ctx.store.get_collective(c["collective_id"]) if c else None
    if coll is not None and coll["backend"] == ctx.event.backend and coll["id"] != ctx.data.get("place"):
        if not await ctx.app.is_admin(ctx.event, coll["chat_id"]):
            return refused()
        ctx.data["place"] = coll["id"]
    return await list_choice(ctx, payload)


@admin_step
async def list_choice(ctx: Ctx, coll: dict, payload: str):
    m = re.fullmatch(r"([psrfen])([0-9]{1,18})", payload)
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
    if act in "sen":   # stop (after a confirmation), edit, post now: flows/campaign_edit.py
        return Turn(goto={"s": "campaign_edit:stop", "e": "campaign_edit:menu", "n": "campaign_edit:now"}[act],
                    data={"c_edit": c["id"]})
    if act == "f":
        from bot.domain import flyer as flyer_mod

        try:
            link = flyer_mod.flyer_link(ctx.app, ctx.event.backend, f"c_{c['code']}")
        except flyer_mod.NoPublicLink:
            return Turn([Say("campaign/flyer_no_link")], reprompt=True)
        start_cmd = None if f"c_{c['code']}" in link else f"/start c_{c['code']}"
        png, a4, a5 = flyer_mod.make(link, ctx.locale, renderer=ctx.app.renderer,
                                     purge_days=ctx.settings.purge_after_days, name=await place_name(ctx, coll),
                                     start_cmd=start_cmd)
        return Turn([Say("campaign/flyer_qr", {"link": link, "start_cmd": start_cmd}, attachment=png),
                     Say("campaign/flyer_pdf", attachment=a4), Say("campaign/flyer_pdf_a5", attachment=a5)],
                    reprompt=True)
    return Turn([Say("core/stale_button")], reprompt=True)


def _deep_link(ctx: Ctx, payload: str) -> str | None:
    from bot.domain.flyer import deep_link

    return deep_link(ctx.app, ctx.event.backend, payload)


# -- broadcast to followers ---------------------------------------------------------------------------
@admin_step
async def new_prompt(ctx: Ctx, coll: dict):
    return Turn([Say("campaign/pick", {"name": await place_name(ctx, coll)}, buttons=TEMPLATE_BUTTONS)],
                data={"c_mode": "campaign"})


@admin_step
async def bnew_prompt(ctx: Ctx, coll: dict):
    n = ctx.store.follower_count(coll["id"])
    if n == 0:
        return Turn([Say("campaign/no_followers")], goto="campaign:menu")
    ctx.data["c_mode"] = "broadcast"
    return Say("campaign/bcast_pick", {"followers": fmt_int(n, ctx.locale), "name": await place_name(ctx, coll)},
               buttons=TEMPLATE_BUTTONS)


def _bcast_draft(ctx: Ctx) -> dict:
    b = None
    if ctx.data.get("c_tpl") == "custom" and ctx.data.get("b_draft"):
        b = ctx.store.get_broadcast(ctx.data["b_draft"])
    return {"template": ctx.data.get("c_tpl", "basics"), "custom_text": (b or {}).get("custom_text"),
            "custom_html": (b or {}).get("custom_html")}


@admin_step
async def bpreview_prompt(ctx: Ctx, coll: dict):
    n = ctx.store.follower_count(coll["id"])
    need = n > ctx.settings.broadcast_approval_threshold
    from bot.jobs.broadcast import announce_say

    draft = _bcast_draft(ctx)
    warn = personal_kinds(draft["custom_text"])
    return [Say("campaign/preview_intro", {"name": await place_name(ctx, coll)}),
            announce_say(draft, coll, payload="none"),
            Say("campaign/bcast_confirm", {"followers": fmt_int(n, ctx.locale), "count": n, "approval": need,
                                           "spread": ctx.settings.broadcast_spread_minutes, "warn": warn},
                buttons=_confirm_buttons("campaign.send_as_is" if warn else "campaign.send", warn))]


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
    ctx.store.set_broadcast_report_user(b["id"], ctx.user_key)
    for k in ("c_tpl", "b_draft", "c_mode"):
        ctx.data.pop(k, None)
    if need:
        token = b["approval_token"]
        # a link button that survives forwarding (a private chat shows no private_start button);
        # only where the link carries the token (Telegram), else the command in the text does
        url = _deep_link(ctx, f"v_{token}")
        buttons = [[Choice("campaign.approve_link", url=url)]] if url and f"v_{token}" in url else []
        approval = Say("campaign/approval_needed", {"followers": fmt_int(n, ctx.locale),
                                                    "threshold": ctx.settings.broadcast_approval_threshold,
                                                    "token": token, "button": bool(buttons)},
                       buttons=buttons, private_start=f"v_{token}")
        withdraw = Say("campaign/approval_withdraw", buttons=[[Choice("campaign.withdraw", f"w{b['id']}")]])
        return Turn([approval, withdraw], goto="campaign:menu")
    return Turn([Say("campaign/bcast_queued", {"followers": fmt_int(n, ctx.locale), "count": n})], goto="campaign:menu")


# -- second admin's approval ----------------------------------------------------------------------------
@admin_step
async def approve_prompt(ctx: Ctx, coll: dict):
    b = ctx.store.get_broadcast(ctx.data.get("a_bid") or 0)
    if b is None or b["status"] != "approval" or b["collective_id"] != coll["id"]:
        return Turn([Say("campaign/approval_gone")], goto=END)
    from bot.jobs.broadcast import announce_say

    n = ctx.store.follower_count(coll["id"])
    return [announce_say(b, coll, payload=None),
            Say("campaign/approve_ask", {"followers": fmt_int(n, ctx.locale), "name": await place_name(ctx, coll)},
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
    await _tell_requester(ctx, b, coll, payload == "yes")
    return Turn([Say("campaign/approved" if payload == "yes" else "campaign/rejected")], goto="campaign:menu")


async def _tell_requester(ctx: Ctx, b: dict, coll: dict, approved: bool) -> None:
    """The admin who asked learns the answer, in her private chat (never who answered)."""
    if not b.get("report_chat") or b.get("report_backend") not in ctx.app.backends:
        return
    say = Say("campaign/decided", {"approved": approved, "name": await place_name(ctx, coll)})
    try:
        await ctx.app.send(b["report_backend"], b["report_chat"],
                           ctx.app.render_reply(say, b.get("report_locale") or coll["locale"]))
    except Exception:
        pass   # the decision stands; she sees it in the progress or in the menu


# -- a wave's own buttons: withdraw the request, stop the sending (with confirmation) --------------
async def wave_choice(ctx: Ctx, payload: str):
    m = re.fullmatch(r"([wxX])([0-9]{1,18})", payload)
    b = ctx.store.get_broadcast(int(m.group(2))) if m else None
    if b is None:
        return None
    coll = ctx.store.get_collective(b["collective_id"])
    if coll["backend"] != ctx.event.backend or not await ctx.app.is_admin(ctx.event, coll["chat_id"]):
        return refused()
    act = m.group(1)
    if act == "w":
        if b["status"] != "approval" or stable_hash(ctx.store, ctx.user_key) != b["requested_by"]:
            return Turn([Say("campaign/approval_gone")])
        ctx.store.stop_broadcast(b["id"])
        return Turn([Say("campaign/withdrawn", {"name": await place_name(ctx, coll)})])
    if b["status"] not in ("queued", "running"):
        return Turn([Say("campaign/wave_over")])
    if act == "x":
        return Turn([Say("campaign/wave_stop_ask", {"name": await place_name(ctx, coll)},
                         buttons=[[Choice("campaign.wave_stop_yes", f"X{b['id']}")],
                                  [Choice("campaign.wave_stop_no", "keep")]])])
    br = ctx.app.services.get("broadcaster")
    br.halt(b["id"]) if br is not None else ctx.store.stop_broadcast(b["id"])
    return Turn([Say("campaign/wave_stopped")])


def wave_keep(ctx: Ctx, payload: str):
    return Turn([Say("campaign/wave_kept")]) if payload == "keep" else None


FLOWS = [
    Flow("campaign", {
        "start": State(prompt=intro),
        "menu": State(prompt=menu_prompt, on_choice=menu_button),
        "new": State(prompt=new_prompt,
                     on_choice=pick_template),
        "text": State(prompt=guarded(lambda ctx: Say("campaign/ask_text", {"limit": ctx.settings.campaign_text_max},
                                                     buttons=[[Choice("campaign.cancel", goto="campaign:menu")]])),
                      on_text=got_text, free_text=True, verbatim=True),
        "kind": State(prompt=guarded(kind_prompt), on_choice=guarded(pick_kind)),
        "date": State(prompt=guarded(date_prompt), on_text=guarded(got_date), free_text=True),
        "weekday": State(prompt=guarded(weekday_prompt), on_choice=guarded(pick_weekday), on_text=guarded(got_weekday),
                         free_text=True),
        "offsets": State(prompt=guarded(offsets_prompt), on_choice=guarded(pick_offsets)),
        "time": State(prompt=guarded(time_prompt), on_choice=guarded(pick_time), on_text=guarded(got_time),
                      free_text=True),
        "preview": State(prompt=guarded(preview_prompt), on_choice=confirm_campaign),
        "list": State(prompt=list_prompt, on_choice=campaign_button),
        "bnew": State(prompt=bnew_prompt, on_choice=pick_template),
        "bpreview": State(prompt=bpreview_prompt, on_choice=bpreview_choice),
        "approve": State(prompt=approve_prompt, on_choice=approve_choice),
        "wave": State(on_choice=lambda ctx, p: wave_keep(ctx, p) if p == "keep" else wave_choice(ctx, p)),
    }, start="start", personal=False),
]

COMMANDS = {"campagne": cmd_campagne, "stats": cmd_stats, "approuver": cmd_approve}
GROUP_COMMANDS = {"campagne", "stats"}
START = {"a_": start_admin, "c_": start_campaign, "v_": start_approval, "s_": start_stats}

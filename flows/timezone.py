"""Command /fuseau (alias /timezone): choose the time zone in which days are counted.

Stored as an IANA name with ``store.set_user(tz=...)``; the router then gives it as ``ctx.tz``."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.core.flowlib import END, Choice, Ctx, Flow, Say, State, Turn

#: payload -> (label key, IANA zone)
ZONES = {
    "paris": ("deadline.tz_paris", "Europe/Paris"),
    "guadeloupe": ("deadline.tz_guadeloupe", "America/Guadeloupe"),
    "martinique": ("deadline.tz_martinique", "America/Martinique"),
    "guyane": ("deadline.tz_guyane", "America/Cayenne"),
    "reunion": ("deadline.tz_reunion", "Indian/Reunion"),
    "mayotte": ("deadline.tz_mayotte", "Indian/Mayotte"),
    "spm": ("deadline.tz_spm", "America/Miquelon"),
    "noumea": ("deadline.tz_noumea", "Pacific/Noumea"),
    "tahiti": ("deadline.tz_tahiti", "Pacific/Tahiti"),
}
BY_ZONE = {zone: label for label, zone in ZONES.values()}


def zone_label(ctx: Ctx, tz: str) -> str:
    key = BY_ZONE.get(tz)
    return ctx.label(key) if key else tz


def choose_prompt(ctx: Ctx) -> Say:
    names = list(ZONES)
    rows = [[Choice(ZONES[a][0], a) for a in names[i : i + 2]] for i in range(0, len(names), 2)]
    return Say("deadline/tz_choose", {"current": zone_label(ctx, ctx.tz)}, buttons=rows)


def chosen(ctx: Ctx, payload: str) -> Turn | None:
    if payload not in ZONES:
        return None
    label_key, tz = ZONES[payload]
    ctx.store.set_user(ctx.user_key, tz=tz)
    ctx.tz = tz
    local = ctx.now.astimezone(ZoneInfo(tz))
    return Turn([Say("deadline/tz_set", {"zone": ctx.label(label_key), "time": local.strftime("%H:%M")})], goto=END)


FLOWS = [Flow("timezone", {"choose": State(prompt=choose_prompt, on_choice=chosen)}, start="choose")]
COMMANDS = {"fuseau": "timezone:choose"}

"""/sources: the sources behind what the bot says, and the date the facts were checked.

The list lives in :data:`bot.facts.SOURCES`; it is cut into pages that stay under
:data:`PAGE_CHARS` characters, each source also offered as a link button.
"""
from __future__ import annotations

from bot import facts
from bot.flowlib import Choice, Ctx, Flow, Say, State, Turn

from .understand import BACK, MENU, NEXT

PAGE_CHARS = 700


def _say(n: int, total: int, items: list) -> Say:
    return Say("sources/list", {"items": [(name, what) for name, what, _url in items], "page": n + 1,
                                "pages": total, "checked": facts.FACTS_CHECKED})


def localised(ctx: Ctx) -> list[tuple[str, str, str]]:
    """(name, what it backs in the user's language, address) for every source."""
    return [(name, ctx.label(f"sources.what_{sid}"), url) for sid, name, url in facts.SOURCES]


def split(ctx: Ctx) -> list[list]:
    """Greedy pages: as many sources as fit in PAGE_CHARS once rendered."""
    out: list[list] = []
    cur: list = []
    for src in localised(ctx):
        trial = cur + [src]
        text = ctx.app.renderer.render("sources/list", ctx.locale, **_say(0, 9, trial).vars)
        if cur and len(text) > PAGE_CHARS:
            out.append(cur)
            cur = [src]
        else:
            cur = trial
    if cur:
        out.append(cur)
    return out


def show(ctx: Ctx, n: int = 0) -> Say:
    chunks = split(ctx)
    n = max(0, min(n, len(chunks) - 1))
    say = _say(n, len(chunks), chunks[n])
    rows = [[Choice("sources.link", url=url, vars={"name": name})] for name, _what, url in chunks[n]]
    nav = []
    if n > 0:
        nav.append(Choice(BACK, payload=f"p{n - 1}"))
    if n + 1 < len(chunks):
        nav.append(Choice(NEXT, payload=f"p{n + 1}"))
    if nav:
        rows.append(nav)
    rows.append([Choice(MENU, goto="menu:main")])
    say.buttons = rows
    return say


def on_choice(ctx: Ctx, payload: str) -> Turn | None:
    if payload.startswith("p") and payload[1:].isdigit():
        return Turn([show(ctx, int(payload[1:]))])
    return None


def command(ctx: Ctx, arg: str) -> Turn:
    return Turn(goto="sources:start")


FLOWS = [Flow("sources", {"start": State(prompt=show, on_choice=on_choice)}, start="start", personal=False)]
COMMANDS = {"sources": command}
GROUP_COMMANDS = {"sources"}

"""/sources: the official sources of the fact sheet, each once (what it backs, then its link).

The list is :data:`bot.knowledge.facts.SOURCES` (the law and official sources of ``bot/knowledge/facts.toml``); it is
cut into pages that stay under :data:`PAGE_CHARS` characters.  Typing "suite" on the last page
says it is the last one instead of "I did not understand".
"""

from __future__ import annotations

from bot.knowledge import facts
from bot.core.flowlib import Choice, Ctx, Flow, Say, State, Turn
from bot.lang.textnorm import fold

from .understand import BACK, MENU, NEXT

PAGE_CHARS = 700


def _vars(n: int, total: int, items: list) -> dict:
    return {
        "items": items,
        "page": n + 1,
        "pages": total,
        "checked": facts.FACTS_CHECKED,
        "first_checked": facts.FACTS_FIRST_CHECKED,
    }


def localised(ctx: Ctx) -> list[tuple[str, str, str]]:
    """(title, what it backs in the user's language, address) for every source, once."""
    return [(title, ctx.label(f"sources.what_{sid}"), url) for sid, title, url in facts.SOURCES]


def split(ctx: Ctx) -> list[list]:
    """Greedy pages: as many sources as fit in PAGE_CHARS once rendered; the last page also fits its note."""

    def size(items: list, last: bool) -> int:
        vars = _vars(0, 1, items) if last else _vars(0, 2, items)
        return len(ctx.app.renderer.render("sources/list", ctx.locale, **vars))

    out: list[list] = []
    cur: list = []
    for src in localised(ctx):
        if cur and size(cur + [src], last=False) > PAGE_CHARS:
            out.append(cur)
            cur = []
        cur.append(src)
    if cur:
        out.append(cur)
    while len(out[-1]) > 1 and size(out[-1], last=True) > PAGE_CHARS:
        out.append([out[-1].pop()])
    return out


def _nav(n: int, total: int) -> list[list[Choice]]:
    nav = []
    if n > 0:
        nav.append(Choice(BACK, payload=f"p{n - 1}"))
    if n + 1 < total:
        nav.append(Choice(NEXT, payload=f"p{n + 1}"))
    rows = [nav] if nav else []
    rows.append([Choice(MENU, goto="menu:main")])
    return rows


def show(ctx: Ctx, n: int = 0) -> Say:
    chunks = split(ctx)
    n = max(0, min(n, len(chunks) - 1))
    ctx.data["sources_page"] = n
    return Say("sources/list", _vars(n, len(chunks), chunks[n]), buttons=_nav(n, len(chunks)))


def on_choice(ctx: Ctx, payload: str) -> Turn | None:
    if payload.startswith("p") and payload[1:].isdigit():
        n = int(payload[1:])
        return Turn([show(ctx, n)], data={"sources_page": n})
    return None


def on_text(ctx: Ctx, text: str) -> Turn | None:
    """ "suite" typed where no "next" button is shown (the last page): say so, keep the page's buttons."""
    words = {fold(w).strip() for w in ctx.label("sources.next_words").split(",")} | {fold(ctx.label(NEXT))}
    if fold(text).strip(" .!?") not in words:
        return None
    total = len(split(ctx))
    n = int(ctx.data.get("sources_page") or 0)
    if n + 1 < total:
        return Turn([show(ctx, n + 1)], data={"sources_page": n + 1})
    return Turn([Say("sources/last", {"pages": total}, buttons=_nav(n, total))])


def command(ctx: Ctx, arg: str) -> Turn:
    return Turn(goto="sources:start")


FLOWS = [
    Flow("sources", {"start": State(prompt=show, on_choice=on_choice, on_text=on_text)}, start="start", personal=False)
]
COMMANDS = {"sources": command}
GROUP_COMMANDS = {"sources"}

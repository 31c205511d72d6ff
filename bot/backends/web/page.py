"""The page: ``static/page.html`` filled with the strings of ``locales/<lang>/buttons/web.toml``
and ``locales/<lang>/web/*.j2`` (autoescaped).  The strings of both languages travel in a JSON
data block so the language switch keeps the conversation; the data block is not a script, so the
Content-Security-Policy (no inline script) stays strict."""

from __future__ import annotations

import json
from pathlib import Path

import jinja2
from markupsafe import Markup

from ...core.render import LOCALES

TEMPLATE = Path(__file__).resolve().parent / "static" / "page.html"


def ui_strings(renderer, lang: str, settings) -> dict:
    labels = {k[4:]: v for k, v in renderer.labels(lang).items() if k.startswith("web.")}
    labels["privacy_note"] = renderer.render("web/privacy_note", lang, minutes=round(settings.web_idle_minutes))
    labels["busy"] = renderer.render("web/busy", lang)
    return labels


def _data_block(data: dict) -> Markup:
    """JSON that cannot close its <script> element nor open a comment."""
    text = json.dumps(data, ensure_ascii=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(ch, esc)
    return Markup(text)


def render_page(renderer, lang: str, busy: bool, settings) -> bytes:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    tpl = env.from_string(TEMPLATE.read_text(encoding="utf-8"))
    ui = {loc: ui_strings(renderer, loc, settings) for loc in LOCALES}
    other = next(loc for loc in LOCALES if loc != lang)
    html = tpl.render(lang=lang, other=other, t=ui[lang], t_other=ui[other], busy=busy, ui_json=_data_block(ui))
    return html.encode("utf-8")

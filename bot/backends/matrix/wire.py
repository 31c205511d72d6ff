"""Matrix's wire format, pure functions: a Reply as message content (plain body and HTML, choices
as a numbered list), keycap reactions as choice numbers, reply fallbacks stripped.  No network."""

from __future__ import annotations

import html

from ...core.types import Reply

KEYCAPS = tuple(f"{i}\ufe0f\u20e3" for i in range(1, 10)) + ("\U0001f51f",)
_KEYCAP_INDEX = {k.replace("\ufe0f", ""): i for i, k in enumerate(KEYCAPS)}


def keycap_index(key: str) -> int | None:
    """0 for 1️⃣ (with or without the emoji variation selector), ... 9 for 🔟; None otherwise."""
    return _KEYCAP_INDEX.get((key or "").replace("\ufe0f", "").strip())


def render_content(reply: Reply) -> dict:
    """m.notice / m.text with a plain body and escaped HTML; choices as a numbered list.

    Numbers count only the choice buttons (as the router does when "2" is typed); link
    buttons are listed after them without a number."""
    choices = [b for b in reply.flat_buttons() if b.url is None]
    links = [(b.label, b.url) for b in reply.flat_buttons() if b.url is not None]
    lines = [reply.text] if reply.text else []
    rich = reply.html if reply.html else (html.escape(reply.text) if reply.text else "")
    parts = [rich.replace("\n", "<br>")] if rich else []
    if choices:
        lines += [f"{i}. {b.label}" for i, b in enumerate(choices, 1)]
        parts.append("<ol>" + "".join(f"<li>{html.escape(b.label)}</li>" for b in choices) + "</ol>")
    for label, url in links:
        lines.append(f"{label} : {url}")
        if url.startswith(("https://", "http://", "matrix:")):
            parts.append(f'<p><a href="{html.escape(url, quote=True)}">{html.escape(label)}</a></p>')
        else:
            parts.append(f"<p>{html.escape(label)} : {html.escape(url)}</p>")
    return {
        "msgtype": "m.notice" if reply.notice else "m.text",
        "body": "\n".join(lines),
        "format": "org.matrix.custom.html",
        "formatted_body": "".join(parts),
    }


def _strip_reply_fallback(body: str) -> str:
    """Drop the quoted '> ' lines clients put at the top of a reply."""
    lines = body.split("\n")
    if lines and lines[0].startswith("> "):
        i = 0
        while i < len(lines) and lines[i].startswith(">"):
            i += 1
        return "\n".join(lines[i:]).lstrip("\n")
    return body

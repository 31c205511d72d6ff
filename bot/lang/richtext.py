"""An organiser's own text, formatting kept: a small safe HTML subset shared by Telegram
(``parse_mode=HTML``) and Matrix (``formatted_body``).

Inbound, Telegram entities become HTML (python-telegram-bot's ``text_html``) and Matrix
brings ``formatted_body``; tags typed literally ("<b>J-7</b>") count as formatting too.
Everything goes through one allow-list sanitizer (nh3) so what is stored, previewed and
posted is the same, balanced, and harmless.  The plain text (for the console, search,
the personal-data check) is derived from it.
"""

from __future__ import annotations

import html
import re

TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "blockquote"}
_SCHEMES = {"http", "https", "tg", "mailto", "matrix"}
# tags typed as text ("&lt;b&gt;" once escaped) that the organiser meant as formatting
_TYPED_TAG = re.compile(r"&lt;(/?)(b|strong|i|em|u|ins|s|strike|del|code|pre)&gt;", re.I)
_TYPED_LINK = re.compile(r"&lt;a\s+href=(?:&quot;|\")([^\"&<>\s]+)(?:&quot;|\")\s*&gt;(.*?)&lt;/a&gt;", re.I | re.S)
_MARKERS = re.compile(r"[\ue000\ue001]")


def clean(fragment: str) -> str:
    """The allow-listed subset of ``fragment``: balanced tags, links with a safe scheme only,
    ``<br>`` as a new line; anything else dropped (its text kept, scripts and styles removed)."""
    import nh3

    fragment = re.sub(r"<br\s*/?>", "\n", fragment or "", flags=re.I)
    fragment = re.sub(r"</p>\s*<p>", "\n\n", fragment, flags=re.I)
    out = nh3.clean(
        fragment,
        tags=TAGS,
        attributes={"a": {"href"}},
        link_rel=None,
        url_schemes=_SCHEMES,
        clean_content_tags={"script", "style", "mx-reply"},
        strip_comments=True,
    )
    out = re.sub(r"<a>(.*?)</a>", r"\1", out, flags=re.S)  # a link whose address was refused: its words
    return _MARKERS.sub("", out.replace("&nbsp;", "\u00a0")).strip()


def from_plain(text: str) -> str:
    return html.escape(text or "", quote=False)


def from_telegram(message: dict) -> str:
    """HTML of a raw Telegram message (entities kept), tags typed literally honoured."""
    from telegram import Message

    try:
        marked = Message.de_json(message, None).text_html
    except Exception:  # an entity the library cannot read: the words still count
        marked = from_plain(message.get("text") or "")
    return clean(_typed_tags(marked))


def from_matrix(content: dict) -> str | None:
    """HTML of a Matrix message: its ``formatted_body`` when there is one."""
    if content.get("format") == "org.matrix.custom.html" and isinstance(content.get("formatted_body"), str):
        return clean(content["formatted_body"])
    body = content.get("body")
    return clean(_typed_tags(from_plain(body))) if isinstance(body, str) and "<" in body else None


def _typed_tags(escaped: str) -> str:
    escaped = _TYPED_LINK.sub(lambda m: f'<a href="{m.group(1)}">{m.group(2)}</a>', escaped)
    return _TYPED_TAG.sub(lambda m: f"<{m.group(1)}{m.group(2).lower()}>", escaped)


def to_plain(fragment: str) -> str:
    """The words as a plain-text reader sees them; a link whose label differs shows its address."""

    def link(m: re.Match) -> str:
        url, label = html.unescape(m.group(1)), m.group(2)
        plain = re.sub(r"<[^>]+>", "", label)
        return plain if html.unescape(plain) == url else f"{plain} ({m.group(1)})"

    s = re.sub(r'<a href="([^"]*)">(.*?)</a>', link, fragment or "", flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", s))


def has_markup(fragment: str) -> bool:
    return "<" in (fragment or "")

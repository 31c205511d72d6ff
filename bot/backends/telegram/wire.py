"""Telegram's wire format, pure functions: text split to the message limit (UTF-16 units, after
HTML escaping), /start payloads, retry hints of a 429, forum topics, chat ids.  No network."""

from __future__ import annotations

import html
import re

MAX_TEXT = 4096  # characters (UTF-16 units) after entity parsing
PAYLOAD_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
START_RE = re.compile(r"^/start(?:@(\S+))?(?:\s+(\S.*))?$", re.S | re.I)
RETRY_TEXT_RE = re.compile(r"retry after (\d+(?:\.\d+)?)", re.I)


def file_url_for(api_url: str) -> str:
    """``.../bot`` -> ``.../file/bot`` (the Bot API convention); keeps a ``{token}`` template."""
    if api_url.endswith("/bot"):
        return api_url[: -len("/bot")] + "/file/bot"
    if "/bot{token}" in api_url:
        return api_url.replace("/bot{token}", "/file/bot{token}")
    return api_url.rstrip("/") + "/file/bot"


def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    """Telegram HTML: escape &, <, > (quotes are fine in text)."""
    return html.escape(text, quote=False)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split plain text so that each *escaped* part fits ``limit`` UTF-16 units, at paragraph,
    line, then word boundaries; never an empty part."""

    def size(s: str) -> int:
        return utf16_len(escape(s))

    text = text.strip("\n")
    if size(text) <= limit:
        return [text] if text.strip() else []
    parts: list[str] = []
    rest = text
    while rest and size(rest) > limit:
        # largest prefix that fits (binary search on characters)
        lo, hi = 1, len(rest)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if size(rest[:mid]) <= limit:
                lo = mid
            else:
                hi = mid - 1
        cut = lo
        window = rest[:cut]
        for sep in ("\n\n", "\n", " "):
            i = window.rfind(sep)
            if i > cut // 2:
                cut = i + len(sep)
                break
        part = rest[:cut].rstrip()
        if part.strip():
            parts.append(part)
        rest = rest[cut:].lstrip("\n ")
    if rest.strip():
        parts.append(rest)
    return parts


def start_payload(text: str) -> tuple[bool, str | None]:
    """(is a /start command, payload or None).  The payload is passed on as typed (bounded);
    the router refuses anything but 1-64 characters of [A-Za-z0-9_-]."""
    m = START_RE.match(text.strip())
    if not m:
        return False, None
    payload = (m.group(2) or "").strip() or None
    if payload is not None and not PAYLOAD_RE.fullmatch(payload):
        payload = payload[:100]
    return True, payload


def _retry_seconds(exc) -> float:
    ra = getattr(exc, "_retry_after", None)
    if ra is None:
        ra = exc.retry_after
    if hasattr(ra, "total_seconds"):
        return float(ra.total_seconds())
    return float(ra)


def retry_hint(exc) -> float | None:
    """Seconds to wait when the error is a 429, wherever the server put ``retry_after``:
    in ``parameters`` (python-telegram-bot's RetryAfter), only in the description
    ("Too Many Requests: retry after 5"), or nowhere (an HTML 429 page: 2 s)."""
    from telegram import error as tg

    if isinstance(exc, tg.RetryAfter):
        try:
            return max(0.0, _retry_seconds(exc))
        except (TypeError, ValueError):
            return 2.0
    msg = str(exc)
    if "too many requests" in msg.lower() or "(429)" in msg:
        m = RETRY_TEXT_RE.search(msg)
        return float(m.group(1)) if m else 2.0
    return None


def thread_of(msg) -> int | None:
    """The forum topic (or private-chat topic) a message belongs to, so replies land there.
    A plain reply thread in a non-forum group is not a topic: replies go to the chat."""
    if not isinstance(msg, dict) or not msg.get("is_topic_message"):
        return None
    try:
        return int(msg["message_thread_id"])
    except (KeyError, TypeError, ValueError):
        return None


def chat_arg(chat_id: str | int):
    try:
        return int(chat_id)
    except (TypeError, ValueError):
        return str(chat_id)

"""A :class:`~bot.core.types.Reply` as the page draws it (JSON): plain text that the page sets as text,
never as HTML; rows of buttons (payloads) and links (http(s) only); a file as base64."""

from __future__ import annotations

import base64
import re

from ...core.types import Reply

# Buttons that lead to the calendar file (the flows' "reminders:ics" target, directly or through the
# deadline answer): on the page they read "Télécharger pour mon agenda" and download at once.
CALENDAR_RE = re.compile(r"^(g:reminders:ics|deadline:[a-z_]+:ics:[0-9]{8}:[01])$")


def reply_json(reply: Reply, lang: str, download_label: str) -> dict:
    """A reply as the page draws it: plain text (the page sets it as text, never as HTML)."""
    rows = []
    for row in reply.buttons:
        out: list[dict[str, str | bool]] = []
        for b in row:
            if b.url:
                if re.match(r"^https?://", b.url):
                    out.append({"label": b.label, "url": b.url})
            elif b.payload and CALENDAR_RE.match(b.payload):
                out.append({"label": download_label, "payload": b.payload, "download": True})
            elif b.payload:
                out.append({"label": b.label, "payload": b.payload})
        if out:
            rows.append(out)
    item: dict[str, object] = {"key": reply.key, "text": reply.text, "lang": lang, "buttons": rows}
    if reply.attachment is not None:
        a = reply.attachment
        item["file"] = {"name": a.filename, "mime": a.mime, "data": base64.b64encode(a.data).decode()}
    return item

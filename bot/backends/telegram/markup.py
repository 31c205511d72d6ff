"""Buttons: a Reply's rows become an inline keyboard (plus a "private message" link in groups
when a flow asks for it); payloads longer than Telegram's 64-byte callback_data go through the
store and come back on the press."""

from __future__ import annotations

import hashlib

from ...core.types import Reply
from .state import TelegramState
from .wire import PAYLOAD_RE

MAX_CALLBACK = 64  # bytes of callback_data


class MarkupMixin(TelegramState):
    """Inline keyboards and callback data."""

    def _compact_callback(self, payload: str) -> str:
        """callback_data is limited to 64 bytes: longer payloads go through the kv table."""
        if len(payload.encode()) <= MAX_CALLBACK and not payload.startswith("#"):
            return payload
        h = hashlib.sha256(payload.encode()).hexdigest()[:20]
        self.app.store.kv_set(f"tgcb:{h}", payload)
        return "#" + h

    def _expand_callback(self, data: str) -> str:
        if data.startswith("#"):
            return self.app.store.kv_get(f"tgcb:{data[1:]}") or "stale"
        return data

    def _markup(self, chat_id: str, reply: Reply):
        from telegram import InlineKeyboardButton, InlineKeyboardMarkup

        rows = []
        for row in reply.buttons:
            out = []
            for b in row:
                if b.url:
                    out.append(InlineKeyboardButton(b.label, url=b.url))
                elif b.payload:
                    out.append(InlineKeyboardButton(b.label, callback_data=self._compact_callback(b.payload)))
            if out:
                rows.append(out)
        if reply.private_start and chat_id.startswith("-") and self.username:
            payload = reply.private_start if PAYLOAD_RE.fullmatch(reply.private_start) else "menu"
            locale = self._chat_locale.get(chat_id) or self.settings.default_locale
            try:
                label = self.app.renderer.label("telegram.open_private", locale)
            except KeyError:
                label = "Message privé"
            rows.append([InlineKeyboardButton(label, url=f"https://t.me/{self.username}?start={payload}")])
        return InlineKeyboardMarkup(rows) if rows else None

"""One raw Telegram update (JSON) -> one :class:`bot.core.types.Event`, or None when there is
nothing to answer (other bots, service messages, a /start for another bot, future update types)."""

from __future__ import annotations

from typing import Any

from ...core.types import Event
from .state import NAME, TelegramState
from .wire import START_RE, start_payload, thread_of

CONTENT_FIELDS = (
    "sticker",
    "photo",
    "document",
    "voice",
    "video",
    "video_note",
    "audio",
    "animation",
    "contact",
    "location",
    "venue",
    "poll",
    "dice",
    "game",
    "story",
    "paid_media",
    "caption",
    "checklist",
    "invoice",
)


class EventsMixin(TelegramState):
    """Update -> Event."""

    def to_event(self, raw: dict) -> Event | None:
        """One raw Telegram update (JSON dict) -> one Event, or None when there is nothing to answer."""
        q = raw.get("callback_query")
        if q is not None:
            return self._button_event(q)
        edited = raw.get("edited_message")
        if edited is not None:
            return _edit_event(edited)
        msg = raw.get("message") or raw.get("channel_post")
        if not isinstance(msg, dict):
            return None  # polls, reactions, member changes, edited channel posts, future types
        return self._message_event(msg)

    def _button_event(self, q: dict) -> Event | None:
        msg = q.get("message") or {}
        chat = msg.get("chat") or {}
        if "id" not in chat or q.get("data") is None or "id" not in (q.get("from") or {}):
            return None
        frm = q["from"]
        return Event(
            backend=NAME,
            chat_id=str(chat["id"]),
            user_id=str(frm["id"]),
            choice=self._expand_callback(str(q["data"])),
            kind="button",
            locale=frm.get("language_code"),
            is_direct=chat.get("type") == "private",
            message_id=str(msg.get("message_id")) if msg.get("message_id") is not None else None,
            thread=_topic(msg),
        )

    def _message_event(self, msg: dict) -> Event | None:
        chat = msg.get("chat") or {}
        if "id" not in chat:
            return None
        if msg.get("is_automatic_forward") or msg.get("business_connection_id"):
            return None  # a channel post copied into its discussion group; a business account's chat
        sender = _sender(msg, chat)
        if sender is None:
            return None
        user_id, sender_chat_id = sender
        is_direct = chat.get("type") == "private"
        frm = msg.get("from") if isinstance(msg.get("from"), dict) else None
        base: dict[str, Any] = dict(
            backend=NAME,
            chat_id=str(chat["id"]),
            user_id=user_id,
            locale=(frm or {}).get("language_code"),
            is_direct=is_direct,
            message_id=str(msg.get("message_id")),
            sender_chat_id=sender_chat_id,
            thread=_topic(msg),
        )
        text = msg.get("text")
        if isinstance(text, str):
            return self._text_event(msg, text, base)
        if any(msg.get(k) for k in CONTENT_FIELDS):
            return Event(kind="unsupported", **base)
        return None  # service messages (joins, pins, title changes...)

    def _text_event(self, msg: dict, text: str, base: dict[str, Any]) -> Event | None:
        m = START_RE.match(text.strip())
        if m:
            if m.group(1) and self.username and m.group(1).lower() != self.username.lower():
                return None  # /start for another bot
            _, payload = start_payload(text)
            return Event(kind="start", payload=payload, **base)
        rich = None
        if base["is_direct"] and (
            "<" in text
            or any(
                e.get("type") not in ("bot_command", "url", "mention")
                for e in msg.get("entities") or []
                if isinstance(e, dict)
            )
        ):
            from ...lang.richtext import from_telegram

            rich = from_telegram(msg)  # formatting kept for an organiser's text (flows decide)
        return Event(text=text, kind="text", html=rich, **base)


def _edit_event(edited: dict) -> Event | None:
    chat = edited.get("chat") or {}
    frm = edited.get("from") or {}
    if chat.get("type") != "private" or "id" not in frm:
        return None
    return Event(
        backend=NAME,
        chat_id=str(chat["id"]),
        user_id=str(frm["id"]),
        kind="edit",
        locale=frm.get("language_code"),
        is_direct=True,
        message_id=str(edited.get("message_id")),
        thread=_topic(edited),
    )


def _topic(msg: dict) -> str | None:
    """The forum topic the message is in (``Address.thread``: the replies go there), else None."""
    thread = thread_of(msg)
    return str(thread) if thread is not None else None


def _sender(msg: dict, chat: dict) -> tuple[str, str | None] | None:
    """Who speaks: (user id, the chat id when they act as the chat itself), None for other bots."""
    is_direct = chat.get("type") == "private"
    frm = msg.get("from") if isinstance(msg.get("from"), dict) else None
    sender_chat = msg.get("sender_chat") if isinstance(msg.get("sender_chat"), dict) else None
    sender_chat_id = None
    if sender_chat and str(sender_chat.get("id")) == str(chat["id"]):
        # an anonymous admin (GroupAnonymousBot) or the channel itself: acts as the chat
        sender_chat_id = str(chat["id"])
    if sender_chat and sender_chat_id is None and sender_chat.get("id") is not None and not is_direct:
        return str(sender_chat["id"]), None  # someone speaking as one of their channels: not an admin
    if frm and "id" in frm:
        if frm.get("is_bot") and sender_chat_id is None:
            return None  # other bots
        return str(frm["id"]), sender_chat_id
    if sender_chat_id is not None:
        return sender_chat_id, sender_chat_id
    return None

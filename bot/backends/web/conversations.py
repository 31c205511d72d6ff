"""Open web conversations, in memory.

The page holds a random token; the server keeps only its hash (the conversation id, also the
``user_id`` of the events), the time of the last request and a rate bucket: about 300 bytes
per idle conversation.  Tokens are never stored, so after a restart old ones mean nothing (and
the backend erases the rows they left)."""

from __future__ import annotations

import hashlib
import secrets

from . import limits

TOKEN_BYTES = 24


def conversation_id(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()[:32]


class Conversation:
    __slots__ = ("cid", "last_seen", "bucket", "lang")

    def __init__(self, cid: str, now: float, rate_per_min: int, lang: str):
        self.cid = cid
        self.last_seen = now
        self.bucket = limits.per_minute(rate_per_min)
        self.lang = lang

    @property
    def user_key(self) -> str:
        return f"web:{self.cid}"


class Conversations:
    def __init__(self, limit: int, idle_seconds: float, rate_per_min: int):
        self.limit, self.idle, self.rate = limit, idle_seconds, rate_per_min
        self._open: dict[str, Conversation] = {}

    def __len__(self) -> int:
        return len(self._open)

    def full(self) -> bool:
        return len(self._open) >= self.limit

    def open(self, now: float, lang: str) -> tuple[str, Conversation] | None:
        """A new conversation and its token, or None when the limit is reached."""
        if self.full():
            return None
        token = secrets.token_urlsafe(TOKEN_BYTES)
        conv = Conversation(conversation_id(token), now, self.rate, lang)
        self._open[conv.cid] = conv
        return token, conv

    def get(self, token: str, now: float) -> Conversation | None:
        """The live conversation of ``token`` (its idle clock restarts), or None."""
        if not isinstance(token, str) or not 20 <= len(token) <= 64:
            return None
        conv = self._open.get(conversation_id(token))
        if conv is None or now - conv.last_seen > self.idle:
            return None
        conv.last_seen = now
        return conv

    def end(self, cid: str) -> Conversation | None:
        return self._open.pop(cid, None)

    def all(self) -> list[Conversation]:
        return list(self._open.values())

    def is_open(self, cid: str) -> bool:
        return cid in self._open

    def expired(self, now: float) -> list[Conversation]:
        """Remove and return the conversations idle longer than the limit."""
        gone = [c for c in self._open.values() if now - c.last_seen > self.idle]
        for c in gone:
            del self._open[c.cid]
        return gone

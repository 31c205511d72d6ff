"""Structured logs: one JSON line per event; never message text, never a user id in clear
(a keyed hash when correlation is needed).

Write log calls as ``log.info("reminder_sent id=%s backend=%s", rid, name)``: the formatter
turns the first word into ``"event"`` and every ``key=value`` pair into a field.  Fields
named like an identifier of a person (``user``, ``user_id``, ``user_key``, ``chat``,
``chat_id``, ``room``, ``sender``...) are replaced by their keyed hash, whatever the caller
passed; fields named like content (``text``, ``body``, ``message``...) are dropped.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import sys
import traceback

_KEY = os.urandom(16)

#: Field names whose values identify a person or a conversation: always hashed.
PSEUDO_FIELDS = frozenset(
    {
        "user",
        "user_id",
        "user_key",
        "uid",
        "chat",
        "chat_id",
        "room",
        "room_id",
        "sender",
        "sender_chat_id",
        "mxid",
        "session",
        "session_key",
        "follower",
    }
)
#: Field names that would carry content: never written.
DROP_FIELDS = frozenset(
    {
        "text",
        "body",
        "message",
        "msg",
        "content",
        "caption",
        "phone",
        "formatted_body",
        "password",
        "token",
        "access_token",
    }
)

_PAIR = re.compile(r"(\w+)=(\S*)")


def set_hash_key(key: str | bytes | None) -> None:
    global _KEY
    if key:
        _KEY = key.encode() if isinstance(key, str) else key


def pseudo(value: str) -> str:
    """Keyed hash of an identifier, for correlating log lines without naming anyone."""
    return hmac.new(_KEY, str(value).encode(), hashlib.sha256).hexdigest()[:12]


def _clean(key: str, value):
    k = key.lower()
    if k in DROP_FIELDS:
        return None
    if k in PSEUDO_FIELDS and value not in (None, ""):
        v = str(value)
        return v if re.fullmatch(r"[0-9a-f]{12}", v) else pseudo(v)  # already hashed: keep
    return value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
        }
        try:
            msg = record.getMessage()
        except Exception:  # a bad format string must not lose the line
            msg = str(record.msg)
        head, _, rest = msg.partition(" ")
        if head and "=" not in head:
            out["event"] = head
        else:
            out["event"] = "log"
            rest = msg
        extra_text = _PAIR.sub("", rest).strip()
        for k, v in _PAIR.findall(rest):
            v = _clean(k, v)
            if v is not None and k not in out:
                out[k] = v
        if extra_text and not _PAIR.search(rest):
            # Free text after the event word: keep only its length (it may be user content).
            out["detail_chars"] = len(extra_text)
        for k, v in getattr(record, "fields", {}).items():  # log.info("x", extra={"fields": {...}})
            v = _clean(k, v)
            if v is not None:
                out[k] = v if isinstance(v, (int, float, bool)) else str(v)
        if record.exc_info and record.exc_info[0]:
            out["exc"] = record.exc_info[0].__name__
            tb = traceback.extract_tb(record.exc_info[2])
            # Where, not what: file:line:function of the last frames; the exception message may
            # quote user text, so it is not written.
            out["where"] = " < ".join(f"{os.path.basename(f.filename)}:{f.lineno}:{f.name}" for f in reversed(tb[-4:]))
        return json.dumps(out, ensure_ascii=False)


def setup(level: str = "INFO", stream=None, hash_key: str | bytes | None = None) -> None:
    if hash_key:
        set_hash_key(hash_key)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "telegram", "nio", "aiohttp", "apscheduler", "peewee", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

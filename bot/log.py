"""Structured logs: one line per event, ``key=value``; never message text, never a user id
in clear (a keyed hash when correlation is needed)."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import sys

_KEY = os.urandom(16)


def set_hash_key(key: str | bytes | None) -> None:
    global _KEY
    if key:
        _KEY = key.encode() if isinstance(key, str) else key


def pseudo(value: str) -> str:
    """Keyed hash of an identifier, for correlating log lines without naming anyone."""
    return hmac.new(_KEY, str(value).encode(), hashlib.sha256).hexdigest()[:12]


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname,
               "logger": record.name, "event": record.getMessage()}
        if record.exc_info:
            out["exc"] = record.exc_info[0].__name__ if record.exc_info[0] else None
        return json.dumps(out, ensure_ascii=False)


def setup(level: str = "INFO", stream=None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "telegram", "nio", "aiohttp", "apscheduler", "peewee"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

"""Storage failures the operator must hear about: disk full, read-only or corrupt database.

:func:`storage_failed` writes one clear log line (what happened and what to do, never a user's
text), counts ``storage_errors{kind}`` and makes ``/healthz`` report unhealthy for
:data:`WINDOW` seconds after the last failure.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import time

from . import metrics

log = logging.getLogger("mes_bot.storage")

WINDOW = 300.0
HINTS = {
    "disk_full": "the disk holding the data folder is full: free space, nothing is saved meanwhile",
    "read_only": "the database or its folder is not writable (permissions, read-only or immutable file)",
    "corrupt": "the database file is damaged: stop the bot and restore a backup",
    "busy": "the database is locked by another program",
    "storage_error": "the database could not be written",
}
_last: dict[str, float] = {}
clock = time.monotonic


def classify(exc: BaseException) -> str:
    """The kind of a storage failure, from SQLite's or the OS's error (never its text in logs)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        primary = code & 0xFF
        if primary == sqlite3.SQLITE_FULL:
            return "disk_full"
        if primary in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN):
            return "read_only"
        if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
            return "corrupt"
        if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return "busy"
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return "disk_full"
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return "read_only"
    msg = str(exc).lower()
    if "full" in msg:
        return "disk_full"
    if "readonly" in msg or "read-only" in msg:
        return "read_only"
    if "malformed" in msg or "not a database" in msg:
        return "corrupt"
    return "storage_error"


def is_storage_error(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.Error) or (isinstance(exc, OSError) and classify(exc) != "storage_error")


def storage_failed(exc: BaseException, where: str) -> str:
    kind = classify(exc)
    _last[kind] = clock()
    metrics.inc("storage_errors", kind=kind)
    log.error("storage_failed where=%s kind=%s: %s", where, kind, HINTS[kind])
    return kind


def problems() -> list[str]:
    """Kinds of storage failure seen in the last :data:`WINDOW` seconds."""
    now = clock()
    return sorted(k for k, t in _last.items() if now - t <= WINDOW)


def reset() -> None:
    _last.clear()

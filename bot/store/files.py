"""The database as a file, for the commands that work beside a running bot (``mes-bot check``,
``mes-bot backup``): a read-and-write probe and a consistent online copy.  Plain sqlite3, no Store."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def probe(db: Path) -> tuple[int, int]:
    """(schema version, number of users) of an existing database, after a quick check and a real
    write that is rolled back (an immutable or read-only file fails here).  Raises sqlite3.Error."""
    conn = sqlite3.connect(str(db), timeout=3, isolation_level=None)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        row = conn.execute("PRAGMA quick_check(1)").fetchone()
        if not row or row[0] != "ok":
            raise sqlite3.DatabaseError("database disk image is malformed (quick_check failed)")
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='kv'").fetchone():
                conn.execute("INSERT OR REPLACE INTO kv (key, value) VALUES ('write_probe', NULL)")
            else:
                conn.execute("CREATE TABLE write_probe (x)")
        finally:
            conn.execute("ROLLBACK")
        users = 0
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='users'").fetchone():
            users = conn.execute("SELECT COUNT(*) FROM users").fetchone()[0]
        return version, users
    finally:
        conn.close()


def online_copy(src: Path, tmp: Path) -> tuple[str, int, dict[str, int]]:
    """Copy ``src`` into ``tmp`` (created 0600) with the backup API, in one step under one read
    transaction: a consistent snapshot while the bot keeps writing (WAL lets writers go on).
    Returns (integrity check result, schema version, rows per table) of the copy."""
    source = sqlite3.connect(str(src), timeout=10)
    try:
        source.execute("PRAGMA busy_timeout=10000")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        target = sqlite3.connect(str(tmp))
        try:
            source.backup(target, pages=-1)
            target.execute("PRAGMA journal_mode=DELETE")
            ok = target.execute("PRAGMA integrity_check").fetchone()[0]
            version = target.execute("PRAGMA user_version").fetchone()[0]
            tables = [
                r[0]
                for r in target.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            counts = {t: target.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
        finally:
            target.close()
    finally:
        source.close()
    return ok, version, counts

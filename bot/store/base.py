from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import threading
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import sqlite_utils
from sqlite_utils.db import Table


class NewerDatabaseError(RuntimeError):
    """The database was written by a newer version of mes-bot."""


class DamagedDatabaseError(sqlite3.DatabaseError):
    """The database file is damaged (truncated, overwritten): restore a backup."""


def utcnow_iso(now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return now.astimezone(timezone.utc).isoformat(timespec="seconds")


def migrations() -> list[tuple[int, str, str]]:
    """[(number, name, sql)] sorted; gaps in numbering are allowed."""
    out = []
    pkg = resources.files("bot.store") / "migrations"
    for entry in pkg.iterdir():
        m = re.match(r"^(\d{4})_(.+)\.sql$", entry.name)
        if m:
            out.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    return sorted(out)


def code_schema_version() -> int:
    ms = migrations()
    return ms[-1][0] if ms else 0


class BaseStore:
    """Opens (or creates) ``mes-bot.db`` in WAL mode and runs pending migrations.

    Before migrating an existing database, a copy is saved next to it
    (``mes-bot.db.bak-v<old version>``)."""

    def __init__(self, path: str | Path = ":memory:", backup_before_migrate: bool = True):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(OSError):
                os.chmod(Path(self.path).parent, 0o700)
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.lock = threading.RLock()
        self.db = sqlite_utils.Database(conn)
        if self.path != ":memory:":
            self.db.execute("PRAGMA journal_mode=WAL")
            for suffix in ("", "-wal", "-shm"):
                p = Path(self.path + suffix)
                if p.exists():
                    os.chmod(p, 0o600)
        self.db.execute("PRAGMA secure_delete=ON")  # erased rows are overwritten, not left in free pages
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA busy_timeout=5000")
        if self.path != ":memory:":
            self._verify()
        self._migrate(backup_before_migrate)
        if self.path != ":memory:":
            self._probe_write()

    def _verify(self) -> None:
        """A damaged or truncated file is refused at start, not discovered by a user later."""
        row = self.db.execute("PRAGMA quick_check(1)").fetchone()
        if not row or row[0] != "ok":
            raise DamagedDatabaseError("database disk image is malformed (quick_check failed)")

    def _probe_write(self) -> None:
        """An immutable or read-only database (opened read-only by SQLite) is refused at start."""
        with self.lock:
            conn = self.db.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("INSERT OR REPLACE INTO kv (key, value) VALUES ('write_probe', NULL)")
            finally:
                conn.execute("ROLLBACK")

    # -- schema --------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self, backup: bool) -> None:
        current = self.schema_version
        latest = code_schema_version()
        if current > latest:
            raise NewerDatabaseError(
                f"database {self.path} has schema version {current}, newer than this mes-bot "
                f"(knows up to {latest}); upgrade mes-bot or restore a backup"
            )
        pending = [m for m in migrations() if m[0] > current]
        if not pending:
            return
        if backup and current > 0 and self.path != ":memory:":
            self.backup(self.path + f".bak-v{current}")
        for number, _name, sql in pending:
            with self.lock:
                conn = self.db.conn
                conn.execute("BEGIN")
                try:
                    for stmt in _split_sql(sql):
                        conn.execute(stmt)
                    conn.execute(f"PRAGMA user_version = {number}")
                    conn.execute("COMMIT")
                except Exception:
                    conn.execute("ROLLBACK")
                    raise

    def backup(self, dest: str | Path) -> Path:
        """Consistent online copy through the SQLite backup API (safe while the bot runs)."""
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".part")
        if tmp.exists():
            tmp.unlink()
        target = sqlite3.connect(str(tmp))
        try:
            with self.lock:
                self.db.conn.backup(target)
        finally:
            target.close()
        os.chmod(tmp, 0o600)
        shutil.move(str(tmp), str(dest))
        return dest

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.db.conn.close()

    # -- generic helpers -------------------------------------------------------
    def table(self, name: str) -> Table:
        """A table by name (``db[name]`` is typed ``Table | View``; the store only writes tables)."""
        return self.db.table(name)

    def tables_with_column(self, column: str) -> list[str]:
        return [t.name for t in self.db.tables if column in t.columns_dict]

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database and empty it: after an erasure, the old
        page images (with the erased rows) must not stay readable in ``mes-bot.db-wal``."""
        if self.path == ":memory:":
            return
        with self.lock, contextlib.suppress(sqlite3.Error):  # busy: the next one will do it
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def transaction(self):
        """``with store.transaction():`` - one atomic write, serialised across threads."""
        return _Tx(self)


class _Tx:
    def __init__(self, store: BaseStore):
        self.store = store

    def __enter__(self):
        self.store.lock.acquire()
        try:
            self.store.db.conn.execute("BEGIN IMMEDIATE")
        except BaseException:  # busy database, nested use: never keep the lock
            self.store.lock.release()
            raise
        return self.store.db

    def __exit__(self, exc_type, exc, tb):
        try:
            self.store.db.conn.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self.store.lock.release()
        return False


def _split_sql(sql: str) -> list[str]:
    """Split a migration into statements (no semicolons inside strings in our migrations)."""
    body = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    return [s.strip() for s in body.split(";") if s.strip()]

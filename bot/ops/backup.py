"""``mes-bot backup DEST [--data-dir DIR | --config FILE] [--keep N]``: a consistent copy of
the database made through SQLite's online backup API, safe while the bot runs.

DEST is a file, or an existing folder (then ``mes-bot-YYYYmmdd-HHMMSS.db`` inside it; with
``--keep N`` only the N newest such copies are kept).  The copy is checked
(``PRAGMA integrity_check``) and readable by its owner only.  The database is opened without
running migrations: a backup never changes the original.

Restore: stop the bot, copy the backup over ``mes-bot.db`` in the data folder, delete
``mes-bot.db-wal`` and ``mes-bot.db-shm`` if present, start the bot.
"""
from __future__ import annotations

import argparse
import sys


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("dest", help="backup file, or an existing folder")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--data-dir", help="data folder holding mes-bot.db")
    g.add_argument("--config", help="TOML configuration file (its data_dir)")
    p.add_argument("--keep", type=int, default=0, help="in a folder, keep only the N newest backups")


def backup_database(src, dest) -> dict:
    """Copy ``src`` (a mes-bot.db) to ``dest`` with the backup API; returns facts about the copy."""
    import os
    import sqlite3
    from pathlib import Path

    src, dest = Path(src), Path(dest)
    if not src.is_file():
        raise FileNotFoundError(f"no database at {src}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    if tmp.exists():
        tmp.unlink()
    source = sqlite3.connect(str(src), timeout=10)
    try:
        source.execute("PRAGMA busy_timeout=10000")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        target = sqlite3.connect(str(tmp))
        try:
            # pages=-1: one step, under one read transaction -> a consistent snapshot even
            # while the bot keeps writing (WAL lets writers go on meanwhile).
            source.backup(target, pages=-1)
            target.execute("PRAGMA journal_mode=DELETE")
            ok = target.execute("PRAGMA integrity_check").fetchone()[0]
            version = target.execute("PRAGMA user_version").fetchone()[0]
            tables = [r[0] for r in target.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
            counts = {t: target.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
        finally:
            target.close()
    finally:
        source.close()
    if ok != "ok":
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"integrity check of the copy failed: {ok}")
    os.chmod(tmp, 0o600)
    os.replace(tmp, dest)
    return {"path": str(dest), "schema": version, "bytes": dest.stat().st_size, "rows": counts}


def rotate(folder, keep: int) -> list[str]:
    from pathlib import Path

    if keep <= 0:
        return []
    olds = sorted(Path(folder).glob("mes-bot-*.db"))[:-keep]
    for p in olds:
        p.unlink()
    return [str(p) for p in olds]


def main(args) -> int:
    from datetime import datetime
    from pathlib import Path

    from ..config import load_settings

    settings = load_settings(getattr(args, "config", None), data_dir=getattr(args, "data_dir", None))
    dest = Path(args.dest).expanduser()
    folder = None
    if dest.is_dir():
        folder = dest
        dest = dest / f"mes-bot-{datetime.now().strftime('%Y%m%d-%H%M%S')}.db"
    try:
        if dest.resolve() == Path(settings.db_path).resolve():
            print("mes-bot backup: DEST is the live database itself", file=sys.stderr)
            return 2
        info = backup_database(settings.db_path, dest)
    except (OSError, RuntimeError) as e:
        print(f"mes-bot backup: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # sqlite3.Error and friends
        print(f"mes-bot backup: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    rows = ", ".join(f"{k} {v}" for k, v in sorted(info["rows"].items()))
    print(f"backup: {info['path']} (schema v{info['schema']}, {info['bytes']} bytes; {rows})")
    if folder is not None and args.keep:
        for p in rotate(folder, args.keep):
            print(f"removed old backup {p}")
    return 0

"""``mes-bot backup (DEST | --dir FOLDER) [--data-dir DIR | --config FILE] [--keep N]``: a consistent
copy of the database made through SQLite's online backup API, safe while the bot runs.

DEST is a folder when it is one already, ends with ``/``, is given with ``--dir``, or has no
database-like suffix (``/var/backups/mes-bot``): the folder is created if missing and the copy is
``mes-bot-YYYYmmdd-HHMMSS.db`` inside it (UTC; with ``--keep N`` only the N newest such copies are
kept).  DEST ending in ``.db``, ``.sqlite``, ``.sqlite3`` or ``.bak`` is a file.  The copy is checked
(``PRAGMA integrity_check``) and readable by its owner only.  The database is opened without
running migrations: a backup never changes the original.

Restore: stop the bot, copy the backup over ``mes-bot.db`` in the data folder, delete
``mes-bot.db-wal`` and ``mes-bot.db-shm`` if present, start the bot.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "dest",
        nargs="?",
        help="backup file (….db), or a folder (existing, ending with /, or "
        "without a .db suffix): timestamped copies inside it",
    )
    p.add_argument("--dir", dest="folder", metavar="FOLDER", help="folder for timestamped copies (created if missing)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--data-dir", help="data folder holding mes-bot.db")
    g.add_argument("--config", help="TOML configuration file (its data_dir)")
    p.add_argument("--keep", type=_count, default=0, help="in a folder, keep only the N newest backups")


FILE_SUFFIXES = (".db", ".sqlite", ".sqlite3", ".bak")
STAMPED = re.compile(r"mes-bot-\d{8}-\d{6}(-\d+)?\.db")


def _count(value: str) -> int:
    n = int(value)
    if n < 0:
        raise argparse.ArgumentTypeError("--keep takes 0 (keep all) or more")
    return n


def is_folder(dest: str) -> bool:
    """Whether DEST names a folder: existing one, trailing slash, or no database-like suffix."""
    from pathlib import Path

    path = Path(dest).expanduser()
    return path.is_dir() or dest.endswith(("/", os.sep)) or path.suffix.lower() not in FILE_SUFFIXES


def stamped_name(folder, now) -> Path:
    """``mes-bot-YYYYmmdd-HHMMSS.db`` in ``folder`` (UTC), with ``-2``, ``-3``… if taken."""
    from pathlib import Path

    base = f"mes-bot-{now.strftime('%Y%m%d-%H%M%S')}"
    path = Path(folder) / f"{base}.db"
    for n in range(2, 1000):
        if not path.exists():
            return path
        path = Path(folder) / f"{base}-{n}.db"
    raise FileExistsError(f"too many backups named {base}-*.db in {folder}")


def backup_database(src, dest) -> dict:
    """Copy ``src`` (a mes-bot.db) to ``dest`` with the backup API; returns facts about the copy."""
    import os
    from pathlib import Path

    from ..store.files import online_copy

    src, dest = Path(src), Path(dest)
    if not src.is_file():
        raise FileNotFoundError(f"no database at {src}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    if tmp.exists():
        tmp.unlink()
    ok, version, counts = online_copy(src, tmp)
    if ok != "ok":
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"integrity check of the copy failed: {ok}")
    os.chmod(tmp, 0o600)
    os.replace(tmp, dest)
    return {"path": str(dest), "schema": version, "bytes": dest.stat().st_size, "rows": counts}


def rotate(folder, keep: int) -> list[str]:
    """Delete all but the ``keep`` newest timestamped copies in ``folder``; returns what was deleted."""
    from pathlib import Path

    if keep <= 0:
        return []

    def age(p):  # time stamp, then the -2, -3… of copies made within the same second
        m = STAMPED.fullmatch(p.name)
        return p.name[8:23], int(m.group(1)[1:]) if m.group(1) else 1

    olds = sorted((p for p in Path(folder).glob("mes-bot-*.db") if STAMPED.fullmatch(p.name)), key=age)[:-keep]
    for p in olds:
        p.unlink()
    return [str(p) for p in olds]


def main(args) -> int:
    from datetime import datetime, timezone
    from pathlib import Path

    from ..infra.config import load_settings

    if (args.dest is None) == (args.folder is None):
        print("mes-bot backup: give a destination, either DEST or --dir FOLDER", file=sys.stderr)
        return 2
    settings = load_settings(getattr(args, "config", None), data_dir=getattr(args, "data_dir", None))
    folder = None
    if args.folder is not None or is_folder(args.dest):
        folder = Path(args.folder if args.folder is not None else args.dest).expanduser()
        if folder.exists() and not folder.is_dir():
            print(
                f"mes-bot backup: {folder} is a file, not a folder (an old backup? move it away, "
                f"or give a file name ending in .db)",
                file=sys.stderr,
            )
            return 2
    elif args.keep:
        print("mes-bot backup: --keep applies to a folder of backups, not to one file", file=sys.stderr)
        return 2
    try:
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            dest = stamped_name(folder, datetime.now(timezone.utc))
        else:
            dest = Path(args.dest).expanduser()
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

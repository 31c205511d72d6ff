"""One running mes-bot per data folder: an OS-level lock (``flock``) on ``mes-bot.lock``.

Two processes on one folder (a manual run beside the systemd one, a second container) would
both send every reminder and every broadcast message.  Every command that writes takes the
lock when it builds its App (the command line sets :data:`required`); a second one refuses
to start with one clear line.  ``backup`` and ``check`` only read: they never take it.  The
lock goes away with the process (even after ``kill -9``): nothing to clean up by hand.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

LOCK_NAME = "mes-bot.lock"
EXIT_BUSY = 3

#: Set by the command line for commands that write (run, telegram, matrix, console...).
required = False
_held: dict[str, int] = {}


class DataFolderBusy(RuntimeError):
    """Another mes-bot process holds the data folder."""


def acquire(data_dir) -> None:
    """Lock ``data_dir`` for this process (idempotent), or raise :class:`DataFolderBusy`."""
    import fcntl

    folder = Path(data_dir).expanduser().resolve()
    key = str(folder)
    if key in _held:
        return
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        try:
            other = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        except OSError:
            other = ""
        os.close(fd)
        who = f" (pid {other})" if other.isdigit() else ""
        raise DataFolderBusy(
            f"another mes-bot is already running on the data folder {folder}{who}; "
            f"stop it first, or use another data folder"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    _held[key] = fd


def release_all() -> None:
    """Tests only: drop every lock this process holds."""
    for fd in _held.values():
        with contextlib.suppress(OSError):
            os.close(fd)
    _held.clear()

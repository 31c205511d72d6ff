"""Matrix backend on matrix-nio, with end-to-end encryption (vodozemac).

``mes-bot matrix --homeserver URL --user @bot:server (--password PW | --access-token TOKEN)
[--device-id ID] [--data-dir DIR]``; every option also from ``MATRIX_*`` environment variables.

Data folder (``<data>/matrix/``, owner-only files):
  ``credentials.json`` access token + device id from the first password login (later starts
  reuse the same device, so the encryption store stays valid); ``pickle.key`` random pickle
  key when none is configured (never nio's constant); ``store/`` nio's encryption store;
  ``cross_signing.json`` the bot's cross-signing seeds (see cross_signing.py).

The backend is split by concern (one module each job, see :class:`MatrixBackend`); this module
keeps the command-line entry points and the names other modules import.

Top level imports no heavy library (nio is imported lazily).
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from ...infra.config import ConfigError
from .errors import MatrixAuthError, MatrixError, MatrixUnreachable
from .reactions import CHOICE_MESSAGES_KEPT, REACTION_PAUSE_S  # noqa: F401 (re-exported)
from .state import MEGOLM, NAME  # noqa: F401 (re-exported)
from .sync import SYNC_FILTER, SyncPart  # noqa: F401 (re-exported)
from .timeline import HANDLED_KEEP_MS  # noqa: F401 (re-exported)
from .wire import KEYCAPS, keycap_index, render_content  # noqa: F401 (re-exported)

log = logging.getLogger("mes_bot.matrix")

# ----------------------------------------------------------------------------------------
# CLI


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--homeserver", help="homeserver URL (MATRIX_HOMESERVER)")
    p.add_argument("--user", help="bot account, @bot:server (MATRIX_USER)")
    p.add_argument("--password", help="password for the first login (MATRIX_PASSWORD)")
    p.add_argument("--access-token", help="access token instead of a password (MATRIX_ACCESS_TOKEN)")
    p.add_argument("--device-id", help="device id to reuse (MATRIX_DEVICE_ID)")
    p.add_argument("--data-dir", help="data folder (default: per-user XDG data dir)")
    p.add_argument("--config", help="TOML configuration file")


def create(app, settings=None) -> "MatrixBackend":
    return MatrixBackend(app, settings or app.settings)


def main(args) -> int:
    from ...core.app import App
    from ...infra.config import load_settings

    settings = load_settings(getattr(args, "config", None), data_dir=args.data_dir,
                             matrix_homeserver=args.homeserver, matrix_user=args.user,
                             matrix_password=args.password, matrix_access_token=args.access_token,
                             matrix_device_id=args.device_id)
    check_settings(settings)
    from ...infra.log import setup as log_setup

    log_setup(settings.log_level, hash_key=settings.log_hash_key)
    app = App(settings)
    backend = create(app, settings)
    try:
        return asyncio.run(run(app, backend))
    except MatrixAuthError as e:
        print(f"mes-bot matrix: {e}", file=sys.stderr)
        return 1
    except MatrixError as e:   # unreachable at start, stopped before it answered: one line, no traceback
        print(f"mes-bot: {e}", file=sys.stderr)
        return 5 if isinstance(e, MatrixUnreachable) else 1
    finally:
        app.store.close()


def check_settings(settings) -> None:
    if not settings.matrix_homeserver:
        raise ConfigError("setting 'matrix_homeserver' (MATRIX_HOMESERVER or --homeserver) is required")
    if not settings.matrix_user or not settings.matrix_user.startswith("@") or ":" not in settings.matrix_user:
        raise ConfigError("setting 'matrix_user' (MATRIX_USER or --user) must look like @bot:server")


async def run(app, backend: "MatrixBackend") -> int:
    import signal

    app.add_backend(backend)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(backend.stop()))
        except (NotImplementedError, RuntimeError):
            pass
    await backend.start()
    tickers = asyncio.create_task(app.run_tickers(stop))
    try:
        await backend.receive(app.handle_event)
    finally:
        stop.set()
        await tickers
        await backend.close()
    return 0


# ----------------------------------------------------------------------------------------
# The backend


class MatrixBackend(SyncPart):
    """The backend, assembled from its parts (each module one job, each class on the one before):
    state.py (what they share), session.py (log in, stop), keys.py (encryption chores, trust),
    transport.py (one event out, errors.py mapped), reactions.py, sending.py (replies, edits),
    rooms.py (invites, direct chats, admins), timeline.py (one room's events), queues.py (a worker
    per room, the flood bound), sync.py (the sync loop; resume.py: which token to save)."""

"""Matrix backend on matrix-nio, with end-to-end encryption (vodozemac).

``mes-bot matrix --homeserver URL --user @bot:server (--password PW | --access-token TOKEN)
[--device-id ID] [--data-dir DIR]`` (options: startup.py; started by bot/ops/run.py); every option
also from ``MATRIX_*`` environment variables.

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

import logging

from ...infra.config import ConfigError
from .errors import MatrixAuthError, MatrixError, MatrixUnreachable  # noqa: F401 (re-exported)
from .reactions import CHOICE_MESSAGES_KEPT, REACTION_PAUSE_S  # noqa: F401 (re-exported)
from .state import MEGOLM, NAME  # noqa: F401 (re-exported)
from .sync import SYNC_FILTER, SyncPart  # noqa: F401 (re-exported)
from .timeline import HANDLED_KEEP_MS  # noqa: F401 (re-exported)
from .wire import KEYCAPS, keycap_index, render_content  # noqa: F401 (re-exported)

log = logging.getLogger("mes_bot.matrix")

# ----------------------------------------------------------------------------------------
# Start-up: bot/backends/matrix/startup.py (options, settings check, live check) through bot/ops/run.py


def create(app, settings=None) -> "MatrixBackend":
    return MatrixBackend(app, settings or app.settings)


def check_settings(settings) -> None:
    if not settings.matrix_homeserver:
        raise ConfigError("setting 'matrix_homeserver' (MATRIX_HOMESERVER or --homeserver) is required")
    if not settings.matrix_user or not settings.matrix_user.startswith("@") or ":" not in settings.matrix_user:
        raise ConfigError("setting 'matrix_user' (MATRIX_USER or --user) must look like @bot:server")


# ----------------------------------------------------------------------------------------
# The backend


class MatrixBackend(SyncPart):
    """The backend, assembled from its parts (each module one job, each class on the one before):
    state.py (what they share), session.py (log in, stop), keys.py (encryption chores, trust),
    transport.py (one event out, errors.py mapped), reactions.py, sending.py (replies, edits),
    rooms.py (invites, direct chats, admins), timeline.py (one room's events), queues.py (a worker
    per room, the flood bound), sync.py (the sync loop; resume.py: which token to save)."""

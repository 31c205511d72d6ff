"""The Telegram backend (python-telegram-bot).  ``mes-bot telegram`` and ``mes-bot run`` use
the entry points re-exported here."""
from .backend import configure, create, main, make_clock, run  # noqa: F401

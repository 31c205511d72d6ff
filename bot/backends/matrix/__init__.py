"""The Matrix backend (matrix-nio, end-to-end encryption, cross-signing, verification).
``mes-bot matrix`` and ``mes-bot run`` use the entry points re-exported here."""
from .backend import check_settings, configure, create, main, run  # noqa: F401

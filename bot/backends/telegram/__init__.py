"""The Telegram backend (python-telegram-bot), split by concern (see backend.py).  ``SPEC`` is what
``mes-bot telegram`` and ``mes-bot run`` need (bot/ops/backend_spec.py)."""

from ...ops.backend_spec import BackendSpec
from . import startup

SPEC = BackendSpec(
    startup.NAME,
    create=startup.create,
    configure=startup.configure,
    overrides=startup.overrides,
    require=startup.require,
    probe=startup.probe,
    failure=startup.failure,
)

"""mes-bot: helps people in France decide about Mon espace santé, and refuse or close it."""

__version__ = "0.1.0"

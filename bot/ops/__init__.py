"""Operations: ``mes-bot run`` (all backends in one process), ``check``, ``backup``, and the
health/metrics endpoint.  Module top levels stay light (``mes-bot --help`` imports them)."""

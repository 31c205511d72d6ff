"""What the runner needs from a backend, declared in one place: the ``SPEC`` of its package.

``bot/backends/<name>/__init__.py`` sets ``SPEC = BackendSpec(...)``: how to build the backend,
the options of its ``mes-bot <name>`` command, what it requires of the settings before anything
connects, its live check for ``mes-bot check``, and how a failure at start reads on the command
line.  ``mes-bot <name>`` and ``mes-bot run`` both start it through :mod:`bot.ops.run`; nothing else
in the bot knows a backend by name (the names and help lines are ``BACKENDS`` in
``bot/infra/config.py``).  Keep the package's top level light: the hooks import heavy libraries
themselves.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ..infra.config import BACKENDS, ConfigError, Settings


def _no_options(parser: argparse.ArgumentParser) -> None:
    return None


def _no_overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {}


def _no_requirement(settings: Settings) -> None:
    return None


def _unknown_failure(exc: BaseException) -> tuple[int, str] | None:
    return None


@dataclass(frozen=True)
class BackendSpec:
    name: str
    #: ``create(app, settings, args)`` -> the backend; ``args`` are the command's options, or None
    #: under ``mes-bot run``
    create: Callable[[Any, Settings, argparse.Namespace | None], Any]
    #: the options of ``mes-bot <name>`` beyond the runner's own (--config, --data-dir, --log-level,
    #: --health-listen)
    configure: Callable[[argparse.ArgumentParser], None] = _no_options
    #: those options as settings, ``{"telegram_token": args.token, ...}`` (None: not given)
    overrides: Callable[[argparse.Namespace], dict[str, Any]] = _no_overrides
    #: after loading: options that combine with a loaded setting (e.g. a port with a host)
    adjust: Callable[[Settings, argparse.Namespace], None] | None = None
    #: what the backend needs to run; raises ConfigError naming the setting and where to set it
    require: Callable[[Settings], None] = _no_requirement
    #: ``mes-bot check``: ``probe(settings, report, timeout)`` asks the service (bot.ops.check.Report)
    probe: Callable[[Settings, Any, float], None] | None = None
    #: a failure of ``receive`` at start -> (exit code, one line for the terminal), or None
    failure: Callable[[BaseException], tuple[int, str] | None] = _unknown_failure
    #: ``mes-bot <name>`` only: a clock other than the system's (the console's ``--today``), or None
    clock: Callable[[Settings, argparse.Namespace | None], Any] | None = None
    #: ``await before_scheduler(app, backend)``: what it shows before the first tick (a welcome)
    before_scheduler: Callable[[Any, Any], Awaitable[None]] | None = None
    #: the exit code after a clean stop (default 0): e.g. 141 when the reader of the output went away
    exit_code: Callable[[Any], int] | None = None


def spec_of(name: str) -> BackendSpec:
    """The declaration of backend ``name`` (its package is imported now)."""
    if name not in BACKENDS:
        raise ConfigError(f"unknown backend {name!r} (known: {', '.join(BACKENDS)})")
    spec = vars(importlib.import_module(f"bot.backends.{name}")).get("SPEC")
    if not isinstance(spec, BackendSpec):
        raise RuntimeError(f"bot.backends.{name} declares no SPEC (a BackendSpec)")
    return spec


def require_backends(settings: Settings, backends: tuple[str, ...] | None = None) -> None:
    """What ``mes-bot run`` and ``check`` need before connecting anywhere: each backend's own
    requirements; the message names the setting and the environment variable to set."""
    backends = tuple(settings.backends if backends is None else backends)
    if not backends:
        raise ConfigError(
            "setting 'backends' is empty: list the backends to run, e.g. "
            'backends = ["telegram", "matrix"] (or MESBOT_BACKENDS=telegram,matrix)'
        )
    for name in backends:
        spec_of(name).require(settings)

"""Web backend: the same conversation in a plain web page, no app and no account.

``mes-bot web [--host 127.0.0.1] [--port 8080]`` serves one page and a small JSON endpoint
(``server.py``); ``web`` is also a backend of ``mes-bot run``.  The page only translates
:class:`~bot.core.types.Event` / :class:`~bot.core.types.Reply`: flows, templates and the privacy screen are
those of every backend.  A conversation is keyed by a random token held in the page (no cookie);
its rows are erased when it ends (``/oubli``, tab closed) or after ``web_idle_minutes`` idle.
This module stays light: aiohttp is imported only when the server starts."""

from __future__ import annotations

import argparse

from ...ops.backend_spec import BackendSpec

NAME = "web"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", help="address to listen on (default 127.0.0.1; from web_listen)")
    p.add_argument("--port", type=int, help="port to listen on (default 8080; from web_listen)")


def create(app, settings, args: argparse.Namespace | None = None):
    from .server import WebBackend

    return WebBackend(app, settings)


def listen_address(settings, host: str | None, port: int | None) -> str:
    from ...infra.config import parse_hostport

    h, p = parse_hostport("web_listen", settings.web_listen)
    h, p = host or h, port or p
    return f"[{h}]:{p}" if ":" in h else f"{h}:{p}"


def adjust(settings, args: argparse.Namespace) -> None:
    """--host and --port combine with the configured ``web_listen``."""
    settings.web_listen = listen_address(settings, args.host, args.port)


SPEC = BackendSpec(NAME, create=create, configure=configure, adjust=adjust)

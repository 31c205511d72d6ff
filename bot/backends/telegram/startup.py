"""What the runner needs from the Telegram backend (its ``SPEC``, bot/ops/backend_spec.py): the options
of ``mes-bot telegram``, what it requires of the settings, the live check of ``mes-bot check`` and how
a failure at start reads.  Light: python-telegram-bot is imported only by the backend itself."""

from __future__ import annotations

import argparse
import json
import re
from typing import Any

from ...infra.config import ConfigError, Settings, hint, parse_hostport
from .state import DEFAULT_API, NAME

EXIT_CONFIG = 2  # the token was refused


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--token", help="bot token (visible to every user in `ps`: prefer $TELEGRAM_BOT_TOKEN or --token-file)"
    )
    p.add_argument("--token-file", help="file holding the bot token (mode 600; default: $TELEGRAM_BOT_TOKEN_FILE)")
    p.add_argument(
        "--api-url",
        help="Bot API base URL, python-telegram-bot's base_url "
        "(default https://api.telegram.org/bot; also a self-hosted Bot API server)",
    )
    p.add_argument("--file-url", help="Bot API file base URL (default: derived from --api-url)")
    p.add_argument("--webhook-url", help="public HTTPS URL Telegram posts updates to (webhook mode)")
    p.add_argument("--webhook-listen", help="address:port the webhook server listens on (default 127.0.0.1:8443)")
    p.add_argument(
        "--webhook-secret",
        help="secret token checked on every webhook call (default: $MESBOT_TELEGRAM_WEBHOOK_SECRET or generated)",
    )
    p.add_argument("--no-rate-limit", action="store_true", help="do not pace sends (tests and benchmarks only)")


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    return dict(
        telegram_token=args.token,
        telegram_token_file=args.token_file,
        telegram_api_url=args.api_url,
        telegram_webhook_url=args.webhook_url,
        telegram_webhook_listen=args.webhook_listen,
        telegram_webhook_secret=args.webhook_secret,
    )


def create(app, settings: Settings, args: argparse.Namespace | None = None):
    from .backend import TelegramBackend

    if args is None:
        return TelegramBackend(app, settings)
    return TelegramBackend(app, settings, file_url=args.file_url, rate_limit=not args.no_rate_limit)


def require(s: Settings) -> None:
    if not s.telegram_token:
        raise ConfigError(f"setting 'telegram_token' is required by backend 'telegram': set {hint('telegram_token')}")
    if not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", s.telegram_token):
        raise ConfigError(
            "setting 'telegram_token': does not look like a bot token from BotFather (digits, ':', then letters)"
        )
    if s.telegram_webhook_url:
        parse_hostport("telegram_webhook_listen", s.telegram_webhook_listen)


def failure(exc: BaseException) -> tuple[int, str] | None:
    from ...ops.cli import EXIT_UNREACHABLE
    from .errors import Unreachable

    if isinstance(exc, Unreachable):
        return EXIT_UNREACHABLE, f"{exc}; check --api-url and the network"
    if type(exc).__name__ == "InvalidToken":
        return EXIT_CONFIG, "the Bot API refused the token (check TELEGRAM_BOT_TOKEN / --api-url)"
    return None


def probe(settings: Settings, rep, timeout: float) -> None:
    """``mes-bot check``: the token is valid (``getMe`` on the configured API URL)."""
    from ...ops.check import FAIL, OK, http_get, reason

    base = settings.telegram_api_url or DEFAULT_API
    try:
        status, body = http_get(f"{base}{settings.telegram_token}/getMe", timeout)
    except Exception as e:
        rep.line(FAIL, NAME, f"Bot API at {base} unreachable: {reason(e)}")
        return
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        data = {}
    if status == 401 or (status == 404 and not data.get("ok")):
        rep.line(FAIL, NAME, f"token refused by {base} ({status}): check TELEGRAM_BOT_TOKEN (BotFather /token)")
        return
    if status != 200 or not data.get("ok"):
        rep.line(FAIL, NAME, f"getMe failed at {base}: HTTP {status} {data.get('description', '')}".strip())
        return
    me = data.get("result") or {}
    if not me.get("is_bot"):
        rep.line(FAIL, NAME, "getMe answered, but the account is not a bot")
        return
    rep.line(OK, NAME, f"token valid: bot @{me.get('username')} (id {me.get('id')}) via {base}")
    if settings.telegram_webhook_url:
        rep.line(
            OK,
            NAME,
            f"webhook mode: {settings.telegram_webhook_url}, listening on "
            f"{settings.telegram_webhook_listen}"
            + ("" if settings.telegram_webhook_secret else " (no secret: one is generated at start)"),
        )
    else:
        rep.line(OK, NAME, "long polling (no webhook_url)")

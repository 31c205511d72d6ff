"""``mes-bot check --config FILE``: validate the configuration and what it points to, print
what was found, exit non-zero on any problem.

* configuration (every setting; what each configured backend needs);
* database: data folder writable, schema version against this code (pending migrations),
  file permissions;
* Telegram: the token is valid (``getMe`` on the configured API URL) and the bot's name;
* Matrix: the homeserver answers ``/_matrix/client/versions``; an access token is checked
  with ``whoami`` (a password is not tried: a login would create a device);
* health endpoint address free (or, with ``--live``, the running bot answers ``/healthz``:
  this is what the container's HEALTHCHECK runs).

Secrets are never printed.
"""
from __future__ import annotations

import argparse
import json
import sys

OK, WARN, FAIL = "ok", "warn", "FAIL"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="TOML configuration file")
    p.add_argument("--data-dir", help="data folder (overrides the configuration)")
    p.add_argument("--backends", help="comma-separated backends to check (overrides)")
    p.add_argument("--live", action="store_true",
                   help="only ask the running bot's /healthz (health_listen); for container health checks")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per network probe (default 10)")


class Report:
    def __init__(self, out=None, secrets=()):
        self.out = out or sys.stdout
        self.secrets = [s for s in secrets if s]
        self.problems = 0

    def line(self, level: str, what: str, detail: str) -> None:
        for s in self.secrets:
            detail = detail.replace(s, "<secret>")
        if level == FAIL:
            self.problems += 1
        self.out.write(f"{level:<4}  {what}: {detail}\n")
        self.out.flush()


def _is_loopback(url: str) -> bool:
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


def http_get(url: str, timeout: float, headers: dict | None = None) -> tuple[int, bytes]:
    """GET; returns (status, body).  Loopback URLs never go through a proxy."""
    import urllib.error
    import urllib.request

    handlers = [urllib.request.ProxyHandler({})] if _is_loopback(url) else []
    opener = urllib.request.build_opener(*handlers)
    req = urllib.request.Request(url, headers={"User-Agent": "mes-bot-check", **(headers or {})})
    try:
        with opener.open(req, timeout=timeout) as r:
            return r.status, r.read(1_000_000)
    except urllib.error.HTTPError as e:
        return e.code, e.read(100_000) if e.fp else b""


def _reason(e: Exception) -> str:
    import urllib.error

    if isinstance(e, urllib.error.URLError):
        return f"cannot connect ({e.reason})"
    if isinstance(e, TimeoutError):
        return "no answer (timeout)"
    return f"{type(e).__name__}: {e}"


def check_database(settings, rep: Report) -> None:
    import os
    import sqlite3
    import tempfile
    from pathlib import Path

    from ..store.base import code_schema_version
    from ..store.files import probe

    data = Path(settings.data_dir)
    db = settings.db_path
    latest = code_schema_version()
    if not db.exists():
        try:
            data.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=data, prefix=".check-"):
                pass
        except OSError as e:
            rep.line(FAIL, "database", f"data folder {data} is not writable ({e.strerror or e})")
            return
        rep.line(OK, "database", f"{db} does not exist yet; it will be created (schema v{latest})")
        return
    try:
        version, users = probe(db)
    except sqlite3.Error as e:
        from ..infra.health_state import HINTS, classify

        rep.line(FAIL, "database", f"{db}: {HINTS[classify(e)]} ({e})")
        return
    if version > latest:
        rep.line(FAIL, "database", f"{db} has schema v{version}, newer than this mes-bot (v{latest}): "
                 f"upgrade mes-bot or restore a backup")
        return
    size = db.stat().st_size
    detail = f"{db} writable, schema v{version}, {users} users, {size // 1024} KiB"
    if version < latest:
        detail += f"; migrations to v{latest} will run at the next start (copy saved first as " \
                  f"{db.name}.bak-v{version})"
    rep.line(OK, "database", detail)
    mode = db.stat().st_mode & 0o777
    if mode & 0o077:
        rep.line(WARN, "database", f"{db} is readable by others (mode {oct(mode)}); chmod 600 it")
    if os.access(data, os.W_OK) is False:
        rep.line(FAIL, "database", f"data folder {data} is not writable (WAL files live there)")


def check_telegram(settings, rep: Report, timeout: float) -> None:
    base = settings.telegram_api_url or "https://api.telegram.org/bot"
    url = f"{base}{settings.telegram_token}/getMe"
    try:
        status, body = http_get(url, timeout)
    except Exception as e:
        rep.line(FAIL, "telegram", f"Bot API at {base} unreachable: {_reason(e)}")
        return
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        data = {}
    if status == 401 or (status == 404 and not data.get("ok")):
        rep.line(FAIL, "telegram", f"token refused by {base} ({status}): check TELEGRAM_BOT_TOKEN "
                 f"(BotFather /token)")
        return
    if status != 200 or not data.get("ok"):
        rep.line(FAIL, "telegram", f"getMe failed at {base}: HTTP {status} {data.get('description', '')}".strip())
        return
    me = data.get("result") or {}
    if not me.get("is_bot"):
        rep.line(FAIL, "telegram", "getMe answered, but the account is not a bot")
        return
    rep.line(OK, "telegram", f"token valid: bot @{me.get('username')} (id {me.get('id')}) via {base}")
    if settings.telegram_webhook_url:
        rep.line(OK, "telegram", f"webhook mode: {settings.telegram_webhook_url}, listening on "
                 f"{settings.telegram_webhook_listen}"
                 + ("" if settings.telegram_webhook_secret else " (no secret: one is generated at start)"))
    else:
        rep.line(OK, "telegram", "long polling (no webhook_url)")


def check_matrix(settings, rep: Report, timeout: float) -> None:
    hs = settings.matrix_homeserver.rstrip("/")
    try:
        status, body = http_get(f"{hs}/_matrix/client/versions", timeout)
    except Exception as e:
        rep.line(FAIL, "matrix", f"homeserver {hs} unreachable: {_reason(e)}")
        return
    try:
        versions = json.loads(body or b"{}").get("versions") or []
    except (ValueError, AttributeError):
        versions = []
    if status != 200 or not versions:
        rep.line(FAIL, "matrix", f"{hs} is not a Matrix homeserver (HTTP {status} on /_matrix/client/versions)")
        return
    rep.line(OK, "matrix", f"homeserver {hs} reachable (spec {versions[-1]})")
    if settings.matrix_access_token:
        try:
            status, body = http_get(f"{hs}/_matrix/client/v3/account/whoami", timeout,
                                    {"Authorization": f"Bearer {settings.matrix_access_token}"})
            who = json.loads(body or b"{}")
        except Exception as e:
            rep.line(FAIL, "matrix", f"whoami failed: {_reason(e)}")
            return
        if status != 200:
            rep.line(FAIL, "matrix", f"access token refused ({status} {who.get('errcode', '')}): "
                     f"check MATRIX_ACCESS_TOKEN")
        elif who.get("user_id") != settings.matrix_user:
            rep.line(FAIL, "matrix", f"access token belongs to {who.get('user_id')}, not "
                     f"matrix_user {settings.matrix_user}")
        else:
            rep.line(OK, "matrix", f"access token valid for {settings.matrix_user}"
                     + (f" (device {who['device_id']})" if who.get("device_id") else ""))
    elif settings.matrix_password:
        rep.line(OK, "matrix", f"password set for {settings.matrix_user} (not tried: a login creates a device)")
    if not settings.matrix_pickle_key:
        rep.line(WARN, "matrix", "no matrix_pickle_key: a random key is generated in the data folder "
                 "(back it up with the database)")


def check_health(settings, rep: Report) -> None:
    import socket

    from ..infra.config import parse_hostport

    host, port = parse_hostport("health_listen", settings.health_listen)
    if host not in ("127.0.0.1", "localhost", "::1"):
        rep.line(WARN, "health", f"{settings.health_listen} is not on localhost: /metrics will be "
                 f"reachable from the network")
    try:
        with socket.create_server((host, port)):
            pass
        rep.line(OK, "health", f"http://{settings.health_listen}/healthz and /metrics will be served")
    except OSError:
        rep.line(WARN, "health", f"{settings.health_listen} is in use (is the bot already running?)")


def check_live(settings, rep: Report, timeout: float) -> None:
    if not settings.health_listen:
        rep.line(FAIL, "health", "setting 'health_listen' is not set: no endpoint to ask")
        return
    url = f"http://{settings.health_listen}/healthz"
    try:
        status, body = http_get(url, timeout)
    except Exception as e:
        rep.line(FAIL, "health", f"{url}: {_reason(e)}")
        return
    text = body.decode("utf-8", "replace").strip()
    rep.line(OK if status == 200 else FAIL, "health", f"{url}: HTTP {status} {text}")


def main(args) -> int:
    from ..infra.config import SECRETS, ConfigError, load_settings, require_backends

    rep = Report()
    try:
        settings = load_settings(getattr(args, "config", None), data_dir=getattr(args, "data_dir", None),
                                 backends=getattr(args, "backends", None))
    except ConfigError as e:
        rep.line(FAIL, "config", str(e))
        return 2
    rep.secrets = [getattr(settings, s) for s in SECRETS if getattr(settings, s)]
    timeout = float(getattr(args, "timeout", 10.0) or 10.0)
    if getattr(args, "live", False):
        check_live(settings, rep, timeout)
        return 1 if rep.problems else 0
    try:
        require_backends(settings)
        rep.line(OK, "config", f"{getattr(args, 'config', None) or 'environment only'}; backends: "
                 f"{', '.join(settings.backends)}; data folder {settings.data_dir}")
    except ConfigError as e:
        rep.line(FAIL, "config", str(e))
        return 2
    if not settings.log_hash_key:
        rep.line(WARN, "logs", "no log_hash_key: pseudonyms in logs change at every restart")
    if settings.operators:
        rep.line(OK, "operators", f"{len(settings.operators)} configured")
    check_database(settings, rep)
    if "telegram" in settings.backends:
        check_telegram(settings, rep, timeout)
    if "matrix" in settings.backends:
        check_matrix(settings, rep, timeout)
    if settings.health_listen:
        check_health(settings, rep)
    rep.out.write(f"{'all good' if not rep.problems else f'{rep.problems} problem(s)'}\n")
    return 1 if rep.problems else 0

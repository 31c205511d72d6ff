"""``mes-bot check --config FILE``: validate the configuration and what it points to, print
what was found, exit non-zero on any problem.

* configuration (every setting; what each configured backend needs);
* database: data folder writable, schema version against this code (pending migrations),
  file permissions;
* each configured backend's own live check, declared in its package (``SPEC.probe``): e.g.
  Telegram's token (``getMe``), the Matrix homeserver and access token (``whoami``);
* health endpoint address free (or, with ``--live``, the running bot answers ``/healthz``:
  this is what the container's HEALTHCHECK runs).

Secrets are never printed.
"""

from __future__ import annotations

import argparse
import sys

OK, WARN, FAIL = "ok", "warn", "FAIL"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="TOML configuration file")
    p.add_argument("--data-dir", help="data folder (overrides the configuration)")
    p.add_argument("--backends", help="comma-separated backends to check (overrides)")
    p.add_argument(
        "--live",
        action="store_true",
        help="only ask the running bot's /healthz (health_listen); for container health checks",
    )
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


def reason(e: Exception) -> str:
    """Why a probe failed, in a few words."""
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
        rep.line(
            FAIL,
            "database",
            f"{db} has schema v{version}, newer than this mes-bot (v{latest}): upgrade mes-bot or restore a backup",
        )
        return
    size = db.stat().st_size
    detail = f"{db} writable, schema v{version}, {users} users, {size // 1024} KiB"
    if version < latest:
        detail += f"; migrations to v{latest} will run at the next start (copy saved first as {db.name}.bak-v{version})"
    rep.line(OK, "database", detail)
    mode = db.stat().st_mode & 0o777
    if mode & 0o077:
        rep.line(WARN, "database", f"{db} is readable by others (mode {oct(mode)}); chmod 600 it")
    if os.access(data, os.W_OK) is False:
        rep.line(FAIL, "database", f"data folder {data} is not writable (WAL files live there)")


def check_health(settings, rep: Report) -> None:
    import socket

    from ..infra.config import parse_hostport

    host, port = parse_hostport("health_listen", settings.health_listen)
    if host not in ("127.0.0.1", "localhost", "::1"):
        rep.line(
            WARN, "health", f"{settings.health_listen} is not on localhost: /metrics will be reachable from the network"
        )
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
        rep.line(FAIL, "health", f"{url}: {reason(e)}")
        return
    text = body.decode("utf-8", "replace").strip()
    rep.line(OK if status == 200 else FAIL, "health", f"{url}: HTTP {status} {text}")


def main(args) -> int:
    from ..infra.config import SECRETS, ConfigError, load_settings
    from .backend_spec import require_backends, spec_of

    rep = Report()
    try:
        settings = load_settings(
            getattr(args, "config", None),
            data_dir=getattr(args, "data_dir", None),
            backends=getattr(args, "backends", None),
        )
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
        rep.line(
            OK,
            "config",
            f"{getattr(args, 'config', None) or 'environment only'}; backends: "
            f"{', '.join(settings.backends)}; data folder {settings.data_dir}",
        )
    except ConfigError as e:
        rep.line(FAIL, "config", str(e))
        return 2
    if not settings.log_hash_key:
        rep.line(WARN, "logs", "no log_hash_key: pseudonyms in logs change at every restart")
    if settings.operators:
        rep.line(OK, "operators", f"{len(settings.operators)} configured")
    check_database(settings, rep)
    for name in settings.backends:
        probe = spec_of(name).probe
        if probe is not None:
            probe(settings, rep, timeout)
    if settings.health_listen:
        check_health(settings, rep)
    rep.out.write(f"{'all good' if not rep.problems else f'{rep.problems} problem(s)'}\n")
    return 1 if rep.problems else 0

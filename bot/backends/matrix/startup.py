"""What the runner needs from the Matrix backend (its ``SPEC``, bot/ops/backend_spec.py): the options
of ``mes-bot matrix``, what it requires of the settings, the live check of ``mes-bot check`` and how
a failure at start reads.  Light: matrix-nio is imported only by the backend itself."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from ...infra.config import ConfigError, Settings, hint

NAME = "matrix"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--homeserver", help="homeserver URL (MATRIX_HOMESERVER)")
    p.add_argument("--user", help="bot account, @bot:server (MATRIX_USER)")
    p.add_argument("--password", help="password for the first login (MATRIX_PASSWORD)")
    p.add_argument("--access-token", help="access token instead of a password (MATRIX_ACCESS_TOKEN)")
    p.add_argument("--device-id", help="device id to reuse (MATRIX_DEVICE_ID)")


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    return dict(
        matrix_homeserver=args.homeserver,
        matrix_user=args.user,
        matrix_password=args.password,
        matrix_access_token=args.access_token,
        matrix_device_id=args.device_id,
    )


def create(app, settings: Settings, args: argparse.Namespace | None = None):
    from .backend import MatrixBackend

    return MatrixBackend(app, settings)


def require(s: Settings) -> None:
    for name in ("matrix_homeserver", "matrix_user"):
        if not getattr(s, name):
            raise ConfigError(f"setting '{name}' is required by backend 'matrix': set {hint(name)}")
    if not re.fullmatch(r"@[^:\s]+:\S+", s.matrix_user or ""):
        raise ConfigError(
            f"setting 'matrix_user': expected a full Matrix id like @bot:example.org, got {s.matrix_user!r}"
        )
    if not (s.matrix_password or s.matrix_access_token or has_stored_login(s)):
        raise ConfigError(
            f"setting 'matrix_password' or 'matrix_access_token' is required by backend "
            f"'matrix' for the first login: set {hint('matrix_password')}, "
            f"or {hint('matrix_access_token')}"
        )


def has_stored_login(s: Settings) -> bool:
    """The backend keeps the access token of its first password login in
    ``<data_dir>/matrix/credentials.json`` (for this homeserver and user): later starts need
    no password."""
    path = Path(s.data_dir) / "matrix" / "credentials.json"
    try:
        creds = json.loads(path.read_text(encoding="utf-8"))
        return bool(
            creds.get("access_token")
            and creds.get("user_id") == s.matrix_user
            and creds.get("homeserver") == s.matrix_homeserver
        )
    except (OSError, ValueError, AttributeError):
        return False


def failure(exc: BaseException) -> tuple[int, str] | None:
    from ...ops.cli import EXIT_UNREACHABLE
    from .backend import MatrixError, MatrixUnreachable

    if isinstance(exc, MatrixUnreachable):
        return EXIT_UNREACHABLE, str(exc)
    if isinstance(exc, MatrixError):  # a refused login or token, stopped before it answered
        return 1, str(exc)
    return None


def probe(settings: Settings, rep, timeout: float) -> None:
    """``mes-bot check``: the homeserver answers ``/_matrix/client/versions``; an access token is
    checked with ``whoami`` (a password is not tried: a login would create a device)."""
    from ...ops.check import FAIL, OK, WARN, http_get, reason

    hs = (settings.matrix_homeserver or "").rstrip("/")
    try:
        status, body = http_get(f"{hs}/_matrix/client/versions", timeout)
    except Exception as e:
        rep.line(FAIL, NAME, f"homeserver {hs} unreachable: {reason(e)}")
        return
    try:
        versions = json.loads(body or b"{}").get("versions") or []
    except (ValueError, AttributeError):
        versions = []
    if status != 200 or not versions:
        rep.line(FAIL, NAME, f"{hs} is not a Matrix homeserver (HTTP {status} on /_matrix/client/versions)")
        return
    rep.line(OK, NAME, f"homeserver {hs} reachable (spec {versions[-1]})")
    if settings.matrix_access_token:
        _probe_token(settings, hs, rep, timeout)
    elif settings.matrix_password:
        rep.line(OK, NAME, f"password set for {settings.matrix_user} (not tried: a login creates a device)")
    if not settings.matrix_pickle_key:
        rep.line(
            WARN,
            NAME,
            "no matrix_pickle_key: a random key is generated in the data folder (back it up with the database)",
        )


def _probe_token(settings: Settings, hs: str, rep, timeout: float) -> None:
    from ...ops.check import FAIL, OK, http_get, reason

    try:
        status, body = http_get(
            f"{hs}/_matrix/client/v3/account/whoami",
            timeout,
            {"Authorization": f"Bearer {settings.matrix_access_token}"},
        )
        who = json.loads(body or b"{}")
    except Exception as e:
        rep.line(FAIL, NAME, f"whoami failed: {reason(e)}")
        return
    if status != 200:
        rep.line(FAIL, NAME, f"access token refused ({status} {who.get('errcode', '')}): check MATRIX_ACCESS_TOKEN")
    elif who.get("user_id") != settings.matrix_user:
        rep.line(FAIL, NAME, f"access token belongs to {who.get('user_id')}, not matrix_user {settings.matrix_user}")
    else:
        rep.line(
            OK,
            NAME,
            f"access token valid for {settings.matrix_user}"
            + (f" (device {who['device_id']})" if who.get("device_id") else ""),
        )

"""Matrix errors, and how the homeserver's refusals map to the core's delivery errors."""

from __future__ import annotations

from ...core.types import Blocked, RetryLater, TransientError


class MatrixError(Exception):
    pass


class MatrixUnreachable(MatrixError):
    """The homeserver did not answer at start within ``connect_timeout``."""


class MatrixAuthError(MatrixError):
    """The access token is no longer valid (M_UNKNOWN_TOKEN) or the login failed."""


class HomeserverTrouble(OSError):
    """A 5xx or an unexpected answer while starting: retried like a network error."""


def auth_message(resp) -> str:
    code = getattr(resp, "status_code", None)
    if code == "M_UNKNOWN_TOKEN":
        return (
            "the Matrix access token is no longer valid (M_UNKNOWN_TOKEN): log in again "
            "(set MATRIX_PASSWORD, or a new MATRIX_ACCESS_TOKEN) and delete "
            "<data>/matrix/credentials.json if it holds the old token"
        )
    return f"Matrix authentication failed: {code} {getattr(resp, 'message', '')}".strip()


def send_error(resp) -> Exception:
    code = getattr(resp, "status_code", None)
    status = getattr(getattr(resp, "transport_response", None), "status", None)
    if code in ("M_LIMIT_EXCEEDED", 429) or status == 429:
        return RetryLater((getattr(resp, "retry_after_ms", None) or 1000) / 1000)
    if code in ("M_FORBIDDEN", "M_NOT_FOUND") or status in (403, 404):
        return Blocked(f"{code}")
    return TransientError(f"{code} {status}")

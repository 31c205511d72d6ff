"""Telegram's errors -> the core's typed delivery errors (bot.core.types): Forbidden and the
"kicked / not a member" refusals -> Blocked, RetryAfter (or a 429 told only in the text) ->
a pause of that chat, ChatMigrated -> ChatMoved, network errors and 5xx -> TransientError.
Also the backend's own signals: an edit that cannot be made, a forum topic that is gone, and
:class:`Unreachable` at start."""

from __future__ import annotations

from ...core.types import Blocked, ChatMoved, DeliveryError, TransientError
from .wire import retry_hint

BLOCKED_HINTS = (
    "chat not found",
    "user is deactivated",
    "bot was kicked",
    "bot was blocked",
    "have no rights to send",
    "not enough rights to send",
    "chat_write_forbidden",
    "bot is not a member",
    "need administrator rights",
    "peer_id_invalid",
)
THREAD_HINTS = ("thread not found", "topic_closed", "topic_deleted", "topic not found", "message_thread_id")


class Unreachable(RuntimeError):
    """The Bot API did not answer at start within ``connect_timeout``."""


class _NotModified(Exception):
    """An edit to what the message already shows: nothing to do."""


class _CannotEdit(Exception):
    """Too old, deleted, not ours, or the server lacks the method: send a new message."""


class _NoThread(Exception):
    """The forum topic is gone or closed: write to the chat itself."""


class RateLimited(Exception):
    """A 429: pause this chat for ``seconds`` (the sender turns it into RetryLater)."""

    def __init__(self, seconds: float):
        super().__init__(seconds)
        self.seconds = seconds


def translate(e: Exception, *, edit: bool = False, thread: bool = False) -> Exception | None:
    """The exception to raise for a failed Bot API call, None when the request went through but
    its answer was unreadable (count it as delivered rather than send it twice), or ``e`` itself
    when it is not a Bot API error."""
    from telegram import error as tg

    if isinstance(e, tg.RetryAfter):
        return RateLimited(retry_hint(e) or 0.0)
    if isinstance(e, tg.Forbidden):
        return Blocked(str(e))
    if isinstance(e, tg.ChatMigrated):
        return ChatMoved(str(e.new_chat_id))
    if isinstance(e, tg.BadRequest):
        return _bad_request(e, edit, thread)
    if isinstance(e, tg.InvalidToken):
        # 404: the server does not know this method (or 401: the token was revoked, which the
        # poller reports); an edit falls back to a new message
        return _CannotEdit() if edit else DeliveryError(f"refused: {type(e).__name__}")
    if isinstance(e, (TypeError, KeyError, ValueError)):
        return None  # the answer lacks what the client library requires
    if isinstance(e, tg.TelegramError):
        return _other(e, edit)
    return e


def _bad_request(e: Exception, edit: bool, thread: bool) -> Exception:
    m = str(e).lower()
    if edit:
        return _NotModified() if "not modified" in m else _CannotEdit()
    if thread and any(h in m for h in THREAD_HINTS):
        return _NoThread()
    if any(h in m for h in BLOCKED_HINTS):
        return Blocked(str(e))
    return DeliveryError(f"bad request: {e}")


def _other(e: Exception, edit: bool) -> Exception | None:
    from telegram import error as tg

    wait = retry_hint(e)
    if wait is not None:  # a 429 whose retry_after is only in the text, or an HTML 429
        return RateLimited(wait)
    if type(e) is tg.TelegramError:
        # a 2xx answer that is not JSON: the server took the request; sending it again could
        # deliver it twice
        return None
    if "(501)" in str(e) or "not implemented" in str(e).lower():
        # the server has no such method: an edit sends a new message instead
        return _CannotEdit() if edit else DeliveryError("not implemented")
    return TransientError(type(e).__name__)

"""Sending: a Reply becomes HTML messages (escaped, split to the limit) and a document, in the
forum topic its address names (``reply.to.thread``), replacing the pressed message when it asks
to (``reply.edit``, ``reply.to.reply_to``); every call is paced and a failure is raised as the
core's typed error (``App.deliver`` decides what follows); an edit falls back to a new message; a
closed forum topic falls back to the chat."""

from __future__ import annotations

import logging
from typing import Any

from ...core.types import Address, Blocked, DeliveryError, Reply, RetryLater
from .errors import RateLimited, _CannotEdit, _NoThread, _NotModified, translate
from .state import TelegramState
from .wire import MAX_TEXT, chat_arg, escape, split_text, utf16_len

log = logging.getLogger("mes_bot.telegram")


class SendingMixin(TelegramState):
    """send, edit and the paced, mapped API calls."""

    async def send(self, chat_id: str, reply: Reply, paid: bool = False) -> str | None:
        """Deliver one reply (protocol), once: raises Blocked / RetryLater / ChatMoved /
        TransientError when the first message fails (``App.deliver`` decides what follows);
        later parts of a split message are retried here (:meth:`_call`)."""
        chat_id = str(chat_id)
        to = reply.to if reply.to is not None and reply.to.chat_id == chat_id else None
        edit_id = to.reply_to if to is not None and reply.edit else None
        return await self._send(chat_id, reply, edit_message_id=edit_id, paid=paid, thread=_topic_id(to))

    async def send_bulk(self, chat_id: str, reply: Reply) -> str | None:
        """One message of a broadcast: paid broadcast where configured (protocol)."""
        return await self.send(chat_id, reply, paid=self.settings.telegram_paid_broadcast)

    async def _send(
        self,
        chat_id: str,
        reply: Reply,
        edit_message_id: str | None = None,
        paid: bool = False,
        thread: int | None = None,
    ) -> str | None:
        from telegram import InputFile, LinkPreviewOptions

        if chat_id in self._gone_chats():
            raise Blocked("the bot was removed from this chat")
        bot = self.application.bot
        target = chat_arg(chat_id)
        markup = self._markup(chat_id, reply)
        parts = split_text(reply.text or "")
        # an organiser's formatting (bold, links) when the message fits in one part
        rich = reply.html if reply.html and len(parts) == 1 and utf16_len(reply.html) <= MAX_TEXT else None

        def markup_of(part: str) -> str:
            return rich if rich is not None else escape(part)

        extra: dict[str, Any] = {}
        if paid and self.settings.telegram_paid_broadcast:
            extra["allow_paid_broadcast"] = True
        no_preview = LinkPreviewOptions(is_disabled=True)
        last_id = None
        first = True
        if edit_message_id and len(parts) == 1 and reply.attachment is None:
            try:
                msg = await self._call(
                    chat_id,
                    lambda: bot.edit_message_text(
                        markup_of(parts[0]),
                        chat_id=target,
                        message_id=int(edit_message_id),
                        parse_mode="HTML",
                        reply_markup=markup,
                        link_preview_options=no_preview,
                    ),
                    retry=False,
                    paid=paid,
                    edit=True,
                )
                return str(getattr(msg, "message_id", None) or edit_message_id)
            except _NotModified:
                return str(edit_message_id)  # already shows this: nothing to do
            except (_CannotEdit, ValueError):
                pass  # too old, deleted, not ours, inaccessible, method refused: send a new message

        async def call(fn, retry_now: bool):
            """One send, in the topic when there is one; a topic that is gone or closed -> the chat.
            ``retry_now``: a part after the first, retried here (see :meth:`_call`)."""
            nonlocal thread
            kw = {"message_thread_id": thread} if thread is not None else {}
            try:
                return await self._call(
                    chat_id, lambda: fn(**kw), retry=retry_now, paid=paid, thread=thread is not None
                )
            except _NoThread:
                thread = None
                return await self._call(chat_id, fn, retry=retry_now, paid=paid)

        for i, part in enumerate(parts):
            is_last = i == len(parts) - 1
            kb = markup if is_last and reply.attachment is None else None
            msg = await call(
                lambda part=part, kb=kb, **kw: bot.send_message(
                    target,
                    markup_of(part),
                    parse_mode="HTML",
                    reply_markup=kb,
                    link_preview_options=no_preview,
                    **extra,
                    **kw,
                ),
                not first,
            )
            first = False
            last_id = str(msg.message_id) if msg is not None else last_id
        if reply.attachment is not None:
            att = reply.attachment
            msg = await call(
                lambda **kw: bot.send_document(
                    target, document=InputFile(att.data, filename=att.filename), reply_markup=markup, **extra, **kw
                ),
                not first,
            )
            last_id = str(msg.message_id) if msg is not None else last_id
        self.counters["sent"] += 1
        return last_id

    async def edit(self, chat_id: str, message_id: str, reply: Reply) -> str | None:
        """Replace one of the bot's messages (a wave's progress); a new message when it cannot be."""
        return await self._send(str(chat_id), reply, edit_message_id=str(message_id))

    async def _call(self, chat_id: str, fn, retry: bool, paid: bool = False, edit: bool = False, thread: bool = False):
        """One API call, paced, errors mapped.  With ``retry``: a part of a split message after
        the first.  The core cannot retry it (``App.deliver`` retries a whole reply, which would
        send the parts already delivered again), so 429s and transient failures are retried here,
        for this chat only, as :mod:`bot.core.delivery` decides, until the reply would be stale
        (``reply_stale_after`` after the message came in), on the app's clock."""
        from ...core.app import REPLY
        from ...core.delivery import RETRY, decide, stale

        if not retry:
            return await self._call_once(chat_id, fn, paid, edit, thread)
        first = self._deadline_start.get(chat_id, self.app.monotonic())
        stale_after = float(self.settings.reply_stale_after)
        attempt = 0
        for _ in range(10_000):  # bounded; staleness ends it long before
            try:
                return await self._call_once(chat_id, fn, paid, edit, thread)
            except DeliveryError as err:
                d = decide(err, attempt, REPLY.backoff)
                if d.action != RETRY:
                    raise
                if stale(first, self.app.monotonic(), d.wait, stale_after):
                    log.warning("part_stale error=%s attempts=%d", d.kind, attempt + 1)
                    # permanent for the core: retrying the whole reply would repeat the first parts
                    raise DeliveryError(f"a later part is stale: {d.kind}") from None
                attempt += 1
                self.counters["retries"] += 1
                if not d.rate_limited:  # a 429 already paused this chat in the pacer
                    await self.app.sleep(d.wait)
        raise DeliveryError("too many tries")

    async def _call_once(self, chat_id: str, fn, paid: bool = False, edit: bool = False, thread: bool = False):
        await self.pacer.acquire(chat_id, paid=paid)
        try:
            return await fn()
        except Exception as e:
            mapped = translate(e, edit=edit, thread=thread)
            if mapped is e:
                raise
            if mapped is None:
                log.warning("response_unparsed error=%s", type(e).__name__)
                return None
            if isinstance(mapped, RateLimited):
                raise self._rate_limited(chat_id, mapped.seconds) from None
            raise mapped from None

    def _rate_limited(self, chat_id: str, secs: float) -> RetryLater:
        self.pacer.pause(chat_id, secs)
        log.info("rate_limited retry_after=%s", secs)
        return RetryLater(secs)


def _topic_id(to: Address | None) -> int | None:
    """The forum topic of an address (``Address.thread``), as the Bot API's message_thread_id."""
    try:
        return int(to.thread) if to is not None and to.thread is not None else None
    except ValueError:
        return None

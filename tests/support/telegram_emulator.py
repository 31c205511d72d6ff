"""A Telegram Bot API emulator on 127.0.0.1 (aiohttp), for testing the real
python-telegram-bot client over HTTP.

Faithful where clients are strict: ``getMe`` with ``is_bot``; dates in seconds;
complete ``callback_query`` objects with ``chat_instance``; ``getUpdates`` honouring
``offset``, ``limit``, ``timeout`` (real long polling) and ``allowed_updates`` (kept
between calls, as Telegram does); multipart uploads; HTML ``parse_mode`` validated
(unescaped ``<``, ``>`` and ``&`` refused); text over 4,096 characters refused;
``callback_data`` over 64 bytes refused; unknown chats refused.

Tests act as users (private messages, group messages, commands, button presses,
stickers, photos, edits, polls, channel posts, member updates), read what the bot sent
per chat, set chat administrators (anonymous ones included), and inject faults
(429 with ``retry_after`` per chat or global, 403, 500, ``ChatMigrated``, slow answers).
Optional enforcement of Telegram's rate limits (token buckets) counts the 429s it had
to give, so a pacer can be checked.

Other shapes a different (but faithful) server may produce: methods it does not know
(``unknown_methods``: 404 ``Not Found``), error answers with ``retry_after`` only in the
text or only in ``parameters``, HTML or non-JSON bodies (``fail(body=...)``), 409 on
getUpdates; updates with explicit ids (gaps, out of order, delivered twice) or unknown
top-level fields, forum topics (``forum``/``topic_message``: sends honour
``message_thread_id``), business messages, reactions, join requests, callback queries on
inaccessible or inline messages or with data the bot never sent.

Usage::

    emu = Emulator()
    await emu.start()
    bot = Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url)
    emu.tap_start(42)
    msgs = await emu.wait_for(42, 1)
    await emu.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import math
import re
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field

from aiohttp import web

ANONYMOUS_ADMIN_ID = 1087968824
SERVICE_USER_ID = 777000
MAX_TEXT = 4096
MAX_CAPTION = 1024
DEFAULT_UPDATES = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "purchased_paid_media",
)
SEND_METHODS = {
    "sendmessage",
    "senddocument",
    "sendphoto",
    "sendsticker",
    "sendaudio",
    "sendvideo",
    "sendvoice",
    "sendanimation",
    "sendpoll",
    "sendlocation",
    "sendmediagroup",
    "copymessage",
    "forwardmessage",
    "editmessagetext",
    "editmessagereplymarkup",
    "editmessagecaption",
}
HTML_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
_TAG_RE = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z_-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*(/?)>"
)
_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot|apos|nbsp);")


_CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"


def _fault_error(f) -> ApiError:
    """The error Telegram would answer for an injected fault (retry_after where it puts it)."""
    params = {}
    ra = None
    if f.retry_after is not None or f.code == 429:
        ra = f.retry_after or 1
        if f.retry_in in ("params", "both"):
            params["retry_after"] = ra
    if f.migrate_to is not None:
        params["migrate_to_chat_id"] = f.migrate_to
    desc = f.description or {
        429: "Too Many Requests" + (f": retry after {ra}" if f.retry_in in ("text", "both") else ""),
        403: "Forbidden: bot was blocked by the user",
        404: "Not Found",
        409: _CONFLICT,
        500: "Internal Server Error",
        501: "Not Implemented",
        502: "Bad Gateway",
        504: "Gateway Timeout",
        400: "Bad Request",
    }.get(f.code, "Error")
    return ApiError(f.code, desc, params or None)


class RawAnswer(Exception):
    """An answer that is not the Bot API's JSON (a proxy's HTML error page, garbage)."""

    def __init__(self, status: int, body: str, content_type: str = "text/html"):
        super().__init__(status)
        self.status, self.body, self.content_type = status, body, content_type


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """The visible text of Telegram HTML, or ApiError like the Bot API's entity parser."""
    out: list[str] = []
    stack: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "<":
            m = _TAG_RE.match(text, i)
            offset = len(text[:i].encode())
            if not m:
                raise ApiError(
                    400, f'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset {offset}'
                )
            closing, name = m.group(1) == "/", m.group(2).lower()
            if name not in HTML_TAGS:
                kind = "end" if closing else "start"
                raise ApiError(
                    400, f'Bad Request: can\'t parse entities: Unsupported {kind} tag "{name}" at byte offset {offset}'
                )
            if closing:
                if not stack or stack[-1] != name:
                    raise ApiError(
                        400,
                        f"Bad Request: can't parse entities: Unmatched end tag at byte offset {offset}, "
                        f'expected "</{stack[-1] if stack else ""}>", found "</{name}>"',
                    )
                stack.pop()
            elif name == "a" and "href" not in m.group(3):
                raise ApiError(
                    400,
                    f'Bad Request: can\'t parse entities: Tag "a" must have attribute "href" at byte offset {offset}',
                )
            else:
                stack.append(name)
            i = m.end()
            continue
        if c == "&":
            m = _ENTITY_RE.match(text, i)
            if not m:
                offset = len(text[:i].encode())
                raise ApiError(
                    400,
                    "Bad Request: can't parse entities: Character '&' is reserved and must be escaped "
                    f"with the preceding '\\' at byte offset {offset}",
                )
            out.append(html.unescape(m.group(0)))
            i = m.end()
            continue
        if c == ">":
            offset = len(text[:i].encode())
            raise ApiError(
                400, f"Bad Request: can't parse entities: Character '>' must be escaped at byte offset {offset}"
            )
        out.append(c)
        i += 1
    if stack:
        raise ApiError(
            400, f"Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return "".join(out)


@dataclass
class Fault:
    code: int
    method: str | None = None  # lower-case method name, None: any
    chat_id: int | None = None  # None: any chat (global)
    times: int | None = 1  # None: until cleared
    description: str | None = None
    retry_after: int | None = None
    migrate_to: int | None = None
    delay: float = 0.0  # seconds to wait before answering (slow server)
    body: str | None = None  # a raw body instead of the JSON error (an HTML page, garbage)
    content_type: str = "text/html"
    retry_in: str = "both"  # where a 429 says retry_after: "params", "text", "both", "none"
    until: float | None = None  # active while the emulator's fault_clock() is before this
    clock: object = None

    def matches(self, method: str, chat_id) -> bool:
        if self.until is not None and self.clock() >= self.until:
            return False
        if self.method and self.method != method:
            return False
        if self.chat_id is not None and chat_id != self.chat_id:
            return False
        return self.times is None or self.times > 0


class Bucket:
    """Token bucket used when the emulator enforces rate limits."""

    def __init__(self, rate: float, burst: float):
        self.rate, self.burst = rate, burst
        self.tokens, self.t = burst, time.monotonic()

    def take(self) -> float:
        """0 if allowed, else the seconds until a token is available."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.t) * self.rate)
        self.t = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class Limits:
    global_rate: float = 30.0
    global_burst: float = 30.0
    paid_rate: float = 1000.0
    chat_rate: float = 1.0
    chat_burst: float = 3.0
    group_per_min: float = 20.0


@dataclass
class Chat:
    id: int
    type: str  # private | group | supergroup | channel
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    admins: dict = field(default_factory=dict)  # user_id -> {"status":..., "is_anonymous":...}
    members: set = field(default_factory=set)
    blocked: bool = False  # the user blocked the bot / the bot was removed
    migrated_to: int | None = None
    is_forum: bool = False
    topics: dict = field(default_factory=dict)  # message_thread_id -> {"name":..., "closed": bool}

    def as_json(self) -> dict:
        d = {"id": self.id, "type": self.type}
        if self.is_forum:
            d["is_forum"] = True
        if self.title:
            d["title"] = self.title
        if self.username:
            d["username"] = self.username
        if self.first_name:
            d["first_name"] = self.first_name
        return d


class Emulator:
    def __init__(
        self,
        token: str = "123456789:TEST-token_for-the-emulator",
        username: str = "mesbot_test_bot",
        bot_id: int | None = None,
        limits: Limits | bool | None = None,
        strict_chats: bool = True,
        clock=None,
        unknown_methods=(),
    ):
        self.token = token
        self.bot_id = bot_id or int(token.split(":")[0])
        self.username = username
        self.limits = Limits() if limits is True else (limits or None)
        self.strict_chats = strict_chats
        # methods this server does not know: 404 {"ok":false,"error_code":404,"description":"Not Found"}
        self.unknown_methods = {m.lower() for m in unknown_methods}
        self.response_extra: dict = {}  # unknown top-level fields added to every getUpdates answer
        self.long_polling = True  # False: getUpdates answers at once (ignores ``timeout``)
        self.known_update_types: set | None = None  # set: allowed_updates naming others -> 400
        self.clock = clock or time.time
        self.fault_clock = time.monotonic  # time of faults (``fail(until=...)``, floods); tests may inject
        self.port: int | None = None
        self._runner: web.AppRunner | None = None
        self.chats: dict[int, Chat] = {}
        self.users: dict[int, dict] = {}
        self.sent: dict[int, list[dict]] = defaultdict(list)  # chat -> messages the bot sent (current state)
        self.messages: dict[tuple[int, int], dict] = {}  # (chat, id) -> message (bot's and users')
        self.deleted: list[tuple[int, int]] = []
        self.calls: Counter = Counter()  # method name (as called) -> count
        self.call_log: list[tuple[float, str, object]] = []  # (monotonic, method, chat_id)
        self.errors: Counter = Counter()  # http code -> count of error answers
        self.rate_limited = 0  # 429s given by enforced limits
        self.faults: list[Fault] = []
        self.flood_until: dict[object, float] = {}  # chat id or None -> monotonic deadline
        self.commands: dict[tuple, list] = {}  # (scope json, language) -> commands
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        self.callback_queries: dict[str, dict] = {}  # id -> {"answered":..., "text":...}
        self.webhook: dict = {"url": ""}
        self.files: dict[str, tuple[str, bytes, str]] = {}
        self._updates: deque[dict] = deque()
        self._update_ids = itertools.count(1)
        self._msg_ids: dict[int, itertools.count] = {}
        self._ids = itertools.count(1)
        self._allowed = set(DEFAULT_UPDATES)
        self._poll_generation = 0
        self._cond: asyncio.Condition | None = None
        self._sent_cond: asyncio.Condition | None = None
        self._buckets: dict = {}
        self._closing = False
        self._webhook_task: asyncio.Task | None = None
        self.webhook_deliveries = 0
        self.webhook_failures = 0

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> "Emulator":
        self._closing = False
        self._cond = asyncio.Condition()
        self._sent_cond = asyncio.Condition()
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.*}", self._file)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self._closing = True
        if self._cond is not None:
            await self._notify()  # pending long polls return at once
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self):
        return await self.start()

    async def __aexit__(self, *exc):
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """python-telegram-bot ``base_url`` (the token is appended by the client)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    # ------------------------------------------------------------------ chats and users
    def now(self) -> int:
        return int(self.clock())

    def user(
        self,
        user_id: int,
        first_name: str | None = None,
        language_code: str | None = "fr",
        username: str | None = None,
        is_bot: bool = False,
    ) -> dict:
        u = self.users.get(user_id)
        if u is None or first_name or username:
            u = {"id": user_id, "is_bot": is_bot, "first_name": first_name or f"User{user_id}"}
            if username:
                u["username"] = username
            self.users[user_id] = u
        u = dict(u)
        if language_code:
            u["language_code"] = language_code
        return u

    def bot_user(self) -> dict:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Mes Bot", "username": self.username}

    def private_chat(self, user_id: int) -> Chat:
        c = self.chats.get(user_id)
        if c is None:
            c = self.chats[user_id] = Chat(user_id, "private", first_name=f"User{user_id}")
        return c

    def add_users(self, user_ids) -> None:
        """Private chats for many users at once (they all started the bot)."""
        for uid in user_ids:
            if uid not in self.chats:
                self.chats[uid] = Chat(uid, "private", first_name=f"User{uid}")

    def group(
        self,
        chat_id: int,
        title: str = "Collectif",
        type: str | None = None,
        admins=(),
        creator: int | None = None,
        anonymous_admins=(),
    ) -> Chat:
        """A group (negative id), supergroup or channel (-100... ids), with its administrators."""
        if chat_id > 0:
            raise ValueError("group ids are negative")
        if type is None:
            type = "supergroup" if str(chat_id).startswith("-100") else "group"
        c = self.chats.get(chat_id) or Chat(chat_id, type, title=title)
        c.type, c.title = type, title
        self.chats[chat_id] = c
        if creator is not None:
            c.admins[creator] = {"status": "creator", "is_anonymous": False}
        for a in admins:
            c.admins[a] = {"status": "administrator", "is_anonymous": False}
        for a in anonymous_admins:
            c.admins[a] = {"status": "administrator", "is_anonymous": True}
        c.admins.setdefault(self.bot_id, {"status": "administrator", "is_anonymous": False})
        return c

    def channel(
        self, chat_id: int, title: str = "Canal", admins=(), creator: int | None = None, username: str | None = None
    ) -> Chat:
        c = self.group(chat_id, title, type="channel", admins=admins, creator=creator)
        c.username = username
        return c

    def set_admins(self, chat_id: int, admins=(), anonymous_admins=(), creator: int | None = None) -> None:
        c = self.chats[chat_id]
        c.admins = {self.bot_id: {"status": "administrator", "is_anonymous": False}}
        self.group(
            chat_id,
            c.title or "Collectif",
            type=c.type,
            admins=admins,
            creator=creator,
            anonymous_admins=anonymous_admins,
        )

    # ------------------------------------------------------------------ acting as users
    def _next_message_id(self, chat_id: int) -> int:
        it = self._msg_ids.get(chat_id)
        if it is None:
            it = self._msg_ids[chat_id] = itertools.count(1)
        return next(it)

    def push_update(self, kind: str, obj: dict, update_id: int | None = None, extra: dict | None = None) -> dict:
        """Queue a raw update (``kind`` is the update field, e.g. "message").  ``update_id``
        forces an id (gaps, out-of-order ids); ``extra`` adds top-level fields the bot does not know."""
        if update_id is None:
            update_id = next(self._update_ids)
        else:  # ids keep increasing after a forced one, as on Telegram
            self._update_ids = itertools.count(max(update_id + 1, next(self._update_ids)))
        upd = {"update_id": update_id, kind: obj}
        if extra:
            upd.update(extra)
        return self.push_raw(upd)

    def push_raw(self, upd: dict) -> dict:
        """Queue an update exactly as given (e.g. the same update a second time)."""
        self._updates.append(upd)
        if self._cond is not None:
            asyncio.get_running_loop().create_task(self._notify())
        return upd

    def skip_update_ids(self, n: int) -> None:
        """The next update ids jump by ``n`` (updates the bot never gets, e.g. of other types)."""
        for _ in range(n):
            next(self._update_ids)

    async def _notify(self) -> None:
        async with self._cond:
            self._cond.notify_all()

    def _user_message(
        self,
        chat: Chat,
        user_id: int | None,
        text: str | None = None,
        language_code: str | None = "fr",
        sender_chat: dict | None = None,
        **extra,
    ) -> dict:
        msg = {"message_id": self._next_message_id(chat.id), "date": self.now(), "chat": chat.as_json()}
        if user_id is not None:
            msg["from"] = self.user(user_id, language_code=language_code)
        if sender_chat is not None:
            msg["sender_chat"] = sender_chat
        if text is not None:
            msg["text"] = text
            m = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
            if m:
                msg["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(m.group(0))}]
        msg.update(extra)
        self.messages[(chat.id, msg["message_id"])] = msg
        return msg

    def private_message(self, user_id: int, text: str, language_code: str | None = "fr", **extra) -> dict:
        chat = self.private_chat(user_id)
        chat.blocked = False
        msg = self._user_message(chat, user_id, text, language_code, **extra)
        self.push_update("message", msg)
        return msg

    def command(
        self,
        chat_id: int,
        user_id: int,
        command: str,
        args: str = "",
        mention: bool = True,
        language_code: str | None = "fr",
    ) -> dict:
        """``/command@bot args`` (the mention is what Telegram clients add in groups)."""
        text = f"/{command.lstrip('/')}" + (f"@{self.username}" if mention else "") + (f" {args}" if args else "")
        if chat_id > 0:
            return self.private_message(chat_id, text, language_code)
        return self.group_message(chat_id, user_id, text, language_code)

    def tap_start(self, user_id: int, payload: str | None = None, language_code: str | None = "fr") -> dict:
        """What a Telegram client sends when the user taps Start or a t.me/<bot>?start=<payload> link."""
        return self.private_message(user_id, "/start" + (f" {payload}" if payload else ""), language_code)

    def group_message(self, chat_id: int, user_id: int, text: str, language_code: str | None = "fr") -> dict:
        chat = self.chats.get(chat_id) or self.group(chat_id)
        msg = self._user_message(chat, user_id, text, language_code)
        self.push_update("message", msg)
        return msg

    def anonymous_admin_message(self, chat_id: int, text: str) -> dict:
        """A message an anonymous administrator posts: from GroupAnonymousBot, sender_chat = the group."""
        chat = self.chats[chat_id]
        self.users[ANONYMOUS_ADMIN_ID] = {
            "id": ANONYMOUS_ADMIN_ID,
            "is_bot": True,
            "first_name": "Group",
            "username": "GroupAnonymousBot",
        }
        msg = self._user_message(chat, ANONYMOUS_ADMIN_ID, text, None, sender_chat=chat.as_json())
        self.push_update("message", msg)
        return msg

    def channel_post(self, chat_id: int, text: str) -> dict:
        chat = self.chats.get(chat_id) or self.channel(chat_id)
        msg = self._user_message(chat, None, text, None, sender_chat=chat.as_json())
        self.push_update("channel_post", msg)
        return msg

    def sticker(self, chat_id: int, user_id: int | None = None) -> dict:
        chat = self._chat_for(chat_id)
        fid = f"sticker{next(self._ids)}"
        msg = self._user_message(
            chat,
            user_id or chat_id,
            None,
            sticker={
                "file_id": fid,
                "file_unique_id": fid + "u",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "\U0001f44d",
            },
        )
        self.push_update("message", msg)
        return msg

    def photo(self, chat_id: int, user_id: int | None = None, caption: str | None = None) -> dict:
        chat = self._chat_for(chat_id)
        fid = f"photo{next(self._ids)}"
        extra = {
            "photo": [
                {"file_id": fid + s, "file_unique_id": fid + s + "u", "width": w, "height": w, "file_size": w * 10}
                for s, w in (("s", 90), ("m", 320), ("x", 800))
            ]
        }
        if caption:
            extra["caption"] = caption
        msg = self._user_message(chat, user_id or chat_id, None, **extra)
        self.push_update("message", msg)
        return msg

    def edit(self, message: dict, new_text: str) -> dict:
        """The user edits one of their earlier messages."""
        msg = dict(message, text=new_text, edit_date=self.now())
        msg.pop("entities", None)
        self.messages[(msg["chat"]["id"], msg["message_id"])] = msg
        self.push_update("edited_message", msg)
        return msg

    def poll(self, chat_id: int, user_id: int | None = None) -> dict:
        """A user sends a poll (message with a poll) and the poll update follows."""
        chat = self._chat_for(chat_id)
        pid = next(self._ids)
        poll = {
            "id": str(pid),
            "question": "Q?",
            "options": [
                {"persistent_id": f"{pid}a", "text": "A", "voter_count": 0},
                {"persistent_id": f"{pid}b", "text": "B", "voter_count": 0},
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
        }
        msg = self._user_message(chat, user_id or chat_id, None, poll=poll)
        self.push_update("message", msg)
        self.push_update("poll", poll)
        return msg

    def member_update(self, chat_id: int, user_id: int, old: str, new: str, mine: bool = True) -> dict:
        """``my_chat_member`` (the bot's own status changed: "kicked" = blocked in a private chat)
        or ``chat_member`` (someone else's)."""
        chat = self._chat_for(chat_id)
        target = self.bot_user() if mine else self.user(user_id)

        def member(status):
            d = {"status": status, "user": target}
            if status == "kicked":
                d["until_date"] = 0
            if status == "restricted":
                raise ValueError("restricted not supported here")
            if status == "administrator":
                d.update(_admin_rights(False))
            return d

        obj = {
            "chat": chat.as_json(),
            "from": self.user(user_id),
            "date": self.now(),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        if mine and chat.type == "private":
            chat.blocked = new == "kicked"
        elif mine:
            chat.blocked = new in ("kicked", "left")
        self.push_update("my_chat_member" if mine else "chat_member", obj)
        return obj

    def migrate(self, chat_id: int, new_chat_id: int) -> Chat:
        """The group becomes a supergroup: sends to the old id answer 400 migrate_to_chat_id."""
        old = self.chats[chat_id]
        new = self.group(new_chat_id, old.title or "Collectif", type="supergroup")
        new.admins = dict(old.admins)
        old.migrated_to = new_chat_id
        self.push_update(
            "message", self._user_message(old, None, None, migrate_to_chat_id=new_chat_id, sender_chat=old.as_json())
        )
        return new

    def _chat_for(self, chat_id: int) -> Chat:
        if chat_id > 0:
            return self.private_chat(chat_id)
        return self.chats.get(chat_id) or self.group(chat_id)

    def press(
        self,
        chat_id: int,
        user_id: int | None = None,
        label: str | None = None,
        data: str | None = None,
        message_id: int | None = None,
        language_code: str | None = "fr",
    ) -> str:
        """Press an inline button of a bot message (the last one with a matching button by
        default; ``label`` is a case-insensitive substring). Returns the callback query id."""
        user_id = user_id or chat_id
        candidates = [m for m in reversed(self.sent[chat_id]) if message_id is None or m["message_id"] == message_id]
        for msg in candidates:
            for row in (msg.get("reply_markup") or {}).get("inline_keyboard", []):
                for b in row:
                    if "callback_data" not in b:
                        continue
                    if (data is not None and b["callback_data"] == data) or (
                        data is None and label is not None and label.lower() in b["text"].lower()
                    ):
                        return self._callback(chat_id, user_id, msg, b["callback_data"], language_code)
        raise AssertionError(f"no button {label or data!r} in chat {chat_id}: {self.buttons(chat_id)}")

    def message(
        self,
        chat_id: int,
        user_id: int | None,
        text: str | None = None,
        language_code: str | None = "fr",
        kind: str = "message",
        entities: list | None = None,
        **fields,
    ) -> dict:
        """Any message update with any extra fields (``reply_to_message``, ``forward_origin``,
        ``via_bot``, ``sender_chat``, ``caption``...).  ``entities`` replaces the computed ones."""
        chat = self._chat_for(chat_id)
        msg = self._user_message(chat, user_id, text, language_code, **fields)
        if entities is not None:
            msg["entities"] = entities
        self.push_update(kind, msg)
        return msg

    def forum(self, chat_id: int, title: str = "Forum", topics=None, **kw) -> Chat:
        """A forum supergroup with topics ``{thread_id: name}`` (the General topic has no id)."""
        c = self.group(chat_id, title, type="supergroup", **kw)
        c.is_forum = True
        for tid, name in (topics or {}).items():
            c.topics[int(tid)] = {"name": name, "closed": False}
        return c

    def close_topic(self, chat_id: int, thread_id: int, deleted: bool = False) -> None:
        topics = self.chats[chat_id].topics
        if deleted:
            topics.pop(thread_id, None)
        else:
            topics[thread_id]["closed"] = True

    def topic_message(
        self, chat_id: int, user_id: int, thread_id: int, text: str, language_code: str | None = "fr"
    ) -> dict:
        """A message in a forum topic: ``message_thread_id``, ``is_topic_message`` and, as
        Telegram does, ``reply_to_message`` = the topic's creation service message."""
        chat = self.chats[chat_id]
        created = {
            "message_id": thread_id,
            "date": self.now(),
            "chat": chat.as_json(),
            "message_thread_id": thread_id,
            "is_topic_message": True,
            "forum_topic_created": {"name": chat.topics.get(thread_id, {}).get("name", "Topic"), "icon_color": 7322096},
        }
        return self.message(
            chat_id,
            user_id,
            text,
            language_code,
            message_thread_id=thread_id,
            is_topic_message=True,
            reply_to_message=created,
        )

    def business_message(self, user_id: int, text: str, connection_id: str = "bc1") -> dict:
        """A message in a business account's chat, which the bot may only answer on that
        account's behalf (this bot is not a business assistant)."""
        chat = self.private_chat(user_id)
        msg = self._user_message(chat, user_id, text, "fr", business_connection_id=connection_id)
        self.push_update("business_message", msg)
        return msg

    def reaction(self, chat_id: int, user_id: int, message_id: int, emoji: str = "\U0001f44d") -> dict:
        obj = {
            "chat": self._chat_for(chat_id).as_json(),
            "message_id": message_id,
            "date": self.now(),
            "user": self.user(user_id),
            "old_reaction": [],
            "new_reaction": [{"type": "emoji", "emoji": emoji}],
        }
        self.push_update("message_reaction", obj)
        return obj

    def join_request(self, chat_id: int, user_id: int) -> dict:
        obj = {
            "chat": self._chat_for(chat_id).as_json(),
            "from": self.user(user_id),
            "user_chat_id": user_id,
            "date": self.now(),
        }
        self.push_update("chat_join_request", obj)
        return obj

    def callback(
        self,
        chat_id: int | None,
        data: str | None,
        user_id: int | None = None,
        message: dict | None = None,
        inaccessible: bool = False,
        inline: bool = False,
        language_code: str | None = "fr",
    ) -> str:
        """A button press with any data: on a bot message (the last one by default), on a
        message too old to be accessible (``InaccessibleMessage``: chat, id, ``date`` 0), or on an
        inline message (``inline_message_id``, no ``message``)."""
        user_id = user_id or chat_id
        qid = str(next(self._ids) * 1000003)
        self.callback_queries[qid] = {"answered": False, "text": None, "chat_id": chat_id}
        q = {
            "id": qid,
            "from": self.user(user_id, language_code=language_code),
            "chat_instance": str(-abs(hash((chat_id, self.bot_id))) % 10**18),
        }
        if inline:
            q["inline_message_id"] = f"AgAAA{next(self._ids)}"
        else:
            msg = message or self.sent[chat_id][-1]
            if inaccessible:
                msg = {"chat": msg["chat"], "message_id": msg["message_id"], "date": 0}
            q["message"] = msg
        if data is not None:
            q["data"] = data
        self.push_update("callback_query", q)
        return qid

    def _callback(self, chat_id: int, user_id: int, msg: dict, data: str, language_code) -> str:
        qid = str(next(self._ids) * 1000003)
        self.callback_queries[qid] = {"answered": False, "text": None, "chat_id": chat_id}
        q = {
            "id": qid,
            "from": self.user(user_id, language_code=language_code),
            "message": msg,
            "chat_instance": str(-abs(hash((chat_id, self.bot_id))) % 10**18),
            "data": data,
        }
        self.push_update("callback_query", q)
        return qid

    # ------------------------------------------------------------------ reading what the bot sent
    def texts(self, chat_id: int) -> list[str]:
        return [m.get("text") or m.get("caption") or "" for m in self.sent[chat_id]]

    def last(self, chat_id: int) -> dict:
        return self.sent[chat_id][-1]

    def buttons(self, chat_id: int, message: dict | None = None) -> list[dict]:
        msgs = [message] if message else self.sent[chat_id][-1:]
        return [b for m in msgs for row in (m.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]

    async def wait_for(self, chat_id: int, count: int, timeout: float = 5.0) -> list[dict]:
        """Wait until the bot has sent at least ``count`` messages to ``chat_id`` (edits included
        through ``edited`` counts only when they replace, not add)."""
        return (
            await self.wait_until(
                lambda: len(self.sent[chat_id]) >= count, timeout, what=f"{count} messages in {chat_id}"
            )
            and self.sent[chat_id]
        )

    async def wait_until(self, predicate, timeout: float = 5.0, what: str = "condition") -> bool:
        deadline = time.monotonic() + timeout
        async with self._sent_cond:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"timeout waiting for {what}; sent={dict((k, len(v)) for k, v in self.sent.items())}"
                    )
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._sent_cond.wait(), timeout=min(left, 0.02))
        return True

    async def wait_answered(self, qid: str, timeout: float = 5.0) -> dict:
        await self.wait_until(lambda: self.callback_queries[qid]["answered"], timeout, f"answer to {qid}")
        return self.callback_queries[qid]

    def pending_updates(self) -> int:
        return len(self._updates)

    # ------------------------------------------------------------------ faults
    def fail(
        self,
        code: int = 500,
        method: str | None = None,
        chat_id: int | None = None,
        times: int | None = 1,
        description: str | None = None,
        retry_after: int | None = None,
        delay: float = 0.0,
        body: str | None = None,
        content_type: str = "text/html",
        retry_in: str = "both",
        until: float | None = None,
    ) -> Fault:
        """The next ``times`` calls (of ``method``, to ``chat_id``) answer ``code``: the Bot API's
        JSON error, or ``body`` as is (an HTML page from a proxy, a body that is not JSON).
        A 429 puts ``retry_after`` in ``parameters``, the text, both or neither (``retry_in``)."""
        f = Fault(
            code,
            method.lower() if method else None,
            chat_id,
            times,
            description,
            retry_after,
            None,
            delay,
            body,
            content_type,
            retry_in,
            until,
            self.fault_clock,
        )
        self.faults.append(f)
        return f

    def html_error(
        self, code: int = 502, method: str | None = None, times: int | None = 1, chat_id: int | None = None
    ) -> Fault:
        phrase = {
            502: "Bad Gateway",
            504: "Gateway Time-out",
            500: "Internal Server Error",
            429: "Too Many Requests",
            501: "Not Implemented",
            400: "Bad Request",
        }.get(code, "Error")
        page = (
            f"<html>\r\n<head><title>{code} {phrase}</title></head>\r\n<body>\r\n"
            f"<center><h1>{code} {phrase}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
        )
        return self.fail(code, method, chat_id, times, body=page)

    def slow(
        self, seconds: float, method: str | None = None, chat_id: int | None = None, times: int | None = None
    ) -> Fault:
        return self.fail(200, method, chat_id, times, delay=seconds)

    def flood(self, retry_after: int = 1, chat_id: int | None = None) -> None:
        """Flood wait: every send to ``chat_id`` (or to any chat if None) answers 429 with the
        remaining ``retry_after`` until that many seconds have passed (as Telegram does)."""
        self.flood_until[chat_id] = self.fault_clock() + retry_after

    def block(self, chat_id: int, blocked: bool = True) -> None:
        """The user blocked the bot (private) / the bot was removed (group): sends answer 403."""
        self._chat_for(chat_id).blocked = blocked

    def clear_faults(self) -> None:
        self.faults.clear()
        self.flood_until.clear()

    # ------------------------------------------------------------------ HTTP
    async def _file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        for path, data, mime in self.files.values():
            if path == request.match_info["path"]:
                return web.Response(body=data, content_type=mime)
        return web.Response(status=404)

    async def _params(self, request: web.Request) -> tuple[dict, dict]:
        params: dict = dict(request.query)
        files: dict = {}
        ctype = request.content_type
        if request.method == "POST" and request.can_read_body:
            if ctype == "application/json":
                body = await request.json()
                params.update({k: v for k, v in body.items()})
                return params, files
            if ctype.startswith("multipart/"):
                reader = await request.multipart()
                async for part in reader:
                    if part.filename is not None:
                        files[part.name] = (
                            part.filename,
                            await part.read(),
                            part.headers.get("Content-Type", "application/octet-stream"),
                        )
                    else:
                        params[part.name] = await part.text()
            else:
                form = await request.post()
                params.update({k: v for k, v in form.items()})
        # form values are strings; JSON-typed ones arrive serialized
        for k, v in list(params.items()):
            if isinstance(v, str) and k in (
                "reply_markup",
                "entities",
                "caption_entities",
                "commands",
                "scope",
                "allowed_updates",
                "link_preview_options",
                "reply_parameters",
                "media",
                "options",
            ):
                try:
                    params[k] = json.loads(v)
                except ValueError:
                    raise ApiError(400, f"Bad Request: can't parse {k} JSON object") from None
        return params, files

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        name = request.match_info["method"]
        method = name.lower()
        self.calls[name] += 1
        try:
            params, files = await self._params(request)
            chat_id = self._chat_param(params)
            self.call_log.append((time.monotonic(), name, chat_id))
            await self._faults(method, chat_id)
            if method in SEND_METHODS:
                self._check_chat(chat_id)
                self._enforce_limits(chat_id, params)
            fn = getattr(self, f"api_{method}", None)
            if fn is None or method in self.unknown_methods:
                raise ApiError(404, "Not Found")
            result = fn(params, files)
            if asyncio.iscoroutine(result):
                result = await result
        except RawAnswer as e:
            self.errors[e.status] += 1
            return web.Response(status=e.status, text=e.body, content_type=e.content_type)
        except ApiError as e:
            self.errors[e.code] += 1
            body = {"ok": False, "error_code": e.code, "description": e.description}
            if e.parameters:
                body["parameters"] = e.parameters
            return web.json_response(body, status=e.code)
        answer = {"ok": True, "result": result}
        if method == "getupdates" and self.response_extra:
            answer.update(self.response_extra)
        return web.json_response(answer)

    def _chat_param(self, params: dict):
        v = params.get("chat_id")
        if v is None:
            return None
        try:
            return int(v)
        except (TypeError, ValueError):
            s = str(v)
            for c in self.chats.values():
                if c.username and "@" + c.username == s:
                    return c.id
            return s

    async def _faults(self, method: str, chat_id) -> None:
        for f in list(self.faults):
            if not f.matches(method, chat_id):
                continue
            if f.times is not None:
                f.times -= 1
            if f.delay:
                await asyncio.sleep(f.delay)
            if f.body is not None:
                raise RawAnswer(f.code, f.body, f.content_type)
            if f.code != 200:
                raise _fault_error(f)
        if method in SEND_METHODS:
            self._check_flood(chat_id)

    def _check_flood(self, chat_id) -> None:
        """A flood wait set on this chat (or on every chat) answers 429 until it ends."""
        for key in (chat_id, None):
            until = self.flood_until.get(key)
            if until is not None:
                left = until - self.fault_clock()
                if left > 0:
                    ra = max(1, math.ceil(left))
                    raise ApiError(429, f"Too Many Requests: retry after {ra}", {"retry_after": ra})

    def _check_chat(self, chat_id) -> None:
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat_id is empty")
        c = self.chats.get(chat_id)
        if c is None:
            if self.strict_chats:
                raise ApiError(400, "Bad Request: chat not found")
            c = self._chat_for(chat_id)
        if c.migrated_to is not None:
            raise ApiError(
                400, "Bad Request: group chat was upgraded to a supergroup chat", {"migrate_to_chat_id": c.migrated_to}
            )
        if c.blocked:
            if c.type == "private":
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            raise ApiError(403, f"Forbidden: bot was kicked from the {c.type} chat")

    def _enforce_limits(self, chat_id, params: dict) -> None:
        if not self.limits:
            return
        L = self.limits
        paid = str(params.get("allow_paid_broadcast", "")).lower() in ("true", "1")
        gkey = "paid" if paid else "global"
        if gkey not in self._buckets:
            self._buckets[gkey] = Bucket(L.paid_rate, L.paid_rate) if paid else Bucket(L.global_rate, L.global_burst)
        ckey = ("chat", chat_id)
        if ckey not in self._buckets:
            if isinstance(chat_id, int) and chat_id > 0:
                self._buckets[ckey] = Bucket(L.chat_rate, L.chat_burst)
            else:
                self._buckets[ckey] = Bucket(L.group_per_min / 60.0, L.group_per_min)
        for b in (self._buckets[ckey], self._buckets[gkey]):
            wait = b.take()
            if wait:
                self.rate_limited += 1
                ra = max(1, math.ceil(wait))
                raise ApiError(429, f"Too Many Requests: retry after {ra}", {"retry_after": ra})

    # ------------------------------------------------------------------ methods
    def api_getme(self, p, f):
        return dict(
            self.bot_user(),
            can_join_groups=True,
            can_read_all_group_messages=False,
            supports_inline_queries=False,
            can_connect_to_business=False,
            has_main_web_app=False,
        )

    def api_logout(self, p, f):
        return True

    def api_close(self, p, f):
        return True

    def api_deletewebhook(self, p, f):
        self.webhook = {"url": ""}
        if str(p.get("drop_pending_updates", "")).lower() in ("true", "1"):
            self._updates.clear()
        return True

    def api_setwebhook(self, p, f):
        url = p.get("url", "")
        if url and not url.startswith("https://") and not url.startswith("http://127.0.0.1"):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = {"url": url, "secret_token": p.get("secret_token")}
        if url and (self._webhook_task is None or self._webhook_task.done()):
            self._webhook_task = asyncio.get_running_loop().create_task(self._webhook_loop())
        return True

    async def _webhook_loop(self) -> None:
        """Deliver queued updates to the webhook in order, with the secret token header;
        an update stays queued until the bot answers 2xx (as Telegram retries)."""
        import aiohttp

        async with aiohttp.ClientSession() as session:
            while self.webhook.get("url") and not self._closing:
                if not self._updates:
                    async with self._cond:
                        with contextlib.suppress(asyncio.TimeoutError):
                            await asyncio.wait_for(self._cond.wait(), 0.2)
                    continue
                upd = self._updates[0]
                headers = {}
                if self.webhook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
                try:
                    async with session.post(self.webhook["url"], json=upd, headers=headers) as r:
                        ok = 200 <= r.status < 300
                except aiohttp.ClientError:
                    ok = False
                if ok:
                    if self._updates and self._updates[0] is upd:
                        self._updates.popleft()
                    self.webhook_deliveries += 1
                else:
                    self.webhook_failures += 1
                    await asyncio.sleep(0.1)

    def api_getwebhookinfo(self, p, f):
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def api_getupdates(self, p, f):
        if self.webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(p.get("offset") or 0)
        limit = max(1, min(100, int(p.get("limit") or 100)))
        timeout = max(0.0, float(p.get("timeout") or 0)) if self.long_polling else 0.0
        if p.get("allowed_updates") is not None:
            au = p["allowed_updates"]
            if self.known_update_types is not None and set(au) - self.known_update_types:
                raise ApiError(400, "Bad Request: can't parse allowed_updates: unknown update type")
            self._allowed = set(au) if au else set(DEFAULT_UPDATES)
        if offset:
            if offset < 0:
                keep = list(self._updates)[offset:]
                self._updates = deque(keep)
            else:  # every update with a lower id is confirmed (whatever the queue order)
                self._updates = deque(u for u in self._updates if u["update_id"] >= offset)
        self._poll_generation += 1
        gen = self._poll_generation
        deadline = time.monotonic() + timeout
        async with self._cond:
            while True:
                # updates of types not allowed are dropped, as Telegram does
                while self._updates and not (set(self._updates[0]) - {"update_id"}) & self._allowed:
                    self._updates.popleft()
                ready = [u for u in self._updates if (set(u) - {"update_id"}) & self._allowed][:limit]
                if ready or self._closing:
                    return ready
                if gen != self._poll_generation:
                    raise ApiError(409, _CONFLICT)
                left = deadline - time.monotonic()
                if left <= 0:
                    return []
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._cond.wait(), timeout=left)

    def _markup(self, p) -> dict | None:
        rm = p.get("reply_markup")
        if rm is None:
            return None
        if "inline_keyboard" in rm:
            kb = rm["inline_keyboard"]
            if not isinstance(kb, list) or any(not isinstance(r, list) for r in kb):
                raise ApiError(
                    400, 'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
                )
            for row in kb:
                for b in row:
                    if not b.get("text"):
                        raise ApiError(400, "Bad Request: BUTTON_TEXT_EMPTY")
                    kinds = [
                        k
                        for k in (
                            "callback_data",
                            "url",
                            "switch_inline_query",
                            "login_url",
                            "web_app",
                            "pay",
                            "copy_text",
                            "switch_inline_query_current_chat",
                        )
                        if k in b
                    ]
                    if len(kinds) != 1:
                        raise ApiError(
                            400,
                            "Bad Request: can't parse inline keyboard button: "
                            "Text buttons are unallowed in the inline keyboard",
                        )
                    if "callback_data" in b:
                        n = len(str(b["callback_data"]).encode())
                        if n < 1 or n > 64:
                            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                    if "url" in b and not re.match(r"^(https?://|tg://)[^\s]+$", b["url"]):
                        raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
        return rm

    def _text(self, raw, parse_mode, limit: int, what: str = "message text") -> str:
        if raw is None:
            raw = ""
        raw = str(raw)
        pm = (parse_mode or "").lower()
        if pm == "html":
            text = parse_html(raw)
        elif pm in ("markdown", "markdownv2"):
            text = raw  # not validated here: this bot sends HTML
        elif pm:
            raise ApiError(400, "Bad Request: unsupported parse_mode")
        else:
            text = raw
        if not text.strip():
            raise ApiError(400, f"Bad Request: {what} is empty")
        if utf16_len(text) > limit:
            raise ApiError(
                400,
                "Bad Request: message is too long" if limit == MAX_TEXT else "Bad Request: message caption is too long",
            )
        return text

    async def _record(self, chat_id: int, msg: dict) -> dict:
        self.sent[chat_id].append(msg)
        self.messages[(chat_id, msg["message_id"])] = msg
        async with self._sent_cond:
            self._sent_cond.notify_all()
        return msg

    def _thread(self, chat: Chat, p: dict) -> int | None:
        tid = p.get("message_thread_id")
        if tid in (None, ""):
            return None
        try:
            tid = int(tid)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: invalid message_thread_id specified") from None
        if not chat.is_forum or tid not in chat.topics:
            raise ApiError(400, "Bad Request: message thread not found")
        if chat.topics[tid]["closed"]:
            raise ApiError(400, "Bad Request: TOPIC_CLOSED")
        return tid

    def _base_message(self, chat_id: int, p: dict) -> dict:
        chat = self.chats[chat_id]
        tid = self._thread(chat, p)
        msg = {"message_id": self._next_message_id(chat_id), "date": self.now(), "chat": chat.as_json()}
        if tid is not None:
            msg["message_thread_id"], msg["is_topic_message"] = tid, True
        if chat.type == "channel":
            msg["sender_chat"] = chat.as_json()
        else:
            msg["from"] = self.bot_user()
        rm = self._markup(p)
        if rm is not None:
            msg["reply_markup"] = rm
        return msg

    async def api_sendmessage(self, p, f):
        chat_id = self._chat_param(p)
        text = self._text(p.get("text"), p.get("parse_mode"), MAX_TEXT)
        msg = self._base_message(chat_id, p)
        msg["text"] = text
        msg["_raw"] = p.get("text")
        msg["_parse_mode"] = p.get("parse_mode")
        return _public(await self._record(chat_id, msg))

    async def api_senddocument(self, p, f):
        chat_id = self._chat_param(p)
        doc = f.get("document")
        if doc is None:
            if isinstance(p.get("document"), str) and p["document"]:
                doc = (p["document"], b"", "application/octet-stream")
            else:
                raise ApiError(400, "Bad Request: there is no document in the request")
        caption = None
        if p.get("caption"):
            caption = self._text(p["caption"], p.get("parse_mode"), MAX_CAPTION, "caption")
        msg = self._base_message(chat_id, p)
        fid = f"doc{next(self._ids)}"
        filename, data, mime = doc
        self.files[fid] = (f"documents/{fid}_{filename}", data, mime)
        msg["document"] = {
            "file_id": fid,
            "file_unique_id": fid + "u",
            "file_name": filename,
            "mime_type": mime,
            "file_size": len(data),
        }
        msg["_data"] = data
        if caption:
            msg["caption"] = caption
        return _public(await self._record(chat_id, msg))

    async def api_sendphoto(self, p, f):
        chat_id = self._chat_param(p)
        ph = f.get("photo")
        if ph is None and not p.get("photo"):
            raise ApiError(400, "Bad Request: there is no photo in the request")
        caption = None
        if p.get("caption"):
            caption = self._text(p["caption"], p.get("parse_mode"), MAX_CAPTION, "caption")
        msg = self._base_message(chat_id, p)
        fid = f"photo{next(self._ids)}"
        data = ph[1] if ph else b""
        self.files[fid] = (f"photos/{fid}.jpg", data, "image/jpeg")
        msg["photo"] = [
            {"file_id": fid, "file_unique_id": fid + "u", "width": 320, "height": 320, "file_size": len(data)}
        ]
        msg["_data"] = data
        if caption:
            msg["caption"] = caption
        return _public(await self._record(chat_id, msg))

    def _own_message(self, p) -> dict:
        chat_id = self._chat_param(p)
        if chat_id is None or p.get("message_id") is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        key = (chat_id, int(p["message_id"]))
        msg = self.messages.get(key)
        if msg is None or key in self.deleted:
            raise ApiError(400, "Bad Request: message to edit not found")
        if msg.get("from", {}).get("id") != self.bot_id and msg.get("sender_chat") is None:
            raise ApiError(400, "Bad Request: message can't be edited")
        return msg

    async def api_editmessagetext(self, p, f):
        if p.get("inline_message_id"):
            raise ApiError(400, "Bad Request: inline messages are not supported by this emulator")
        msg = self._own_message(p)
        text = self._text(p.get("text"), p.get("parse_mode"), MAX_TEXT)
        rm = self._markup(p)
        if text == msg.get("text") and rm == msg.get("reply_markup"):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup of the message",
            )
        msg["text"], msg["_raw"], msg["edit_date"] = text, p.get("text"), self.now()
        if rm is None:
            msg.pop("reply_markup", None)
        else:
            msg["reply_markup"] = rm
        msg["_edits"] = msg.get("_edits", 0) + 1
        async with self._sent_cond:
            self._sent_cond.notify_all()
        return _public(msg)

    async def api_editmessagereplymarkup(self, p, f):
        msg = self._own_message(p)
        rm = self._markup(p)
        if rm == msg.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        if rm is None:
            msg.pop("reply_markup", None)
        else:
            msg["reply_markup"] = rm
        return _public(msg)

    async def api_deletemessage(self, p, f):
        chat_id = self._chat_param(p)
        key = (chat_id, int(p.get("message_id") or 0))
        if key not in self.messages or key in self.deleted:
            raise ApiError(400, "Bad Request: message to delete not found")
        self.deleted.append(key)
        self.sent[chat_id] = [m for m in self.sent[chat_id] if m["message_id"] != key[1]]
        return True

    async def api_answercallbackquery(self, p, f):
        q = self.callback_queries.get(str(p.get("callback_query_id")))
        if q is None or q["answered"]:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        q["answered"] = True
        q["text"] = p.get("text")
        async with self._sent_cond:
            self._sent_cond.notify_all()
        return True

    def _lang(self, p) -> str:
        return str(p.get("language_code") or "")

    def api_setmycommands(self, p, f):
        cmds = p.get("commands")
        if not isinstance(cmds, list) or len(cmds) > 100:
            raise ApiError(400, "Bad Request: commands must be an array of at most 100 BotCommand")
        for c in cmds:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(c.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(c.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[(json.dumps(p.get("scope") or {"type": "default"}, sort_keys=True), self._lang(p))] = cmds
        return True

    def visible_commands(self, chat_id: int, user_id: int, language_code: str = "") -> list[str]:
        """The command menu a user sees in a chat, resolved as Telegram clients do: the most
        specific scope that has commands wins (chat_member, chat_administrators of the chat,
        chat, all_chat_administrators, all_group_chats or all_private_chats, default), each
        scope in the user's language first, then without a language."""
        chat = self.chats[chat_id]
        admin = chat.type != "private" and user_id in chat.admins
        if chat.type == "private":
            scopes = [{"type": "chat", "chat_id": chat_id}, {"type": "all_private_chats"}, {"type": "default"}]
        else:
            scopes = [{"type": "chat_member", "chat_id": chat_id, "user_id": user_id}]
            if admin:
                scopes.append({"type": "chat_administrators", "chat_id": chat_id})
            scopes.append({"type": "chat", "chat_id": chat_id})
            if admin:
                scopes.append({"type": "all_chat_administrators"})
            scopes += [{"type": "all_group_chats"}, {"type": "default"}]
        for scope in scopes:
            key = json.dumps(scope, sort_keys=True)
            for lang in (language_code, ""):
                cmds = self.commands.get((key, lang))
                if cmds:
                    return [c["command"] for c in cmds]
        return []

    def api_getmycommands(self, p, f):
        return self.commands.get((json.dumps(p.get("scope") or {"type": "default"}, sort_keys=True), self._lang(p)), [])

    def api_deletemycommands(self, p, f):
        self.commands.pop((json.dumps(p.get("scope") or {"type": "default"}, sort_keys=True), self._lang(p)), None)
        return True

    def api_setmydescription(self, p, f):
        d = str(p.get("description") or "")
        if len(d) > 512:
            raise ApiError(400, "Bad Request: description is too long")
        self.descriptions[self._lang(p)] = d
        return True

    def api_setmyshortdescription(self, p, f):
        d = str(p.get("short_description") or "")
        if len(d) > 120:
            raise ApiError(400, "Bad Request: short description is too long")
        self.short_descriptions[self._lang(p)] = d
        return True

    def api_getmydescription(self, p, f):
        return {"description": self.descriptions.get(self._lang(p), "")}

    def api_getmyshortdescription(self, p, f):
        return {"short_description": self.short_descriptions.get(self._lang(p), "")}

    def _member(self, chat: Chat, user_id: int) -> dict:
        user = self.bot_user() if user_id == self.bot_id else self.user(user_id, language_code=None)
        a = chat.admins.get(user_id)
        if a is None:
            if chat.type == "private":
                return {"status": "member", "user": user}
            return {"status": "member" if user_id in chat.members or chat.type != "channel" else "left", "user": user}
        if a["status"] == "creator":
            return {"status": "creator", "user": user, "is_anonymous": a["is_anonymous"]}
        return dict(
            {"status": "administrator", "user": user}, **_admin_rights(a["is_anonymous"], user_id == self.bot_id)
        )

    def api_getchatmember(self, p, f):
        chat_id = self._chat_param(p)
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        try:
            uid = int(p.get("user_id"))
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: invalid user_id specified") from None
        return self._member(chat, uid)

    def api_getchatadministrators(self, p, f):
        chat_id = self._chat_param(p)
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat.type == "private":
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        return [self._member(chat, uid) for uid in chat.admins]

    def api_getchat(self, p, f):
        chat_id = self._chat_param(p)
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        d = chat.as_json()
        d.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return d

    def api_getfile(self, p, f):
        fid = str(p.get("file_id"))
        if fid not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        path, data, _ = self.files[fid]
        return {"file_id": fid, "file_unique_id": fid + "u", "file_size": len(data), "file_path": path}

    def api_sendchataction(self, p, f):
        self._check_chat(self._chat_param(p))
        return True


def _admin_rights(anonymous: bool, is_bot: bool = False) -> dict:
    return {
        "can_be_edited": False,
        "is_anonymous": anonymous,
        "can_manage_chat": True,
        "can_delete_messages": True,
        "can_manage_video_chats": True,
        "can_restrict_members": True,
        "can_promote_members": False,
        "can_change_info": True,
        "can_invite_users": True,
        "can_post_stories": False,
        "can_edit_stories": False,
        "can_delete_stories": False,
        "can_post_messages": True,
        "can_edit_messages": True,
        "can_pin_messages": True,
    }


def _public(msg: dict) -> dict:
    """The message as the API returns it (without the emulator's private bookkeeping)."""
    return {k: v for k, v in msg.items() if not k.startswith("_")}

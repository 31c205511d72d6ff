"""Transport-agnostic types shared by backends, router and flows.

A backend turns a platform update into one frozen :class:`Event` and sends frozen
:class:`Reply` objects.  Nothing here imports a transport library.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Awaitable, Callable, Protocol, runtime_checkable

# ---------------------------------------------------------------------------
# Where a message goes


@dataclass(frozen=True)
class Address:
    """Where a message goes, from the event that asked for it to every reply, reminder and
    broadcast message (:meth:`bot.core.app.App.deliver` sends to it).

    ``backend``  the backend's name; ``chat_id`` the chat, group, channel or room;
    ``user_id``  the person (platform id) when the message is for one person, else None;
    ``thread``   a topic inside the chat, for platforms that have them, else None;
    ``reply_to`` the message being answered (a pressed message a reply may replace), else None;
    ``direct``   the chat is the person's private chat: a refusal there means she blocked the bot.
    """

    backend: str
    chat_id: str
    user_id: str | None = None
    thread: str | None = None
    reply_to: str | None = None
    direct: bool = False

    @property
    def user_key(self) -> str | None:
        return f"{self.backend}:{self.user_id}" if self.user_id is not None else None

    def moved_to(self, chat_id: str) -> "Address":
        """The same address after the chat got a new id (a topic or a message of the old chat is gone)."""
        return replace(self, chat_id=str(chat_id), thread=None, reply_to=None)


# ---------------------------------------------------------------------------
# Inbound


@dataclass(frozen=True)
class Event:
    """One thing a person did, as the core sees it.

    ``backend``  name of the backend ("console", "telegram", "matrix").
    ``chat_id``  where to answer (private chat, group, room) as a string.
    ``user_id``  who did it, as a string (platform id; never a name).
    ``text``     what they typed (None for button presses and non-text updates).
    ``choice``   the payload of a pressed button (None for text).
    ``kind``     "text" | "button" | "start" | "unsupported" | "edit" | "undecryptable" | "join".
    ``locale``   the platform's language hint ("fr", "en", ...), None if unknown.
    ``is_direct`` True in a private chat / direct room.
    ``payload``  deep-link payload for kind="start".
    ``message_id`` platform id of the message (used to edit a pressed message).
    ``thread``   the topic inside the chat it came from (Telegram forum topics), None if none.
    """

    backend: str
    chat_id: str
    user_id: str
    text: str | None = None
    choice: str | None = None
    kind: str = "text"
    locale: str | None = None
    is_direct: bool = True
    payload: str | None = None
    message_id: str | None = None
    sender_chat_id: str | None = None  # Telegram anonymous admins post as the group
    html: str | None = None  # the text with its formatting (bot/richtext.py); the router keeps it
    # only for states that take an organiser's public text (verbatim)
    thread: str | None = None

    @property
    def user_key(self) -> str:
        return f"{self.backend}:{self.user_id}"

    @property
    def address(self) -> Address:
        """Where the answers to this event go."""
        return Address(
            self.backend,
            self.chat_id,
            self.user_id,
            thread=self.thread,
            reply_to=self.message_id,
            direct=self.is_direct,
        )

    @property
    def session_key(self) -> str:
        return f"{self.backend}:{self.chat_id}:{self.user_id}"


# ---------------------------------------------------------------------------
# Outbound


@dataclass(frozen=True)
class Button:
    """A rendered button: visible label and either a payload or a URL."""

    label: str
    payload: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    mime: str = "application/octet-stream"


@dataclass(frozen=True)
class Reply:
    """One message to send.

    ``text`` is plain text (never markup); backends escape it for their format.
    ``buttons`` rows of buttons; text-only transports number them.
    ``edit`` ask the backend to edit the pressed message instead of sending a new one
    (where it makes sense and the platform can).
    ``private_start`` a deep-link payload: the backend offers to continue in a private
    chat (Telegram: URL button to t.me/<bot>?start=<payload>; Matrix: opens a DM).
    ``notice`` False for reminders (Matrix sends them as m.text so they notify).
    ``html`` the same text with an organiser's formatting kept (Telegram HTML / Matrix
    ``formatted_body``); backends that cannot show it use ``text``.
    ``to`` where it goes (:meth:`App.handle` sets the event's address on every reply).
    """

    key: str
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    attachment: Attachment | None = None
    edit: bool = False
    private_start: str | None = None
    notice: bool = True
    html: str | None = None  # the same text as safe HTML (bot/richtext.py) when it carries formatting
    to: Address | None = None

    def addressed(self, to: Address) -> "Reply":
        """This reply, going to ``to``."""
        return replace(self, to=to)

    def numbered_text(self) -> str:
        """Text with buttons degraded to a numbered list (for text-only transports)."""
        lines = [self.text] if self.text else []
        n = 0
        for row in self.buttons:
            for b in row:
                if b.url:  # links are not choices: not numbered, so typed numbers match the router's
                    lines.append(f"- {b.label} : {b.url}")
                else:
                    n += 1
                    lines.append(f"{n}. {b.label}")
        return "\n".join(lines)

    def flat_buttons(self) -> list[Button]:
        return [b for row in self.buttons for b in row]


# ---------------------------------------------------------------------------
# Delivery errors a backend raises from send(); the scheduler and broadcaster act on them.


class DeliveryError(Exception):
    """Base class: the message was not delivered."""


class Blocked(DeliveryError):
    """The user blocked the bot, or the bot was removed from the chat (403)."""


class RetryLater(DeliveryError):
    """Rate limited: try again after ``retry_after`` seconds (429)."""

    def __init__(self, retry_after: float, message: str = "rate limited"):
        super().__init__(message)
        self.retry_after = float(retry_after)


class ChatMoved(DeliveryError):
    """The chat has a new id (Telegram group migrated to supergroup)."""

    def __init__(self, new_chat_id: str):
        super().__init__(f"chat moved to {new_chat_id}")
        self.new_chat_id = str(new_chat_id)


class TransientError(DeliveryError):
    """Network error, 5xx, timeout: retry with back-off."""


# ---------------------------------------------------------------------------
# Backend protocol

Handler = Callable[[Event], Awaitable[None]]


@runtime_checkable
class Backend(Protocol):
    """What the core may ask of a backend: nothing else is read from it (``App.add_backend``
    refuses a backend that lacks one of these; :class:`BackendBase` gives the defaults)."""

    name: str
    #: real buttons under messages; without them the core numbers the choices in the text
    has_buttons: bool
    #: the bot may write to a person later (reminders); without it flows offer a calendar file
    can_write_later: bool
    #: the last contact with the platform succeeded (``/healthz``)
    connected: bool
    #: the bot's own handle on the platform, to tell commands addressed to another bot
    username: str | None
    #: its :meth:`link` may be printed for people of another backend (the console's flyer)
    link_for_others: bool
    #: messages per second a broadcast may send here (None: not published; see ``learns_rate``)
    broadcast_rate: float | None
    #: the backend paces every chat itself: a 429 pauses that chat only, a wave goes on with the others
    paces_each_chat: bool
    #: the platform's limit is unpublished: a broadcast learns it from the server's retry-after
    learns_rate: bool
    #: broadcast messages in flight at once (1 keeps "at most one duplicate per crash")
    broadcast_in_flight: int
    #: :meth:`edit` replaces a message in place (else it sends a new one)
    can_edit: bool

    def link(self, payload: str) -> str | None:
        """A link that opens a private chat with this bot carrying ``payload`` (a deep link), or
        None.  A link that cannot carry the payload (Matrix) may still open the chat."""

    async def receive(self, handler: Handler) -> None:
        """Run until stopped, calling ``handler`` for every inbound event."""

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Deliver one reply; return the platform message id if any.

        Raises :class:`Blocked`, :class:`RetryLater`, :class:`ChatMoved` or
        :class:`TransientError` when delivery fails."""

    async def send_bulk(self, chat_id: str, reply: Reply) -> str | None:
        """Deliver one message of a broadcast (the platform's bulk sending where it has one);
        raises like :meth:`send`."""

    async def edit(self, chat_id: str, message_id: str, reply: Reply) -> str | None:
        """Replace message ``message_id`` (``can_edit``) or send a new one; -> the message id."""

    async def is_admin(self, user_id: str, chat_id: str) -> bool:
        """True when ``user_id`` may administer ``chat_id``."""

    async def chat_title(self, chat_id: str) -> str | None:
        """The group's, channel's or room's title (a collective's default name), or None."""

    async def stop(self) -> None:
        """Stop receiving; ``receive`` returns soon after."""


#: the attributes of the contract besides the methods
CAPABILITIES = (
    "name",
    "has_buttons",
    "can_write_later",
    "connected",
    "username",
    "link_for_others",
    "link",
    "chat_title",
    "broadcast_rate",
    "paces_each_chat",
    "learns_rate",
    "broadcast_in_flight",
    "can_edit",
    "send_bulk",
    "edit",
)


def check_backend(backend) -> None:
    """Refuse a backend that lacks part of the contract now, not on the first message."""
    missing = [a for a in CAPABILITIES if not hasattr(backend, a)]
    if missing:
        raise TypeError(
            f"backend {getattr(backend, 'name', backend)!r} lacks {missing} "
            "(see bot.core.types.Backend; subclass BackendBase for the defaults)"
        )


class BackendBase:
    """Defaults of the contract: numbered text, may write later, connected, no handle, no link;
    broadcasts one message at a time, unpaced (no published rate), no edits."""

    name = ""
    has_buttons = False
    can_write_later = True
    connected = True
    username: str | None = None
    link_for_others = False
    broadcast_rate: float | None = None
    paces_each_chat = False
    learns_rate = False
    broadcast_in_flight = 1
    can_edit = False

    def link(self, payload: str) -> str | None:
        return None

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        raise NotImplementedError

    async def send_bulk(self, chat_id: str, reply: Reply) -> str | None:
        return await self.send(chat_id, reply)

    async def edit(self, chat_id: str, message_id: str, reply: Reply) -> str | None:
        return await self.send(chat_id, reply)

    async def receive(self, handler: Handler) -> None:
        return None

    async def is_admin(self, user_id: str, chat_id: str) -> bool:
        return False

    async def chat_title(self, chat_id: str) -> str | None:
        return None

    async def stop(self) -> None:
        return None


@dataclass
class SendResult:
    ok: bool
    message_id: str | None = None
    error: str | None = None
    extra: dict = field(default_factory=dict)

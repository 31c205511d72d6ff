"""What a flow is made of.  Flows import this module, never a transport library.

A *flow* is a table of named *states*.  Entering a state renders its ``prompt``; a
button press calls ``on_choice`` and free text calls ``on_text``.  Every step returns a
:class:`Turn`: what to say, where to go next, and what (non-sensitive) data to keep.

A flow module in ``flows/`` exposes:

``FLOWS``         list of :class:`Flow`
``COMMANDS``      {"command": "flow:state"} or {"command": callable(ctx, arg) -> Turn}
``ALIASES``       {"help": "aide"}  (other spellings of commands)
``INTERCEPTORS``  [(priority, callable(ctx, text) -> Turn | None)]: free-text handlers
                  tried (lowest priority first) before the current state's ``on_text``
                  unless the state waits for free text (``free_text=True``).
``START``         {"payload-prefix": callable(ctx, payload) -> Turn}: deep links.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Awaitable, Callable, Union

from .types import Attachment, Event

END = "__end__"


@dataclass(frozen=True)
class Choice:
    """A button before rendering: a label key (``"area.name"``) and a payload.

    The payload is local to the state that shows the button (the router prefixes it
    with ``flow:state``); ``goto`` jumps straight to a "flow:state" without a handler;
    ``url`` makes a link button.  ``words`` are extra label keys whose text also
    selects this choice when typed (e.g. a "yes" button answered by "oui")."""

    label: str
    payload: str | None = None
    goto: str | None = None
    url: str | None = None
    vars: dict = field(default_factory=dict, hash=False, compare=False)
    words: tuple[str, ...] = ()


@dataclass
class Say:
    """One message: a template key, its variables, buttons (rows of Choice)."""

    key: str
    vars: dict = field(default_factory=dict)
    buttons: list[list[Choice]] = field(default_factory=list)
    attachment: Attachment | None = None
    edit: bool = False
    private_start: str | None = None
    notice: bool = True
    html: dict | None = None       # {var: safe HTML fragment} shown with its formatting (bot/richtext.py)


@dataclass
class Turn:
    say: list[Say] = field(default_factory=list)
    goto: str | None = None        # "flow:state", "state" (same flow), END, or None (stay)
    data: dict | None = None       # merged into the session data
    clear: bool = False            # clear session data before merging
    reprompt: bool = False         # with goto=None: render the current state's prompt again
    fallback: bool = False         # a generic "not sure what you mean" answer (dropped after a privacy warning)

    @classmethod
    def to(cls, target: str, *say: Say, **data) -> "Turn":
        return cls(list(say), goto=target, data=data or None)


StepResult = Union[Turn, None, Awaitable[Union[Turn, None]]]


@dataclass
class State:
    prompt: Callable[["Ctx"], Any] | Say | list[Say] | None = None
    on_choice: dict[str, Any] | Callable[["Ctx", str], StepResult] | None = None
    on_text: Callable[["Ctx", str], StepResult] | None = None
    free_text: bool = False        # waits for free text: dates and intents are not looked for
    verbatim: bool = False         # an organiser's public text: not cut by the privacy screen (the flow warns)


@dataclass
class Flow:
    name: str
    states: dict[str, State]
    start: str = "start"
    personal: bool = True          # in a group, personal flows move to a private chat
    admin_only: bool = False


@dataclass
class Ctx:
    """Everything a step may look at.  ``data`` is the session data (mutable)."""

    event: Event
    data: dict
    locale: str
    tz: str
    now: datetime                   # aware, UTC
    settings: Any
    store: Any
    app: Any                        # services: is_admin, private links, scheduler...
    flow: str = ""
    state: str = ""

    @property
    def today(self) -> date:
        from zoneinfo import ZoneInfo

        return self.now.astimezone(ZoneInfo(self.tz)).date()

    @property
    def local_now(self) -> datetime:
        from zoneinfo import ZoneInfo

        return self.now.astimezone(ZoneInfo(self.tz))

    @property
    def user_key(self) -> str:
        return self.event.user_key

    def t(self, key: str, **vars) -> str:
        """Render a template in the user's locale (for composing, e.g. labels in text)."""
        return self.app.renderer.render(key, self.locale, **vars)

    def label(self, key: str, **vars) -> str:
        return self.app.renderer.label(key, self.locale, **vars)

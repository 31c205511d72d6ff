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
``RENAMED``       {"old_flow:old_state": "flow:state"}: names of older releases, still accepted
                  (buttons already sent, stored conversations).

A state may declare a :class:`Guard` (e.g. "an admin of this place"): the flow library checks
it before the state's prompt, its buttons and its text, so no step of that state runs for
someone the guard refuses, whichever way she arrives (button of an old message, typed text,
a jump from another state).
"""

from __future__ import annotations

import inspect
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
    html: dict | None = None  # {var: safe HTML fragment} shown with its formatting (bot/richtext.py)


@dataclass
class Turn:
    say: list[Say] = field(default_factory=list)
    goto: str | None = None  # "flow:state", "state" (same flow), END, or None (stay)
    data: dict | None = None  # merged into the session data
    clear: bool = False  # clear session data before merging
    reprompt: bool = False  # with goto=None: render the current state's prompt again
    fallback: bool = False  # a generic "not sure what you mean" answer (dropped after a privacy warning)

    @classmethod
    def to(cls, target: str, *say: Say, **data) -> "Turn":
        return cls(list(say), goto=target, data=data or None)


StepResult = Union[Turn, None, Awaitable[Union[Turn, None]]]


async def _maybe(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


@dataclass(frozen=True)
class Guard:
    """A condition declared on a state.  ``check(ctx, payload)`` returns None to let the step run
    (it may leave what it established in ``ctx.guarded``), or the Turn to answer instead.
    ``payload`` is the pressed button's local payload, None for the prompt and for text."""

    name: str  # shown on the flow diagrams
    check: Callable[["Ctx", str | None], Awaitable[Turn | None]]


@dataclass(frozen=True)
class Go:
    """A declared transition that runs a step on the way: ``step(ctx, payload)`` returns the data
    to keep (a dict), what to say (a list of Say) or None, and the conversation goes to ``target``;
    or it returns a Turn when it decides otherwise (a refusal, the question again)."""

    target: str
    step: Callable[["Ctx", str], Any] | None = None


@dataclass
class Choices:
    """``on_choice`` as a table: payload -> ``"flow:state"`` or :class:`Go` (declared transitions)
    or a step ``fn(ctx, payload)``.  A payload ``verb.arg`` (a button naming a record: ``pause.12``) is
    looked up by its verb and the step gets the whole payload.  ``renamed`` turns the payloads
    of older releases (buttons already sent) into today's before the lookup."""

    table: dict[str, Any]
    renamed: Callable[[str], str] | None = None

    async def __call__(self, ctx: "Ctx", payload: str) -> Turn | None:
        if self.renamed is not None:
            payload = self.renamed(payload)
        target = self.table.get(payload, self.table.get(payload.split(".", 1)[0]))
        if target is None:
            return None
        if isinstance(target, str):
            return Turn(goto=target)
        if isinstance(target, Go):
            done = await _maybe(target.step(ctx, payload)) if target.step is not None else None
            if isinstance(done, Turn):
                return done
            if isinstance(done, dict):
                return Turn(goto=target.target, data=done)
            return Turn(list(done or []), goto=target.target)
        return await _maybe(target(ctx, payload))


@dataclass(frozen=True)
class Declared:
    """A state's steps as written in its table (before the flow library adds its guard)."""

    prompt: Any
    on_choice: Any
    on_text: Any


@dataclass
class State:
    prompt: Callable[["Ctx"], Any] | Say | list[Say] | None = None
    on_choice: dict[str, Any] | Callable[["Ctx", str], StepResult] | None = None
    on_text: Callable[["Ctx", str], StepResult] | None = None
    free_text: bool = False  # waits for free text: dates and intents are not looked for
    verbatim: bool = False  # an organiser's public text: not cut by the privacy screen (the flow warns)
    guard: Guard | None = None  # checked before every step of this state
    declared: Declared = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.declared = Declared(self.prompt, self.on_choice, self.on_text)
        if self.guard is None:
            return
        guard = self.guard
        if self.prompt is not None:
            self.prompt = _guarded_prompt(guard, self.prompt)
        if self.on_choice is not None:
            self.on_choice = _guarded_choice(guard, self.on_choice)
        if self.on_text is not None:
            self.on_text = _guarded_text(guard, self.on_text)


def _guarded_prompt(guard: Guard, prompt: Any) -> Callable[["Ctx"], Awaitable[Any]]:
    async def run(ctx: "Ctx") -> Any:
        refusal = await guard.check(ctx, None)
        if refusal is not None:
            return refusal
        return await _maybe(prompt(ctx)) if callable(prompt) else prompt

    return run


def _guarded_choice(guard: Guard, on_choice: Any) -> Callable[["Ctx", str], Awaitable[Turn | None]]:
    async def run(ctx: "Ctx", payload: str) -> Turn | None:
        refusal = await guard.check(ctx, payload)
        if refusal is not None:
            return refusal
        if not isinstance(on_choice, dict):
            return await _maybe(on_choice(ctx, payload))
        target = on_choice.get(payload)  # the router's reading of a plain table
        if target is None or isinstance(target, str):
            return None if target is None else Turn(goto=target)
        return await _maybe(target(ctx))

    return run


def _guarded_text(guard: Guard, on_text: Any) -> Callable[["Ctx", str], Awaitable[Turn | None]]:
    async def run(ctx: "Ctx", text: str) -> Turn | None:
        refusal = await guard.check(ctx, None)
        return refusal if refusal is not None else await _maybe(on_text(ctx, text))

    return run


@dataclass
class Flow:
    name: str
    states: dict[str, State]
    start: str = "start"
    personal: bool = True  # in a group, personal flows move to a private chat
    admin_only: bool = False


@dataclass
class Ctx:
    """Everything a step may look at.  ``data`` is the session data (mutable)."""

    event: Event
    data: dict
    locale: str
    tz: str
    now: datetime  # aware, UTC
    settings: Any
    store: Any
    app: Any  # services: is_admin, private links, scheduler...
    flow: str = ""
    state: str = ""
    guarded: Any = None  # what the state's guard established (collective flows: the place)

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

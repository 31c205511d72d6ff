"""The router: one inbound Event in, a list of Replies out.

Order of work on a text message:
1. screen sensitive data (NIR, carte Vitale serial, code provisoire, health details):
   warn, and drop them from the text every later step sees;
2. global commands (/menu, /aide, /annuler, /langue, /oubli, and those flows declare);
3. the buttons currently shown (typed number, label or natural answer);
4. unless the state waits for free text: interceptors from flows (questions, dates);
5. the current state's text handler;
6. a kind "I did not understand" with the current choices again.

Conversation state lives in the ``sessions`` table, so it survives restarts; one lock
per conversation keeps two quick messages from interleaving.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import logging
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

from ..infra import health_state
from ..lang import nlu_data, privacy
from .types import Button, Event, Reply
from .flowlib import END, Ctx, Flow, Say, State, StepResult, Turn
from .render import LOCALES
from ..store.core import Session
from ..lang.textnorm import label_key

log = logging.getLogger("mes_bot.router")

HOME = "menu:main"
MAX_HOPS = 12
MAX_TEXT = 2000
#: answers after which the current choices are shown again
NOT_UNDERSTOOD = frozenset({"core/not_understood", "core/stale_button", "core/pick_number"})
# typed answers to a yes/no button, and other spellings of commands: locales/<lang>/nlu/
YES = nlu_data.words("answers", "yes")
NO = nlu_data.words("answers", "no")

# Commands every conversation understands, before any flow.
BUILTIN = ("start", "menu", "aide", "annuler", "langue", "oubli")
BUILTIN_ALIASES = nlu_data.table("commands")
GROUP_OK_COMMANDS = {"start", "menu", "aide", "langue", "annuler"}
#: events that carry no text to read, and what a private chat is told
_NOT_TEXT = {"unsupported": "core/only_text", "edit": "core/edit_ignored", "undecryptable": "core/undecryptable"}
COMMAND_RE = re.compile(r"^/([A-Za-z_àâçéèêëîïôûùüÿ]+)(?:@(\S+))?(?:\s+(.*))?$", re.S)


#: what a flow hands the router for a command, an interceptor or a start payload: (ctx, text) -> turn
Step = Callable[[Ctx, str], StepResult]


@dataclass
class Registry:
    flows: dict[str, Flow] = field(default_factory=dict)
    commands: dict[str, str | Step] = field(default_factory=dict)  # a target state, or a step
    aliases: dict[str, str] = field(default_factory=dict)
    interceptors: list[tuple[int, Step]] = field(default_factory=list)
    start: dict[str, Step] = field(default_factory=dict)
    group_commands: set[str] = field(default_factory=set)
    renamed: dict[str, str] = field(default_factory=dict)  # "old_flow:old_state" -> "flow:state"

    def state(self, flow: str, state: str) -> State | None:
        f = self.flows.get(flow)
        return f.states.get(state) if f else None

    def resolve(self, flow: str, state: str) -> tuple[str, str]:
        """Today's name of a state named as an older release did (buttons sent, stored sessions)."""
        new = self.renamed.get(f"{flow}:{state}")
        return (flow, state) if new is None else split_target(new, flow)


def load_registry() -> Registry:
    import importlib
    import pkgutil

    import flows as flows_pkg

    reg = Registry()
    for mod in sorted(pkgutil.iter_modules(flows_pkg.__path__), key=lambda m: m.name):
        if mod.name.startswith("_"):
            continue
        m = importlib.import_module(f"flows.{mod.name}")
        for f in getattr(m, "FLOWS", []):
            if f.name in reg.flows:
                raise RuntimeError(f"flow {f.name!r} defined twice")
            reg.flows[f.name] = f
        reg.commands.update(getattr(m, "COMMANDS", {}))
        reg.aliases.update(getattr(m, "ALIASES", {}))
        reg.interceptors.extend(getattr(m, "INTERCEPTORS", []))
        reg.start.update(getattr(m, "START", {}))
        reg.group_commands.update(getattr(m, "GROUP_COMMANDS", set()))
        reg.renamed.update(getattr(m, "RENAMED", {}))
    reg.interceptors.sort(key=lambda p: p[0])
    return reg


def split_target(target: str, current_flow: str) -> tuple[str, str]:
    if ":" in target:
        f, s = target.split(":", 1)
        return f, s
    return current_flow, target


@dataclass
class _BoundSay(Say):
    """A ``Say`` remembering which state its buttons answer to (None: where the turn ends)."""

    bind: str | None = None


def _bound(say: Say, where: str | None) -> Say:
    """A copy of ``say`` bound to ``where``."""
    return _BoundSay(**{f.name: getattr(say, f.name) for f in dataclasses.fields(Say)}, bind=where)


def _bind_of(say: Say) -> str | None:
    return say.bind if isinstance(say, _BoundSay) else None


async def _maybe(value):
    if inspect.isawaitable(value):
        return await value
    return value


class Router:
    def __init__(self, app, registry: Registry | None = None):
        self.app = app
        self.reg = registry or load_registry()
        self._locks: "weakref.WeakValueDictionary[str, asyncio.Lock]" = weakref.WeakValueDictionary()

    # -- public -----------------------------------------------------------------
    def _lock(self, session_key: str) -> asyncio.Lock:
        lock = self._locks.get(session_key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[session_key] = lock
        return lock

    async def pushed(self, backend: str, chat_id: str, user_key: str, say: Say, reply: Reply, locale: str) -> None:
        """The bot wrote first (a reminder, an announcement): on text-only transports a typed
        number now answers that message's numbered buttons, not those of an older one."""
        user_id = user_key.split(":", 1)[1]
        session_key = f"{backend}:{chat_id}:{user_id}"
        async with self._lock(session_key):
            store = self.app.store
            if store.get_user(user_key) is None:
                return
            session = store.get_session(session_key)
            shown = self._shown([reply], [say], locale)
            if session is None:
                if not shown:
                    return
                session = Session(session_key, user_key, "menu", "main", {})
            if shown:
                session.data["_buttons"] = shown
                session.data["_rows"] = _rows_of([reply])
            else:
                session.data.pop("_buttons", None)
                session.data.pop("_rows", None)
            store.save_session(session, self.app.clock.now())

    async def handle(self, event: Event) -> list[Reply]:
        async with self._lock(event.session_key):
            try:
                return await self._handle(event)
            except Exception as e:  # never let one message kill the bot
                if health_state.is_storage_error(e):
                    health_state.storage_failed(e, "handle")
                else:  # the JSON log keeps the exception's type and where, never its text
                    log.exception("handler_error backend=%s kind=%s", event.backend, event.kind)
                try:
                    user = self.app.store.get_user(event.user_key)
                except Exception:
                    user = None
                locale = self._locale_for(event, user)
                return [self.app.render_reply(Say("core/error"), locale)]

    # -- internals ----------------------------------------------------------------
    def _locale_for(self, event: Event, user) -> str:
        if user is not None and user.locale in LOCALES:
            return user.locale
        hint = (event.locale or "").lower()[:2]
        if hint in LOCALES:
            return hint
        return self.app.settings.default_locale

    async def _handle(self, event: Event) -> list[Reply]:
        app, store = self.app, self.app.store
        now = app.clock.now()
        # In a group, chatter not addressed to the bot must leave nothing behind (no user row,
        # no session tying the person to the group): only commands and buttons register someone.
        addressed = event.is_direct or event.kind in ("button", "start") or self._for_me(event)
        if addressed:
            try:
                user = store.touch_user(event.user_key, event.backend, event.chat_id if event.is_direct else None, now)
            except Exception as e:  # disk full, read-only: answer anyway, the operator is told
                if not health_state.is_storage_error(e):
                    raise
                health_state.storage_failed(e, "touch_user")
                user = store.get_user(event.user_key)
        else:
            user = store.get_user(event.user_key)
        locale = self._locale_for(event, user)
        tz = (user.tz if user else None) or app.settings.timezone
        session = store.get_session(event.session_key)
        stored = session is not None
        out: list[Say] = []
        fresh = session is None
        if session is not None:
            session.flow, session.state = self.reg.resolve(session.flow, session.state)
        if session is None:
            session = Session(event.session_key, event.user_key, "menu", "main", {})
        elif self.reg.state(session.flow, session.state) is None:
            log.warning("session_reset flow=%s state=%s", session.flow, session.state)
            out.append(Say("core/session_reset"))
            session = Session(event.session_key, event.user_key, "menu", "main", {})
            fresh = True
        ctx = Ctx(
            event=event,
            data=session.data,
            locale=locale,
            tz=tz,
            now=now,
            settings=app.settings,
            store=store,
            app=app,
            flow=session.flow,
            state=session.state,
        )

        turn = await self._dispatch(ctx, session, event, out, fresh)
        if turn is not None:
            await self._apply(ctx, session, turn, out)
        again = self._choices_again(ctx, out)
        # locale may have changed during the turn (/langue)
        locale = ctx.locale
        replies = [self.app.render_reply(s, locale, bind=_bind_of(s) or f"{ctx.flow}:{ctx.state}") for s in out]
        if again:  # the choices still on offer, under the "not understood" (typing their number still works)
            replies[-1] = dataclasses.replace(replies[-1], buttons=again)
        else:
            self._remember_buttons(ctx, replies, out)
        session.flow, session.state = ctx.flow, ctx.state
        if (
            store.get_user(event.user_key) is not None
            and not ctx.data.get("_forgotten")
            and (stored or replies or event.is_direct)
        ):
            try:
                store.save_session(session, now)
            except Exception as e:  # the replies still go out; the operator is told
                if not health_state.is_storage_error(e):
                    raise
                health_state.storage_failed(e, "save_session")
        return replies

    def _my_username(self, backend_name: str) -> str | None:
        backend = self.app.backends.get(backend_name)
        return backend.username if backend is not None else None

    def _for_me(self, event: Event) -> bool:
        """A command in a group, not addressed to another bot (``/aide@otherbot``)."""
        m = COMMAND_RE.match((event.text or "").strip())
        if not m:
            return False
        me = self._my_username(event.backend)
        return not (m.group(2) and me and m.group(2).lower() != str(me).lower())

    async def _dispatch(self, ctx: Ctx, session: Session, event: Event, out: list[Say], fresh: bool) -> Turn | None:
        if event.kind == "start":
            return await self._start(ctx, event.payload)
        if event.kind in _NOT_TEXT:
            return Turn([Say(_NOT_TEXT[event.kind])]) if event.is_direct else None
        if event.kind == "button" and event.choice:
            return await self._button(ctx, event.choice)
        text = event.text or ""
        if not text.strip():
            return Turn([Say("core/only_text")]) if event.is_direct else None
        if len(text) > MAX_TEXT:
            return Turn([Say("core/too_long", {"limit": MAX_TEXT})], reprompt=False)
        screened = self._screen(ctx, event, text, out)
        if screened is None:
            return None
        text, warned = screened
        m = COMMAND_RE.match(text.strip())
        if m:
            return await self._command(ctx, m.group(1), m.group(3) or "", addressed_to=m.group(2))
        if text.strip().startswith("/"):
            return Turn([Say("core/unknown_command")], reprompt=False, goto=None)
        picked = self._match_typed_choice(ctx, text)
        if picked is not None:
            return await self._button(ctx, picked)
        again = self._number_out_of_range(ctx, text)
        if again is not None:
            return again
        if not event.is_direct:
            return None  # in groups, plain chatter is not for the bot
        return await self._free_text(ctx, text, warned, fresh)

    def _screen(self, ctx: Ctx, event: Event, text: str, out: list[Say]) -> tuple[str, bool] | None:
        """The text every later step sees (sensitive data dropped, a warning said), and whether it
        warned; None: nothing left to read."""
        here = self.reg.state(ctx.flow, ctx.state)
        verbatim = here is not None and here.verbatim and event.is_direct
        if event.html is not None and not verbatim:  # the formatted copy is for an organiser's text only
            ctx.event = dataclasses.replace(event, html=None)
        screened = privacy.screen(text)
        warned = screened.sensitive and not verbatim
        if warned:  # an organiser's public text is hers: the flow warns her in its preview instead
            # a warning about someone's health, NIR or phone is never posted where others read it
            if event.is_direct:
                out.append(Say("core/privacy_warning", {"kinds": list(screened.findings)}))
            text = screened.text
            if not re.search(r"\w", text):
                return None
        ctx.data.pop("_screened", None)
        return text, warned

    async def _free_text(self, ctx: Ctx, text: str, warned: bool, fresh: bool) -> Turn:
        """Words in a private chat: the interceptors (questions, dates), then the state's own handler."""
        state = self.reg.state(ctx.flow, ctx.state)
        if state is not None and not state.free_text:
            for _prio, fn in self.reg.interceptors:
                t = await _maybe(fn(ctx, text))
                if t is not None and not (warned and t.fallback):
                    return t
                # after a privacy warning, no "not sure what you mean": the warning is the answer
        if state is not None and state.on_text is not None:
            t = await _maybe(state.on_text(ctx, text))
            if t is not None:
                return t
        if warned:
            return Turn(goto=HOME) if fresh else Turn(reprompt=True)  # the warning, then the choices again
        if fresh:
            return Turn([Say("core/not_understood_first")], goto=HOME)
        return Turn([Say("core/not_understood")], reprompt=True)  # the choices come again below it

    # -- commands -----------------------------------------------------------------------
    async def _command(self, ctx: Ctx, name: str, arg: str, addressed_to: str | None = None) -> Turn | None:
        name = name.lower()
        name = self.reg.aliases.get(name, BUILTIN_ALIASES.get(name, name))
        ev = ctx.event
        if addressed_to and not ev.is_direct:
            me = self._my_username(ev.backend)
            if me and addressed_to.lower() != str(me).lower():
                return None  # a command for another bot in the group
        if name == "start":
            return await self._start(ctx, arg.strip() or None)
        if name in BUILTIN:
            return self._builtin(ctx, name, arg)
        if name in self.reg.commands:
            if not ev.is_direct and name not in self.reg.group_commands:
                return Turn([Say("core/go_private", private_start=name)])
            target = self.reg.commands[name]
            if callable(target):
                return await _maybe(target(ctx, arg))
            return Turn(goto=str(target))
        return Turn([Say("core/unknown_command")])

    def _builtin(self, ctx: Ctx, name: str, arg: str) -> Turn:
        """/menu, /annuler, /aide, /langue, /oubli."""
        if name == "menu":
            return Turn(goto=HOME, clear=True)
        if name == "annuler":
            return Turn([Say("core/cancelled")], goto=HOME, clear=True)
        if name == "aide":
            cmds = sorted(set(BUILTIN) | set(self.reg.commands))
            return Turn([Say("core/help", {"commands": cmds, "direct": ctx.event.is_direct})])
        if name == "langue":
            want = arg.strip().lower()[:2]
            if want in LOCALES:
                return self._set_locale(ctx, want)
            return Turn(goto="menu:language")
        # /oubli
        if not ctx.event.is_direct:
            return Turn([Say("core/go_private", private_start="oubli")])
        return Turn(goto="menu:forget")

    def _set_locale(self, ctx: Ctx, locale: str) -> Turn:
        ctx.store.set_user(ctx.user_key, locale=locale)
        ctx.locale = locale
        return Turn([Say("core/language_set")], goto=HOME)

    async def _start(self, ctx: Ctx, payload: str | None) -> Turn | None:
        if payload:
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", payload):
                return Turn([Say("core/bad_link")], goto=HOME)
            if payload == "oubli":
                return await self._command(ctx, "oubli", "")  # never from a group
            if payload in self.reg.commands and ctx.event.is_direct:
                return await self._command(ctx, payload, "")
            for prefix, fn in sorted(self.reg.start.items(), key=lambda kv: -len(kv[0])):
                if payload.startswith(prefix):
                    t = await _maybe(fn(ctx, payload))
                    if t is not None:
                        return t
            if payload in self.reg.flows:
                return Turn(goto=f"{payload}:{self.reg.flows[payload].start}")
        return Turn([Say("core/welcome")], goto=HOME, clear=True)

    # -- buttons ---------------------------------------------------------------------------
    def _match_typed_choice(self, ctx: Ctx, text: str) -> str | None:
        shown = ctx.data.get("_buttons") or []
        if not shown:
            return None
        t = label_key(text)
        if not t:
            return None
        if t.isdigit():
            i = int(t)
            return shown[i - 1][0] if 1 <= i <= len(shown) else None
        for payload, lab, words in shown:
            if t == lab or t in words:
                return payload
        answer = "__yes__" if t in YES else "__no__" if t in NO else None
        if answer is not None:  # "oui" for the button that means yes
            hit = next((p for p, _l, ws in shown for w in ws if w == answer), None)
            if hit is not None:
                return hit
        # a label typed with a little more or less ("comprendre" for "Je veux comprendre")
        hits = [p for p, lab, _w in shown if len(t) >= 4 and (t in lab.split() or (len(t) >= 6 and t in lab))]
        if len(hits) == 1:
            return hits[0]
        return None

    def _number_out_of_range(self, ctx: Ctx, text: str) -> Turn | None:
        """A bare number where numbered choices are shown is a choice, never a date: outside the
        choices, say which numbers fit and show the same choices again."""
        shown = ctx.data.get("_buttons") or []
        t = label_key(text)
        if not shown or not t.isdigit() or len(t) > 4:
            return None
        state = self.reg.state(ctx.flow, ctx.state)
        if state is not None and state.free_text:
            return None
        return Turn([Say("core/pick_number", {"count": len(shown)})])  # the choices come again below it

    async def _button(self, ctx: Ctx, payload: str) -> Turn | None:
        if payload.startswith("g:"):
            return Turn(goto=payload[2:])
        if payload.startswith("c:"):
            name, _, arg = payload[2:].partition(" ")
            return await self._command(ctx, name, arg)
        parts = payload.split(":", 2)
        if len(parts) != 3:
            return Turn([Say("core/stale_button")], goto=HOME)
        flow, state_name, local = parts
        flow, state_name = self.reg.resolve(flow, state_name)
        state = self.reg.state(flow, state_name)
        if state is None:
            return Turn([Say("core/stale_button")], goto=HOME)
        fl = self.reg.flows[flow]
        if fl.personal and not ctx.event.is_direct:
            return Turn([Say("core/go_private", private_start=flow)])
        # a button from an earlier message: act as if we were in that state
        ctx.flow, ctx.state = flow, state_name
        handler = state.on_choice
        if isinstance(handler, dict):
            target = handler.get(local)
            if target is None:
                return Turn([Say("core/stale_button")], reprompt=True)
            if callable(target):
                t = await _maybe(target(ctx))
                return t if t is not None else Turn([Say("core/stale_button")], reprompt=True)
            return Turn(goto=str(target))
        if callable(handler):
            t = await _maybe(handler(ctx, local))
            return t if t is not None else Turn([Say("core/stale_button")], reprompt=True)
        return Turn([Say("core/stale_button")], reprompt=True)

    # -- applying a turn -----------------------------------------------------------------------
    async def _apply(self, ctx: Ctx, session: Session, turn: Turn | None, out: list[Say]) -> None:
        hops = 0
        while turn is not None and hops < MAX_HOPS:
            hops += 1
            if turn.clear:
                keep = {k: v for k, v in ctx.data.items() if k.startswith("_keep_")}
                ctx.data.clear()
                ctx.data.update(keep)
            if turn.data:
                ctx.data.update(turn.data)
            dest = turn.goto
            out.extend(_bound(s, None) for s in turn.say)  # bound to where the conversation ends up
            if dest == END:
                ctx.flow, ctx.state = "menu", "main"
                ctx.data.pop("_buttons", None)
                ctx.data.pop("_rows", None)
                return
            if dest is None:
                if turn.reprompt:
                    nxt = await self._enter(ctx, ctx.flow, ctx.state, out)
                    turn = nxt
                    continue
                return
            flow, state = self.reg.resolve(*split_target(dest, ctx.flow))
            fl = self.reg.flows.get(flow)
            if fl is None or state not in fl.states:
                log.error("bad_target length=%d", len(str(dest)))  # a forged button: never its text
                out.append(Say("core/unavailable"))
                flow, state = "menu", "main"
                fl = self.reg.flows[flow]
            if fl.personal and not ctx.event.is_direct:
                out.append(Say("core/go_private", private_start=flow))
                return
            if fl.admin_only and not await self.app.is_admin(ctx.event):
                out.append(Say("core/admin_only"))
                return
            turn = await self._enter(ctx, flow, state, out)
        if hops >= MAX_HOPS:
            log.error("too_many_hops flow=%s state=%s", ctx.flow, ctx.state)

    async def _enter(self, ctx: Ctx, flow: str, state_name: str, out: list[Say]) -> Turn | None:
        ctx.flow, ctx.state = flow, state_name
        state = self.reg.state(flow, state_name)
        prompt = state.prompt if state is not None else None
        if prompt is None:
            return None
        result = await _maybe(prompt(ctx)) if callable(prompt) else prompt
        if result is None:
            return None
        if isinstance(result, Say):
            result = [result]
        here = f"{flow}:{state_name}"
        if isinstance(result, Turn):
            if result.goto is None and not result.clear and not result.data and not result.reprompt:
                out.extend(_bound(s, here) for s in result.say)
                return None
            return result
        out.extend(_bound(s, here) for s in result)
        return None

    def _remember_buttons(self, ctx: Ctx, replies: list[Reply], says: list[Say]) -> None:
        """Keep (payload, folded label, folded words) of the last buttons shown, for typing."""
        shown = self._shown(replies, says, ctx.locale)
        if shown is not None:
            ctx.data["_buttons"] = shown
            ctx.data["_rows"] = _rows_of(replies)
        elif says:
            ctx.data.pop("_buttons", None)
            ctx.data.pop("_rows", None)

    def _choices_again(self, ctx: Ctx, out: list[Say]) -> tuple | None:
        """Every "not understood" shows the current choices again.  When the state's own prompt
        re-shown after it has buttons, nothing to add; else the buttons of the last message that
        had some (kept as label and payload) go under it, and are returned.  With none at all, the
        message does not point "below"."""
        at = next((i for i, s in enumerate(out) if s.key in NOT_UNDERSTOOD), None)
        if at is None:
            return None
        rows = ctx.data.get("_rows") if ctx.data.get("_buttons") else None
        shown = any(s.buttons for s in out[at:])
        if out[at].key == "core/not_understood":
            out[at] = dataclasses.replace(out[at], vars={**out[at].vars, "choices": bool(shown or rows)})
        if shown or not rows:
            return None
        return tuple(tuple(Button(label, payload) for label, payload in row) for row in rows)

    def _shown(self, replies: list[Reply], says: list[Say], locale: str) -> list | None:
        """The buttons of the last message that has some (None: no message has buttons)."""
        for reply, say in zip(reversed(replies), reversed(says), strict=True):
            if reply.buttons:
                shown = []
                renderer = self.app.renderer
                flat_choices = [c for row in say.buttons for c in row]
                # a pushed reply comes from the jobs, not from render_reply here: pair as far as both go
                for b, c in zip(reply.flat_buttons(), flat_choices, strict=False):
                    if b.payload is None:
                        continue
                    words = []
                    for w in c.words:
                        if w in ("__yes__", "__no__"):
                            words.append(w)
                        else:
                            words.append(label_key(renderer.label(w, locale)))
                    shown.append([b.payload, label_key(b.label), words])
                return shown
        return None


def _rows_of(replies: list[Reply]) -> list:
    """(label, payload) rows of the last reply with buttons, to show them again (link buttons left out)."""
    for reply in reversed(replies):
        if reply.buttons:
            rows = [[[b.label, b.payload] for b in row if b.payload] for row in reply.buttons]
            return [row for row in rows if row]
    return []

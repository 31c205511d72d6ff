"""Matrix backend on matrix-nio, with end-to-end encryption (vodozemac).

``mes-bot matrix --homeserver URL --user @bot:server (--password PW | --access-token TOKEN)
[--device-id ID] [--data-dir DIR]`` (options: startup.py; started by bot/ops/run.py); every option
also from ``MATRIX_*`` environment variables.

Data folder (``<data>/matrix/``, owner-only files):
  ``credentials.json`` access token + device id from the first password login (later starts
  reuse the same device, so the encryption store stays valid); ``pickle.key`` random pickle
  key when none is configured (never nio's constant); ``store/`` nio's encryption store;
  ``cross_signing.json`` the bot's cross-signing seeds (see matrix_xsign.py).

The sync loop: resumes from the sync token kept in the bot's store (``kv``), survives
network errors, homeserver restarts, timeouts and 429 (``retry_after_ms``) with capped
back-off, and stops with :class:`MatrixAuthError` on ``M_UNKNOWN_TOKEN``.  Every handled
event id is recorded (``matrix_handled``), so a message is never answered twice; history
from before the bot joined a room, and everything before the very first sync, is ignored.

Choices: a numbered list in the message, plus keycap reactions 1️⃣ 2️⃣ … that the bot adds to its
latest choice message after answering someone (best effort, background, dropped on 429); a person's
keycap reaction on a remembered choice message becomes a ``button`` event with that choice's payload.

Top level imports no heavy library (nio is imported lazily).
"""
from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import os
import secrets
import time
from collections import OrderedDict
from pathlib import Path

from ...infra.config import ConfigError, secure_write
from ...core.types import BackendBase, Blocked, Event, Reply, RetryLater, TransientError

log = logging.getLogger("mes_bot.matrix")

from .wire import KEYCAPS, _KEYCAP_INDEX, _strip_reply_fallback, keycap_index, render_content  # noqa: F401

NAME = "matrix"
MEGOLM = "m.megolm.v1.aes-sha2"
HANDLED_KEEP_MS = 7 * 24 * 3600 * 1000
SYNC_FILTER = {"room": {"timeline": {"limit": 50}, "state": {"lazy_load_members": False}},
               "presence": {"not_types": ["*"]}}

_current_event: contextvars.ContextVar[Event | None] = contextvars.ContextVar("matrix_event", default=None)
# rooms that got a choice message while answering the current event (reactions follow the turn)
_turn_choices: contextvars.ContextVar[set | None] = contextvars.ContextVar("matrix_turn_choices", default=None)

#: Keycap emojis 1️⃣ … 9️⃣ and 🔟, in the order of the numbered list (choice buttons only).
CHOICE_MESSAGES_KEPT = 2000      # choice messages remembered (event id -> payloads), all rooms
REACTION_PAUSE_S = 60.0          # no keycap reactions for this long after a 429


class MatrixError(Exception):
    pass


class MatrixUnreachable(MatrixError):
    """The homeserver did not answer at start within ``connect_timeout``."""


class MatrixAuthError(MatrixError):
    """The access token is no longer valid (M_UNKNOWN_TOKEN) or the login failed."""


class _HomeserverTrouble(OSError):
    """A 5xx or an unexpected answer while starting: retried like a network error."""


# ----------------------------------------------------------------------------------------
# Start-up: bot/backends/matrix/startup.py (options, settings check, live check) through bot/ops/run.py


def create(app, settings=None) -> "MatrixBackend":
    return MatrixBackend(app, settings or app.settings)


def check_settings(settings) -> None:
    if not settings.matrix_homeserver:
        raise ConfigError("setting 'matrix_homeserver' (MATRIX_HOMESERVER or --homeserver) is required")
    if not settings.matrix_user or not settings.matrix_user.startswith("@") or ":" not in settings.matrix_user:
        raise ConfigError("setting 'matrix_user' (MATRIX_USER or --user) must look like @bot:server")


# ----------------------------------------------------------------------------------------
# The backend


def _make_client_class():
    from aiohttp.client_exceptions import ClientConnectionError
    from uuid import uuid4

    from nio import AsyncClient, ErrorResponse, RoomSendResponse, SyncResponse
    from nio.api import Api

    class Client(AsyncClient):
        """nio's client, with 429s and connection errors handed back to us for sends and
        syncs (so the caller paces itself), and a few bounded retries for everything else
        (key uploads, key sharing), which must not be lost."""

        async def _send(self, response_class, *args, **kwargs):
            mine = response_class in (RoomSendResponse, SyncResponse)
            for attempt in range(6):
                try:
                    resp = await super()._send(response_class, *args, **kwargs)
                except (ClientConnectionError, asyncio.TimeoutError, TimeoutError):
                    if mine or attempt == 5:
                        raise
                    await asyncio.sleep(min(0.5 * 2 ** attempt, 5))
                    continue
                if (mine or attempt == 5 or not isinstance(resp, ErrorResponse)
                        or resp.status_code not in ("M_LIMIT_EXCEEDED", 429)):
                    return resp
                await asyncio.sleep(min((getattr(resp, "retry_after_ms", 0) or 1000) / 1000, 30))
            return resp  # pragma: no cover

        async def room_send(self, room_id, message_type, content, tx_id=None, ignore_unverified_devices=False):
            """nio sends ``m.reaction`` in clear even in an encrypted room (who reacted to what,
            with which emoji): encrypt it like any other event (``m.relates_to`` stays in clear,
            as the spec asks, so clients can still group reactions)."""
            room = self.rooms.get(room_id)
            if message_type != "m.reaction" or not (self.olm and room is not None and room.encrypted):
                return await super().room_send(room_id, message_type, content, tx_id=tx_id,
                                               ignore_unverified_devices=ignore_unverified_devices)
            if not room.members_synced:
                await self.joined_members(room_id)
                if self.should_query_keys:
                    await self.keys_query()
            if self.olm.should_share_group_session(room_id):
                sharing = self.sharing_session.get(room_id)
                if sharing is not None:
                    await sharing.wait()
                else:
                    await self.share_group_session(room_id, ignore_unverified_devices=ignore_unverified_devices)
            message_type, content = self.encrypt(room_id, message_type, content)
            method, path, data = Api.room_send(self.access_token, room_id, message_type, content, tx_id or uuid4())
            return await self._send(RoomSendResponse, method, path, data, (room_id,))

    return Client


class MatrixBackend(BackendBase):
    connected = False  # last sync succeeded (read by /healthz)
    learns_rate = True  # a homeserver's send limit is unpublished: broadcasts learn it from retry_after_ms
    can_edit = True     # edit() replaces a wave's progress message (m.replace)

    def link(self, payload: str) -> str | None:
        """matrix.to opens a chat with the bot; it cannot carry the payload."""
        user = self.user_id or self.settings.matrix_user
        return f"https://matrix.to/#/{user}" if user else None
    name = NAME

    def __init__(self, app, settings, *, sync_timeout_ms: int = 30000, backoff_max: float = 30.0):
        self.app = app
        self.settings = settings
        self.sync_timeout_ms = sync_timeout_ms
        self.backoff_max = backoff_max
        self.client = None
        self.user_id = settings.matrix_user
        self.username = settings.matrix_user
        self.device_id: str | None = None
        self.folder = Path(settings.data_dir) / "matrix"
        self.cross_signing: str | None = None  # "signed" | "already" | "foreign" | "failed: ..."
        self._stop = asyncio.Event()
        self._handler = None
        self._inviters: dict[str, str] = {}
        self._undecryptable_seen: set[tuple[str, str]] = set()
        self._room_locks: dict[str, asyncio.Lock] = {}
        self._creators: dict[str, set[str]] = {}
        self._xs_cache: dict[str, tuple[float, dict]] = {}
        from .verification import Verifier

        self.verifier = Verifier(self)                  # SAS verification of the bot (Element's "Verify")
        self._last_prune = 0.0
        # choice messages: event id -> (room id, payloads in numbered-list order), bounded
        self._choice_msgs: OrderedDict[str, tuple[str, tuple[str, ...]]] = OrderedDict()
        self._latest_choice: dict[str, str] = {}        # room id -> event id of its latest choice message
        self._reaction_tasks: set[asyncio.Task] = set()
        self._reactions_paused_until = 0.0              # monotonic; set by a 429
        self.synced = asyncio.Event()   # set after every processed sync (tests, health)
        self.sync_count = 0
        self.started_at_ms = int(time.time() * 1000)

    # -- keys and credentials --------------------------------------------------------------
    @property
    def _token_key(self) -> str:
        return f"matrix:sync_token:{self.user_id}"

    def _pickle_key(self) -> str:
        if self.settings.matrix_pickle_key:
            return self.settings.matrix_pickle_key
        path = self.folder / "pickle.key"
        if path.is_file():
            return path.read_text().strip()
        key = secrets.token_urlsafe(32)
        secure_write(path, key)
        return key

    def _load_credentials(self) -> dict | None:
        path = self.folder / "credentials.json"
        if not path.is_file():
            return None
        try:
            creds = json.loads(path.read_text())
        except ValueError:
            return None
        if creds.get("user_id") != self.user_id or creds.get("homeserver") != self.settings.matrix_homeserver:
            return None
        return creds

    def _save_credentials(self, token: str, device_id: str) -> None:
        secure_write(self.folder / "credentials.json", json.dumps(
            {"homeserver": self.settings.matrix_homeserver, "user_id": self.user_id,
             "device_id": device_id, "access_token": token}))

    # -- start ----------------------------------------------------------------------------
    async def start(self) -> None:
        """Log in (or restore the stored login), load the encryption store, upload keys,
        set up cross-signing.  Idempotent."""
        if self.client is not None:
            return
        check_settings(self.settings)
        from aiohttp import ClientError

        backoff = 0.5
        give_up = time.monotonic() + float(self.settings.connect_timeout)
        while True:
            try:
                return await self._start_once()
            except (ClientError, asyncio.TimeoutError, TimeoutError, OSError) as e:
                if self._stop.is_set():
                    raise MatrixError("stopped before the homeserver answered") from None
                if time.monotonic() >= give_up:
                    raise MatrixUnreachable(f"cannot reach the homeserver {self.settings.matrix_homeserver} "
                                            f"({type(e).__name__}) for {self.settings.connect_timeout:g} s") from None
                log.warning("homeserver_unreachable error=%s retry_in=%.1f", type(e).__name__, backoff)
                await self._wait_stop(backoff)
                backoff = min(backoff * 2, self.backoff_max)

    async def _start_once(self) -> None:
        from nio import AsyncClientConfig

        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        store = self.folder / "store"
        store.mkdir(exist_ok=True)
        cfg = AsyncClientConfig(encryption_enabled=True, pickle_key=self._pickle_key(),
                                store_sync_tokens=False, max_limit_exceeded=0, max_timeouts=0,
                                request_timeout=30)
        s = self.settings
        client = _make_client_class()(s.matrix_homeserver, self.user_id, store_path=str(store), config=cfg)
        try:
            await self._login(client)
        except BaseException:
            await client.close()
            raise
        self.client = client
        if client.olm is not None:  # nio's own to-device SAS would answer (and cancel) the Verifier's flows
            client.olm.handle_key_verification = lambda event: None
        await self._setup_cross_signing()
        log.info("matrix_started device=%s", self.device_id)

    async def _login(self, client) -> None:
        from nio import LoginResponse, WhoamiResponse

        s = self.settings
        creds = self._load_credentials()
        token = device_id = None
        from_creds = False
        if s.matrix_access_token:
            token = s.matrix_access_token
            device_id = s.matrix_device_id
            if not device_id and creds and creds.get("access_token") == token:
                device_id = creds.get("device_id")
        elif creds:
            token, device_id, from_creds = creds["access_token"], creds["device_id"], True
        elif not s.matrix_password:
            raise ConfigError("Matrix needs a password (MATRIX_PASSWORD) for the first login, "
                              "or an access token (MATRIX_ACCESS_TOKEN)")
        if token:
            client.access_token = token
            who = await client.whoami()
            if not isinstance(who, WhoamiResponse):
                code = getattr(who, "status_code", None)
                if code == "M_UNKNOWN_TOKEN" and from_creds and s.matrix_password:
                    log.warning("matrix_token_invalid relogin=1")
                    token = None
                elif code in ("M_UNKNOWN_TOKEN", "M_FORBIDDEN", "M_MISSING_TOKEN"):
                    raise MatrixAuthError(_auth_message(who))
                else:  # 5xx, proxy trouble: the start loop retries
                    raise _HomeserverTrouble(str(code))
            else:
                device_id = device_id or who.device_id
        if not token:
            client.device_id = s.matrix_device_id or (creds or {}).get("device_id")
            resp = await client.login(s.matrix_password, device_name="mes-bot")
            if not isinstance(resp, LoginResponse):
                if getattr(resp, "status_code", None) not in ("M_FORBIDDEN", "M_USER_DEACTIVATED", "M_INVALID_PARAM",
                                                              "M_UNKNOWN", "M_BAD_JSON", "M_NOT_JSON"):
                    raise _HomeserverTrouble(str(getattr(resp, "status_code", None)))
                raise MatrixAuthError(f"Matrix login failed for {self.user_id}: {getattr(resp, 'message', resp)}")
            token, device_id = resp.access_token, resp.device_id
            self._save_credentials(token, device_id)
        if not device_id:
            raise ConfigError("Matrix device id unknown: set MATRIX_DEVICE_ID with the access token")
        client.restore_login(self.user_id, device_id, token)
        self.device_id = device_id
        if client.should_upload_keys:
            await client.keys_upload()

    async def _setup_cross_signing(self) -> None:
        import aiohttp

        from .cross_signing import CrossSigningError, ensure_cross_signing

        reset = os.environ.get("MESBOT_MATRIX_XSIGN_RESET", "") in ("1", "true", "yes")
        try:
            async with aiohttp.ClientSession() as http:
                self.cross_signing = await ensure_cross_signing(
                    http, self.settings.matrix_homeserver, self.client.access_token, self.user_id,
                    self.device_id, self.folder, password=self.settings.matrix_password, reset=reset)
        except (CrossSigningError, OSError, aiohttp.ClientError, asyncio.TimeoutError) as e:
            self.cross_signing = f"failed: {e}"
            log.warning("cross_signing_failed reason=%s", type(e).__name__)

    async def close(self) -> None:
        for task in list(self._reaction_tasks):
            task.cancel()
        if self._reaction_tasks:
            await asyncio.gather(*self._reaction_tasks, return_exceptions=True)
        if self.client is not None and self.client.client_session is not None:
            await self.client.close()
            self.client.client_session = None  # a later call opens a fresh session

    async def stop(self) -> None:
        self._stop.set()

    # -- the sync loop ---------------------------------------------------------------------
    async def _wait_stop(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)
            return True
        except asyncio.TimeoutError:
            return False

    async def receive(self, handler) -> None:
        self._handler = handler
        await self.start()
        if NAME not in self.app.backends:
            self.app.add_backend(self)
        try:
            await self._sync_loop()
        finally:  # under `mes-bot run` nobody else closes the HTTP session
            await self.close()

    async def _sync_loop(self) -> None:
        from aiohttp import ClientError
        from aiohttp.client_exceptions import ClientConnectionError
        from nio import SyncError, SyncResponse

        store = self.app.store
        since = store.kv_get(self._token_key)
        skip_history = since is None      # very first start: everything in the timeline is old
        first = True                      # first sync of this process: full state
        backoff = 0.5
        while not self._stop.is_set():
            sync = asyncio.ensure_future(self.client.sync(
                timeout=0 if first else self.sync_timeout_ms, since=since,
                full_state=True if first else None, sync_filter=SYNC_FILTER))
            stopper = asyncio.ensure_future(self._stop.wait())
            await asyncio.wait({sync, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if not sync.done():
                sync.cancel()
                try:
                    await sync
                except BaseException:
                    pass
                break
            stopper.cancel()
            try:
                resp = sync.result()
            except (ClientConnectionError, ClientError, asyncio.TimeoutError, TimeoutError, OSError) as e:
                self.connected = False  # /healthz reports it until the next good sync
                log.warning("sync_failed error=%s retry_in=%.1f", type(e).__name__, backoff)
                await self._wait_stop(backoff)
                backoff = min(backoff * 2, self.backoff_max)
                continue
            if isinstance(resp, SyncError) or not isinstance(resp, SyncResponse):
                self.connected = False
                code = getattr(resp, "status_code", None)
                if code == "M_UNKNOWN_TOKEN":
                    raise MatrixAuthError(_auth_message(resp))
                if code in ("M_LIMIT_EXCEEDED", 429):
                    wait = (getattr(resp, "retry_after_ms", None) or 1000) / 1000
                    log.warning("sync_rate_limited retry_in=%.1f", wait)
                    await self._wait_stop(min(wait, 300))
                else:
                    log.warning("sync_error code=%s retry_in=%.1f", code, backoff)
                    await self._wait_stop(backoff)
                    backoff = min(backoff * 2, self.backoff_max)
                continue
            backoff = 0.5
            self.connected = True
            try:
                await self._process(resp, skip_history=skip_history)
            except Exception:
                log.exception("sync_processing_failed")
            since = resp.next_batch
            store.kv_set(self._token_key, since)
            first = skip_history = False
            self.sync_count += 1
            self.synced.set()
            self.synced.clear()

    async def _chores(self) -> None:
        c = self.client
        try:
            if c.should_upload_keys:
                await c.keys_upload()
            if c.should_query_keys:
                await c.keys_query()
            if c.should_claim_keys:
                await c.keys_claim(c.get_users_for_key_claiming())
            await c.send_to_device_messages()
        except Exception as e:  # network trouble: the next sync retries
            log.warning("key_chores_failed error=%s", type(e).__name__)

    async def _process(self, resp, skip_history: bool) -> None:
        from nio import InviteMemberEvent

        # a person added or changed a device: their owner-signed devices must be read again,
        # or a new device would miss replies until the cache expired (matrix_verified_only)
        device_list = getattr(resp, "device_list", None)
        for user_id in [*(getattr(device_list, "changed", None) or ()), *(getattr(device_list, "left", None) or ())]:
            self._xs_cache.pop(user_id, None)
        await self._chores()
        for ev in getattr(resp, "to_device_events", None) or ():
            src = getattr(ev, "source", None) or {}
            if str(src.get("type", "")).startswith("m.key.verification."):
                try:
                    await self.verifier.on_to_device(src["type"], src.get("content") or {}, src.get("sender", ""))
                except Exception:
                    log.exception("verification_failed to_device=1")
        # invites
        for room_id, info in resp.rooms.invite.items():
            inviter, direct = None, False
            for ev in info.invite_state:
                if (isinstance(ev, InviteMemberEvent) and ev.state_key == self.user_id
                        and ev.membership == "invite"):
                    inviter, direct = ev.sender, bool((ev.content or {}).get("is_direct"))
            if inviter is not None:
                await self._on_invite(room_id, inviter, direct)
        # rooms we left or were kicked from
        for room_id in resp.rooms.leave:
            if not self.is_direct(room_id):
                await self._membership(room_id, False)   # collectives: campaigns held, admins told
            self._forget_room(room_id)
        # joined rooms: each room in order, rooms concurrently
        jobs = []
        for room_id, info in resp.rooms.join.items():
            jobs.append(self._process_room(room_id, info.timeline.events, skip_history))
        if jobs:
            await asyncio.gather(*jobs)
        self._prune_handled()

    # -- invites and membership ---------------------------------------------------------------
    def _invite_allowed(self, inviter: str) -> bool:
        users = self.settings.matrix_allowed_users
        servers = self.settings.matrix_allowed_servers
        if not users and not servers:
            return True
        server = inviter.split(":", 1)[1] if ":" in inviter else ""
        return inviter in users or server in servers

    async def _on_invite(self, room_id: str, inviter: str, direct: bool) -> None:
        from nio import JoinResponse

        if not self._invite_allowed(inviter):
            log.info("invite_refused room=%s", room_id)
            await self.client.room_leave(room_id)
            return
        resp = await self.client.join(room_id)
        if not isinstance(resp, JoinResponse):
            log.warning("join_failed room=%s code=%s", room_id, getattr(resp, "status_code", None))
            return
        self._inviters[room_id] = inviter
        if direct:
            self._set_direct(room_id, True)
        log.info("joined room=%s direct=%s", room_id, int(direct))

    def _set_direct(self, room_id: str, direct: bool) -> None:
        self.app.store.set_room_direct(room_id, direct)

    def _forget_room(self, room_id: str) -> None:
        self.app.store.forget_room(room_id)

    async def edit(self, chat_id: str, message_id: str, reply: Reply) -> str | None:
        """Replace one of the bot's messages (a wave's progress) with an m.replace edit; the
        original event id stays the one to edit next time."""
        if self.client is None:
            raise TransientError("matrix backend not started")
        new = render_content(reply)
        content = dict(new, body="* " + new["body"], formatted_body="* " + new["formatted_body"])
        content["m.new_content"] = new
        content["m.relates_to"] = {"rel_type": "m.replace", "event_id": message_id}
        await self._room_send(chat_id, content)
        return message_id

    def _mentions_me(self, content: dict, text: str | None) -> bool:
        """A room message that mentions the bot (m.mentions, or its id in the text), not a command."""
        if not text or text.lstrip().startswith(("/", "!")):
            return False
        ids = ((content.get("m.mentions") or {}).get("user_ids") or []) if isinstance(content, dict) else []
        return self.user_id in ids or (self.user_id or "\0") in text

    async def _membership(self, room_id: str, present: bool, joined: bool = False) -> None:
        hook = self.app.services.get("bot_membership")
        if hook is not None:
            await hook(NAME, room_id, present, joined=joined, title=await self.chat_title(room_id))

    async def chat_title(self, room_id: str) -> str | None:
        """The room's name (a collective's default name), None if unknown."""
        room = self.client.rooms.get(room_id) if self.client is not None else None
        name = (room.name or room.display_name) if room is not None else None
        return str(name)[:120] if name else None

    def is_direct(self, room_id: str) -> bool:
        """The invite said is_direct (or the bot opened it), or exactly two members; never
        once a third person is in the room (nothing personal in front of others)."""
        room = self.client.rooms.get(room_id) if self.client else None
        if room is not None and room.member_count > 2:
            return False
        if self.app.store.room_is_direct(room_id):
            return True
        return room is not None and room.member_count == 2

    async def _leave_if_alone(self, room_id: str) -> bool:
        room = self.client.rooms.get(room_id)
        if room is None:
            return False
        others = [u for u in room.users if u != self.user_id]
        if others:
            return False
        log.info("leaving_empty_room room=%s", room_id)
        try:
            await self.client.room_leave(room_id)
            await self.client.room_forget(room_id)
        except Exception:
            log.warning("leave_failed room=%s", room_id)
        self._forget_room(room_id)
        return True

    # -- timeline ------------------------------------------------------------------------------
    def _mark_handled(self, event_id: str) -> bool:
        """True the first time an event id is seen (and records it)."""
        return self.app.store.mark_event_handled(event_id, int(time.time() * 1000))

    def _prune_handled(self) -> None:
        now = time.time()
        if now - self._last_prune < 3600:
            return
        self._last_prune = now
        self.app.store.prune_handled_events(int(now * 1000) - HANDLED_KEEP_MS)

    async def _process_room(self, room_id: str, events: list, skip_history: bool) -> None:
        from nio import RoomMemberEvent

        lock = self._room_locks.setdefault(room_id, asyncio.Lock())
        async with lock:
            # history before our own join is not for us
            start = 0
            joined_now = False
            for i, ev in enumerate(events):
                if (isinstance(ev, RoomMemberEvent) and ev.state_key == self.user_id
                        and ev.membership == "join" and ev.prev_membership != "join"):
                    start, joined_now = i + 1, True
            membership_changed = joined_now
            for ev in events[start:]:
                if isinstance(ev, RoomMemberEvent):
                    membership_changed = True
                if skip_history:
                    continue
                try:
                    await self._on_timeline_event(room_id, ev)
                except Exception:
                    log.exception("event_failed room=%s", room_id)
            if (membership_changed or skip_history) and await self._leave_if_alone(room_id):
                return
            if joined_now and not skip_history:
                await self._greet(room_id)

    async def _greet(self, room_id: str) -> None:
        """Just joined: in a direct chat, the person who invited us gets the welcome."""
        inviter = self._inviters.pop(room_id, None)
        if inviter is not None and not self.is_direct(room_id):
            await self._membership(room_id, True, joined=True)   # a short hello in the room
        if inviter is None or not self.is_direct(room_id):
            return
        self._set_direct(room_id, True)
        await self._dispatch(Event(backend=NAME, chat_id=room_id, user_id=inviter, kind="start",
                                   is_direct=True))

    async def _on_timeline_event(self, room_id: str, ev) -> None:
        from nio import (MegolmEvent, ReactionEvent, RoomMemberEvent, RoomMessageEmote, RoomMessageNotice,
                         RoomMessageText, RoomMessage)

        sender = getattr(ev, "sender", None)
        if sender is None or sender == self.user_id:
            return
        if isinstance(ev, RoomMemberEvent):
            if ev.membership == "join" and ev.prev_membership != "join":
                await self._on_member_join(room_id, ev.state_key)
            return
        event_id = getattr(ev, "event_id", None)
        if not event_id:
            return
        direct = self.is_direct(room_id)
        if isinstance(ev, MegolmEvent):
            key = (room_id, ev.session_id)
            if key in self._undecryptable_seen:
                return  # one notice per sender session, not one per message
            if not self._mark_handled(event_id):
                return
            self._undecryptable_seen.add(key)
            log.info("undecryptable room=%s", room_id)
            try:
                await self.client.request_room_key(ev)
            except Exception:
                pass
            await self._dispatch(Event(backend=NAME, chat_id=room_id, user_id=sender, kind="undecryptable",
                                       is_direct=direct, message_id=event_id))
            return
        if isinstance(ev, ReactionEvent):
            await self._on_reaction(room_id, ev, direct)
            return
        src = getattr(ev, "source", None) or {}
        content = src.get("content") or {}
        if self.verifier.kind_of(str(src.get("type", "")), content) is not None:
            if self._mark_handled(event_id):   # Element's "Verify": never answered as a message
                await self.verifier.on_room_event(room_id, src["type"], content, sender, event_id,
                                                  src.get("origin_server_ts"))
            return
        if isinstance(ev, RoomMessageNotice):
            return  # other bots talk in notices: never answer them (no loops)
        if not isinstance(ev, RoomMessage):
            return  # reactions, state, redactions...
        if not self._mark_handled(event_id):
            return
        content = ev.source.get("content", {}) or {}
        relates = content.get("m.relates_to") or {}
        if relates.get("rel_type") == "m.replace":
            kind, text = "edit", None
        elif isinstance(ev, (RoomMessageText, RoomMessageEmote)):
            kind, text = "text", _strip_reply_fallback(ev.body or "")
        else:
            kind, text = "unsupported", None
        rich = None
        if kind == "text" and direct:
            from ...lang.richtext import from_matrix

            rich = from_matrix(content)   # formatting kept for an organiser's text (flows decide)
        elif kind == "text" and self._mentions_me(content, text):
            hook = self.app.services.get("bot_mentioned")   # collectives: a short hello, not a silence
            if hook is not None:
                await hook(NAME, room_id, title=await self.chat_title(room_id))
        await self._dispatch(Event(backend=NAME, chat_id=room_id, user_id=sender, text=text, kind=kind,
                                   is_direct=direct, message_id=event_id, html=rich))

    async def _on_reaction(self, room_id: str, ev, direct: bool) -> None:
        """A keycap reaction (m.annotation) on one of the bot's choice messages: the same
        as pressing that button.  Anything else (other emojis, other messages, reactions
        from before this start) is ignored."""
        i = keycap_index(ev.key)
        known = self._choice_msgs.get(ev.reacts_to)
        if i is None or known is None or known[0] != room_id or i >= len(known[1]):
            return
        if (ev.server_timestamp or 0) < self.started_at_ms:
            return  # never replay reactions from before this start
        if not self._mark_handled(ev.event_id):
            return
        log.info("reaction_choice room=%s", room_id)
        await self._dispatch(Event(backend=NAME, chat_id=room_id, user_id=ev.sender, kind="button",
                                   choice=known[1][i], is_direct=direct, message_id=ev.reacts_to))

    async def _on_member_join(self, room_id: str, user_id: str) -> None:
        row = self.app.store.pending_dm(room_id)
        if row is None or row[0] != f"{NAME}:{user_id}":
            return
        self.app.store.drop_pending_dm(room_id)
        await self._dispatch(Event(backend=NAME, chat_id=room_id, user_id=user_id, kind="start",
                                   payload=row[1] or None, is_direct=True))

    async def _dispatch(self, event: Event) -> None:
        if self._handler is None:
            return
        token = _current_event.set(event)
        turn_token = _turn_choices.set(set())
        try:
            await self._handler(event)
        except Exception:
            log.exception("handler_failed kind=%s", event.kind)
        finally:
            rooms = _turn_choices.get() or set()
            _turn_choices.reset(turn_token)
            _current_event.reset(token)
        for room_id in rooms:  # after the turn's messages, without holding up the conversation
            self._start_reactions(room_id)

    # -- sending -----------------------------------------------------------------------------------
    async def send(self, chat_id: str, reply: Reply) -> str | None:
        if self.client is None:
            raise TransientError("matrix backend not started")
        try:
            mid = await self._room_send(chat_id, render_content(reply))
        except RetryLater as e:  # replies first: no reactions while the server throttles us
            self._pause_reactions(e.retry_after)
            raise
        payloads = tuple(b.payload for b in reply.flat_buttons() if b.url is None and b.payload)
        if payloads and mid:
            self._remember_choices(chat_id, mid, payloads)
            pending = _turn_choices.get()
            ev = _current_event.get()
            if pending is not None and ev is not None and ev.chat_id == chat_id:
                pending.add(chat_id)   # answering someone here: react once the turn is sent
        if reply.attachment is not None:
            await self._send_attachment(chat_id, reply.attachment)
        if reply.private_start and not self.is_direct(chat_id):
            ev = _current_event.get()
            if ev is not None and ev.chat_id == chat_id:
                await self.open_direct(ev.user_id, reply.private_start, locale=ev.locale)
        return mid

    # -- choices as reactions -----------------------------------------------------------------
    def _remember_choices(self, room_id: str, event_id: str, payloads: tuple[str, ...]) -> None:
        self._choice_msgs[event_id] = (room_id, payloads)
        self._latest_choice[room_id] = event_id
        while len(self._choice_msgs) > CHOICE_MESSAGES_KEPT:
            old_id, (old_room, _) = self._choice_msgs.popitem(last=False)
            if self._latest_choice.get(old_room) == old_id:
                del self._latest_choice[old_room]

    def _pause_reactions(self, seconds: float) -> None:
        until = time.monotonic() + max(float(seconds or 0), REACTION_PAUSE_S)
        self._reactions_paused_until = max(self._reactions_paused_until, until)

    def _start_reactions(self, room_id: str) -> None:
        """React to the room's latest choice message with 1️⃣ 2️⃣ … in the background."""
        event_id = self._latest_choice.get(room_id)
        if (event_id is None or not getattr(self.settings, "matrix_reactions", True)
                or time.monotonic() < self._reactions_paused_until):
            return
        task = asyncio.ensure_future(self._react_keycaps(room_id, event_id))
        self._reaction_tasks.add(task)
        task.add_done_callback(self._reaction_tasks.discard)

    async def _react_keycaps(self, room_id: str, event_id: str) -> None:
        """Best effort, one try each: a 429 drops the rest (and pauses reactions), any other
        error drops the rest; a newer choice message in the room makes these pointless."""
        _room, payloads = self._choice_msgs.get(event_id, (room_id, ()))
        sent = 0
        for i in range(min(len(payloads), len(KEYCAPS))):
            if self._latest_choice.get(room_id) != event_id or time.monotonic() < self._reactions_paused_until:
                break
            content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": KEYCAPS[i]}}
            try:
                await self._room_send(room_id, content, msgtype="m.reaction")
            except RetryLater as e:
                self._pause_reactions(e.retry_after)
                log.info("reactions_rate_limited room=%s pause=%.0f", room_id,
                         self._reactions_paused_until - time.monotonic())
                break
            except asyncio.CancelledError:
                raise
            except Exception as e:
                log.info("reactions_failed room=%s error=%s", room_id, type(e).__name__)
                break
            sent += 1
        log.debug("reactions_sent room=%s n=%d", room_id, sent)

    # -- keys (verification and verified-only) ------------------------------------------------------
    async def keys_query(self, user_ids: list[str]) -> dict:
        """The raw /keys/query answer (cross-signing keys included, which nio drops); {} on failure."""
        try:
            r = await self.client.send(
                "POST", "/_matrix/client/v3/keys/query", json.dumps({"device_keys": {u: [] for u in user_ids}}),
                headers={"Authorization": f"Bearer {self.client.access_token}", "Content-Type": "application/json"})
            return (await r.json(content_type=None) or {}) if r.status == 200 else {}
        except Exception:
            return {}

    async def send_to_device(self, event_type: str, user_id: str, device_id: str, content: dict) -> None:
        from nio import ToDeviceMessage, ToDeviceResponse

        resp = await self.client.to_device(ToDeviceMessage(event_type, user_id, device_id, content))
        if not isinstance(resp, ToDeviceResponse):
            raise _send_error(resp)

    async def _owner_signed(self, user_ids: list[str]) -> dict[str, dict[str, str]]:
        """{user: {device_id: ed25519 key}} of devices signed by their owner's cross-signing
        identity (self-signing key signed by the master key).  Cached 30 s per user, forgotten
        as soon as a sync says the user's device list changed."""
        from .cross_signing import device_signed_by, only_key, verify

        now = time.monotonic()
        want = [u for u in user_ids if now - self._xs_cache.get(u, (0.0, {}))[0] > 30]
        if want:
            q = await self.keys_query(want)
            for u in want:
                mkey = (q.get("master_keys") or {}).get(u)
                skey = (q.get("self_signing_keys") or {}).get(u)
                mpub, spub = only_key(mkey), only_key(skey)
                devices: dict[str, str] = {}
                sig = ((skey or {}).get("signatures") or {}).get(u, {}).get(f"ed25519:{mpub}")
                if mpub and spub and sig and verify(mpub, skey, sig):
                    for dev_id, dk in ((q.get("device_keys") or {}).get(u) or {}).items():
                        if device_signed_by(dk, u, spub):
                            devices[dev_id] = (dk.get("keys") or {}).get(f"ed25519:{dev_id}")
                if q:
                    self._xs_cache[u] = (now, devices)
        return {u: self._xs_cache.get(u, (0.0, {}))[1] for u in user_ids}

    async def _prepare_verified_only(self, room) -> None:
        """matrix_verified_only: only verified devices get the room key.  Verified means
        verified in the bot's store, or signed by its owner's cross-signing identity."""
        olm = self.client.olm
        signed = await self._owner_signed(list(room.users))
        for user_id in list(room.users):
            for device in self.client.device_store.active_user_devices(user_id):
                if device.id == self.device_id and user_id == self.user_id:
                    continue
                if olm.is_device_verified(device):
                    continue
                key = signed.get(user_id, {}).get(device.id)
                if key and key == device.ed25519:
                    if olm.is_device_blacklisted(device):
                        self.client.unblacklist_device(device)
                    self.client.verify_device(device)
                elif not olm.is_device_blacklisted(device):
                    self.client.blacklist_device(device)

    async def _room_send(self, room_id: str, content: dict, msgtype: str = "m.room.message") -> str:
        from aiohttp.client_exceptions import ClientConnectionError
        from nio import LocalProtocolError, RoomSendResponse, SendRetryError

        room = self.client.rooms.get(room_id)
        if room is None:
            raise Blocked("the bot is not in this room")
        if self.settings.matrix_verified_only and room.encrypted:
            await self._prepare_verified_only(room)
        try:
            resp = await self.client.room_send(room_id, msgtype, content,
                                               ignore_unverified_devices=not self.settings.matrix_verified_only)
        except (ClientConnectionError, asyncio.TimeoutError, TimeoutError, OSError) as e:
            raise TransientError(f"network: {type(e).__name__}") from None
        except SendRetryError as e:
            raise TransientError(str(e)) from None
        except LocalProtocolError as e:
            raise Blocked(str(e)) from None
        if isinstance(resp, RoomSendResponse):
            return resp.event_id
        raise _send_error(resp)

    async def _send_attachment(self, room_id: str, att) -> None:
        import io

        from nio import UploadResponse

        room = self.client.rooms.get(room_id)
        encrypted = bool(room and room.encrypted)
        resp, keys = await self.client.upload(io.BytesIO(att.data), content_type=att.mime,
                                              filename=att.filename, encrypt=encrypted,
                                              filesize=len(att.data))
        if not isinstance(resp, UploadResponse):
            raise _send_error(resp)
        msgtype = "m.image" if att.mime.startswith("image/") else "m.file"
        content = {"msgtype": msgtype, "body": att.filename, "filename": att.filename,
                   "info": {"mimetype": att.mime, "size": len(att.data)}}
        if encrypted:
            content["file"] = dict(keys, url=resp.content_uri)
        else:
            content["url"] = resp.content_uri
        await self._room_send(room_id, content)

    async def open_direct(self, user_id: str, payload: str | None, locale: str | None = None) -> str | None:
        """Continue with ``user_id`` in a direct chat: reuse the one we share, or create an
        encrypted one and invite them; the flow starts when they join."""
        from nio import RoomCreateResponse, RoomPreset

        user = self.app.store.get_user(f"{NAME}:{user_id}")
        if user is not None and user.chat_id:
            room = self.client.rooms.get(user.chat_id)
            if (room is not None and user_id in room.users and not room.users[user_id].invited
                    and self.is_direct(user.chat_id)):
                await self._dispatch(Event(backend=NAME, chat_id=user.chat_id, user_id=user_id, kind="start",
                                           payload=payload, is_direct=True, locale=locale))
                return user.chat_id
        resp = await self.client.room_create(
            is_direct=True, invite=[user_id], preset=RoomPreset.trusted_private_chat,
            initial_state=[{"type": "m.room.encryption", "state_key": "", "content": {"algorithm": MEGOLM}}])
        if not isinstance(resp, RoomCreateResponse):
            log.warning("dm_create_failed code=%s", getattr(resp, "status_code", None))
            return None
        self._set_direct(resp.room_id, True)
        self.app.store.add_pending_dm(resp.room_id, f"{NAME}:{user_id}", payload)
        log.info("dm_opened room=%s", resp.room_id)
        return resp.room_id

    # -- admin ---------------------------------------------------------------------------------------
    async def _get_json(self, path: str) -> dict | None:
        try:
            r = await self.client.send("GET", path, headers={"Authorization": f"Bearer {self.client.access_token}"})
            if r.status != 200:
                return None
            return await r.json(content_type=None)
        except Exception:
            return None

    async def room_creators(self, room_id: str) -> set[str]:
        """Users with unlimited power in rooms of version 12 and later (MSC4289): the creator
        and ``additional_creators``; they do not appear in the power-level ``users`` map."""
        if room_id in self._creators:
            return self._creators[room_id]
        from urllib.parse import quote

        ev = await self._get_json(f"/_matrix/client/v3/rooms/{quote(room_id, safe='')}/state/m.room.create"
                                  "?format=event")
        if ev is None:
            return set()
        content = ev.get("content") or {}
        version = str(content.get("room_version", "1"))
        creators: set[str] = set()
        if "hydra" in version or (version.isdigit() and int(version) >= 12):
            creators = {ev.get("sender")} | set(content.get("additional_creators") or [])
        self._creators[room_id] = creators
        return creators

    async def is_admin(self, user_id: str, chat_id: str) -> bool:
        """Power level at least ``matrix_admin_power_level`` (default 50, the level needed to
        mention @room), or a creator of a room version with creator power."""
        from nio import RoomGetStateEventResponse

        if user_id in await self.room_creators(chat_id):
            return True
        level = None
        try:
            resp = await self.client.room_get_state_event(chat_id, "m.room.power_levels")
            if isinstance(resp, RoomGetStateEventResponse):
                content = resp.content or {}
                level = (content.get("users") or {}).get(user_id, content.get("users_default", 0))
        except Exception:
            level = None
        if level is None:
            room = self.client.rooms.get(chat_id)
            if room is None:
                return False
            level = room.power_levels.get_user_level(user_id)
        return int(level) >= int(self.settings.matrix_admin_power_level)


def _auth_message(resp) -> str:
    code = getattr(resp, "status_code", None)
    if code == "M_UNKNOWN_TOKEN":
        return ("the Matrix access token is no longer valid (M_UNKNOWN_TOKEN): log in again "
                "(set MATRIX_PASSWORD, or a new MATRIX_ACCESS_TOKEN) and delete "
                "<data>/matrix/credentials.json if it holds the old token")
    return f"Matrix authentication failed: {code} {getattr(resp, 'message', '')}".strip()


def _send_error(resp) -> Exception:
    code = getattr(resp, "status_code", None)
    status = getattr(getattr(resp, "transport_response", None), "status", None)
    if code in ("M_LIMIT_EXCEEDED", 429) or status == 429:
        return RetryLater((getattr(resp, "retry_after_ms", None) or 1000) / 1000)
    if code in ("M_FORBIDDEN", "M_NOT_FOUND") or status in (403, 404):
        return Blocked(f"{code}")
    return TransientError(f"{code} {status}")

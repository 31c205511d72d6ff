"""A real Synapse for the Matrix tests, plus real matrix-nio "humans".

API (reusable by every test module; the fixtures are registered once in ``tests/conftest.py``,
import the rest: ``from tests.support.synapse import Human, make_human``):

* ``synapse`` (pytest fixture, one per test session): a running :class:`Synapse` with every
  ``rc_*`` rate limit raised.  ``synapse_limited``: a second instance with Synapse's default
  rate limits (``rc_message`` 0.2/s, burst 10), started only when a test asks for it.
  Both are skipped, with the reason, only when ``MESBOT_SYNAPSE_PYTHON`` is unset
  (``scripts/test.sh`` always sets it).
* :class:`Synapse`: ``url``, ``server_name``, ``port``, ``dir``;
  ``register(localpart, password=None, admin=False) -> (user_id, password)`` (shared-secret
  admin API; a random localpart suffix keeps tests independent: ``unique(prefix)``);
  ``stop()``, ``start()``, ``restart()`` (same port, same database), ``running``.
* ``await make_human(synapse, tmp_path, "alice")``: a registered, logged-in
  :class:`Human` (nio ``AsyncClient`` with its own end-to-end store in ``tmp_path``).
  ``Human``: ``user_id``, ``client``; ``await sync(timeout_ms)``;
  ``await create_room(invite=[...], direct=True, encrypted=True, name=None)``;
  ``await join(room_id)``; ``await send(room_id, text)``;
  ``await wait_messages(room_id, n=1, timeout=20, sender=None)`` -> list of
  ``{"body", "msgtype", "formatted_body", "sender", "event_id"}`` received since the last call
  (decrypted when the room is encrypted; bounded wait); ``clear()`` forgets what was received;
  ``await wait_invite(timeout)`` -> room id of an invite (auto-joined); ``await close()``.
  Reactions (m.annotation) are not messages: readable ones go to ``human.reactions``
  (``{"room_id", "reacts_to", "key", "sender", "event_id"}``), unreadable ones are dropped.

Every network call goes to 127.0.0.1 only.  Synapse is stopped by PID at the end of the
session (and dies with the test process: parent-death signal).
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

SERVER_NAME = "mesbot.test"
ENV_VAR = "MESBOT_SYNAPSE_PYTHON"

# Every rate limit Synapse knows, raised far above what a test does.
_FAST = {"per_second": 10000, "burst_count": 100000}
RAISED_LIMITS = {
    "rc_message": _FAST,
    "rc_registration": _FAST,
    "rc_registration_token_validity": _FAST,
    "rc_login": {"address": _FAST, "account": _FAST, "failed_attempts": _FAST},
    "rc_admin_redaction": _FAST,
    "rc_joins": {"local": _FAST, "remote": _FAST},
    "rc_joins_per_room": _FAST,
    "rc_key_requests": _FAST,
    "rc_3pid_validation": _FAST,
    "rc_invites": {"per_room": _FAST, "per_user": _FAST, "per_issuer": _FAST},
    "rc_third_party_invite": _FAST,
    "rc_media_create": _FAST,
    "rc_presence": {"per_user": _FAST},
    "rc_delayed_event_mgmt": _FAST,
    "rc_room_creation": _FAST,
    "rc_reports": _FAST,
    "rc_user_directory": _FAST,
    "rc_profile": _FAST,
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unique(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(3)}"


def _set_pdeathsig():  # runs in the child: die with the test process
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


class Synapse:
    def __init__(self, python: str, workdir: Path, limited: bool = False):
        self.python = python
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.server_name = SERVER_NAME
        self.url = f"http://127.0.0.1:{self.port}"
        self.shared_secret = secrets.token_hex(16)
        self.limited = limited
        self.proc: subprocess.Popen | None = None
        self.config_path = self.dir / "homeserver.yaml"
        self._write_config()

    # -- configuration -------------------------------------------------------------------
    def _write_config(self) -> None:
        seed = base64.b64encode(os.urandom(32)).decode().rstrip("=")
        (self.dir / "signing.key").write_text(f"ed25519 a_test {seed}\n")
        log_cfg = {
            "version": 1,
            "formatters": {"f": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
            "handlers": {
                "file": {"class": "logging.FileHandler", "formatter": "f", "filename": str(self.dir / "homeserver.log")}
            },
            "root": {"level": "WARNING", "handlers": ["file"]},
            "disable_existing_loggers": False,
        }
        (self.dir / "log.yaml").write_text(json.dumps(log_cfg))
        cfg = {
            "server_name": self.server_name,
            "pid_file": str(self.dir / "homeserver.pid"),
            "public_baseurl": self.url + "/",
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": {"name": "sqlite3", "args": {"database": str(self.dir / "homeserver.db")}},
            "log_config": str(self.dir / "log.yaml"),
            "media_store_path": str(self.dir / "media"),
            "signing_key_path": str(self.dir / "signing.key"),
            "registration_shared_secret": self.shared_secret,
            "enable_registration": False,
            "macaroon_secret_key": secrets.token_hex(16),
            "form_secret": secrets.token_hex(16),
            "report_stats": False,
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "federation_domain_whitelist": [],
            "bcrypt_rounds": 4,
            "enable_metrics": False,
            "presence": {"enabled": False},
            "url_preview_enabled": False,
            "user_directory": {"enabled": False},
        }
        if not self.limited:
            cfg.update(RAISED_LIMITS)
        else:
            # default rc_message (0.2/s, burst 10); logins must still work for the few test users
            cfg["rc_login"] = RAISED_LIMITS["rc_login"]
            cfg["rc_registration"] = _FAST
        # YAML is a superset of JSON
        self.config_path.write_text(json.dumps(cfg, indent=1))

    # -- life cycle -------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 60.0) -> None:
        if self.running:
            return
        with open(self.dir / "stdout.log", "ab") as out:  # the child keeps its own copy
            self.proc = subprocess.Popen(
                [self.python, "-m", "synapse.app.homeserver", "-c", str(self.config_path)],
                cwd=self.dir,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_set_pdeathsig,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"synapse exited with {self.proc.returncode}: " + (self.dir / "stdout.log").read_text()[-2000:]
                )
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=1) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("synapse did not become healthy in time")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    # -- users ---------------------------------------------------------------------------------
    def _request(self, method: str, path: str, body: dict | None = None, token: str | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read() or b"{}")

    def logout(self, token: str) -> None:
        self._request("POST", "/_matrix/client/v3/logout", {}, token=token)

    def register(self, localpart: str, password: str | None = None, admin: bool = False) -> tuple[str, str]:
        password = password or secrets.token_urlsafe(12)
        nonce = self._request("GET", "/_synapse/admin/v1/register")["nonce"]
        mac = hmac.new(self.shared_secret.encode(), digestmod=hashlib.sha1)
        mac.update(
            b"\x00".join([nonce.encode(), localpart.encode(), password.encode(), b"admin" if admin else b"notadmin"])
        )
        body = {"nonce": nonce, "username": localpart, "password": password, "admin": admin, "mac": mac.hexdigest()}
        resp = self._request("POST", "/_synapse/admin/v1/register", body)
        return resp["user_id"], password


_INSTANCES: dict[str, Synapse] = {}


def _stop_all() -> None:
    for s in list(_INSTANCES.values()):
        with contextlib.suppress(Exception):  # at exit: stop the others anyway
            s.stop()


atexit.register(_stop_all)


def get_synapse(kind: str = "fast") -> Synapse:
    """The running instance of this kind, started on first use (one per process)."""
    python = os.environ.get(ENV_VAR)
    if not python:
        pytest.skip(f"{ENV_VAR} is not set (scripts/test.sh installs Synapse and sets it)")
    inst = _INSTANCES.get(kind)
    if inst is None:
        workdir = Path(tempfile.mkdtemp(prefix=f"mesbot-synapse-{kind}-"))
        inst = Synapse(python, workdir, limited=(kind == "limited"))
        _INSTANCES[kind] = inst
    if not inst.running:
        inst.start()
    return inst


@pytest.fixture(scope="session")
def synapse() -> Synapse:
    return get_synapse("fast")


@pytest.fixture(scope="session")
def synapse_limited() -> Synapse:
    return get_synapse("limited")


# ---------------------------------------------------------------------------------------------
# Humans: real nio clients


class Human:
    def __init__(self, client, user_id: str):
        self.client = client
        self.user_id = user_id
        self._seen: set[str] = set()
        self._inbox: list[tuple[str, dict]] = []
        self._invites: list[str] = []
        self.reactions: list[dict] = []  # {"room_id", "reacts_to", "key", "sender", "event_id"}
        # every other timeline event that is not a message, decrypted when possible:
        # {"room_id", "type", "content", "sender", "event_id"} (verification steps, ...)
        self.events: list[dict] = []

    async def _chores(self) -> None:
        c = self.client
        if c.should_upload_keys:
            await c.keys_upload()
        if c.should_query_keys:
            await c.keys_query()
        if c.should_claim_keys:
            await c.keys_claim(c.get_users_for_key_claiming())
        await c.send_to_device_messages()

    async def sync(self, timeout_ms: int = 0) -> None:
        from nio import MegolmEvent, ReactionEvent, RoomMessage, SyncResponse

        resp = await self.client.sync(timeout=timeout_ms)
        if not isinstance(resp, SyncResponse):
            return
        for room_id in resp.rooms.invite:
            if room_id not in self._invites:
                self._invites.append(room_id)
        for room_id, info in resp.rooms.join.items():
            for ev in info.timeline.events:
                if ev.event_id in self._seen or getattr(ev, "sender", None) == self.user_id:
                    continue
                self._seen.add(ev.event_id)
                if isinstance(ev, ReactionEvent):
                    self.reactions.append(
                        {
                            "room_id": room_id,
                            "reacts_to": ev.reacts_to,
                            "key": ev.key,
                            "sender": ev.sender,
                            "event_id": ev.event_id,
                        }
                    )
                    continue
                relates = (ev.source.get("content") or {}).get("m.relates_to") or {}
                if isinstance(ev, MegolmEvent) and relates.get("rel_type") == "m.annotation":
                    continue  # a reaction this device cannot read: not a message
                src = getattr(ev, "source", None) or {}
                if not isinstance(ev, (MegolmEvent, RoomMessage)) or (
                    (src.get("content") or {}).get("msgtype", "").startswith("m.key.verification.")
                ):
                    self.events.append(
                        {
                            "room_id": room_id,
                            "type": src.get("type"),
                            "content": src.get("content"),
                            "sender": ev.sender,
                            "event_id": ev.event_id,
                        }
                    )
                    continue
                if isinstance(ev, MegolmEvent):
                    self._inbox.append(
                        (
                            room_id,
                            {
                                "room_id": room_id,
                                "undecrypted": True,
                                "sender": ev.sender,
                                "event_id": ev.event_id,
                                "body": None,
                                "msgtype": None,
                                "formatted_body": None,
                            },
                        )
                    )
                elif isinstance(ev, RoomMessage):
                    src = ev.source.get("content", {})
                    self._inbox.append(
                        (
                            room_id,
                            {
                                "room_id": room_id,
                                "body": src.get("body"),
                                "msgtype": src.get("msgtype"),
                                "formatted_body": src.get("formatted_body"),
                                "sender": ev.sender,
                                "event_id": ev.event_id,
                                "undecrypted": False,
                            },
                        )
                    )
        await self._chores()

    async def create_room(self, invite=(), direct: bool = True, encrypted: bool = True, name: str | None = None) -> str:
        from nio import RoomCreateResponse, RoomPreset

        initial_state = []
        if encrypted:
            initial_state.append(
                {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}
            )
        resp = await self.client.room_create(
            name=name,
            invite=list(invite),
            is_direct=direct,
            initial_state=initial_state,
            preset=RoomPreset.trusted_private_chat if direct else RoomPreset.private_chat,
        )
        assert isinstance(resp, RoomCreateResponse), resp
        await self.sync()
        return resp.room_id

    async def join(self, room_id: str) -> None:
        from nio import JoinResponse

        resp = await self.client.join(room_id)
        assert isinstance(resp, JoinResponse), resp
        await self.sync()

    async def send(self, room_id: str, text: str) -> str:
        from nio import RoomSendResponse

        resp = await self.client.room_send(
            room_id, "m.room.message", {"msgtype": "m.text", "body": text}, ignore_unverified_devices=True
        )
        assert isinstance(resp, RoomSendResponse), resp
        return resp.event_id

    async def wait_messages(
        self, room_id: str | None, n: int = 1, timeout: float = 20.0, sender: str | None = None
    ) -> list[dict]:
        """Messages in ``room_id`` (any room when None) not returned before; waits for ``n``."""
        deadline = time.monotonic() + timeout
        while True:
            picked = [
                (i, m)
                for i, (r, m) in enumerate(self._inbox)
                if (room_id is None or r == room_id) and (sender is None or m["sender"] == sender)
            ]
            if len(picked) >= n or time.monotonic() >= deadline:
                idx = {i for i, _ in picked}
                self._inbox = [x for i, x in enumerate(self._inbox) if i not in idx]
                return [m for _, m in picked]
            try:
                await self.sync(timeout_ms=500)
            except Exception:
                await asyncio.sleep(0.3)

    def clear(self) -> None:
        """Forget messages received so far (e.g. room history seen on joining)."""
        self._inbox.clear()

    async def wait_invite(self, timeout: float = 20.0) -> str | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._invites:
                room_id = self._invites.pop(0)
                await self.join(room_id)
                return room_id
            await self.sync(timeout_ms=500)
        return None

    async def close(self) -> None:
        await self.client.close()


async def make_human(synapse: Synapse, tmp_path: Path, localpart: str) -> Human:
    from nio import AsyncClient, AsyncClientConfig, LoginResponse

    localpart = unique(localpart)
    user_id, password = synapse.register(localpart)
    store = Path(tmp_path) / f"human-{localpart}"
    store.mkdir(parents=True, exist_ok=True)
    cfg = AsyncClientConfig(
        encryption_enabled=True,
        store_sync_tokens=False,
        pickle_key=secrets.token_hex(16),
        max_timeouts=3,
        request_timeout=30,
    )
    client = AsyncClient(synapse.url, user_id, store_path=str(store), config=cfg)
    resp = await client.login(password, device_name=f"test-{localpart}")
    assert isinstance(resp, LoginResponse), resp
    human = Human(client, user_id)
    await human._chores()
    await human.sync()
    return human


# ---------------------------------------------------------------------------------------------
# The bot itself, on the real backend


class BotRunner:
    """The real App + MatrixBackend, syncing in a background task.

    ``runner = await start_bot(synapse, data_dir, **settings)`` registers a bot account
    (or reuses ``user_id``/``password`` for a restart) and waits for its first sync;
    ``runner.app``, ``runner.backend``, ``runner.user_id``; ``await runner.stop()``;
    ``await runner.wait_until(lambda: ..., timeout)``; ``runner.joined(room_id)``;
    ``runner.failure`` holds the exception that ended the sync loop, if any."""

    def __init__(self, synapse: Synapse, data_dir: Path, user_id: str, password: str, **overrides):
        self.synapse, self.data_dir = synapse, Path(data_dir)
        self.user_id, self.password, self.overrides = user_id, password, overrides
        self.app = self.backend = self.task = None
        self.failure: BaseException | None = None

    async def start(self, timeout: float = 30.0) -> "BotRunner":
        from bot.core.app import App
        from bot.backends.matrix.backend import MatrixBackend
        from bot.infra.config import Settings

        fields = dict(
            data_dir=self.data_dir,
            matrix_homeserver=self.synapse.url,
            matrix_user=self.user_id,
            matrix_password=self.password,
        )
        fields.update(self.overrides)
        settings = Settings(**fields)
        self.app = App(settings)
        self.backend = MatrixBackend(self.app, settings, sync_timeout_ms=10000, backoff_max=1.0)
        self.app.add_backend(self.backend)
        await self.backend.start()
        self.task = asyncio.create_task(self._run())
        await self.wait_syncs(1, timeout)
        return self

    async def _run(self):
        try:
            await self.backend.receive(self.app.handle_event)
        except BaseException as e:  # kept for the test to inspect
            self.failure = e

    async def wait_syncs(self, n: int = 1, timeout: float = 30.0) -> None:
        target = self.backend.sync_count + n if self.backend.sync_count else n
        deadline = time.monotonic() + timeout
        while self.backend.sync_count < target and time.monotonic() < deadline and not self.task.done():
            await asyncio.sleep(0.05)

    async def wait_until(self, predicate, timeout: float = 20.0) -> bool:
        """Poll ``predicate()`` (bounded) while the bot syncs; True once it holds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            await asyncio.sleep(0.05)
        return bool(predicate())

    def joined(self, room_id: str) -> bool:
        room = self.backend.client.rooms.get(room_id)
        return room is not None and self.user_id in room.users and not room.users[self.user_id].invited

    async def stop(self) -> None:
        if self.task is not None:
            await self.backend.stop()
            try:
                await asyncio.wait_for(self.task, 15)
            except asyncio.TimeoutError:
                self.task.cancel()
        if self.backend is not None:
            await self.backend.close()
        if self.app is not None:
            self.app.store.close()


async def start_bot(
    synapse: Synapse, data_dir: Path, user_id: str | None = None, password: str | None = None, **overrides
) -> BotRunner:
    if user_id is None:
        user_id, password = synapse.register(unique("bot"))
    return await BotRunner(synapse, data_dir, user_id, password, **overrides).start()

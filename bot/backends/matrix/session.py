"""Start and stop: log in (or restore the stored login), the encryption store, the bot's
cross-signing identity; credentials and the pickle key in the data folder (owner-only)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import time

from ...infra.config import ConfigError, secure_write
from .errors import HomeserverTrouble, MatrixAuthError, MatrixError, MatrixUnreachable, auth_message
from .state import MatrixState

log = logging.getLogger("mes_bot.matrix")


class SessionPart(MatrixState):
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
        secure_write(
            self.folder / "credentials.json",
            json.dumps(
                {
                    "homeserver": self.settings.matrix_homeserver,
                    "user_id": self.user_id,
                    "device_id": device_id,
                    "access_token": token,
                }
            ),
        )

    async def start(self) -> None:
        """Log in (or restore the stored login), load the encryption store, upload keys,
        set up cross-signing.  Idempotent."""
        if self.client is not None:
            return
        from .backend import check_settings

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
                    raise MatrixUnreachable(
                        f"cannot reach the homeserver {self.settings.matrix_homeserver} "
                        f"({type(e).__name__}) for {self.settings.connect_timeout:g} s"
                    ) from None
                log.warning("homeserver_unreachable error=%s retry_in=%.1f", type(e).__name__, backoff)
                await self._wait_stop(backoff)
                backoff = min(backoff * 2, self.backoff_max)

    async def _start_once(self) -> None:
        from nio import AsyncClientConfig

        from .client import make_client_class

        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        store = self.folder / "store"
        store.mkdir(exist_ok=True)
        cfg = AsyncClientConfig(
            encryption_enabled=True,
            pickle_key=self._pickle_key(),
            store_sync_tokens=False,
            max_limit_exceeded=0,
            max_timeouts=0,
            request_timeout=30,
        )
        s = self.settings
        client = make_client_class()(s.matrix_homeserver, self.user_id, store_path=str(store), config=cfg)
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
        from nio import LoginResponse

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
            raise ConfigError(
                "Matrix needs a password (MATRIX_PASSWORD) for the first login, "
                "or an access token (MATRIX_ACCESS_TOKEN)"
            )
        if token:
            who_device = await self._check_token(client, token, from_creds)
            if who_device is None:
                token = None  # the stored token expired: log in again with the password
            else:
                device_id = device_id or who_device
        if not token:
            client.device_id = s.matrix_device_id or (creds or {}).get("device_id")
            resp = await client.login(s.matrix_password, device_name="mes-bot")
            if not isinstance(resp, LoginResponse):
                if getattr(resp, "status_code", None) not in (
                    "M_FORBIDDEN",
                    "M_USER_DEACTIVATED",
                    "M_INVALID_PARAM",
                    "M_UNKNOWN",
                    "M_BAD_JSON",
                    "M_NOT_JSON",
                ):
                    raise HomeserverTrouble(str(getattr(resp, "status_code", None)))
                raise MatrixAuthError(f"Matrix login failed for {self.user_id}: {getattr(resp, 'message', resp)}")
            token, device_id = resp.access_token, resp.device_id
            self._save_credentials(token, device_id)
        if not device_id:
            raise ConfigError("Matrix device id unknown: set MATRIX_DEVICE_ID with the access token")
        client.restore_login(self.user_id, device_id, token)
        self.device_id = device_id
        if client.should_upload_keys:
            await client.keys_upload()

    async def _check_token(self, client, token: str, from_creds: bool) -> str | None:
        """The token's device id; None when a stored token expired and a password can replace it."""
        from nio import WhoamiResponse

        client.access_token = token
        who = await client.whoami()
        if isinstance(who, WhoamiResponse):
            return who.device_id or ""
        code = getattr(who, "status_code", None)
        if code == "M_UNKNOWN_TOKEN" and from_creds and self.settings.matrix_password:
            log.warning("matrix_token_invalid relogin=1")
            return None
        if code in ("M_UNKNOWN_TOKEN", "M_FORBIDDEN", "M_MISSING_TOKEN"):
            raise MatrixAuthError(auth_message(who))
        raise HomeserverTrouble(str(code))  # 5xx, proxy trouble: the start loop retries

    async def _setup_cross_signing(self) -> None:
        import aiohttp

        from .cross_signing import CrossSigningError, ensure_cross_signing

        reset = os.environ.get("MESBOT_MATRIX_XSIGN_RESET", "") in ("1", "true", "yes")
        try:
            async with aiohttp.ClientSession() as http:
                self.cross_signing = await ensure_cross_signing(
                    http,
                    self.settings.matrix_homeserver,
                    self.client.access_token,
                    self.user_id,
                    self.device_id or "",
                    self.folder,
                    password=self.settings.matrix_password,
                    reset=reset,
                )
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

    async def _wait_stop(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)
            return True
        except asyncio.TimeoutError:
            return False

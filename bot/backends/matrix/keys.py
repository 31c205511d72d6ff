"""Encryption chores and trust: key uploads, queries and claims after each sync; raw
``/keys/query`` (cross-signing keys, which nio drops); to-device messages; which devices may
read the bot under ``matrix_verified_only`` (verified, or signed by their owner)."""

from __future__ import annotations

import json
import logging
import time

from .errors import send_error
from .session import SessionPart

log = logging.getLogger("mes_bot.matrix")


class KeysPart(SessionPart):
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

    async def keys_query(self, user_ids: list[str]) -> dict:
        """The raw /keys/query answer (cross-signing keys included, which nio drops); {} on failure."""
        try:
            r = await self.client.send(
                "POST",
                "/_matrix/client/v3/keys/query",
                json.dumps({"device_keys": {u: [] for u in user_ids}}),
                headers={"Authorization": f"Bearer {self.client.access_token}", "Content-Type": "application/json"},
            )
            return (await r.json(content_type=None) or {}) if r.status == 200 else {}
        except Exception:
            return {}

    async def send_to_device(self, event_type: str, user_id: str, device_id: str, content: dict) -> None:
        from nio import ToDeviceMessage, ToDeviceResponse

        resp = await self.client.to_device(ToDeviceMessage(event_type, user_id, device_id, content))
        if not isinstance(resp, ToDeviceResponse):
            raise send_error(resp)

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
                if mpub and spub and sig and skey and verify(mpub, skey, sig):
                    for dev_id, dk in ((q.get("device_keys") or {}).get(u) or {}).items():
                        if device_signed_by(dk, u, spub):
                            devices[dev_id] = str((dk.get("keys") or {}).get(f"ed25519:{dev_id}") or "")
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

"""Interactive verification of the bot (SAS, emoji), the way Element asks for it.

Element's "Verify" on the bot opens an *in-room* request in the direct chat: a room message with
msgtype ``m.key.verification.request``; every later step (``ready``, ``start``, ``accept``, ``key``,
``mac``, ``done``, ``cancel``) is a room event of that type relating to the request
(``m.relates_to`` ``m.reference``), and the request's event id is the flow's transaction id.  A
to-device request (``transaction_id`` in the content, used between one account's own devices) runs
the same flow.

The bot accepts every request addressed to it, lets the person start SAS, answers with the
commitment, then its ephemeral key, writes the emoji it computed in the chat (so the person can
compare them with their screen) and confirms at once.  Verification here is one-way: it lets the
*person* trust the bot.  Its MAC covers its device key and, when this data
folder holds the account's cross-signing identity, its master key, so the person's client marks
the bot's *identity* verified (green shield).  The person's MAC is checked against their device key
and master key from ``/keys/query``; a mismatch cancels (``m.key_mismatch``).  The bot never grants
trust from it: its own "confirmation" compared nothing, so anyone holding a device on an account
(a server admin's slipped-in device included) could get it "verified"; the person's device is neither
marked verified in the bot's store (``matrix_verified_only`` keeps relying on cross-signing) nor
their identity signed.

Choices (spec v1.x, "Short Authentication String (SAS) verification"): key agreement
``curve25519-hkdf-sha256``, hash ``sha256``, MAC ``hkdf-hmac-sha256.v2`` (or the older
``hkdf-hmac-sha256`` when that is all the other side offers), SAS ``emoji``/``decimal``.
Logs carry event kinds and outcomes only, never content.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import vodozemac

    from .backend import MatrixBackend

log = logging.getLogger("mes_bot.matrix")

PREFIX = "m.key.verification."
REQUEST = PREFIX + "request"
SAS_V1 = "m.sas.v1"
KEY_AGREEMENT = "curve25519-hkdf-sha256"
HASH = "sha256"
MAC_V2 = "hkdf-hmac-sha256.v2"
MAC_OLD = "hkdf-hmac-sha256"
SAS_METHODS = ("emoji", "decimal")
FLOW_LIFETIME_S = 600  # a request is valid 10 minutes (spec)
FLOWS_KEPT = 200
KINDS = ("request", "ready", "start", "accept", "key", "mac", "done", "cancel")


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def commitment(public_key: str, start_content: dict) -> str:
    """Unpadded base64 of sha256(ephemeral public key + canonical JSON of the start content)."""
    import base64

    digest = hashlib.sha256((public_key + canonical_json(start_content)).encode("utf-8")).digest()
    return base64.b64encode(digest).decode().rstrip("=")


def sas_info(starter: tuple[str, str, str], accepter: tuple[str, str, str], flow_id: str) -> str:
    """The HKDF info for the SAS bytes (curve25519-hkdf-sha256): user|device|key of each side."""
    return "MATRIX_KEY_VERIFICATION_SAS|" + "|".join(starter) + "|" + "|".join(accepter) + "|" + flow_id


def mac_info(sender: str, sender_device: str, receiver: str, receiver_device: str, flow_id: str) -> str:
    return f"MATRIX_KEY_VERIFICATION_MAC{sender}{sender_device}{receiver}{receiver_device}{flow_id}"


def calculate_mac(established: vodozemac.EstablishedSas, method: str, data: str, info: str) -> str:
    if method == MAC_V2:
        return established.calculate_mac(data, info)
    return established.calculate_mac_invalid_base64(data, info)


def mac_content(established: vodozemac.EstablishedSas, method: str, base_info: str, keys: dict[str, str]) -> dict:
    """``{"mac": {key id: MAC of the key}, "keys": MAC of the sorted key ids}``."""
    return {
        "mac": {kid: calculate_mac(established, method, key, base_info + kid) for kid, key in keys.items()},
        "keys": calculate_mac(established, method, ",".join(sorted(keys)), base_info + "KEY_IDS"),
    }


def emoji_of(indices: list[int]) -> str:
    """The SAS emoji (spec table, as nio ships it) for the 7 indices, space separated."""
    from nio.crypto.sas import Sas

    return " ".join(Sas.emoji[i][0] for i in list(indices)[:7])


@dataclass
class Flow:
    flow_id: str  # request event id (in room) or transaction id (to-device)
    room_id: str | None  # None: to-device
    user_id: str
    device_id: str
    created: float
    state: str = "ready"  # ready → accepted → keys → (mac) → done | cancelled
    sas: vodozemac.Sas | None = None
    established: vodozemac.EstablishedSas | None = None
    start_content: dict | None = None
    mac_method: str = MAC_V2
    their_key: str | None = None
    mac_sent: bool = False
    their_mac_ok: bool = False
    done_sent: bool = False
    verified_keys: list[str] = field(default_factory=list)


class Verifier:
    """The bot's side of SAS verification flows.  ``backend`` is the MatrixBackend."""

    def __init__(self, backend: MatrixBackend, clock: Callable[[], float] = time.monotonic) -> None:
        self.backend = backend
        self.clock = clock
        self.flows: OrderedDict[str, Flow] = OrderedDict()
        self._master_key: str | None = None

    # -- what belongs here -------------------------------------------------------------------
    @staticmethod
    def kind_of(event_type: str, content: dict) -> str | None:
        """ "request", "start", ... for a verification event; None for anything else."""
        if event_type == "m.room.message" and content.get("msgtype") == REQUEST:
            return "request"
        if event_type.startswith(PREFIX):
            kind = event_type[len(PREFIX) :]
            return kind if kind in KINDS else "other"  # unknown steps: logged as "other", ignored
        return None

    # -- entry points --------------------------------------------------------------------------
    async def on_room_event(
        self, room_id: str, event_type: str, content: dict, sender: str, event_id: str, ts_ms: int | None
    ) -> None:
        kind = self.kind_of(event_type, content)
        if kind is None:
            return
        log.info("verification_event kind=%s room=%s", kind, room_id)
        if kind == "request":
            if event_type != "m.room.message" or content.get("to") not in (None, self.backend.user_id):
                return
            await self._on_request(event_id, room_id, sender, content, ts_ms)
            return
        rel = content.get("m.relates_to") or {}
        flow = self.flows.get(rel.get("event_id") or "")
        if flow is None or flow.room_id != room_id:
            return  # another client's flow, or one we no longer know
        if sender != flow.user_id:
            return
        await self._on_step(flow, kind, content)

    async def on_to_device(self, event_type: str, content: dict, sender: str) -> None:
        kind = self.kind_of(event_type, content)
        if kind is None:
            return
        log.info("verification_event kind=%s to_device=1", kind)
        flow_id = content.get("transaction_id")
        if not isinstance(flow_id, str) or not flow_id:
            return
        if kind == "request":
            if sender == self.backend.user_id and content.get("from_device") == self.backend.device_id:
                return
            ts = content.get("timestamp")
            await self._on_request(flow_id, None, sender, content, ts if isinstance(ts, int) else None)
            return
        flow = self.flows.get(flow_id)
        if flow is None or flow.room_id is not None or sender != flow.user_id:
            return
        await self._on_step(flow, kind, content)

    # -- steps ----------------------------------------------------------------------------------------
    async def _on_request(
        self, flow_id: str, room_id: str | None, sender: str, content: dict, ts_ms: int | None
    ) -> None:
        self._expire()
        device = content.get("from_device")
        if not isinstance(device, str) or not device or flow_id in self.flows:
            return
        if ts_ms is not None and abs(time.time() * 1000 - ts_ms) > FLOW_LIFETIME_S * 1000:
            return  # spec: ignore requests older than 10 minutes (or far in the future)
        flow = Flow(flow_id, room_id, sender, device, self.clock())
        self.flows[flow_id] = flow
        while len(self.flows) > FLOWS_KEPT:
            self.flows.popitem(last=False)
        if SAS_V1 not in (content.get("methods") or []):
            await self._cancel(flow, "m.unknown_method", "Only m.sas.v1 is supported")
            return
        await self._send(flow, "ready", {"from_device": self.backend.device_id, "methods": [SAS_V1]})

    async def _on_step(self, flow: Flow, kind: str, content: dict) -> None:
        if flow.state == "cancelled":
            return
        if kind == "cancel":
            flow.state = "cancelled"
            log.info("verification_cancelled_by_them code=%s", _code(content.get("code")))
            self.flows.pop(flow.flow_id, None)
            return
        if kind == "ready":  # another device of ours answered first (to-device): not ours to run
            return
        try:
            if kind == "start":
                await self._on_start(flow, content)
            elif kind == "key":
                await self._on_key(flow, content)
            elif kind == "mac":
                await self._on_mac(flow, content)
            elif kind == "done":
                if flow.done_sent:
                    flow.state = "done"
                    self.flows.pop(flow.flow_id, None)
                    log.info("verification_done keys=%d", len(flow.verified_keys))
            elif kind == "accept":
                await self._cancel(flow, "m.unexpected_message", "The bot does not start verifications")
        except _Cancel as c:
            await self._cancel(flow, c.code, c.reason)

    async def _on_start(self, flow: Flow, content: dict) -> None:
        import vodozemac

        if flow.state != "ready":
            raise _Cancel("m.unexpected_message", "Unexpected start")
        if content.get("method") != SAS_V1:
            raise _Cancel("m.unknown_method", "Only m.sas.v1 is supported")
        if content.get("from_device") != flow.device_id:
            raise _Cancel("m.user_mismatch", "Start from another device")
        macs = content.get("message_authentication_codes") or []
        sas_methods = [m for m in SAS_METHODS if m in (content.get("short_authentication_string") or [])]
        if (
            KEY_AGREEMENT not in (content.get("key_agreement_protocols") or [])
            or HASH not in (content.get("hashes") or [])
            or not sas_methods
            or not (MAC_V2 in macs or MAC_OLD in macs)
        ):
            raise _Cancel("m.unknown_method", "No common method")
        flow.mac_method = MAC_V2 if MAC_V2 in macs else MAC_OLD
        sas = flow.sas = vodozemac.Sas()
        flow.start_content = content
        flow.state = "accepted"
        await self._send(
            flow,
            "accept",
            {
                "method": SAS_V1,
                "key_agreement_protocol": KEY_AGREEMENT,
                "hash": HASH,
                "message_authentication_code": flow.mac_method,
                "short_authentication_string": sas_methods,
                "commitment": commitment(sas.public_key.to_base64(), content),
            },
        )

    async def _on_key(self, flow: Flow, content: dict) -> None:
        import vodozemac

        key = content.get("key")
        sas = flow.sas  # set with the "accepted" state
        if flow.state != "accepted" or sas is None or not isinstance(key, str):
            raise _Cancel("m.unexpected_message", "Unexpected key")
        try:
            established = flow.established = sas.diffie_hellman(vodozemac.Curve25519PublicKey.from_base64(key))
        except Exception:
            raise _Cancel("m.invalid_message", "Invalid key") from None
        our_device = self._our_device_id()
        flow.their_key = key
        flow.state = "keys"
        our_key = sas.public_key.to_base64()
        await self._send(flow, "key", {"key": our_key})
        if flow.room_id is not None:  # the person can compare with what the bot got (best effort)
            info = sas_info(
                (flow.user_id, flow.device_id, key), (self.backend.user_id, our_device, our_key), flow.flow_id
            )
            try:
                await self._show_emoji(flow.room_id, flow.user_id, emoji_of(established.bytes(info).emoji_indices))
            except Exception as e:
                log.info("verification_emoji_failed error=%s", type(e).__name__)
        # a bot cannot look at emoji: it confirms at once and sends its MAC
        await self._send(
            flow,
            "mac",
            mac_content(
                established,
                flow.mac_method,
                mac_info(self.backend.user_id, our_device, flow.user_id, flow.device_id, flow.flow_id),
                await self._our_keys(),
            ),
        )
        flow.mac_sent = True

    async def _on_mac(self, flow: Flow, content: dict) -> None:
        established = flow.established  # set with the "keys" state
        if flow.state != "keys" or not flow.mac_sent or established is None:
            raise _Cancel("m.unexpected_message", "Unexpected mac")
        macs = content.get("mac")
        if not isinstance(macs, dict) or not macs or not isinstance(content.get("keys"), str):
            raise _Cancel("m.invalid_message", "Invalid mac")
        base = mac_info(flow.user_id, flow.device_id, self.backend.user_id, self._our_device_id(), flow.flow_id)
        expected = calculate_mac(established, flow.mac_method, ",".join(sorted(macs)), base + "KEY_IDS")
        if not hmac.compare_digest(expected, content["keys"]):
            raise _Cancel("m.key_mismatch", "Key mismatch")
        device_key, master = await self._their_keys(flow)
        known = {f"ed25519:{flow.device_id}": device_key}
        if master:
            known[f"ed25519:{master[0]}"] = master[0]
        verified = []
        for kid, mac in macs.items():
            key = known.get(kid)
            if key is None:
                continue  # a key we cannot check (another of their devices): neither trusted nor refused
            if not isinstance(mac, str) or not hmac.compare_digest(
                calculate_mac(established, flow.mac_method, key, base + kid), mac
            ):
                raise _Cancel("m.key_mismatch", "Key mismatch")
            verified.append(kid)
        if not verified:
            raise _Cancel("m.key_mismatch", "No key could be verified")
        flow.verified_keys = verified
        flow.their_mac_ok = True
        await self._send(flow, "done", {})
        flow.done_sent = True
        log.info("verification_mac_ok keys=%d", len(verified))

    # -- keys ------------------------------------------------------------------------------------------
    def _our_device_id(self) -> str:
        """The bot's device id (verification events only arrive once it is logged in)."""
        device_id = self.backend.device_id
        if device_id is None:
            raise _Cancel("m.unexpected_message", "Not logged in yet")
        return device_id

    async def _our_keys(self) -> dict[str, str]:
        b = self.backend
        client = b.client
        if client is None:  # not logged in: see _our_device_id
            raise _Cancel("m.unexpected_message", "Not logged in yet")
        keys = {f"ed25519:{b.device_id}": client.olm.account.identity_keys["ed25519"]}
        master = self.own_master_key()
        if master:  # only while it is still the account's identity (not replaced from Element since)
            from .cross_signing import only_key

            q = await b.keys_query([b.user_id])
            if only_key((q.get("master_keys") or {}).get(b.user_id)) == master:
                keys[f"ed25519:{master}"] = master
        return keys

    async def _their_keys(self, flow: Flow) -> tuple[str | None, tuple[str, dict] | None]:
        """Their device's ed25519 key and (master public key, master key object), from /keys/query."""
        from .cross_signing import only_key

        q = await self.backend.keys_query([flow.user_id])
        dk = ((q.get("device_keys") or {}).get(flow.user_id) or {}).get(flow.device_id) or {}
        device_key: str | None = (dk.get("keys") or {}).get(f"ed25519:{flow.device_id}")
        mk: dict | None = (q.get("master_keys") or {}).get(flow.user_id)
        mpub = only_key(mk)  # None when mk is
        return device_key, ((mpub, mk) if mpub and mk else None)

    def own_master_key(self) -> str | None:
        """The account's master key, when the data folder holds it (cross-signing set up by the bot)."""
        b = self.backend
        if self._master_key is None and getattr(b, "cross_signing", None) in ("signed", "already"):
            from .cross_signing import load_seeds, public_key

            seeds = load_seeds(b.folder)
            self._master_key = public_key(seeds["master"]) if seeds else None
        return self._master_key

    async def _show_emoji(self, room_id: str, user_id: str, emoji: str) -> None:
        """The bot's emoji in the chat, as a notice in the person's language."""
        from ...core.flowlib import Say

        b = self.backend
        user = b.app.store.get_user(f"{b.name}:{user_id}")
        locale = (user.locale if user is not None else None) or getattr(b.settings, "default_locale", None) or "fr"
        await b.send(room_id, b.app.render_reply(Say("matrix/verification_emoji", {"emoji": emoji}), locale))

    # -- sending -----------------------------------------------------------------------------------
    async def _send(self, flow: Flow, kind: str, content: dict) -> None:
        content = dict(content)
        if flow.room_id is not None:
            content["m.relates_to"] = {"rel_type": "m.reference", "event_id": flow.flow_id}
            await self.backend._room_send(flow.room_id, content, msgtype=PREFIX + kind)
        else:
            content["transaction_id"] = flow.flow_id
            await self.backend.send_to_device(PREFIX + kind, flow.user_id, flow.device_id, content)
        log.info("verification_sent kind=%s", kind)

    async def _cancel(self, flow: Flow, code: str, reason: str) -> None:
        flow.state = "cancelled"
        self.flows.pop(flow.flow_id, None)
        log.info("verification_cancelled code=%s", code)
        try:
            await self._send(flow, "cancel", {"code": code, "reason": reason})
        except Exception as e:
            log.info("verification_cancel_failed error=%s", type(e).__name__)

    def _expire(self) -> None:
        now = self.clock()
        for fid in [f for f, fl in self.flows.items() if now - fl.created > FLOW_LIFETIME_S]:
            del self.flows[fid]


class _Cancel(Exception):
    def __init__(self, code: str, reason: str):
        super().__init__(code)
        self.code, self.reason = code, reason


def _code(code: object) -> str:
    """A cancel code from the other side, safe to log (a known m.* code or "other")."""
    known = {
        "m.user",
        "m.timeout",
        "m.unknown_transaction",
        "m.unknown_method",
        "m.unexpected_message",
        "m.key_mismatch",
        "m.user_mismatch",
        "m.invalid_message",
        "m.accepted",
        "m.mismatched_commitment",
        "m.mismatched_sas",
    }
    return code if code in known else "other"

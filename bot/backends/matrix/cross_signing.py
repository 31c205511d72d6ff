"""Cross-signing for the bot's Matrix account (nio has none).

The bot gets its own cross-signing identity: a master key, a self-signing key and a
user-signing key (ed25519), uploaded through ``/keys/device_signing/upload`` (user-interactive
auth with the password when the server asks for it), then the bot's device is signed by the
self-signing key through ``/keys/signatures/upload``.  Element then shows the bot's device as
verified by its owner instead of "not cross-signed".

The three private seeds are kept in ``<data>/matrix/cross_signing.json`` (owner-only).  If the
account already has a master key that this data folder does not hold (set up from Element, or
another installation), the bot does not replace it (that would warn every user that the bot's
identity changed): it logs ``cross_signing_foreign`` and the operator either verifies the bot's
device from the account's own Element session or sets ``MESBOT_MATRIX_XSIGN_RESET=1`` once.

Signatures: ed25519 over canonical JSON (sorted keys, no spaces, UTF-8; ``signatures`` and
``unsigned`` removed), unpadded base64 — done with pycryptodome (a dependency of matrix-nio).
"""

from __future__ import annotations

import base64
import json
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

log = logging.getLogger("mes_bot.matrix")

KEY_FILE = "cross_signing.json"


# -- primitives ----------------------------------------------------------------------------
def canonical_json(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def unb64(s: str) -> bytes:
    return base64.b64decode(s + "=" * (-len(s) % 4))


def _key(seed: bytes):
    from Crypto.PublicKey import ECC

    return ECC.construct(curve="Ed25519", seed=seed)


def public_key(seed: bytes) -> str:
    return b64(_key(seed).public_key().export_key(format="raw"))


def sign(seed: bytes, payload: dict) -> str:
    from Crypto.Signature import eddsa

    body = {k: v for k, v in payload.items() if k not in ("signatures", "unsigned")}
    return b64(eddsa.new(_key(seed), "rfc8032").sign(canonical_json(body)))


def verify(pub_b64: str, payload: dict, sig_b64: str) -> bool:
    from Crypto.Signature import eddsa

    body = {k: v for k, v in payload.items() if k not in ("signatures", "unsigned")}
    try:
        key = eddsa.import_public_key(unb64(pub_b64))
        eddsa.new(key, "rfc8032").verify(canonical_json(body), unb64(sig_b64))
        return True
    except (ValueError, TypeError):
        return False


def add_signature(payload: dict, user_id: str, seed: bytes) -> dict:
    sig = sign(seed, payload)
    out = dict(payload)
    sigs = {u: dict(v) for u, v in (payload.get("signatures") or {}).items()}
    sigs.setdefault(user_id, {})[f"ed25519:{public_key(seed)}"] = sig
    out["signatures"] = sigs
    return out


def cross_signing_key(user_id: str, usage: str, seed: bytes, signer: bytes | None = None) -> dict:
    pub = public_key(seed)
    key = {"user_id": user_id, "usage": [usage], "keys": {f"ed25519:{pub}": pub}}
    if signer is not None:
        key = add_signature(key, user_id, signer)
    return key


def only_key(obj: dict | None) -> str | None:
    """The public key of a cross-signing key object."""
    if not obj:
        return None
    keys = list((obj.get("keys") or {}).values())
    return keys[0] if keys else None


def device_signed_by(device_keys: dict, user_id: str, pub: str) -> bool:
    sig = ((device_keys.get("signatures") or {}).get(user_id) or {}).get(f"ed25519:{pub}")
    if not sig:
        return False
    return verify(pub, device_keys, sig)


# -- seeds on disk ---------------------------------------------------------------------------
def load_seeds(folder: Path) -> dict[str, bytes] | None:
    path = Path(folder) / KEY_FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text())
    return {k: unb64(v) for k, v in data.items() if k in ("master", "self_signing", "user_signing")}


def save_seeds(folder: Path, seeds: dict[str, bytes]) -> None:
    from ...infra.config import secure_write

    secure_write(Path(folder) / KEY_FILE, json.dumps({k: b64(v) for k, v in seeds.items()}))


# -- the procedure ---------------------------------------------------------------------------
class CrossSigningError(Exception):
    pass


#: ``post(path, body)`` under /_matrix/client/v3 with the bot's token: (HTTP status, JSON body or {}).
Post = Callable[[str, dict], Awaitable[tuple[int, dict]]]


def _poster(http: Any, base_url: str, token: str) -> Post:
    headers = {"Authorization": f"Bearer {token}"}
    api = base_url.rstrip("/") + "/_matrix/client/v3"

    async def post(path: str, body: dict) -> tuple[int, dict]:
        async with http.post(api + path, json=body, headers=headers) as r:
            try:
                data = await r.json(content_type=None)
            except Exception:  # an empty or non-JSON body: only the status matters then
                data = {}
            return r.status, data or {}

    return post


async def _query_own_keys(post: Post, user_id: str, device_id: str) -> tuple[str | None, str | None, dict]:
    """The account's master and self-signing public keys on the server, and our device's keys."""
    status, q = await post("/keys/query", {"device_keys": {user_id: []}})
    if status != 200:
        raise CrossSigningError(f"keys/query failed ({status})")
    server_master = only_key((q.get("master_keys") or {}).get(user_id))
    server_ssk = only_key((q.get("self_signing_keys") or {}).get(user_id))
    device = ((q.get("device_keys") or {}).get(user_id) or {}).get(device_id)
    if device is None:
        raise CrossSigningError("the bot's device keys are not on the server yet")
    return server_master, server_ssk, device


async def _upload_identity(
    post: Post, user_id: str, folder: Path, seeds: dict[str, bytes] | None, password: str | None, reset: bool
) -> dict[str, bytes]:
    """Upload our three cross-signing keys (new seeds if we hold none or ``reset``); the seeds used."""
    if seeds is None or reset:
        seeds = {k: os.urandom(32) for k in ("master", "self_signing", "user_signing")}
        save_seeds(folder, seeds)  # before upload: a crash after it must not lose them
    body = {
        "master_key": cross_signing_key(user_id, "master", seeds["master"]),
        "self_signing_key": cross_signing_key(user_id, "self_signing", seeds["self_signing"], seeds["master"]),
        "user_signing_key": cross_signing_key(user_id, "user_signing", seeds["user_signing"], seeds["master"]),
    }
    status, resp = await post("/keys/device_signing/upload", body)
    if status == 401 and "flows" in resp:
        if not password:
            raise CrossSigningError(
                "the server asks for the password to upload cross-signing keys "
                "(user-interactive auth) and none is configured"
            )
        body["auth"] = {
            "type": "m.login.password",
            "session": resp.get("session"),
            "identifier": {"type": "m.id.user", "user": user_id},
            "password": password,
        }
        status, resp = await post("/keys/device_signing/upload", body)
    if status != 200:
        raise CrossSigningError(f"device_signing/upload refused ({status} {resp.get('errcode')})")
    log.info("cross_signing_uploaded")
    return seeds


async def _sign_device(post: Post, user_id: str, device_id: str, device: dict, ssk_seed: bytes) -> None:
    signed = add_signature(device, user_id, ssk_seed)
    signed.pop("unsigned", None)
    status, resp = await post("/keys/signatures/upload", {user_id: {device_id: signed}})
    if status != 200 or resp.get("failures"):
        raise CrossSigningError(f"signatures/upload refused ({status} {list((resp.get('failures') or {}))})")
    log.info("cross_signing_device_signed")


async def ensure_cross_signing(
    http: Any,
    base_url: str,
    token: str,
    user_id: str,
    device_id: str,
    folder: Path,
    password: str | None = None,
    reset: bool = False,
) -> str:
    """Make sure the account has our cross-signing identity and our device is signed by it.

    ``http`` is an aiohttp ClientSession.  Returns "signed" (device signed now),
    "already" (nothing to do), or "foreign" (the account's master key is not ours).
    Raises CrossSigningError when the server refuses."""
    post = _poster(http, base_url, token)
    server_master, server_ssk, device = await _query_own_keys(post, user_id, device_id)
    seeds = load_seeds(folder)
    ours = seeds is not None and server_master == public_key(seeds["master"])
    if server_master and not ours and not reset:
        log.warning("cross_signing_foreign")
        return "foreign"
    if seeds is not None and ours and server_ssk == public_key(seeds["self_signing"]):
        if device_signed_by(device, user_id, public_key(seeds["self_signing"])):
            return "already"
    else:
        seeds = await _upload_identity(post, user_id, folder, seeds, password, reset)
    await _sign_device(post, user_id, device_id, device, seeds["self_signing"])
    return "signed"

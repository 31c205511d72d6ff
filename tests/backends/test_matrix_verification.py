"""A person verifies the bot the way Element does it (in-room SAS, emoji), against a real Synapse.

The other side is written here from the specification, independently of bot/backends/matrix/verification.py:
a real nio client sends the request and every step as (encrypted) room events, computes the commitment,
the shared secret and the MACs itself (vodozemac's ECDH and HKDF primitives only), and checks the MACs the
bot sends against the bot's device key and master key as Synapse publishes them — so a wrong MAC, info
string, key id or key in the bot makes these tests fail."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time

import aiohttp

import pytest

from bot.backends.matrix.cross_signing import ensure_cross_signing, load_seeds, only_key, public_key
from tests.support.synapse import make_human, start_bot

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

V = "m.key.verification."
# The 64 SAS emoji of the specification, in order (index = 6 bits of the SAS bytes).
# the SAS table as text: a list literal would be one emoji per line once formatted
SAS_EMOJI = (  # noqa: SIM905
    "🐶 🐱 🦁 🐎 🦄 🐷 🐘 🐰 🐼 🐓 🐧 🐢 🐟 🐙 🦋 🌷 🌳 🌵 🍄 🌏 🌙 ☁️ 🔥 🍌 🍎 🍓 🌽 🍕 🎂 ❤️ 😀 🤖 🎩 👓 🔧 🎅 "
    "👍 ☂️ ⌛ ⏰ 🎁 💡 📕 ✏️ 📎 ✂️ 🔒 🔑 🔨 ☎️ 🏁 🚂 🚲 ✈️ 🚀 🏆 ⚽ 🎸 🎺 🔔 ⚓ 🎧 📁 📌"
).split()
assert len(SAS_EMOJI) == 64


def _missing_element_stack():
    """Skip on a developer machine without Node; in CI (CI=true) the Element side must run."""
    reason = "node or tests/element/node_modules missing (scripts/test.sh installs them)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def _canonical(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


class Person:
    """Element's side of one in-room SAS flow, from the spec."""

    def __init__(self, human, room_id, bot_user):
        import vodozemac

        self.h, self.room, self.bot = human, room_id, bot_user
        self.sas = vodozemac.Sas()
        self.flow = None
        self.established = None

    async def send(self, kind: str, content: dict) -> str:
        from nio import RoomSendResponse

        if self.flow is not None:
            content = dict(content, **{"m.relates_to": {"rel_type": "m.reference", "event_id": self.flow}})
        resp = await self.h.client.room_send(self.room, V + kind, content, ignore_unverified_devices=True)
        assert isinstance(resp, RoomSendResponse), resp
        return resp.event_id

    async def request(self) -> None:
        from nio import RoomSendResponse

        resp = await self.h.client.room_send(
            self.room,
            "m.room.message",
            {
                "msgtype": V + "request",
                "body": "Alice is requesting to verify your key, but your client does not "
                "support in-chat key verification.",
                "from_device": self.h.client.device_id,
                "methods": ["m.sas.v1", "m.qr_code.show.v1", "m.reciprocate.v1"],
                "to": self.bot,
            },
            ignore_unverified_devices=True,
        )
        assert isinstance(resp, RoomSendResponse), resp
        self.flow = resp.event_id

    async def expect(self, kind: str, timeout: float = 20.0) -> dict:
        """The bot's next event of this kind in the flow (its content)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, ev in enumerate(self.h.events):
                if (
                    ev["room_id"] == self.room
                    and ev["sender"] == self.bot
                    and ev["type"] == V + kind
                    and (ev["content"].get("m.relates_to") or {}).get("event_id") == self.flow
                ):
                    del self.h.events[i]
                    return ev["content"]
            await self.h.sync(300)
        raise AssertionError(f"no {kind} from the bot; got {[e['type'] for e in self.h.events]}")


async def _cross_sign(human, synapse, folder) -> str:
    async with aiohttp.ClientSession() as http:
        assert (
            await ensure_cross_signing(
                http, synapse.url, human.client.access_token, human.user_id, human.client.device_id, folder
            )
            == "signed"
        )
    return public_key(load_seeds(folder)["master"])


def _published(synapse, token, user) -> dict:
    return synapse._request("POST", "/_matrix/client/v3/keys/query", {"device_keys": {user: []}}, token=token)


async def _run_until_key(p: Person, bot_device: str) -> tuple[dict, dict, dict]:
    """request → ready → start → accept → key ↔ key; checks the bot's commitment. Returns the
    start content, the accept and the bot's key event."""
    import vodozemac

    await p.request()
    ready = await p.expect("ready")
    assert ready["from_device"] == bot_device and "m.sas.v1" in ready["methods"]
    assert ready["m.relates_to"] == {"rel_type": "m.reference", "event_id": p.flow}
    start = {
        "from_device": p.h.client.device_id,
        "method": "m.sas.v1",
        "key_agreement_protocols": ["curve25519", "curve25519-hkdf-sha256"],
        "hashes": ["sha256"],
        "message_authentication_codes": ["hkdf-hmac-sha256", "hkdf-hmac-sha256.v2"],
        "short_authentication_string": ["decimal", "emoji"],
        "m.relates_to": {"rel_type": "m.reference", "event_id": p.flow},
    }
    await p.send("start", start)
    accept = await p.expect("accept")
    assert (
        accept["method"],
        accept["key_agreement_protocol"],
        accept["hash"],
        accept["message_authentication_code"],
    ) == ("m.sas.v1", "curve25519-hkdf-sha256", "sha256", "hkdf-hmac-sha256.v2")
    assert set(accept["short_authentication_string"]) == {"emoji", "decimal"}
    await p.send("key", {"key": p.sas.public_key.to_base64()})
    key = await p.expect("key")
    # the commitment the bot made before seeing our key matches the key it now shows
    digest = hashlib.sha256((key["key"] + _canonical(start)).encode()).digest()
    assert accept["commitment"] == base64.b64encode(digest).decode().rstrip("=")
    p.established = p.sas.diffie_hellman(vodozemac.Curve25519PublicKey.from_base64(key["key"]))
    return start, accept, key


async def test_a_person_verifies_the_bot_with_emoji_in_an_encrypted_dm(synapse, tmp_path):
    bot = await start_bot(synapse, tmp_path / "bot")
    alice = await make_human(synapse, tmp_path, "alice")
    try:
        alice_master = await _cross_sign(alice, synapse, tmp_path / "alice-xs")
        room = await alice.create_room(invite=[bot.user_id], direct=True, encrypted=True)
        assert len(await alice.wait_messages(room, 2)) == 2
        bot_dev = bot.backend.device_id
        p = Person(alice, room, bot.user_id)
        _start, _accept, key = await _run_until_key(p, bot_dev)
        # both sides now show the same emoji (computed here for the person's screen)
        info = (
            "MATRIX_KEY_VERIFICATION_SAS|" + f"{alice.user_id}|{alice.client.device_id}|"
            f"{p.sas.public_key.to_base64()}|{bot.user_id}|{bot_dev}|{key['key']}|{p.flow}"
        )
        indices = list(p.established.bytes(info).emoji_indices)
        assert len(indices) == 7
        # the bot writes the emoji it computed in the chat: the same as on alice's screen
        [shown] = await alice.wait_messages(room, 1, sender=bot.user_id)
        assert shown["msgtype"] == "m.notice" and not shown["undecrypted"]
        mine_emoji = [SAS_EMOJI[i] for i in indices]
        assert [e for e in shown["body"].split() if e in SAS_EMOJI] == mine_emoji
        # the bot's MAC: its device key and its master key, exactly as Synapse publishes them
        mac = await p.expect("mac")
        pub = _published(synapse, alice.client.access_token, bot.user_id)
        bot_device_key = pub["device_keys"][bot.user_id][bot_dev]["keys"][f"ed25519:{bot_dev}"]
        bot_master = only_key(pub["master_keys"][bot.user_id])
        base = f"MATRIX_KEY_VERIFICATION_MAC{bot.user_id}{bot_dev}{alice.user_id}{alice.client.device_id}{p.flow}"
        assert set(mac["mac"]) == {f"ed25519:{bot_dev}", f"ed25519:{bot_master}"}
        assert mac["keys"] == p.established.calculate_mac(",".join(sorted(mac["mac"])), base + "KEY_IDS")
        assert mac["mac"][f"ed25519:{bot_dev}"] == p.established.calculate_mac(
            bot_device_key, base + f"ed25519:{bot_dev}"
        )
        assert mac["mac"][f"ed25519:{bot_master}"] == p.established.calculate_mac(
            bot_master, base + f"ed25519:{bot_master}"
        )
        # alice confirms the emoji: her MAC over her device key and her master key
        mine = {
            f"ed25519:{alice.client.device_id}": alice.client.olm.account.identity_keys["ed25519"],
            f"ed25519:{alice_master}": alice_master,
        }
        base = f"MATRIX_KEY_VERIFICATION_MAC{alice.user_id}{alice.client.device_id}{bot.user_id}{bot_dev}{p.flow}"
        await p.send(
            "mac",
            {
                "mac": {k: p.established.calculate_mac(v, base + k) for k, v in mine.items()},
                "keys": p.established.calculate_mac(",".join(sorted(mine)), base + "KEY_IDS"),
            },
        )
        assert await p.expect("done") == {"m.relates_to": {"rel_type": "m.reference", "event_id": p.flow}}
        await p.send("done", {})
        assert await bot.wait_until(lambda: p.flow not in bot.backend.verifier.flows)
        # one-way: the bot "confirmed" without comparing anything, so it grants no trust from it
        # (or any device on alice's account, a server admin's included, could get itself trusted)
        [dev] = [
            d
            for d in bot.backend.client.device_store.active_user_devices(alice.user_id)
            if d.id == alice.client.device_id
        ]
        assert not bot.backend.client.olm.is_device_verified(dev)
        seen_by_bot = _published(synapse, bot.backend.client.access_token, alice.user_id)
        assert bot.user_id not in seen_by_bot["master_keys"][alice.user_id].get("signatures", {})
        # the request and the steps were never answered as messages ("I only understand text")
        await alice.sync()
        assert await alice.wait_messages(room, 1, timeout=0) == []
        assert bot.failure is None
    finally:
        await alice.close()
        await bot.stop()


async def test_a_wrong_mac_cancels_and_nothing_is_trusted(synapse, tmp_path):
    bot = await start_bot(synapse, tmp_path / "bot")
    alice = await make_human(synapse, tmp_path, "alice")
    try:
        room = await alice.create_room(invite=[bot.user_id], direct=True, encrypted=False)
        assert len(await alice.wait_messages(room, 2)) == 2
        bot_dev = bot.backend.device_id
        p = Person(alice, room, bot.user_id)
        await _run_until_key(p, bot_dev)
        assert await p.expect("mac")
        assert len(await alice.wait_messages(room, 1, sender=bot.user_id)) == 1  # the bot's emoji
        # a man in the middle: the MAC covers another key than alice's real device key
        kid = f"ed25519:{alice.client.device_id}"
        base = f"MATRIX_KEY_VERIFICATION_MAC{alice.user_id}{alice.client.device_id}{bot.user_id}{bot_dev}{p.flow}"
        forged = base64.b64encode(b"\x01" * 32).decode().rstrip("=")
        await p.send(
            "mac",
            {
                "mac": {kid: p.established.calculate_mac(forged, base + kid)},
                "keys": p.established.calculate_mac(kid, base + "KEY_IDS"),
            },
        )
        cancel = await p.expect("cancel")
        assert cancel["code"] == "m.key_mismatch"
        assert p.flow not in bot.backend.verifier.flows
        devices = bot.backend.client.device_store.active_user_devices(alice.user_id)
        assert not any(bot.backend.client.olm.is_device_verified(d) for d in devices)
        # a request with no method the bot knows is cancelled too, and a text still gets its answer
        q = Person(alice, room, bot.user_id)
        from nio import RoomSendResponse

        resp = await alice.client.room_send(
            room,
            "m.room.message",
            {
                "msgtype": V + "request",
                "body": "verify",
                "from_device": alice.client.device_id,
                "methods": ["m.qr_code.show.v1"],
                "to": bot.user_id,
            },
        )
        assert isinstance(resp, RoomSendResponse)
        q.flow = resp.event_id
        assert (await q.expect("cancel"))["code"] == "m.unknown_method"
        await alice.send(room, "/aide")
        [answer] = await alice.wait_messages(room, 1)
        assert "/menu" in answer["body"]
        assert bot.failure is None
    finally:
        await alice.close()
        await bot.stop()


# -- from Element's own stack ------------------------------------------------------------------------
ELEMENT_DIR = __import__("pathlib").Path(__file__).parents[1] / "element"


@pytest.mark.parametrize("mode", ["in-room", "to-device"])
async def test_element_rust_crypto_verifies_the_bot_and_gets_the_green_shield(synapse, tmp_path, mode):
    """matrix-js-sdk with its Rust crypto (what Element Web runs) does "Verify" on the bot in a direct
    chat (in-room request), or "Verify session" on the bot's device (to-device request): request →
    ready → SAS emoji → done; afterwards it sees the bot's identity and device as cross-signing
    verified.  scripts/test.sh installs the pinned packages in tests/element/."""
    import asyncio
    import os
    import shutil

    node = shutil.which("node")
    if node is None or not (ELEMENT_DIR / "node_modules" / "matrix-js-sdk").is_dir():
        _missing_element_stack()
    bot = await start_bot(synapse, tmp_path / "bot")
    try:
        user, password = synapse.register("element" + str(time.time_ns())[-8:])
        env = dict(
            os.environ,
            MX_HOMESERVER=synapse.url,
            MX_USER=user,
            MX_PASSWORD=password,
            MX_BOT=bot.user_id,
            MX_TIMEOUT_MS="90000",
            MX_MODE=mode,
        )
        proc = await asyncio.create_subprocess_exec(
            node,
            str(ELEMENT_DIR / "verify_bot.mjs"),
            env=env,
            cwd=str(ELEMENT_DIR),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(proc.communicate(), 120)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()
            raise
        lines = out.decode().strip().splitlines()
        assert lines, err.decode()[-2000:]
        result = json.loads(lines[-1])
        assert result["ok"], (result, err.decode()[-2000:])
        assert result["emoji"] == 7
        assert result["emoji_shown"] is (True if mode == "in-room" else None)  # same emoji in the chat
        assert result["bot_device"] == bot.backend.device_id
        assert result["user_verified"] and result["device_verified"], json.dumps(result)  # the green shield
        assert not bot.backend.verifier.flows or await bot.wait_until(lambda: not bot.backend.verifier.flows)
        assert bot.failure is None
    finally:
        await bot.stop()


async def test_operator_verifies_the_bot_session_from_the_account_s_own_element(synapse, tmp_path):
    """The documented way out of a 'foreign' identity: the operator's Element, logged in on the bot's
    account, sets up the account's cross-signing, then verifies the bot's session by to-device SAS;
    Element then signs the bot's device with the account's self-signing key."""
    import asyncio
    import os
    import shutil

    from bot.backends.matrix.cross_signing import device_signed_by
    from tests.support.synapse import unique

    node = shutil.which("node")
    if node is None or not (ELEMENT_DIR / "node_modules" / "matrix-js-sdk").is_dir():
        _missing_element_stack()
    uid, pw = synapse.register(unique("bot"))
    env = dict(
        os.environ,
        MX_HOMESERVER=synapse.url,
        MX_USER=uid,
        MX_PASSWORD=pw,
        MX_BOT=uid,
        MX_TIMEOUT_MS="90000",
        MX_MODE="own-device",
    )
    proc = await asyncio.create_subprocess_exec(
        node,
        str(ELEMENT_DIR / "verify_bot.mjs"),
        env=env,
        cwd=str(ELEMENT_DIR),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    bot = None
    try:
        steps = []
        while "cross-signing" not in steps:  # the account's identity exists before the bot starts
            line = await asyncio.wait_for(proc.stderr.readline(), 60)
            assert line, steps
            if line.startswith(b"step "):
                steps.append(line.decode().split()[1])
        bot = await start_bot(synapse, tmp_path / "bot", uid, pw)
        assert bot.backend.cross_signing == "foreign"
        out, err = await asyncio.wait_for(proc.communicate(), 120)
        result = json.loads(out.decode().strip().splitlines()[-1])
        assert result["ok"] and result["emoji"] == 7, (result, err.decode()[-2000:])
        assert result["bot_device"] == bot.backend.device_id and result["device_verified"], json.dumps(result)
        # what every other client will see: the bot's device signed by the account's self-signing key
        q = _published(synapse, bot.backend.client.access_token, uid)
        ssk = only_key(q["self_signing_keys"][uid])
        assert device_signed_by(q["device_keys"][uid][bot.backend.device_id], uid, ssk)
        assert bot.failure is None
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        if bot is not None:
            await bot.stop()

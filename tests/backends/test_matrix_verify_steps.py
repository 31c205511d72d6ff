"""The bot's SAS verification state machine without a server: what it refuses, ignores and forgets.
(The whole flow against Synapse, from an independent implementation and from Element's own stack, is
in test_matrix_verification.py.)  The backend here records what the Verifier sends."""

from __future__ import annotations

import time
from types import SimpleNamespace

from bot.backends.matrix.verification import FLOW_LIFETIME_S, FLOWS_KEPT, Verifier

BOT, ALICE, ROOM = "@bot:t", "@alice:t", "!dm:t"
START = {
    "from_device": "ALICEDEV",
    "method": "m.sas.v1",
    "key_agreement_protocols": ["curve25519-hkdf-sha256"],
    "hashes": ["sha256"],
    "message_authentication_codes": ["hkdf-hmac-sha256.v2"],
    "short_authentication_string": ["emoji"],
}


class Recorder:
    def __init__(self):
        self.user_id, self.device_id = BOT, "BOTDEV"
        self.sent: list[tuple[str, str, dict]] = []

    async def _room_send(self, room_id, content, msgtype="m.room.message"):
        self.sent.append((room_id, msgtype, content))
        return f"$s{len(self.sent)}"

    async def send_to_device(self, event_type, user_id, device_id, content):
        self.sent.append((f"{user_id}/{device_id}", event_type, content))


def _verifier():
    clock = SimpleNamespace(now=1000.0)
    rec = Recorder()
    return Verifier(rec, clock=lambda: clock.now), rec, clock


def _request(to=BOT, methods=("m.sas.v1",), device="ALICEDEV"):
    return {
        "msgtype": "m.key.verification.request",
        "body": "x",
        "from_device": device,
        "methods": list(methods),
        "to": to,
    }


def _rel(content, flow="$req"):
    return dict(content, **{"m.relates_to": {"rel_type": "m.reference", "event_id": flow}})


async def _ready(v, rec, flow="$req"):
    await v.on_room_event(ROOM, "m.room.message", _request(), ALICE, flow, int(time.time() * 1000))
    assert rec.sent[-1][1] == "m.key.verification.ready"
    assert rec.sent[-1][2] == _rel({"from_device": "BOTDEV", "methods": ["m.sas.v1"]}, flow)


async def test_requests_for_someone_else_or_too_old_get_no_answer():
    v, rec, _clock = _verifier()
    now = int(time.time() * 1000)
    await v.on_room_event(ROOM, "m.room.message", _request(to="@carol:t"), ALICE, "$a", now)
    await v.on_room_event(ROOM, "m.room.message", _request(), ALICE, "$b", now - (FLOW_LIFETIME_S + 5) * 1000)
    await v.on_room_event(ROOM, "m.key.verification.request", _request(), ALICE, "$c", now)  # not a message
    await v.on_room_event(ROOM, "m.room.message", _request(device=""), ALICE, "$d", now)
    assert rec.sent == [] and not v.flows


async def test_a_start_from_another_device_or_without_a_common_mac_is_cancelled():
    v, rec, _clock = _verifier()
    await _ready(v, rec)
    await v.on_room_event(ROOM, "m.key.verification.start", _rel(dict(START, from_device="OTHER")), ALICE, "$s", None)
    assert rec.sent[-1][1:] == (
        "m.key.verification.cancel",
        _rel({"code": "m.user_mismatch", "reason": "Start from another device"}),
    )
    assert "$req" not in v.flows
    await _ready(v, rec, "$req2")
    await v.on_room_event(
        ROOM,
        "m.key.verification.start",
        _rel(dict(START, message_authentication_codes=["hmac-sha256"]), "$req2"),
        ALICE,
        "$s2",
        None,
    )
    assert rec.sent[-1][2]["code"] == "m.unknown_method"


async def test_out_of_order_steps_cancel_and_strangers_are_ignored():
    v, rec, _clock = _verifier()
    await _ready(v, rec)
    n = len(rec.sent)
    # someone else in the room cannot drive alice's flow; an unknown flow is not ours
    await v.on_room_event(ROOM, "m.key.verification.start", _rel(START), "@mallory:t", "$m", None)
    await v.on_room_event(ROOM, "m.key.verification.start", _rel(START, "$unknown"), ALICE, "$u", None)
    await v.on_room_event(ROOM, "m.key.verification.whatever", _rel({}), ALICE, "$w", None)
    assert len(rec.sent) == n
    await v.on_room_event(ROOM, "m.key.verification.key", _rel({"key": "abc"}), ALICE, "$k", None)
    assert rec.sent[-1][2]["code"] == "m.unexpected_message" and "$req" not in v.flows


async def test_their_cancel_ends_the_flow_and_flows_are_bounded_and_expire():
    v, rec, clock = _verifier()
    await _ready(v, rec)
    await v.on_room_event(
        ROOM, "m.key.verification.cancel", _rel({"code": "m.user", "reason": "no"}), ALICE, "$c", None
    )
    assert "$req" not in v.flows and rec.sent[-1][1] == "m.key.verification.ready"  # nothing sent back
    now = int(time.time() * 1000)
    for i in range(FLOWS_KEPT + 5):
        await v.on_room_event(ROOM, "m.room.message", _request(), ALICE, f"$r{i}", now)
    assert len(v.flows) == FLOWS_KEPT and "$r0" not in v.flows
    clock.now += FLOW_LIFETIME_S + 1
    await v.on_room_event(ROOM, "m.room.message", _request(), ALICE, "$late", now)
    assert list(v.flows) == ["$late"]


async def test_to_device_requests_answer_by_to_device():
    v, rec, _clock = _verifier()
    content = {
        "from_device": "ALICEDEV",
        "methods": ["m.sas.v1"],
        "transaction_id": "tx1",
        "timestamp": int(time.time() * 1000),
    }
    await v.on_to_device("m.key.verification.request", content, ALICE)
    assert rec.sent == [
        (
            f"{ALICE}/ALICEDEV",
            "m.key.verification.ready",
            {"from_device": "BOTDEV", "methods": ["m.sas.v1"], "transaction_id": "tx1"},
        )
    ]
    # our own request echoed back from this very device is not answered
    await v.on_to_device("m.key.verification.request", dict(content, from_device="BOTDEV", transaction_id="tx2"), BOT)
    assert len(rec.sent) == 1

"""matrix_verified_only and a person's new device, against a real Synapse: the bot's per-user cache of
owner-signed devices is dropped when a sync says the person's device list changed, so a freshly
cross-signed device reads the bot's very next reply (not only once the cache expires)."""

from __future__ import annotations

import secrets

import aiohttp
import pytest

from bot.backends.matrix.cross_signing import ensure_cross_signing
from tests.support.synapse import Human, make_human, start_bot

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


async def _second_device(synapse, tmp_path, first: Human, password: str) -> Human:
    from nio import AsyncClient, AsyncClientConfig, LoginResponse

    store = tmp_path / "bea-device-2"
    store.mkdir()
    cfg = AsyncClientConfig(
        encryption_enabled=True,
        store_sync_tokens=False,
        pickle_key=secrets.token_hex(16),
        max_timeouts=3,
        request_timeout=30,
    )
    client = AsyncClient(synapse.url, first.user_id, store_path=str(store), config=cfg)
    resp = await client.login(password, device_name="bea-phone")
    assert isinstance(resp, LoginResponse), resp
    human = Human(client, first.user_id)
    await human._chores()
    await human.sync()
    return human


async def test_new_cross_signed_device_reads_the_next_reply(synapse, tmp_path):
    bot = await start_bot(synapse, tmp_path / "bot", matrix_verified_only=True)
    bea = await make_human(synapse, tmp_path, "bea")
    phone = None
    try:
        password = "bea-" + secrets.token_hex(8)
        # make_human registered bea with a random password: set a known one through the admin API
        admin_id, admin_pw = synapse.register("admin" + secrets.token_hex(4), admin=True)
        admin = synapse._request(
            "POST",
            "/_matrix/client/v3/login",
            {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": admin_id}, "password": admin_pw},
        )["access_token"]
        synapse._request(
            "POST",
            f"/_synapse/admin/v1/reset_password/{bea.user_id}",
            {"new_password": password, "logout_devices": False},
            token=admin,
        )
        async with aiohttp.ClientSession() as http:
            assert (
                await ensure_cross_signing(
                    http, synapse.url, bea.client.access_token, bea.user_id, bea.client.device_id, tmp_path / "bea-xs"
                )
                == "signed"
            )
        room = await bea.create_room(invite=[bot.user_id], direct=True, encrypted=True)
        got = await bea.wait_messages(room, 2)
        assert len(got) == 2 and not any(m["undecrypted"] for m in got)
        assert bea.user_id in bot.backend._xs_cache  # the bot checked (and cached) her devices
        # bea logs in on her phone and signs it with her own identity, then writes from it at once
        phone = await _second_device(synapse, tmp_path, bea, password)
        async with aiohttp.ClientSession() as http:
            assert (
                await ensure_cross_signing(
                    http,
                    synapse.url,
                    phone.client.access_token,
                    bea.user_id,
                    phone.client.device_id,
                    tmp_path / "bea-xs",
                )
                == "signed"
            )
        await phone.sync()
        phone.clear()
        await phone.send(room, "/aide")
        reply = await phone.wait_messages(room, 1, sender=bot.user_id, timeout=25)
        assert reply and not reply[0]["undecrypted"] and "/menu" in reply[0]["body"]
        # her first device still reads the bot
        assert await bea.wait_messages(room, 1, sender=bot.user_id)
        assert bot.failure is None
    finally:
        if phone is not None:
            await phone.close()
        await bea.close()
        await bot.stop()

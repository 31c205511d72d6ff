"""Matrix backend against a real Synapse, with real matrix-nio clients as the humans.

One Synapse for the whole session (tests/support/synapse.py); each test registers its own users."""

from __future__ import annotations

import asyncio
import json
import os
import stat

import pytest

from bot.backends.matrix.backend import MatrixAuthError, render_content
from bot.core.types import Button, Reply, RetryLater
from tests.support.synapse import make_human, start_bot, unique

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def texts(msgs):
    return [m["body"] for m in msgs]


# -- formatting (no server) ----------------------------------------------------------------
def test_render_content_escapes_and_numbers_like_the_router():
    r = Reply(
        key="x",
        text="<b>Tom & Jerry</b>\nligne 2",
        buttons=(
            (Button("Oui <script>", payload="a"),),
            (Button("Lien", url="https://ex.fr/?a=1&b=2"),),
            (Button("Non", payload="b"),),
        ),
    )
    c = render_content(r)
    assert c["msgtype"] == "m.notice"
    assert c["format"] == "org.matrix.custom.html"
    assert "<b>" not in c["formatted_body"] and "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;<br>ligne 2" in c["formatted_body"]
    assert "<li>Oui &lt;script&gt;</li><li>Non</li>" in c["formatted_body"]
    assert 'href="https://ex.fr/?a=1&amp;b=2"' in c["formatted_body"]
    # typing "2" must select "Non", as the router counts only choice buttons
    assert "1. Oui <script>\n2. Non" in c["body"]
    assert render_content(Reply(key="x", text="t", notice=False))["msgtype"] == "m.text"


# -- with Synapse ----------------------------------------------------------------------------
async def test_plain_dm_full_flow_and_credentials(synapse, tmp_path):
    bot = await start_bot(synapse, tmp_path / "bot")
    alice = await make_human(synapse, tmp_path, "alice")
    try:
        room = await alice.create_room(invite=[bot.user_id], direct=True, encrypted=False)
        welcome = await alice.wait_messages(room, 2)
        assert len(welcome) == 2 and {m["msgtype"] for m in welcome} == {"m.notice"}
        assert "<ol>" in welcome[1]["formatted_body"] and "1. " in welcome[1]["body"]
        await alice.send(room, "/langue")
        [menu] = await alice.wait_messages(room, 1)
        assert "1. Français" in menu["body"] and "2. English" in menu["body"]
        await alice.send(room, "2")  # typed number selects
        got = await alice.wait_messages(room, 2)
        expected = bot.app.renderer.render("core/language_set", "en")
        assert expected in texts(got)
        await alice.send(room, "/langue fr")
        got = await alice.wait_messages(room, 2, timeout=15)
        assert bot.app.renderer.render("core/language_set", "fr") in texts(got)
        # credentials and keys are owner-only; the pickle key is not nio's constant
        mdir = tmp_path / "bot" / "matrix"
        for name in ("credentials.json", "pickle.key", "cross_signing.json"):
            assert stat.S_IMODE(os.stat(mdir / name).st_mode) == 0o600, name
        assert (mdir / "pickle.key").read_text().strip() not in ("", "DEFAULT_KEY")
        assert json.loads((mdir / "credentials.json").read_text())["device_id"] == bot.backend.device_id
        assert bot.app.store.kv_get(bot.backend._token_key)
    finally:
        await alice.close()
        await bot.stop()


async def test_encrypted_dm_survives_bot_restart_without_replay(synapse, tmp_path):
    bot = await start_bot(synapse, tmp_path / "bot")
    uid, pw, device = bot.user_id, bot.password, bot.backend.device_id
    alice = await make_human(synapse, tmp_path, "alice")
    try:
        room = await alice.create_room(invite=[bot.user_id], direct=True, encrypted=True)
        welcome = await alice.wait_messages(room, 2)
        assert len(welcome) == 2 and not welcome[0]["undecrypted"], welcome  # alice decrypts the bot
        await alice.send(room, "/aide")
        [helpmsg] = await alice.wait_messages(room, 1)
        assert "/menu" in helpmsg["body"]
        await bot.stop()
        # a message while the bot is down: answered once after the restart
        await alice.send(room, "/langue")
        bot = await start_bot(synapse, tmp_path / "bot", uid, pw)
        assert bot.backend.device_id == device  # same device: the store still decrypts
        got = await alice.wait_messages(room, 1)
        assert len(got) == 1 and "2. English" in got[0]["body"]
        await alice.send(room, "English")
        got = await alice.wait_messages(room, 2)
        assert bot.app.renderer.render("core/language_set", "en") in texts(got)
        # nothing older is answered again
        assert await alice.wait_messages(room, 1, timeout=1.5) == []
    finally:
        await alice.close()
        await bot.stop()


async def test_undecryptable_message_is_announced(synapse, tmp_path):
    bot = await start_bot(synapse, tmp_path / "bot")
    alice = await make_human(synapse, tmp_path, "alice")
    try:
        room = await alice.create_room(invite=[bot.user_id], direct=True, encrypted=True)
        assert await alice.wait_messages(room, 2)
        # alice's client refuses to give the bot's device the room key
        await alice.sync()
        devices = list(alice.client.device_store.active_user_devices(bot.user_id))
        assert devices
        for dev in devices:
            alice.client.blacklist_device(dev)
        await alice.send(room, "bonjour")
        got = await alice.wait_messages(room, 1)
        assert texts(got) == [bot.app.renderer.render("core/undecryptable", "fr")]
    finally:
        await alice.close()
        await bot.stop()


async def test_room_admin_rights_and_private_start(synapse, tmp_path):
    bot = await start_bot(synapse, tmp_path / "bot", operators=())
    alice = await make_human(synapse, tmp_path, "alice")
    bob = await make_human(synapse, tmp_path, "bob")
    try:
        room = await alice.create_room(
            invite=[bot.user_id, bob.user_id], direct=False, encrypted=True, name="Collectif"
        )
        await bob.wait_invite()
        assert await bot.wait_until(
            lambda: (
                bot.joined(room)
                and bob.user_id in bot.backend.client.rooms[room].users
                and not bot.backend.client.rooms[room].users[bob.user_id].invited
            )
        )
        assert not bot.backend.is_direct(room)
        assert await bot.backend.is_admin(alice.user_id, room) is True  # creator: 100
        assert await bot.backend.is_admin(bob.user_id, room) is False  # member: 0
        from bot.core.types import Event

        ev = Event(backend="matrix", chat_id=room, user_id=bob.user_id, is_direct=False)
        assert await bot.app.is_admin(ev) is False
        bot.app.settings.operators = (f"matrix:{bob.user_id}",)
        assert await bot.app.is_admin(ev) is True
        bot.app.settings.operators = ()
        # a member given power level 50 by the creator becomes an admin
        pl = await alice.client.room_get_state_event(room, "m.room.power_levels")
        content = dict(pl.content)
        content["users"] = dict(content.get("users") or {}, **{bob.user_id: 50})
        await alice.client.room_put_state(room, "m.room.power_levels", content)
        assert await bot.backend.is_admin(bob.user_id, room) is True
        content["users"][bob.user_id] = 0
        await alice.client.room_put_state(room, "m.room.power_levels", content)
        assert await bot.backend.is_admin(bob.user_id, room) is False
        # an admin-only command from a non-admin: polite refusal in the room, nothing else
        if "campagne" in bot.app.router.reg.commands:
            await bob.wait_messages(room, 1, sender=bot.user_id, timeout=5)  # the bot's hello on joining
            bob.clear()
            await bob.send(room, "/campagne")
            got = await bob.wait_messages(room, 1, sender=bot.user_id)
            assert texts(got) == [bot.app.renderer.render("campaign/refused", "fr")]
            assert await bob.wait_invite(timeout=1) is None
        # something personal in a room: the bot opens a direct chat with that person
        await bob.send(room, "/menu")
        got = await bob.wait_messages(room, 1, sender=bot.user_id)
        assert got and not got[0]["undecrypted"]
        dm = await bob.wait_invite(timeout=20)
        assert dm is not None and dm != room
        started = await bob.wait_messages(dm, 1)
        assert started and "1. " in started[0]["body"]  # the menu, in private
        assert bot.backend.is_direct(dm)
    finally:
        await alice.close()
        await bob.close()
        await bot.stop()


async def test_synapse_restart_during_sync(synapse, tmp_path):
    bot = await start_bot(synapse, tmp_path / "bot")
    alice = await make_human(synapse, tmp_path, "alice")
    try:
        room = await alice.create_room(invite=[bot.user_id], direct=True, encrypted=True)
        assert await alice.wait_messages(room, 2)
        synapse.restart()
        await alice.send(room, "/aide")
        got = await alice.wait_messages(room, 1, timeout=30)
        assert got and "/menu" in got[0]["body"]
        assert bot.failure is None and not bot.task.done()
    finally:
        await alice.close()
        await bot.stop()


async def test_invite_policy_and_leaving_empty_rooms(synapse, tmp_path):
    bot = await start_bot(synapse, tmp_path / "bot", matrix_allowed_servers=("elsewhere.example",))
    alice = await make_human(synapse, tmp_path, "alice")
    try:
        room = await alice.create_room(invite=[bot.user_id], direct=True, encrypted=False)
        for _ in range(40):  # the invite is rejected
            await alice.sync(500)
            if bot.user_id not in alice.client.rooms[room].users:
                break
        members = await alice.client.joined_members(room)
        assert bot.user_id not in [m.user_id for m in members.members]
        assert bot.user_id not in alice.client.rooms[room].users
        assert await alice.wait_messages(room, 1, timeout=1) == []
        # allowed by user id: joins; alone after alice leaves: leaves
        bot.backend.settings.matrix_allowed_users = (alice.user_id,)
        room2 = await alice.create_room(invite=[bot.user_id], direct=True, encrypted=False)
        assert await alice.wait_messages(room2, 1)
        await alice.client.room_leave(room2)
        assert await bot.wait_until(lambda: room2 not in bot.backend.client.rooms)
    finally:
        await alice.close()
        await bot.stop()


async def test_cross_signing_identity_signs_the_device(synapse, tmp_path):
    from bot.backends.matrix.cross_signing import device_signed_by, only_key, verify

    bot = await start_bot(synapse, tmp_path / "bot")
    alice = await make_human(synapse, tmp_path, "alice")
    try:
        assert bot.backend.cross_signing == "signed"
        import aiohttp

        async with (
            aiohttp.ClientSession() as http,
            http.post(
                synapse.url + "/_matrix/client/v3/keys/query",
                json={"device_keys": {bot.user_id: []}},
                headers={"Authorization": f"Bearer {alice.client.access_token}"},
            ) as r,
        ):
            q = await r.json()
        master = q["master_keys"][bot.user_id]
        ssk = q["self_signing_keys"][bot.user_id]
        mpub, spub = only_key(master), only_key(ssk)
        assert verify(mpub, ssk, ssk["signatures"][bot.user_id][f"ed25519:{mpub}"])
        device = q["device_keys"][bot.user_id][bot.backend.device_id]
        assert device_signed_by(device, bot.user_id, spub)
        # a restart keeps the same identity and has nothing to do
        uid, pw = bot.user_id, bot.password
        await bot.stop()
        bot = await start_bot(synapse, tmp_path / "bot", uid, pw)
        assert bot.backend.cross_signing == "already"
    finally:
        await alice.close()
        await bot.stop()


async def test_unknown_token_stops_with_clear_error(synapse, tmp_path):
    bot = await start_bot(synapse, tmp_path / "bot")
    try:
        synapse.logout(bot.backend.client.access_token)  # the token dies server-side
        for _ in range(100):
            if bot.task.done():
                break
            await asyncio.sleep(0.1)
        assert isinstance(bot.failure, MatrixAuthError)
        assert "M_UNKNOWN_TOKEN" in str(bot.failure)
    finally:
        await bot.stop()


async def test_rate_limit_429_maps_to_retry_later(synapse_limited, tmp_path):
    bot = await start_bot(synapse_limited, tmp_path / "bot")
    alice = await make_human(synapse_limited, tmp_path, "alice")
    try:
        room = await alice.create_room(invite=[bot.user_id], direct=True, encrypted=False)
        assert await alice.wait_messages(room, 2)
        err = None
        for i in range(30):
            try:
                await bot.backend.send(room, Reply(key="x", text=f"n{i}"))
            except RetryLater as e:
                err = e
                break
        assert err is not None and 0 < err.retry_after < 60
    finally:
        await alice.close()
        await bot.stop()


async def test_access_token_login_and_verified_only_devices(synapse, tmp_path):
    """An access token alone is enough (device id from whoami); with matrix_verified_only the
    room key goes to verified devices only, so an unverified human cannot read the bot."""
    from bot.backends.matrix.cross_signing import ensure_cross_signing

    uid, pw = synapse.register(unique("bot"))
    login = synapse._request(
        "POST",
        "/_matrix/client/v3/login",
        {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": uid}, "password": pw},
    )
    bot = await start_bot(
        synapse, tmp_path / "bot", uid, None, matrix_access_token=login["access_token"], matrix_verified_only=True
    )
    alice = await make_human(synapse, tmp_path, "alice")
    try:
        assert bot.backend.device_id == login["device_id"]
        assert bot.backend.cross_signing == "signed"  # first upload needs no password on Synapse
        room = await alice.create_room(invite=[bot.user_id], direct=True, encrypted=True)
        got = await alice.wait_messages(room, 2)
        assert len(got) == 2 and all(m["undecrypted"] for m in got)
        # another installation without our seeds must not replace the bot's identity
        import aiohttp

        async with aiohttp.ClientSession() as http:
            outcome = await ensure_cross_signing(
                http, synapse.url, login["access_token"], uid, login["device_id"], tmp_path / "other"
            )
        assert outcome == "foreign"
        # a human whose device is signed by her own cross-signing identity counts as verified
        bea = await make_human(synapse, tmp_path, "bea")
        try:
            async with aiohttp.ClientSession() as http:
                assert (
                    await ensure_cross_signing(
                        http,
                        synapse.url,
                        bea.client.access_token,
                        bea.user_id,
                        bea.client.device_id,
                        tmp_path / "bea-xs",
                    )
                    == "signed"
                )
            room2 = await bea.create_room(invite=[bot.user_id], direct=True, encrypted=True)
            got = await bea.wait_messages(room2, 2)
            assert len(got) == 2 and not any(m["undecrypted"] for m in got)
        finally:
            await bea.close()
    finally:
        await alice.close()
        await bot.stop()


async def test_cli_runs_answers_and_stops_on_sigterm(synapse, tmp_path):
    """`mes-bot matrix` as a process: password from the environment, answers, logs no text,
    exits 0 on SIGTERM."""
    import signal
    import subprocess
    import sys

    uid, pw = synapse.register(unique("bot"))
    env = dict(os.environ, MATRIX_PASSWORD=pw, MESBOT_SCHEDULER_INTERVAL="3600")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.ops.cli",
            "matrix",
            "--homeserver",
            synapse.url,
            "--user",
            uid,
            "--data-dir",
            str(tmp_path / "cli"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    alice = await make_human(synapse, tmp_path, "alice")
    try:
        room = await alice.create_room(invite=[uid], direct=True, encrypted=True)
        assert len(await alice.wait_messages(room, 2, timeout=30)) == 2
        secret_text = "ma phrase très personnelle 4242"
        await alice.send(room, secret_text)
        assert await alice.wait_messages(room, 1)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err.decode()[-2000:]
        assert secret_text.encode() not in out + err
        assert pw.encode() not in out + err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        await alice.close()


async def test_new_member_gets_the_keys_and_a_third_person_ends_direct(synapse, tmp_path):
    bot = await start_bot(synapse, tmp_path / "bot")
    alice = await make_human(synapse, tmp_path, "alice")
    carol = await make_human(synapse, tmp_path, "carol")
    try:
        room = await alice.create_room(invite=[bot.user_id], direct=True, encrypted=True)
        assert len(await alice.wait_messages(room, 2)) == 2  # bot's session shared with alice
        assert bot.backend.is_direct(room)
        # the keycap reactions on the menu go out after it: let them finish before carol comes, or
        # one sent while the bot has not yet seen her join is (rightly) unreadable for her
        assert await bot.wait_until(lambda: not bot.backend._reaction_tasks)
        await alice.client.room_invite(room, carol.user_id)
        assert await carol.wait_invite() == room
        assert await bot.wait_until(
            lambda: (
                carol.user_id in bot.backend.client.rooms[room].users
                and not bot.backend.client.rooms[room].users[carol.user_id].invited
            )
        )
        assert not bot.backend.is_direct(room)  # three people: a group now
        await carol.sync()
        carol.clear()  # history from before carol joined: not hers to read
        await carol.send(room, "/aide")
        got = await carol.wait_messages(room, 1, sender=bot.user_id)
        assert got and not got[0]["undecrypted"] and "/menu" in got[0]["body"]
    finally:
        await alice.close()
        await carol.close()
        await bot.stop()

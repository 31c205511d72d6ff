"""Issue 16 on Matrix: one room's backlog, or a reply being retried, never delays another room;
a flood is bounded; a crash mid-batch loses nothing and answers nothing twice.

Real Synapse, real nio humans, the real bot; a reverse proxy (tests/support/matrix_faults.py) holds
or fails the bot's sends into one room, as a slow room, a 5xx storm or Synapse's 429 would."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.matrix_faults import FaultProxy
from tests.support.synapse import make_human, start_bot, synapse  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


async def _two_rooms(synapse, tmp_path, proxy, **settings):  # noqa: F811
    bot = await start_bot(synapse, tmp_path / "bot", matrix_homeserver=proxy.url, matrix_reactions=False, **settings)
    alice = await make_human(synapse, tmp_path, "alice")
    bob = await make_human(synapse, tmp_path, "bob")
    room_a = await alice.create_room(invite=[bot.user_id], direct=True, encrypted=False)
    room_b = await bob.create_room(invite=[bot.user_id], direct=True, encrypted=False)
    assert len(await alice.wait_messages(room_a, 2)) == 2  # the welcome
    assert len(await bob.wait_messages(room_b, 2)) == 2
    return bot, alice, bob, room_a, room_b


async def test_a_burst_in_one_room_does_not_delay_another_and_is_bounded(synapse, tmp_path):  # noqa: F811
    proxy = await FaultProxy(synapse.url).start()
    bot, alice, bob, room_a, room_b = await _two_rooms(synapse, tmp_path, proxy, chat_backlog_max=5)
    try:
        before = proxy.forwarded[room_a]  # the welcome
        proxy.hold(room_a)  # A's replies are slow: none gets through for now
        for _ in range(25):
            await alice.send(room_a, "/aide")
        assert await bot.wait_until(lambda: proxy.held_now(room_a) >= 1)
        await bob.send(room_b, "/aide")
        assert len(await bob.wait_messages(room_b, 1)) == 1
        # B was answered while A's first reply was still waiting: nothing of A's had gone out
        assert proxy.forwarded[room_a] == before and await alice.wait_messages(room_a, 1, timeout=0.2) == []
        # A's flood is bounded: 5 queued (the one in progress included), 20 dropped, told once
        assert bot.backend.backlog.queued(room_a) == 5 and bot.backend.backlog.dropped == 20
        proxy.release()
        got = await alice.wait_messages(room_a, 6, timeout=30)
        notice = bot.app.renderer.render("core/too_fast", "fr").strip()
        assert len(got) == 6 and sum(1 for m in got if m["body"].strip() == notice) == 1, [m["body"][:30] for m in got]
        assert await bot.wait_until(lambda: bot.backend.backlog.total() == 0)
        # the notice is given once per backlog: once A's queue drained, A is answered again
        await alice.send(room_a, "/aide")
        [again] = await alice.wait_messages(room_a, 1)
        assert again["body"].strip() != notice
        assert await alice.wait_messages(room_a, 1, timeout=1.0) == []  # no dropped message comes back
    finally:
        await alice.close()
        await bob.close()
        await bot.stop()
        await proxy.stop()


@pytest.mark.parametrize("status", [502, 429])
async def test_a_reply_retried_in_one_room_does_not_delay_another(synapse, tmp_path, status):  # noqa: F811
    proxy = await FaultProxy(synapse.url).start()
    bot, alice, bob, room_a, room_b = await _two_rooms(synapse, tmp_path, proxy)
    waits: list[float] = []
    retry = asyncio.Event()

    async def sleep(seconds: float) -> None:  # the reply's back-off, on the test's clock
        waits.append(seconds)
        await retry.wait()

    bot.app.sleep = sleep
    try:
        before = proxy.forwarded[room_a]  # the welcome
        proxy.fail(room_a, status, retry_after_ms=7000 if status == 429 else None)
        await alice.send(room_a, "/aide")
        assert await bot.wait_until(lambda: proxy.failed[room_a] >= 1 and waits)
        await bob.send(room_b, "/aide")
        assert len(await bob.wait_messages(room_b, 1)) == 1
        # B answered while A's reply waits out its back-off (Synapse's retry_after for a 429)
        assert waits == ([7.0] if status == 429 else [0.5]) and proxy.forwarded[room_a] == before
        proxy.clear(room_a)
        retry.set()
        assert len(await alice.wait_messages(room_a, 1)) == 1
        assert await alice.wait_messages(room_a, 1, timeout=1.0) == []
        assert proxy.forwarded[room_a] == before + 1
    finally:
        await alice.close()
        await bob.close()
        await bot.stop()
        await proxy.stop()


async def test_a_crash_mid_batch_loses_nothing_and_answers_nothing_twice(synapse, tmp_path):  # noqa: F811
    proxy = await FaultProxy(synapse.url).start()
    bot = await start_bot(synapse, tmp_path / "bot", matrix_homeserver=proxy.url, matrix_reactions=False)
    uid, pw = bot.user_id, bot.password
    alice = await make_human(synapse, tmp_path, "alice")
    try:
        room = await alice.create_room(invite=[bot.user_id], direct=True, encrypted=True)
        assert len(await alice.wait_messages(room, 2)) == 2
        proxy.hold(room, after=2)  # two replies go out, the third hangs
        sent = []
        for text in ("/aide", "/rappels", "/aide", "/rappels", "/aide", "/rappels"):
            sent.append(await alice.send(room, text))
        first = await alice.wait_messages(room, 2)
        assert len(first) == 2
        assert await bot.wait_until(lambda: proxy.held_now(room) == 1)
        store = bot.app.store
        assert [store.event_handled(e) for e in sent] == [True, True, False, False, False, False]
        assert bot.backend.resume.pending_batches() >= 1  # the batch is not saved as handled
        # crash: no clean stop (no draining, nothing saved on the way out); the held reply never arrives
        bot.task.cancel()
        await asyncio.gather(bot.task, return_exceptions=True)
        proxy.drop_held()
        store.close()
        bot = await start_bot(synapse, tmp_path / "bot", uid, pw, matrix_homeserver=proxy.url, matrix_reactions=False)
        rest = await alice.wait_messages(room, 4, timeout=30)
        bodies = [m["body"] for m in first + rest]
        # every message answered exactly once, in order
        assert len(bodies) == 6 and len(set(bodies[0::2])) == 1 and len(set(bodies[1::2])) == 1
        assert bodies[0] != bodies[1]
        assert await alice.wait_messages(room, 1, timeout=1.5) == []
        assert all(bot.app.store.event_handled(e) for e in sent)
    finally:
        await alice.close()
        await bot.stop()
        await proxy.stop()


async def _until(predicate, timeout: float = 30.0) -> bool:
    """Poll ``predicate()`` (bounded) while the event loop serves the proxy and the human."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return bool(predicate())


async def test_kill_9_mid_batch_then_restart_answers_every_message_once(synapse, tmp_path):  # noqa: F811
    """The real process, killed with SIGKILL while a reply hangs, then started again."""
    import os
    import subprocess
    import sys

    from bot.store import Store
    from tests.support.synapse import unique

    proxy = await FaultProxy(synapse.url).start()
    uid, pw = synapse.register(unique("bot"))
    env = dict(os.environ, MATRIX_PASSWORD=pw, MESBOT_SCHEDULER_INTERVAL="3600", MESBOT_MATRIX_REACTIONS="0")
    data = tmp_path / "cli"
    args = [
        sys.executable,
        "-m",
        "bot.ops.cli",
        "matrix",
        "--homeserver",
        proxy.url,
        "--user",
        uid,
        "--data-dir",
        str(data),
    ]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    alice = await make_human(synapse, tmp_path, "alice")
    try:
        room = await alice.create_room(invite=[uid], direct=True, encrypted=True)
        assert len(await alice.wait_messages(room, 2, timeout=30)) == 2
        proxy.hold(room, after=2)
        sent = [await alice.send(room, text) for text in ("/aide", "/rappels") * 3]
        first = await alice.wait_messages(room, 2)
        assert len(first) == 2 and await _until(lambda: proxy.held_now(room) == 1)
        proc.kill()  # SIGKILL: nothing runs on the way out
        proc.wait(timeout=20)
        proxy.drop_held()  # the hanging reply never reaches Synapse
        store = Store(data / "mes-bot.db")
        try:
            assert [store.event_handled(e) for e in sent] == [True, True, False, False, False, False]
        finally:
            store.close()
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        rest = await alice.wait_messages(room, 4, timeout=60)
        bodies = [m["body"] for m in first + rest]
        assert len(bodies) == 6 and len(set(bodies[0::2])) == 1 and len(set(bodies[1::2])) == 1
        assert bodies[0] != bodies[1]
        assert await alice.wait_messages(room, 1, timeout=1.5) == []
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)
        await alice.close()
        await proxy.stop()

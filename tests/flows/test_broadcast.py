"""Broadcast waves through the fake backend: approval, progress and report, a blocked
follower, spreading, pacing, and a crash in the middle of a wave."""

import asyncio
import itertools
from collections import Counter

import pytest

from bot.jobs.broadcast import Pacer
from bot.core.types import RetryLater
from bot.store import Store
from tests.support.collectives import admin_session, request_broadcast, setup_followers
from tests.support.harness import Chat, FakeBackend, make_app


class Crash(BaseException):
    """Stands for the process dying (not an Exception: nothing catches it)."""


def follower_messages(backend):
    return [(c, r) for c, r in backend.sent if c.startswith("f")]


async def test_broadcast_below_threshold_reaches_every_follower_with_unsubscribe(tmp_path):
    app, backend, _ = make_app(tmp_path)
    setup_followers(app, 30)
    p = await admin_session(app, backend)
    await request_broadcast(p, custom="Réunion <jeudi> & {{ x }}")
    assert "campaign/bcast_queued" in p.keys
    await app.tick()
    got = follower_messages(backend)
    assert sorted(c for c, _ in got) == sorted(f"f{i}" for i in range(30))
    r = got[0][1]
    assert "Réunion <jeudi> & {{ x }}" in r.text
    assert any(b.payload.startswith("follow:announce:u") for b in r.flat_buttons())
    reports = [r for c, r in backend.sent if c == "admin1" and r.key.startswith("campaign/bcast")]
    assert reports[0].key == "campaign/bcast_progress" and "fin estimée" in reports[0].text
    assert reports[-1].key == "campaign/bcast_report"
    assert "Envoyés : 30 sur 30" in reports[-1].text
    # the queue is emptied and the admin's text is not kept once sent
    assert app.store.db["deliveries"].count == 0
    assert app.store.db.execute("SELECT custom_text FROM broadcasts").fetchone()[0] is None
    # unsubscribe from the announcement itself
    f = Chat(app, backend, user="f3")
    await f.send_event(kind="button", choice=[b for b in r.flat_buttons() if b.payload][0].payload)
    assert f.keys[0] == "follow/stopped"
    assert app.store.follower_count(1) == 29
    app.store.close()


async def test_second_admin_must_approve_above_threshold(tmp_path):
    app, backend, _ = make_app(tmp_path, broadcast_approval_threshold=5)
    setup_followers(app, 6)
    p = await admin_session(app, backend)
    await request_broadcast(p)
    assert "campaign/approval_needed" in p.keys
    token = p.last[0].private_start[2:]
    assert token in p.text
    await app.tick()
    assert follower_messages(backend) == []
    # the requester cannot approve their own request
    await p.say(f"/approuver {token}")
    assert p.keys == ["campaign/approve_self"]
    # a non-admin cannot either
    m = Chat(app, backend, user="member")
    await m.start(f"v_{token}")
    assert "campaign/refused" in m.keys
    await app.tick()
    assert follower_messages(backend) == []
    # a second admin sees the message and approves
    backend.admins.add(("admin2", "-100"))
    a2 = Chat(app, backend, user="admin2")
    await a2.start(f"v_{token}")
    assert "campaign/approve_ask" in a2.keys
    assert "6 semaines" in a2.last[0].text
    await a2.press("J'approuve")
    assert "campaign/approved" in a2.keys
    await app.tick()
    assert len(follower_messages(backend)) == 6
    # the link is spent
    await a2.start(f"v_{token}")
    assert "campaign/approval_gone" in a2.keys
    app.store.close()


async def test_rejected_broadcast_sends_nothing(tmp_path):
    app, backend, _ = make_app(tmp_path, broadcast_approval_threshold=1)
    setup_followers(app, 2)
    p = await admin_session(app, backend)
    await request_broadcast(p)
    token = p.last[0].private_start[2:]
    backend.admins.add(("admin2", "-100"))
    a2 = Chat(app, backend, user="admin2")
    await a2.say(f"/approuver {token}")
    await a2.press("Je refuse")
    assert "campaign/rejected" in a2.keys
    await app.tick()
    assert follower_messages(backend) == []
    app.store.close()


async def test_blocked_follower_is_deactivated_and_counted(tmp_path):
    app, backend, _ = make_app(tmp_path)
    setup_followers(app, 25)
    backend.blocked.update({"f4", "f7"})
    p = await admin_session(app, backend)
    await request_broadcast(p)
    await app.tick()
    assert len(follower_messages(backend)) == 23
    report = [r for c, r in backend.sent if c == "admin1" and r.key == "campaign/bcast_report"][-1]
    assert "Envoyés : 23 sur 25" in report.text and "bloqué le bot (retirées de la liste) : 2" in report.text
    assert app.store.follower_count(1) == 23
    # the next wave does not try them again
    backend.sent.clear()
    await request_broadcast(p)
    await app.tick()
    assert len(follower_messages(backend)) == 23
    app.store.close()


class CrashingBackend(FakeBackend):
    """Delivers, then dies before the bot can record it, at the n-th message."""

    def __init__(self, crash_at):
        super().__init__()
        self.crash_at = crash_at

    async def send(self, chat_id, reply):
        mid = await super().send(chat_id, reply)
        if chat_id.startswith("f") and len([c for c, _ in self.sent if c.startswith("f")]) == self.crash_at:
            raise Crash()
        return mid


@pytest.mark.parametrize("crash_at", [1, 57, 200, 201])
async def test_crash_mid_wave_resumes_nothing_lost_at_most_one_duplicate(tmp_path, crash_at):
    app, _, clock = make_app(tmp_path)
    backend = CrashingBackend(crash_at)
    app.add_backend(backend)
    setup_followers(app, 300)
    p = await admin_session(app, backend)
    await request_broadcast(p)
    with pytest.raises(Crash):
        await app.tick()
    first = Counter(c for c, _ in follower_messages(backend))
    assert sum(first.values()) == crash_at
    # the process restarts on the same database
    app.store.close()
    from bot.core.app import App

    app2 = App(app.settings, store=Store(app.settings.db_path), clock=clock)
    backend2 = FakeBackend()
    app2.add_backend(backend2)
    await app2.tick()
    second = Counter(c for c, _ in follower_messages(backend2))
    total = first + second
    assert set(total) == {f"f{i}" for i in range(300)}  # nothing lost
    dups = [c for c, n in total.items() if n > 1]
    assert len(dups) <= 1 and all(total[c] == 2 for c in dups)  # at most one duplicate
    assert app2.store.db["deliveries"].count == 0
    app2.store.close()


async def test_wave_is_spread_over_the_window(tmp_path):
    app, backend, clock = make_app(tmp_path, broadcast_spread_minutes=10)
    setup_followers(app, 40)
    p = await admin_session(app, backend)
    await request_broadcast(p)
    t0 = clock.now()
    times = []
    orig = backend.send

    async def timed(chat_id, reply):
        if chat_id.startswith("f"):
            times.append((clock.now() - t0).total_seconds())
        return await orig(chat_id, reply)

    backend.send = timed
    await app.tick()
    assert len(times) == 40
    assert times[0] < 20 and 9 * 60 <= times[-1] <= 10 * 60
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 10  # ~15 s apart, not all in the same minute
    app.store.close()


async def test_pacer_keeps_the_rate_in_simulated_time():
    t = [0.0]

    async def sleep(s):
        t[0] += s

    pacer = Pacer(30.0, now=lambda: t[0], sleep=sleep)
    for _ in range(301):
        await pacer.wait()
    assert 9.9 <= t[0] <= 10.01
    pacer.pause(5.0)
    before = t[0]
    await pacer.wait()
    assert t[0] - before >= 5.0


async def test_matrix_pacing_learns_from_retry_after():
    t = [0.0]

    async def sleep(s):
        t[0] += s

    pacer = Pacer(None, now=lambda: t[0], sleep=sleep, adaptive=True)
    for _ in range(10):
        await pacer.wait()
    assert t[0] == 0.0  # the burst goes out at once
    pacer.pause(5.0)  # M_LIMIT_EXCEEDED retry_after_ms=5000
    assert pacer.expected_rate() == pytest.approx(0.2)
    for _ in range(3):
        await pacer.wait()
    assert t[0] >= 15.0 - 1e-6


async def test_retry_later_pauses_and_retries(tmp_path):
    from bot.core.types import RetryLater

    app, backend, clock = make_app(tmp_path)
    setup_followers(app, 5)
    p = await admin_session(app, backend)
    await request_broadcast(p)
    orig = backend.send
    state = {"n": 0}

    async def flaky(chat_id, reply):
        if chat_id == "f2" and state["n"] == 0:
            state["n"] += 1
            raise RetryLater(3)
        return await orig(chat_id, reply)

    backend.send = flaky
    t0 = clock.now()
    await app.tick()
    assert sorted(c for c, _ in follower_messages(backend)) == [f"f{i}" for i in range(5)]
    assert (clock.now() - t0).total_seconds() >= 3
    assert app.services.broadcaster.stats[1]["r429"] == 1
    app.store.close()


async def test_progress_estimate(tmp_path):
    app, backend, _ = make_app(tmp_path)
    setup_followers(app, 100)
    app.services.broadcaster.pacers["fake"] = Pacer(
        10.0, now=app.services.broadcaster.now_ts, sleep=app.services.broadcaster.sleep
    )
    p = await admin_session(app, backend)
    await request_broadcast(p)
    await app.tick()
    progress = [r.text for c, r in backend.sent if c == "admin1" and r.key == "campaign/bcast_progress"]
    assert len(progress) >= 3  # start, 25 %, 50 %, 75 %
    # started 10:00, 100 messages at 10/s: the estimate says 10:00 (end within the same minute)
    assert progress[0].startswith("Envoi commencé : 0 / 100 — fin estimée 10:00")
    assert any(t.startswith("25 / 100") or t.startswith("26 / 100") for t in progress)
    app.store.close()


class InterleavingBackend(FakeBackend):
    """Sends take a varying number of event-loop turns (so messages in flight finish out of
    order), and one chat answers 429 once."""

    def __init__(self, flood_chat=None):
        super().__init__()
        self.flood_chat = flood_chat

    async def send(self, chat_id, reply):
        if chat_id == self.flood_chat:
            self.flood_chat = None
            raise RetryLater(2)
        for _ in range(int(chat_id[1:]) % 4 + 1 if chat_id.startswith("f") else 0):
            await asyncio.sleep(0)
        if chat_id.startswith("f") and sum(1 for c, _ in self.sent if c == chat_id) >= 3:
            raise Crash()  # a message sent again and again: fail now, do not loop
        return await super().send(chat_id, reply)


@pytest.mark.parametrize(
    "n,in_flight,flood",
    [
        (1, 1, None),
        (2, 1, None),
        (200, 1, None),
        (201, 1, None),
        (201, 1, -2),
        (7, 4, None),
        (201, 4, None),
        (201, 4, -2),
        (60, 4, 30),
    ],
)
async def test_wave_tail_each_follower_once_and_wave_done(tmp_path, n, in_flight, flood):
    """The last follower of a wave (and every other) gets exactly one copy, and the wave ends
    "done" with every message counted, whatever the batch size, messages in flight or 429s."""
    app, _, _ = make_app(tmp_path)
    backend = InterleavingBackend(flood_chat=None if flood is None else f"f{n + flood if flood < 0 else flood}")
    app.add_backend(backend)
    br = app.services.broadcaster
    br.concurrency = in_flight
    setup_followers(app, n)
    p = await admin_session(app, backend)
    await request_broadcast(p)
    for _ in range(3):  # bounded: a wave with a 429 may need a later tick
        try:
            await app.tick()
        except Crash:
            break
        if app.store.get_broadcast(1)["status"] == "done":
            break
    got = Counter(c for c, _ in follower_messages(backend))
    assert got == Counter({f"f{i}": 1 for i in range(n)}), {c: k for c, k in got.items() if k != 1}
    b = app.store.get_broadcast(1)
    assert (b["status"], b["sent"], b["failed"], b["blocked"]) == ("done", n, 0, 0)
    assert app.store.db["deliveries"].count == 0
    app.store.close()


async def test_stop_parks_a_wave_promptly_recording_what_was_sent(tmp_path):
    """SIGTERM sets app.services.stopping: a wave paced at 2 messages/s (real time) parks
    at the next recipient instead of finishing its batch; what was delivered is recorded
    "sent", the rest stays pending, and the next run sends the rest with no duplicate."""
    import time

    app, backend, _ = make_app(tmp_path)
    setup_followers(app, 50)
    p = await admin_session(app, backend)
    await request_broadcast(p)
    br = app.services.broadcaster
    br.simulated = False  # real time, background task
    br.pacers["fake"] = Pacer(2.0, sleep=br.sleep)
    app.services.stopping = stopping = asyncio.Event()
    await app.tick()
    for _ in range(100):  # bounded wait for 3 messages (~1 s)
        if len(follower_messages(backend)) >= 3:
            break
        await asyncio.sleep(0.05)
    t0 = time.monotonic()
    stopping.set()
    await br.stop()
    assert time.monotonic() - t0 < 0.3  # parked at once, not after the batch
    task = br.tasks[1]
    assert task.done() and not task.cancelled()  # it returned by itself
    first = Counter(c for c, _ in follower_messages(backend))
    status = Counter(st for (st,) in app.store.db.execute("SELECT status FROM deliveries").fetchall())
    assert 3 <= sum(first.values()) < 10
    assert status == Counter({"sent": sum(first.values()), "pending": 50 - sum(first.values())})
    assert app.store.get_broadcast(1)["status"] == "running"
    # the next run (after a restart) sends the rest: nobody twice
    from bot.jobs.broadcast import Broadcaster

    app.services.stopping = None
    br2 = Broadcaster(app)
    await br2.tick(app.clock.now())
    total = Counter(c for c, _ in follower_messages(backend))
    assert total == Counter({f"f{i}": 1 for i in range(50)})
    assert app.store.get_broadcast(1)["status"] == "done"
    app.store.close()


async def test_typed_number_answers_the_announcement_not_an_older_menu(tmp_path):
    """On numbered-text transports (console, Matrix), after an announcement arrives, typing "1"
    picks the announcement's first button (unsubscribe), not button 1 of an older message."""
    app, backend, _ = make_app(tmp_path)
    coll = setup_followers(app, 0)
    f = Chat(app, backend, user="f7")
    await f.say("bonjour")  # the main menu: button 1 is "J'ai reçu le mail…"
    assert "menu/main" in f.keys
    app.store.add_followers_bulk(coll["id"], [("fake:f7", "fake", "f7", "fr")])
    p = await admin_session(app, backend)
    await request_broadcast(p)
    await app.tick()
    assert [c for c, _r in follower_messages(backend)] == ["f7"]
    await f.say("1")
    assert f.keys[0] == "follow/stopped"
    assert app.store.follower_count(coll["id"]) == 0

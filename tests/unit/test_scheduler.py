"""The reminder scheduler over weeks of simulated time: DST, overseas zones, quiet hours,
crashes between sending and recording, downtime, delivery errors, purge."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo


from bot.infra import metrics
from bot.core.app import App
from bot.infra.clock import FakeClock
from bot.core.types import Blocked, ChatMoved, RetryLater, TransientError
from bot.jobs.scheduler import end_of_last_day, plan_reminders
from bot.infra.config import Settings
from tests.support.harness import FakeBackend

UTC = timezone.utc
PARIS = ZoneInfo("Europe/Paris")


class TimedBackend(FakeBackend):
    """Records when each message went out; can fail on demand."""

    def __init__(self, clock):
        super().__init__()
        self.clock = clock
        self.log: list[tuple[datetime, str, object]] = []
        self.fail: list[Exception] = []

    async def send(self, chat_id, reply):
        if self.fail:
            raise self.fail.pop(0)
        mid = await super().send(chat_id, reply)
        self.log.append((self.clock.now(), chat_id, reply))
        return mid


def new_app(tmp_path, clock, backend=None):
    app = App(Settings(data_dir=tmp_path / "data"), clock=clock)
    backend = backend or TimedBackend(clock)
    app.add_backend(backend)
    return app, backend


def add_deadline(app, user: str, deadline: str, tz: str, offsets=(14, 7, 3, 1, 0), label="me", now=None):
    """What the flow does: user row (address, zone), deadline, planned reminders."""
    now = now or app.clock.now()
    app.store.touch_user(f"fake:{user}", "fake", user, now)
    app.store.set_user(f"fake:{user}", tz=tz)
    last = date.fromisoformat(deadline)
    plan = plan_reminders(last, tz, offsets, app.settings, now)
    did = app.store.create_deadline(
        f"fake:{user}",
        label=label,
        deadline=deadline,
        recommended=None,
        tz=tz,
        until_at=int(end_of_last_day(last, tz).timestamp()),
        schedule=",".join(map(str, offsets)),
        plan=[(p.ts, p.offset, p.kind) for p in plan],
        now=now,
    )
    return did, plan


async def run_until(app, clock, until: datetime, step=timedelta(minutes=15)):
    for _ in range(20000):
        if clock.now() >= until:
            return
        clock.advance(step)
        await app.tick()
    raise AssertionError("simulation did not finish")


def test_plan_across_dst_holidays_and_overseas():
    s = Settings()
    now = datetime(2026, 10, 1, 12, tzinfo=UTC)
    # Sunday 1 November 2026 (also All Saints' Day); Paris leaves summer time on 25 October.
    plan = plan_reminders(date(2026, 11, 1), "Europe/Paris", s.reminder_offsets, s, now)
    assert [(p.at.isoformat(), p.offset, p.kind) for p in plan] == [
        ("2026-10-18T08:00:00+00:00", 14, "plan"),  # 10:00 CEST
        ("2026-10-25T09:00:00+00:00", 7, "plan"),  # 10:00 CET, the day the clocks change
        ("2026-10-29T09:00:00+00:00", 3, "plan"),
        ("2026-10-30T09:00:00+00:00", 0, "act_now"),  # last working day before the closed last day
        ("2026-10-31T09:00:00+00:00", 1, "plan"),
    ]
    # Spring: Paris enters summer time on 29 March 2026.
    plan = plan_reminders(date(2026, 4, 2), "Europe/Paris", (7, 1, 0), s, datetime(2026, 3, 1, tzinfo=UTC))
    assert [p.at.isoformat() for p in plan] == [
        "2026-03-26T09:00:00+00:00",
        "2026-04-01T08:00:00+00:00",
        "2026-04-02T08:00:00+00:00",
    ]
    # Overseas: no DST, 10:00 local each time.
    for tz, utc_hour in (
        ("America/Cayenne", 13),
        ("Indian/Reunion", 6),
        ("Pacific/Noumea", 23),
        ("America/Martinique", 14),
        ("Pacific/Tahiti", 20),
    ):
        plan = plan_reminders(date(2026, 11, 1), tz, s.reminder_offsets, s, now)
        assert len(plan) == 5
        assert all(p.at.astimezone(ZoneInfo(tz)).hour == 10 for p in plan)
        assert all(p.at.hour == utc_hour for p in plan), tz
    # A reminder hour inside quiet hours is moved out of them.
    late = Settings(reminder_hour=22)
    plan = plan_reminders(date(2026, 11, 3), "Europe/Paris", (1,), late, now)
    assert plan[0].at.astimezone(PARIS) == datetime(2026, 11, 3, 9, tzinfo=PARIS)


async def test_weeks_of_time_every_reminder_once_at_ten_never_quiet_never_late(tmp_path):
    clock = FakeClock("2026-10-10T12:00:00+02:00")
    app, backend = new_app(tmp_path, clock)
    zones = {
        "paris": "Europe/Paris",
        "cayenne": "America/Cayenne",
        "reunion": "Indian/Reunion",
        "noumea": "Pacific/Noumea",
        "tahiti": "Pacific/Tahiti",
    }
    planned = {}
    for user, tz in zones.items():
        for i, deadline in enumerate(("2026-11-01", "2026-11-06")):
            did, plan = add_deadline(app, user, deadline, tz, label=("me", "child1")[i])
            planned[did] = (user, tz, deadline, plan)
    total = sum(len(v[3]) for v in planned.values())
    assert total == 50  # 5 per deadline, every one still in the future
    await run_until(app, clock, datetime(2026, 11, 8, tzinfo=UTC), step=timedelta(minutes=20))
    assert len(backend.log) == total
    for when, chat_id, reply in backend.log:
        tz = zones[chat_id]
        local = when.astimezone(ZoneInfo(tz))
        assert 9 <= local.hour < 21, (chat_id, local)
        assert local.hour == 10 and local.minute < 20, (chat_id, local)
        assert reply.key == "reminders/due" and reply.notice is False
    for did, (_user, tz, deadline, plan) in planned.items():
        mine = sorted(
            w for w, c, r in backend.log if f"reminders:due:done:{did}" in [b.payload for b in r.flat_buttons()]
        )
        assert len(mine) == len(plan)
        assert all(timedelta(0) <= w - p.at < timedelta(minutes=20) for w, p in zip(mine, plan, strict=True))
        assert all(w < end_of_last_day(date.fromisoformat(deadline), tz) for w in mine)
    assert metrics.get("reminders_pending") == 0
    assert app.store.count_live() == 0


async def test_crash_between_send_and_record_duplicates_at_most_one(tmp_path):
    clock = FakeClock("2026-10-10T12:00:00+02:00")
    app, backend = new_app(tmp_path, clock)
    expected = 0
    for i in range(6):
        _did, plan = add_deadline(app, f"u{i}", "2026-11-01", "Europe/Paris")
        expected += len(plan)
    crashes = 0
    end = datetime(2026, 11, 2, tzinfo=UTC)
    for _ in range(50):
        # kill the process right after a message went out, before it is recorded
        real = app.store.mark_sent
        calls = {"n": 0}

        def crashing(rid, ts, _real=real, calls=calls):
            calls["n"] += 1
            if calls["n"] == 3:
                raise SystemExit("killed between send and record")
            return _real(rid, ts)

        app.store.mark_sent = crashing
        try:
            await run_until(app, clock, end)
            break
        except SystemExit:
            crashes += 1
            app.store.close()
            app, _ = new_app(tmp_path, clock, backend)  # restart: same database, new process state
    assert crashes >= 3
    unique = set((c, w.date()) for w, c, r in backend.log)
    assert len(unique) == expected, "a reminder was lost"
    assert len(backend.log) - len(unique) <= crashes, "more than one duplicate per crash"
    assert len(backend.log) > len(unique)  # the crash really happened after a send
    assert app.store.count_live() == 0
    states = {r["state"] for r in app.store.db.query("SELECT state FROM reminders")}
    assert states == {"sent"}


async def test_downtime_gives_one_catch_up_not_a_burst(tmp_path):
    clock = FakeClock("2026-10-10T12:00:00+02:00")
    app, backend = new_app(tmp_path, clock)
    add_deadline(app, "p", "2026-11-06", "Europe/Paris")  # Friday: 23 Oct, 30 Oct, 3 Nov, 5 Nov, 6 Nov
    await run_until(app, clock, datetime(2026, 10, 23, 12, tzinfo=PARIS))
    assert len(backend.log) == 1
    # the bot is down from 23 Oct to 4 Nov 15:00: the 30 Oct and 3 Nov reminders were missed
    app.store.close()
    clock.set(datetime(2026, 11, 4, 15, 0, tzinfo=PARIS))
    app, backend = new_app(tmp_path, clock, backend)
    assert await app.tick() == 1
    assert len(backend.log) == 2
    assert "le service était arrêté" in backend.log[-1][2].text and "Il reste 2 jours" in backend.log[-1][2].text
    states = sorted(r["state"] for r in app.store.db.query("SELECT state FROM reminders"))
    assert states.count("skipped") == 1
    await run_until(app, clock, datetime(2026, 11, 8, tzinfo=UTC))
    assert [w.astimezone(PARIS).date().isoformat() for w, _c, _r in backend.log][2:] == ["2026-11-05", "2026-11-06"]


async def test_catch_up_at_night_waits_for_morning_and_never_after_deadline(tmp_path):
    clock = FakeClock("2026-10-10T12:00:00+02:00")
    app, backend = new_app(tmp_path, clock)
    add_deadline(app, "p", "2026-11-06", "Europe/Paris")
    app.store.close()
    clock.set(datetime(2026, 11, 4, 23, 30, tzinfo=PARIS))  # back up at night
    app, backend = new_app(tmp_path, clock, backend)
    await run_until(app, clock, datetime(2026, 11, 5, 8, 55, tzinfo=PARIS), step=timedelta(minutes=5))
    assert backend.log == []
    await run_until(app, clock, datetime(2026, 11, 5, 12, 0, tzinfo=PARIS), step=timedelta(minutes=5))
    # the postponed catch-up would come at 09:00, one hour before the regular 10:00 one: only that one goes
    assert len(backend.log) == 1 and backend.log[0][0].astimezone(PARIS).hour == 10
    assert "Il reste 1 jour" in backend.log[0][2].text
    # down again from the morning of the last day until after it: nothing is sent late
    app.store.close()
    clock.set(datetime(2026, 11, 7, 11, 0, tzinfo=PARIS))
    app, backend = new_app(tmp_path, clock, backend)
    await app.tick()
    assert len(backend.log) == 1
    assert app.store.count_live() == 0
    assert {r["status"] for r in app.store.db.query("SELECT status FROM deadlines")} == {"expired"}


async def test_blocked_user_is_deactivated_and_not_retried(tmp_path):
    metrics.reset()
    clock = FakeClock("2026-10-10T12:00:00+02:00")
    app, backend = new_app(tmp_path, clock)
    add_deadline(app, "b", "2026-11-06", "Europe/Paris")
    add_deadline(app, "b", "2026-11-20", "Europe/Paris", label="child1")
    backend.fail = [Blocked("403")]
    await run_until(app, clock, datetime(2026, 11, 30, tzinfo=UTC), step=timedelta(hours=1))
    assert backend.log == []
    assert app.store.get_user("fake:b").active is False
    assert app.store.count_live() == 0
    assert metrics.get("send_failures", backend="fake", kind="Blocked") == 1


async def test_retry_later_transient_backoff_and_chat_moved(tmp_path):
    metrics.reset()
    clock = FakeClock("2026-10-10T12:00:00+02:00")
    app, backend = new_app(tmp_path, clock)
    add_deadline(app, "r", "2026-11-06", "Europe/Paris", offsets=(7,))  # 30 Oct 10:00
    clock.set(datetime(2026, 10, 30, 10, 0, tzinfo=PARIS))
    backend.fail = [RetryLater(90), TransientError("5xx"), TransientError("5xx"), ChatMoved("r2")]
    for _ in range(200):
        await app.tick()
        if backend.log:
            break
        clock.advance(seconds=10)
    assert len(backend.log) == 1
    sent_at = backend.log[0][0]
    # 90 s (429), then 120 s and 240 s of back-off (doubling per attempt), then the new chat id at once
    assert timedelta(seconds=450) <= sent_at - datetime(2026, 10, 30, 10, 0, tzinfo=PARIS) <= timedelta(seconds=480)
    assert backend.log[0][1] == "r2"
    assert app.store.get_user("fake:r").chat_id == "r2"
    # counted once per failure by App.deliver, by kind (the move included: it was not delivered there)
    assert metrics.get("send_failures", backend="fake", kind="RetryLater") == 1
    assert metrics.get("send_failures", backend="fake", kind="TransientError") == 2
    assert metrics.get("send_failures", backend="fake", kind="ChatMoved") == 1
    assert metrics.get("reminders_sent") >= 1


async def test_retry_pushed_into_quiet_hours_waits_and_expires_after_deadline(tmp_path):
    clock = FakeClock("2026-10-10T12:00:00+02:00")
    app, backend = new_app(tmp_path, clock)
    add_deadline(app, "q", "2026-11-06", "Europe/Paris", offsets=(0,))  # Friday 6 Nov 10:00, the last day
    clock.set(datetime(2026, 11, 6, 20, 59, tzinfo=PARIS))
    # the last day went wrong all day (rate limited until 20:59, then a long 429)
    app.store.db.execute("UPDATE reminders SET due_at = ?", [int(clock.now().timestamp())])
    backend.fail = [RetryLater(120)]
    await app.tick()
    # 21:01 is in quiet hours; 09:00 next day is after the last day: dropped, not sent late
    await run_until(app, clock, datetime(2026, 11, 8, tzinfo=PARIS), step=timedelta(minutes=30))
    assert backend.log == []
    assert [r["state"] for r in app.store.db.query("SELECT state FROM reminders")] == ["expired"]


async def test_stuck_sending_row_is_recovered_while_running(tmp_path):
    clock = FakeClock("2026-10-10T12:00:00+02:00")
    app, backend = new_app(tmp_path, clock)
    add_deadline(app, "s", "2026-11-06", "Europe/Paris", offsets=(7,))
    await app.tick()  # first tick: startup recovery done
    clock.set(datetime(2026, 10, 30, 10, 0, tzinfo=PARIS))
    rid = app.store.due_reminders(int(clock.now().timestamp()))[0]["id"]
    assert app.store.mark_sending(rid, int(clock.now().timestamp()))  # an attempt that never finished
    await app.tick()
    assert backend.log == []
    clock.advance(minutes=11)
    await app.tick()
    assert len(backend.log) == 1


async def test_purge_after_last_deadline(tmp_path):
    clock = FakeClock("2026-10-10T12:00:00+02:00")
    app, backend = new_app(tmp_path, clock)
    add_deadline(app, "old", "2026-10-20", "Europe/Paris")
    add_deadline(app, "old", "2026-10-25", "Europe/Paris", label="child1")
    add_deadline(app, "new", "2026-11-20", "Europe/Paris")
    clock.set(datetime(2026, 11, 8, 12, tzinfo=PARIS))  # 14 days after 25 Oct ends on 9 Nov
    app.store.touch_user("fake:talker", "fake", "talker", clock.now())  # no deadline, talked recently
    await app.tick()
    assert app.store.get_user("fake:old") is not None
    clock.set(datetime(2026, 11, 9, 1, 0, tzinfo=PARIS))
    await app.tick()
    assert app.store.get_user("fake:old") is None
    assert not list(app.store.db.query("SELECT * FROM deadlines WHERE user_key = 'fake:old'"))
    assert app.store.get_user("fake:new") is not None and app.store.get_user("fake:talker") is not None


async def test_people_without_deadline_are_erased_after_the_same_delay(tmp_path):
    """Someone who only chatted (language, a conversation state) and set no date is erased
    ``purge_after_days`` after their last message; a follower of a collective is kept; a stale
    conversation state (e.g. an abandoned campaign draft) of someone kept is dropped."""
    from bot.store.core import Session

    clock = FakeClock("2026-11-01T12:00:00+01:00")
    app, backend = new_app(tmp_path, clock)
    store = app.store
    for who in ("idle", "recent", "follower", "keeper"):
        store.touch_user(f"fake:{who}", "fake", who, clock.now())
        store.save_session(
            Session(f"fake:{who}:{who}", f"fake:{who}", "campaign", "custom_text", {"draft": "x"}), clock.now()
        )
    add_deadline(app, "keeper", "2026-12-20", "Europe/Paris")
    cid = (
        store.db["collectives"]
        .insert(
            {
                "code": "abc",
                "backend": "fake",
                "chat_id": "g",
                "locale": "fr",
                "tz": "Europe/Paris",
                "created_at": "2026-11-01T00:00:00+00:00",
            }
        )
        .last_pk
    )
    store.db["followers"].insert(
        {
            "collective_id": cid,
            "user_key": "fake:follower",
            "backend": "fake",
            "chat_id": "follower",
            "locale": "fr",
            "active": 1,
            "created_at": "2026-11-01T00:00:00+00:00",
        }
    )
    clock.set(datetime(2026, 11, 10, 12, tzinfo=PARIS))
    store.touch_user("fake:recent", "fake", "recent", clock.now())
    store.save_session(Session("fake:recent:recent", "fake:recent", "menu", "main", {}), clock.now())
    clock.set(datetime(2026, 11, 15, 13, tzinfo=PARIS))  # 14 days and 1 hour after 1 Nov
    await app.tick()
    assert store.get_user("fake:idle") is None
    assert store.get_session("fake:idle:idle") is None
    for kept in ("recent", "follower", "keeper"):
        assert store.get_user(f"fake:{kept}") is not None, kept
    assert store.get_session("fake:recent:recent") is not None
    assert store.get_session("fake:keeper:keeper") is None  # abandoned draft dropped
    assert store.get_session("fake:follower:follower") is None


async def test_other_backends_rows_are_left_alone(tmp_path):
    clock = FakeClock("2026-10-10T12:00:00+02:00")
    app, backend = new_app(tmp_path, clock)
    for i in range(250):  # more than one batch of another transport's users, due first
        add_deadline(app, f"x{i}", "2026-11-06", "Europe/Paris", offsets=(7,))
    app.store.db.execute("UPDATE users SET backend = 'telegram'")
    add_deadline(app, "mine", "2026-11-06", "Europe/Paris", offsets=(7,))
    app.store.db.execute("UPDATE reminders SET due_at = due_at + 60 WHERE user_key = 'fake:mine'")
    clock.set(datetime(2026, 10, 30, 10, 5, tzinfo=PARIS))
    assert await app.tick() == 1
    assert [c for _w, c, _r in backend.log] == ["mine"]
    assert app.store.count_live() == 250  # left for the process that runs that backend


async def test_console_shows_pending_at_start_and_prints_due_reminders(tmp_path):
    import io

    from bot.backends.console import ConsoleBackend, run_console

    clock = FakeClock("2026-10-10T12:00:00+02:00")
    app = App(Settings(data_dir=tmp_path / "data"), clock=clock)
    out = io.StringIO()
    assert await run_console(app, ConsoleBackend(app, stdin=io.StringIO("bonjour\n"), stdout=out)) == 0
    app.store.touch_user("console:local", "console", "local", clock.now())
    plan = plan_reminders(date(2026, 11, 6), "Europe/Paris", (14, 7), app.settings, clock.now())
    app.store.create_deadline(
        "console:local",
        label="child2",
        deadline="2026-11-06",
        recommended=None,
        tz="Europe/Paris",
        until_at=int(end_of_last_day(date(2026, 11, 6), "Europe/Paris").timestamp()),
        schedule="14,7",
        plan=[(p.ts, p.offset, p.kind) for p in plan],
        now=clock.now(),
    )
    app.store.close()
    clock.set(datetime(2026, 10, 23, 10, 0, 30, tzinfo=PARIS))  # the 14-day reminder is due
    app = App(Settings(data_dir=tmp_path / "data"), clock=clock)
    out = io.StringIO()
    assert await run_console(app, ConsoleBackend(app, stdin=io.StringIO(""), stdout=out)) == 0
    text = out.getvalue()
    assert text.index("Rappels en cours") < text.index("Rappel (enfant 2)")
    assert "Il reste 14 jours" in text and "1. Refuser en ligne" in text and "reminders:due" not in text
    assert app.store.count_live() == 1

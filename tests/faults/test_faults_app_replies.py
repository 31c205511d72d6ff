"""The App's own reply delivery (Matrix, console and any backend that lets the App send): a reply
meeting transient failures is retried as bot/core/delivery.py decides until sent or stale; a blocked
person is deactivated.  Driven through the recording transport of tests/support/harness.py with a
virtual clock."""

from __future__ import annotations

from bot.core.types import Event, RetryLater, TransientError
from tests.support.harness import FakeBackend, make_app
from tests.support.virtual_time import VirtualTime


class FlakyBackend(FakeBackend):
    """The recording transport, failing the next ``fail`` sends with ``error``."""

    def __init__(self, fail: int, error):
        super().__init__()
        self.fail, self.error, self.tries = fail, error, 0

    async def send(self, chat_id, reply):
        self.tries += 1
        if self.fail > 0:
            self.fail -= 1
            raise self.error
        return await super().send(chat_id, reply)


def setup(tmp_path, backend, **settings):
    app, _b, _clock = make_app(tmp_path, **settings)
    app.backends.clear()
    backend.name = "fake"
    app.add_backend(backend)
    vt = VirtualTime()
    app.monotonic, app.sleep = vt, vt.sleep
    return app, vt


async def test_a_run_of_5xx_then_a_429_loses_no_reply(tmp_path):
    backend = FlakyBackend(12, TransientError("502"))
    app, vt = setup(tmp_path, backend)
    await app.handle_event(Event(backend="fake", chat_id="c1", user_id="u1", text="/aide"))
    assert len(backend.sent) == 1 and backend.tries == 13
    assert 60 <= vt.slept <= 600
    backend.fail, backend.error = 1, RetryLater(42)
    await app.handle_event(Event(backend="fake", chat_id="c1", user_id="u1", text="/aide"))
    assert len(backend.sent) == 2 and vt.slept >= 60 + 42


async def test_a_reply_that_cannot_go_out_in_time_is_dropped_and_a_blocked_person_deactivated(tmp_path):
    backend = FlakyBackend(10_000, TransientError("502"))
    app, vt = setup(tmp_path, backend)
    await app.handle_event(Event(backend="fake", chat_id="c1", user_id="u1", text="/aide"))
    assert backend.sent == [] and vt.slept <= app.settings.reply_stale_after
    backend.fail = 0
    backend.blocked.add("c1")
    await app.handle_event(Event(backend="fake", chat_id="c1", user_id="u1", text="/aide"))
    assert app.store.get_user("fake:u1").active is False

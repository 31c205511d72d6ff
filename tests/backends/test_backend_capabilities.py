"""A broadcast's pacing comes from what a backend declares on the contract (broadcast_rate,
paces_each_chat, learns_rate, broadcast_in_flight, send_bulk), never from its name: a backend named
"telegram" that declares nothing is paced like any other, and the real backends declare theirs."""

from __future__ import annotations

from bot.backends.matrix.backend import MatrixBackend
from bot.backends.telegram.backend import TelegramBackend
from bot.core.types import BackendBase
from tests.support.harness import make_app


class Declared(BackendBase):
    def __init__(self, name: str, **caps):
        self.name = name
        for k, v in caps.items():
            setattr(self, k, v)

    async def send(self, chat_id, reply):
        return None


def broadcaster_for(tmp_path, backend):
    app, _b, _c = make_app(tmp_path)
    app.add_backend(backend)
    return app.services.broadcaster


def test_the_pacer_follows_the_declared_capabilities_not_the_name(tmp_path):
    br = broadcaster_for(tmp_path / "a", Declared("telegram"))  # the name alone means nothing
    p = br.pacer("telegram")
    assert (p.rate, p.per_chat, p.adaptive, br.in_flight("telegram")) == (None, False, False, 1)

    br = broadcaster_for(
        tmp_path / "b", Declared("x", paces_each_chat=True, broadcast_rate=30.0, broadcast_in_flight=4)
    )
    p = br.pacer("x")
    assert (p.rate, p.per_chat, p.expected_rate(), br.in_flight("x")) == (None, True, 30.0, 4)

    br = broadcaster_for(tmp_path / "c", Declared("y", broadcast_rate=5.0, learns_rate=True))
    p = br.pacer("y")
    assert (p.rate, p.per_chat, p.adaptive) == (5.0, False, True)
    p.pause(2.0)  # a 429 with retry_after 2 s: one message per 2 s from now on
    assert p.rate == 0.5


def test_the_real_backends_declare_their_broadcast_capabilities(tmp_path):
    app, _b, _c = make_app(tmp_path, telegram_token="1:x", telegram_paid_broadcast=True, telegram_paid_rate=500.0)
    tg = TelegramBackend(app, app.settings)
    assert (tg.paces_each_chat, tg.can_edit, tg.broadcast_rate, tg.broadcast_in_flight) == (True, True, 500.0, 4)
    app2, _b, _c = make_app(tmp_path / "free", telegram_token="1:x", telegram_rate_global=25.0)
    tg2 = TelegramBackend(app2, app2.settings)
    assert (tg2.broadcast_rate, tg2.broadcast_in_flight) == (25.0, 1)
    mx = MatrixBackend(app, app.settings)
    assert (mx.learns_rate, mx.paces_each_chat, mx.broadcast_rate, mx.can_edit) == (True, False, None, True)


def test_a_backend_that_can_edit_says_so():
    """A backend with its own edit() declares can_edit (the wave's progress is then edited in place), and one
    without it does not claim it."""
    from bot.backends.console import ConsoleBackend
    from bot.backends.jsonl import JsonLinesBackend
    from bot.backends.web.server import WebBackend

    for cls in (TelegramBackend, MatrixBackend, ConsoleBackend, JsonLinesBackend, WebBackend):
        assert cls.can_edit == (cls.edit is not BackendBase.edit), cls.__name__

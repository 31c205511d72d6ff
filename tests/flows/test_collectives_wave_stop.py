"""A wave stopped by its admin while it runs, on a numbered-text transport (the fake one, like
Matrix or the console): her typed "1" answers the progress message's "Arrêter l'envoi", then
the confirmation; nothing more is sent, and the report says it stopped."""

from tests.support.harness import FakeBackend, make_app
from tests.support.collectives import admin_session, request_broadcast, setup_followers


class AdminActsMidWave(FakeBackend):
    """When the 8th follower message goes out, the admin types in her private chat."""

    def __init__(self):
        super().__init__()
        self.during = None
        self.followers_sent = 0

    async def send(self, chat_id, reply):
        mid = await super().send(chat_id, reply)
        if chat_id.startswith("f"):
            self.followers_sent += 1
            if self.followers_sent == 8 and self.during:
                await self.during()
        return mid


async def test_typed_stop_on_the_progress_message_stops_the_wave_after_confirmation(tmp_path):
    app, _, _ = make_app(tmp_path)
    backend = AdminActsMidWave()
    app.backends["fake"] = backend
    setup_followers(app, 30)
    p = await admin_session(app, backend)
    await request_broadcast(p)
    seen = {}

    async def during():
        seen["progress"] = [r for c, r in backend.sent if c == "admin1" and r.key == "campaign/bcast_progress"]
        await p.say("1")  # "1. Arrêter l'envoi" on the progress message
        seen["ask"] = p.keys
        await p.say("1")  # "1. Oui, arrêter l'envoi"
        seen["done"] = p.keys

    backend.during = during
    await app.tick()
    assert [b.label for b in seen["progress"][0].flat_buttons()] == ["Arrêter l'envoi"]
    assert seen["ask"] == ["campaign/wave_stop_ask"] and seen["done"] == ["campaign/wave_stopped"]
    assert 8 <= backend.followers_sent < 30
    [b] = app.store.list_broadcasts(app.store.collective_by_chat("fake", "-100")["id"], 1)
    assert b["status"] == "stopped" and b["sent"] == backend.followers_sent and b["report_user"] is None
    report = [r for c, r in backend.sent if c == "admin1" and r.key == "campaign/bcast_report"][-1]
    assert report.text.startswith("Envoi arrêté") and not report.buttons
    await p.say("1")  # nothing left to answer: no stop, no crash
    assert "campaign/wave_stopped" not in p.keys

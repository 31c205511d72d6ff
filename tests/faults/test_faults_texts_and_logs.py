"""Issue 16, point 8: no user-controlled string reaches a log line (a forged button through the
emulator); a collective's own broadcast text is sent as written (health words included, the
preview warns the admin) and does not stay in the database or its write-ahead log after the wave."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.infra.log import JsonFormatter
from tests.support.harness import Chat, make_app
from tests.support.telegram_env import settle

FORGED = [
    "g:x:184127512345678",
    "g:184127512345678",
    "c:184127512345678",
    "menu:main:184127512345678",
    "#184127512345678",
    "x" * 64,
]


async def test_forged_callback_data_never_reaches_a_log_line(tg, caplog):
    emu = tg.emu
    emu.tap_start(4242)
    n = len(await settle(emu, 4242, 2))
    caplog.set_level(logging.DEBUG)
    for data in FORGED:
        emu.callback(4242, data, user_id=4242)
    await settle(emu, 4242, n + len(FORGED) - 1, timeout=10)
    ours = [r for r in caplog.records if r.name.startswith("mes_bot")]  # libraries log at WARNING in production
    assert any(r.getMessage().startswith("bad_target") for r in ours)  # it was logged...
    fmt = JsonFormatter()
    lines = [fmt.format(r) for r in ours] + [r.getMessage() for r in ours]
    for line in lines:  # ...without its text
        assert "184127512345678" not in line and "x" * 20 not in line, line


async def test_collective_text_is_sent_as_written_with_a_warning_and_leaves_no_trace(tmp_path):
    app, backend, _clock = make_app(tmp_path)
    backend.admins.add(("admin1", "-100"))
    try:
        coll = app.store.ensure_collective("fake", "-100")
        app.store.add_followers_bulk(coll["id"], [(f"fake:f{i}", "fake", f"f{i}", "fr") for i in range(3)])
        g = Chat(app, backend, user="admin1", chat="-100", direct=False)
        await g.say("/campagne")
        p = Chat(app, backend, user="admin1")
        await p.start(g.last[0].private_start)
        await p.press("Annonce aux abonnés")
        await p.press("Écrire mon texte")
        text = "Soirée d'info : parler du VIH et du Truvada, jeudi 18h"
        await p.say(text)
        assert p.keys[:3] == ["campaign/preview_intro", "follow/announce", "campaign/bcast_confirm"], p.keys
        assert text in p.last[1].text  # the text is intact
        assert "mots qui parlent de santé" in p.last[2].text  # and the admin is warned in the preview
        assert not any(r.key == "core/privacy_warning" for r in p.last)
        await p.press("Oui, envoyer tel quel")
        await app.tick()
        got = [r for c, r in backend.sent if c.startswith("f")]
        assert len(got) == 3 and all(text in r.text for r in got)
        b = app.store.db.execute("SELECT status, custom_text, requested_by FROM broadcasts").fetchone()
        assert tuple(b) == ("done", None, "")
        data = Path(app.settings.data_dir)
        for f in data.rglob("*"):  # db, -wal, -shm: nothing left
            if f.is_file():
                blob = f.read_bytes()
                assert "Truvada, jeudi".encode() not in blob and "Truvada, jeudi".encode("utf-16-le") not in blob, (
                    f.name
                )
    finally:
        app.store.close()

"""Buttons sent by the release before the collectives' flow was split (``campaign:bnew:…``,
``campaign:list:p12``, ``campaign:time:t1800``…) and conversations stored at its states still
work after the update: the router reads the older state names (``RENAMED``), the states read
the older payloads."""

from bot.store.core import Session
from tests.support.collectives import admin_session, campaign_list, setup_followers
from tests.support.harness import Chat

KEY = "fake:admin1:admin1"


async def press(p: Chat, payload: str) -> list[str]:
    await p.send_event(kind="button", choice=payload)
    return p.keys


async def test_the_older_wizard_buttons_schedule_a_campaign(env):
    app, backend, _ = env
    p = await admin_session(app, backend)
    coll = app.store.collective_by_chat("fake", "-100")
    assert "campaign/pick" in await press(p, f"campaign:menu:new.{coll['id']}")
    assert "campaign/ask_kind" in await press(p, "campaign:new:basics")
    assert "campaign/ask_weekday" in await press(p, "campaign:kind:weekly")
    assert "campaign/ask_time" in await press(p, "campaign:weekday:d3")
    assert "campaign/preview_schedule" in await press(p, "campaign:time:t1800")
    assert "campaign/created" in await press(p, "campaign:preview:ok")
    [c] = app.store.list_campaigns(coll["id"])
    assert (c["kind"], c["weekday"], c["at_time"]) == ("weekly", 3, "18:00")
    # a countdown: the older countdown-days buttons
    await press(p, "campaign:new:parents")
    await press(p, "campaign:kind:countdown")
    await p.say("15/12/2026")
    assert "campaign/ask_offsets" in p.keys
    assert "campaign/ask_time" in await press(p, "campaign:offsets:o71")


async def test_the_older_list_edit_and_place_buttons(env):
    app, backend, _ = env
    p = await admin_session(app, backend)
    await campaign_list(p)
    coll = app.store.collective_by_chat("fake", "-100")
    [c] = app.store.list_campaigns(coll["id"])
    cid = c["id"]
    assert "campaign/paused" in await press(p, f"campaign:list:p{cid}")
    assert "campaign/resumed" in await press(p, f"campaign:list:r{cid}")
    assert "campaign/edit_what" in await press(p, f"campaign:list:e{cid}")
    assert "campaign/ask_time" in await press(p, "g:campaign_edit:time")
    assert "campaign/edited" in await press(p, "campaign_edit:time:t1200")
    assert app.store.get_campaign(cid)["at_time"] == "12:00"
    assert "campaign/list" in await press(p, "g:campaign:list")  # an older "back" button
    assert "campaign/stop_ask" in await press(p, f"campaign:list:s{cid}")
    assert "campaign/menu" in await press(p, f"campaign_place:pick:p{coll['id']}")
    assert "campaign/flyer_qr" in await press(p, f"campaign:list:f{cid}")


async def test_the_older_announcement_wave_and_approval_buttons(env):
    app, backend, _ = env
    app.settings.broadcast_approval_threshold = 5
    p = await admin_session(app, backend)
    coll = app.store.collective_by_chat("fake", "-100")
    setup_followers(app, 3)
    assert "campaign/bcast_pick" in await press(p, f"campaign:menu:bnew.{coll['id']}")
    assert "campaign/bcast_confirm" in await press(p, "campaign:bnew:basics")
    assert "campaign/bcast_confirm" in await press(p, "campaign:bpreview:none")  # the preview's own button
    assert "campaign/bcast_queued" in await press(p, "campaign:bpreview:ok")
    [b] = app.store.db.query("SELECT id, status FROM broadcasts")
    assert "campaign/wave_stop_ask" in await press(p, f"campaign:wave:x{b['id']}")
    assert await press(p, "campaign:wave:keep") == ["campaign/wave_kept"]
    assert "campaign/wave_stopped" in await press(p, f"campaign:wave:X{b['id']}")
    # above the threshold: waits for a second admin; the older withdraw button (on the menu)
    setup_followers(app, 10)
    await press(p, "campaign:bnew:basics")
    assert "campaign/approval_needed" in await press(p, "campaign:bpreview:ok")
    waiting = next(app.store.db.query("SELECT id FROM broadcasts WHERE status = 'approval'"))
    assert "campaign/withdrawn" in await press(p, f"campaign:menu:w{waiting['id']}")


async def test_conversations_stored_at_the_older_states_go_on(env):
    app, backend, _ = env
    p = await admin_session(app, backend)
    coll = app.store.collective_by_chat("fake", "-100")
    setup_followers(app, 3)
    # she was typing an announcement's words (the older release shared the "text" state)
    app.store.save_session(
        Session(KEY, "fake:admin1", "campaign", "text", {"place": coll["id"], "c_mode": "broadcast", "c_tpl": "custom"})
    )
    await p.say("Réunion jeudi à 18h à la maison des associations")
    assert "campaign/bcast_confirm" in p.keys
    assert app.store.get_session(KEY).flow == "announce"
    # she was answering the day of a campaign
    app.store.save_session(
        Session(KEY, "fake:admin1", "campaign", "date", {"place": coll["id"], "c_tpl": "basics", "c_kind": "once"})
    )
    await p.say("30/11/2026")
    assert "campaign/ask_time" in p.keys
    assert (app.store.get_session(KEY).flow, app.store.get_session(KEY).state) == ("campaign_new", "time")

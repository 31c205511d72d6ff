"""Every state of the collectives' flows declares its guard (two open states excepted, which
check on their own), and none of them does anything for a person who is not an admin of the
place, even with a conversation bound to it and any button of any state forged."""

import pytest

from bot.store.core import Session
from tests.support.collectives import admin_session, campaign_list, setup_followers
from tests.support.harness import Chat

COLLECTIVE_FLOWS = (
    "campaign",
    "campaign_new",
    "campaign_list",
    "campaign_edit",
    "campaign_place",
    "announce",
    "announce_approval",
    "announce_wave",
)
#: open: the intro (how to start from a group) and the choice among her own places (checked per place)
OPEN = {"campaign:start", "campaign_place:pick"}


def collective_states(app):
    reg = app.router.reg
    return [(f, s, st) for f in COLLECTIVE_FLOWS for s, st in reg.flows[f].states.items()]


def test_every_collective_state_declares_its_guard(env):
    app, _, _ = env
    states = collective_states(app)
    assert len(states) >= 20
    unguarded = {f"{f}:{s}" for f, s, st in states if st.guard is None}
    assert unguarded == OPEN


def _snapshot(app):
    db = app.store.db
    return (
        list(db.query("SELECT id, status, next_at, at_time, weekday, custom_text FROM campaigns ORDER BY id")),
        list(db.query("SELECT id, status FROM broadcasts ORDER BY id")),
        list(db.query("SELECT id, name FROM collectives ORDER BY id")),
    )


@pytest.fixture
async def scene(env):
    """A place with one running campaign and an announcement being sent, by its admin."""
    app, backend, _ = env
    admin = await admin_session(app, backend)
    await campaign_list(admin)
    coll = app.store.collective_by_chat("fake", "-100")
    setup_followers(app, 3)
    [c] = app.store.list_campaigns(coll["id"])
    b = app.store.create_broadcast(coll["id"], "basics", custom_text=None, requested_by="x", needs_approval=False)
    return app, backend, coll, c, b


async def test_no_collective_state_acts_for_a_member_bound_to_the_place(scene):
    app, backend, coll, c, b = scene
    pid, cid, bid = coll["id"], c["id"], b["id"]
    payloads = [
        "x",
        "ok",
        "yes",
        "no",
        "custom",
        "basics",
        "now",
        "weekly",
        "day.3",
        "at.1800",
        "j7_j1",
        f"new.{pid}",
        f"announce.{pid}",
        f"invite.{pid}",
        f"stats.{pid}",
        f"name.{pid}",
        f"pause.{cid}",
        f"stop.{cid}",
        f"edit.{cid}",
        f"post_now.{cid}",
        f"flyer.{cid}",
        f"withdraw.{bid}",
        f"stop.{bid}",
        f"stop_confirmed.{bid}",
        f"p{cid}",
        f"s{cid}",
        f"X{bid}",
        "t1800",
        "d3",
        "o71",
    ]  # older payloads too
    before = _snapshot(app)
    n_sent = len(backend.sent)
    member = Chat(app, backend, user="member")
    await member.say("bonjour")
    key = "fake:member:member"
    for flow, state, st in collective_states(app):
        if f"{flow}:{state}" in OPEN:
            continue
        bound = {
            "place": pid,
            "c_edit": cid,
            "a_bid": bid,
            "c_tpl": "basics",
            "c_kind": "once",
            "c_date": "2026-12-01",
            "c_time": "10:00",
        }
        for payload in payloads:
            app.store.save_session(Session(key, "fake:member", flow, state, dict(bound)))
            await member.send_event(kind="button", choice=f"{flow}:{state}:{payload}")
            where = f"{flow}:{state}:{payload}"
            assert set(member.keys) <= {"campaign/refused", "core/stale_button"}, (where, member.keys)
            # on the wave, a button that names no announcement of hers has nothing to act on: stale
            names_it = payload in (f"withdraw.{bid}", f"stop.{bid}", f"stop_confirmed.{bid}", f"X{bid}")
            assert "campaign/refused" in member.keys or (flow == "announce_wave" and not names_it), where
        if st.on_text is not None:  # her conversation left at the state, typed text
            app.store.save_session(Session(key, "fake:member", flow, state, dict(bound)))
            await member.say("Collectif pirate 18h")
            assert member.keys == ["campaign/refused"], (flow, state, member.keys)
        # and a jump into it (a "go to" button)
        app.store.save_session(Session(key, "fake:member", "menu", "main", dict(bound)))
        await member.send_event(kind="button", choice=f"g:{flow}:{state}")
        if st.prompt is not None:
            assert member.keys == ["campaign/refused"], (flow, state, member.keys)
    assert _snapshot(app) == before
    assert len(backend.sent) == n_sent  # nothing posted into the group

"""Collectives through the fake backend: admin checks, campaign creation with preview,
schedules driven by the fake clock, pause/resume/stop, deep links, stats, following."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.support.collectives import admin_session, campaign_list, posts_to, schedule_campaign, start_of
from tests.support.harness import Chat, make_app

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def env(tmp_path):
    app, backend, clock = make_app(tmp_path)
    backend.admins.add(("admin1", "-100"))
    backend.admins.add(("admin2", "-100"))
    yield app, backend, clock
    app.store.close()


async def test_non_admin_is_refused_in_group_and_nothing_changes(env):
    app, backend, _ = env
    g = Chat(app, backend, user="member", chat="-100", direct=False)
    await g.say("/campagne")
    assert g.keys == ["campaign/refused"]
    assert "administrateurs" in g.text
    await g.say("/stats")  # never a public refusal: go to private
    assert g.keys == ["campaign/stats_private"] and g.last[0].private_start == "stats"
    assert app.store.db["collectives"].count == 0
    p = Chat(app, backend, user="member")
    await p.start("stats")
    assert "campaign/refused" in p.keys and "campaign/stats" not in p.keys


async def test_non_admin_with_a_forwarded_admin_link_is_refused(env):
    app, backend, _ = env
    g = Chat(app, backend, user="admin1", chat="-100", direct=False)
    await g.say("/campagne")
    link = g.last[0].private_start
    intruder = Chat(app, backend, user="member")
    await intruder.start(link)
    assert "campaign/refused" in intruder.keys
    assert "campaign/menu" not in intruder.keys
    # pressing an admin button anyway changes nothing
    await intruder.send_event(kind="button", choice="campaign:new:custom")
    assert "campaign/refused" in intruder.keys
    assert app.store.db["campaigns"].count == 0


async def test_admin_rights_are_checked_again_at_every_step(env):
    app, backend, _ = env
    p = await admin_session(app, backend)
    backend.admins.discard(("admin1", "-100"))  # demoted in the meantime
    await p.press("Nouvelle campagne")
    assert "campaign/refused" in p.keys


async def test_operator_passes_without_being_admin(tmp_path):
    app, backend, _ = make_app(tmp_path, operators=("fake:op",))
    g = Chat(app, backend, user="op", chat="-5", direct=False)
    await g.say("/campagne")
    assert g.keys == ["campaign/group_admin"]
    app.store.close()


async def test_channel_named_in_private(env):
    app, backend, _ = env
    backend.admins.add(("admin1", "@moncanal"))
    p = Chat(app, backend, user="admin1")
    await p.say("/campagne @moncanal")
    assert "campaign/menu" in p.keys
    other = Chat(app, backend, user="member")
    await other.say("/campagne @moncanal")
    assert "campaign/refused" in other.keys
    await other.say("/campagne pas un canal")
    assert "campaign/bad_place" in other.keys


async def test_private_without_place_explains_and_menu_button_leads_there(env):
    app, backend, _ = env
    p = Chat(app, backend, user="someone")
    await p.say("/menu")
    await p.press("Collectif")
    assert p.keys == ["campaign/intro"]
    assert "/campagne" in p.text and "administrateur" in p.text


async def test_custom_text_is_previewed_exactly_and_posted_on_schedule(env):
    app, backend, clock = env
    p = await admin_session(app, backend)
    await p.press("Nouvelle campagne")
    await p.press("Écrire mon texte")
    assert p.keys == ["campaign/ask_text"]
    text = "Réunion <b>jeudi</b> & {{ 7*7 }} {% if x %}y{% endif %} — 18h"
    await p.say(text)
    await p.press("Une fois")
    await p.say("24/11/2026")
    await p.say("18h30")
    assert p.keys == ["campaign/preview_intro", "campaign/post", "campaign/preview_schedule"]
    assert text in p.last[1].text  # exactly as written, never interpreted
    assert "49" not in p.last[1].text
    assert "24 novembre 2026" in p.text and "18:30" in p.text
    assert app.store.db.execute("SELECT COUNT(*) FROM campaigns WHERE status='active'").fetchone()[0] == 0
    await p.press("Oui, programmer")
    assert p.keys[0] == "campaign/created"
    # nothing before the time
    clock.set(datetime(2026, 11, 24, 18, 29, tzinfo=PARIS))
    await app.tick()
    assert posts_to(backend, "-100") == []
    clock.set(datetime(2026, 11, 24, 18, 30, 30, tzinfo=PARIS))
    await app.tick()
    posts = posts_to(backend, "-100")
    assert len(posts) == 1
    assert text in posts[0].text
    assert start_of(posts[0]).startswith("c_")
    assert [b.label for b in posts[0].flat_buttons()] == ["Mes rappels pour refuser"]
    assert posts[0].notice is False
    # once means once
    clock.set(datetime(2026, 11, 25, 18, 30, tzinfo=PARIS))
    await app.tick()
    assert len(posts_to(backend, "-100")) == 1
    code = start_of(posts[0])[2:]
    assert app.store.campaign_by_code(code)["status"] == "done"


async def test_text_over_the_limit_is_refused(tmp_path):
    app, backend, _ = make_app(tmp_path, campaign_text_max=50)
    backend.admins.add(("admin1", "-100"))
    p = await admin_session(app, backend)
    await p.press("Nouvelle campagne")
    await p.press("Écrire mon texte")
    await p.say("x" * 51)
    assert p.keys == ["campaign/text_too_long"]
    assert "51" in p.text and "50" in p.text
    await p.say("x" * 50)
    assert p.keys == ["campaign/ask_kind"]
    app.store.close()


async def test_ready_template_weekly_pause_resume_stop(env):
    app, backend, clock = env
    p = await admin_session(app, backend)
    await schedule_campaign(p, kind="Chaque semaine", weekday="Mardi", yes=None)
    post_preview = p.last[1].text
    for fact in ("6 semaines", "3422", "monespacesante.fr", "envoi", "8 h 30", "17 h 30"):
        assert fact in post_preview
    await p.press("Oui, programmer")
    # Sunday 22 Nov 2026 -> Tuesday 24 Nov 10:00
    for day in (24, 25, 26):
        clock.set(datetime(2026, 11, day, 10, 1, tzinfo=PARIS))
        await app.tick()
    assert len(posts_to(backend, "-100")) == 1
    await p.say("/campagne")
    await p.press("Mes campagnes")
    assert "chaque mardi" in p.text and "1er décembre" in p.text
    await p.press("Pause A")
    assert "campaign/paused" in p.keys
    clock.set(datetime(2026, 12, 1, 10, 1, tzinfo=PARIS))
    await app.tick()
    assert len(posts_to(backend, "-100")) == 1
    await p.press("Reprendre A")
    assert "campaign/resumed" in p.keys
    clock.set(datetime(2026, 12, 8, 10, 1, tzinfo=PARIS))
    await app.tick()
    assert len(posts_to(backend, "-100")) == 2
    await p.press("Arrêter A")
    assert p.keys == ["campaign/stop_ask"]  # asked first; nothing changed yet
    assert app.store.db.execute("SELECT status FROM campaigns").fetchone()[0] == "active"
    await p.press("Oui, arrêter")
    assert "campaign/stopped" in p.keys
    clock.set(datetime(2026, 12, 15, 10, 1, tzinfo=PARIS))
    await app.tick()
    assert len(posts_to(backend, "-100")) == 2
    assert "Aucune campagne" in p.text


async def test_countdown_posts_j7_then_j1_then_ends(env):
    app, backend, clock = env
    p = await admin_session(app, backend)
    await schedule_campaign(
        p, "18 ans", "Compte à rebours", day="15/12/2026", countdown="J-7 et J-1", time="18:00", yes=None
    )
    assert "J-7" in p.last[1].text
    await p.press("Oui")
    for day in range(23, 31):
        clock.set(datetime(2026, 11, day, 18, 0, 10, tzinfo=PARIS))
        await app.tick()
    for day in range(1, 20):
        clock.set(datetime(2026, 12, day, 18, 0, 10, tzinfo=PARIS))
        await app.tick()
    posts = posts_to(backend, "-100")
    assert len(posts) == 2
    assert posts[0].text.startswith("J-7") and "15 décembre" in posts[0].text
    assert posts[1].text.startswith("J-1 : plus que 1 jour ")


async def test_bot_down_for_long_skips_stale_post_without_burst(env):
    app, backend, clock = env
    p = await admin_session(app, backend)
    await schedule_campaign(p, "Jeunes parents", "Chaque semaine", weekday="Lundi", time="12:00")
    clock.set(datetime(2026, 12, 20, 9, 0, tzinfo=PARIS))  # four Mondays missed
    await app.tick()
    assert len(posts_to(backend, "-100")) == 0
    clock.set(datetime(2026, 12, 21, 12, 0, 5, tzinfo=PARIS))
    await app.tick()
    assert len(posts_to(backend, "-100")) == 1


async def test_campaign_link_opens_personal_reminders_and_stats_count_only(env):
    app, backend, clock = env
    p = await admin_session(app, backend)
    await schedule_campaign(p, "Fermer un espace", day="23/11/2026")
    clock.set(datetime(2026, 11, 23, 10, 0, 5, tzinfo=PARIS))
    await app.tick()
    post = posts_to(backend, "-100")[0]
    member = Chat(app, backend, user="member42")
    await member.start(start_of(post))
    session = app.store.get_session("fake:member42:member42")
    assert session.data.get("campaign") == start_of(post)[2:]
    # the reminders area reports, the counters move, nobody is named
    app.services.campaign_event(start_of(post)[2:], "reminder_started")
    app.services.campaign_event(start_of(post)[2:], "done")
    g = Chat(app, backend, user="admin1", chat="-100", direct=False)
    await g.say("/stats")  # asked in the group, answered in private
    assert g.keys == ["campaign/stats_private"] and "rappels" not in g.text
    link = g.last[0].private_start
    assert link.startswith("s_")
    g = Chat(app, backend, user="admin1")
    await g.start(link)
    assert g.keys[0] == "campaign/stats"
    assert "rappels personnels lancés depuis les campagnes : 1" in g.text
    assert "« C'est fait » : 1" in g.text
    assert "member42" not in g.text
    with pytest.raises(ValueError):
        app.services.campaign_event(start_of(post)[2:], "who")


async def test_flyer_png_and_pdf(env):
    app, backend, _ = env
    p = await admin_session(app, backend)
    await campaign_list(p)
    await p.press("Affiche et QR A")
    assert p.keys == ["campaign/flyer_qr", "campaign/flyer_pdf", "campaign/flyer_pdf_a5", "campaign/list"]
    png, pdf = p.last[0].attachment, p.last[1].attachment
    assert png.data.startswith(b"\x89PNG") and png.mime == "image/png"
    assert pdf.data.startswith(b"%PDF") and pdf.data.count(b"/Type /Page\n") + pdf.data.count(b"/Type /Page ") <= 1
    code = app.store.list_campaigns(1)[0]["code"]
    assert f"https://t.me/mesbot?start=c_{code}" in p.last[0].text


async def test_follow_and_unfollow(env):
    app, backend, _ = env
    p = await admin_session(app, backend)
    await p.press("Inviter à suivre")
    assert "campaign/invite_posted" in p.keys
    invite = posts_to(backend, "-100")[-1]
    assert [b.label for b in invite.flat_buttons()] == ["Suivre les annonces"]
    payload = start_of(invite)  # what a member's tap on the link opens
    assert payload.startswith("f_")
    m = Chat(app, backend, user="m1")
    await m.start(payload)
    assert m.keys == ["follow/ask"]
    await m.press("Oui, suivre")
    assert m.keys[0] == "follow/done"
    assert app.store.follower_count(1) == 1
    await m.start(payload)
    assert m.keys == ["follow/already"]
    await m.say("/suivis")
    assert m.keys == ["follow/list"]
    await m.press("Me désabonner")
    assert m.keys[0] == "follow/stopped"
    assert app.store.follower_count(1) == 0
    await m.say("/suivis")
    assert m.keys[0] == "follow/none"
    # /oubli erases follows too
    await m.start(payload)
    await m.press("Oui, suivre")
    assert app.store.follower_count(1) == 1
    app.store.forget_user("fake:m1")
    assert app.store.follower_count(1) == 0


async def test_followers_gained_through_a_campaign_are_counted_for_it(env):
    app, backend, clock = env
    p = await admin_session(app, backend)
    await schedule_campaign(p, "Fermer un espace", "Maintenant", yes="Oui, publier maintenant")
    post = posts_to(backend, "-100")[-1]
    coll = app.store.collective_by_chat("fake", "-100")
    member = Chat(app, backend, user="m7")
    await member.start(start_of(post))  # came through the campaign's link
    await member.start(f"f_{coll['code']}")  # then follows the collective
    await member.press("Oui, suivre")
    [c] = app.store.list_campaigns(coll["id"], include_ended=True)
    assert (c["posts"], c["visits"], c["followers_gained"]) == (1, 1, 1)
    other = Chat(app, backend, user="m8")  # follows without the campaign: not counted for it
    await other.start(f"f_{coll['code']}")
    await other.press("Oui, suivre")
    assert app.store.get_campaign(c["id"])["followers_gained"] == 1


async def test_the_main_menu_collective_button_leads_an_admin_to_her_place(env):
    app, backend, _ = env
    stranger = Chat(app, backend, user="someone")
    await stranger.say("/menu")
    await stranger.press("Collectif")
    assert "campaign/intro" in stranger.keys  # how to start, from a group
    p = await admin_session(app, backend)
    await p.say("/menu")
    await p.press("Collectif")
    assert "campaign/menu" in p.keys  # she manages one place: its menu


async def test_forget_removes_the_places_she_managed_and_where_notices_went(env):
    app, backend, _ = env
    p = await admin_session(app, backend)
    assert app.store.db["collective_admins"].count == 1
    await p.say("/oubli")
    await p.press("Oui, tout effacer")
    assert app.store.db["collective_admins"].count == 0
    # her /campagne in private now knows no place: the intro, not the group's menu
    p2 = Chat(app, backend, user="admin1")
    await p2.say("/campagne")
    assert "campaign/intro" in p2.keys and "campaign/menu" not in p2.keys

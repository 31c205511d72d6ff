"""Organiser journeys of issue 19 through the real bot, python-telegram-bot and the Bot API
emulator: her words kept as written (formatting, phone number, health words) with a question
instead of a cut, and the place named.  Each journey counts the organiser's messages and taps."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.support.telegram_env import start_env
from tests.backends.test_broadcast_telegram import ADMIN, BOT, CREATOR, GROUP, MEMBER, expect, first, link

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
async def tg(tmp_path):
    env = await start_env(tmp_path)
    env.steps = 0  # what the organiser did: messages typed and buttons tapped
    yield env
    await env.stop()
    await env.emu.stop()
    env.app.store.close()


async def act(env, chat, action, want):
    env.steps += 1
    return await expect(env.emu, chat, action, want)


def tap(env, chat, label):
    return lambda: env.emu.press(chat, label=label)


async def open_menu(env, user=ADMIN):
    emu = env.emu
    await act(env, GROUP, lambda: emu.command(GROUP, user, "campagne"), first(env, "campaign/group_admin", 12))
    payload = link(emu, GROUP, "a_")
    await act(env, user, lambda: emu.tap_start(user, payload), "Que voulez-vous faire")


def sent_raw(emu, chat) -> list[str]:
    return [m.get("_raw") or "" for m in emu.sent[chat]]


TEXT = (
    "Un suivi psychiatrique, une IVG, un traitement VIH : vos données de santé vous regardent.\n"
    "Permanence du collectif : 02 40 12 34 56, détails sur notre site."
)


def entities_for(text: str) -> list[dict]:
    from tests.support.telegram_emulator import utf16_len

    def at(word):
        i = text.index(word)
        return utf16_len(text[:i]), utf16_len(word)

    (o1, l1), (o2, l2) = at("Permanence du collectif"), at("notre site")
    return [
        {"type": "bold", "offset": o1, "length": l1},
        {"type": "text_link", "offset": o2, "length": l2, "url": "https://collectif.example/permanence"},
    ]


async def test_custom_countdown_keeps_her_words_formatting_and_asks_before_posting_personal_looking_text(tg):
    emu = tg.emu
    emu.group(GROUP, "Collectif Santé Libre", admins=[ADMIN], creator=CREATOR)
    emu.add_users([ADMIN, MEMBER])
    await open_menu(tg)
    await act(tg, ADMIN, tap(tg, ADMIN, "Nouvelle campagne"), "Quel message publier")
    await act(tg, ADMIN, tap(tg, ADMIN, "Écrire mon texte"), "Écrivez votre message")
    n0 = len(emu.sent[ADMIN])
    await act(
        tg, ADMIN, lambda: emu.message(ADMIN, ADMIN, TEXT, entities=entities_for(TEXT)), first(tg, "campaign/ask_kind")
    )
    # no privacy warning, nothing cut
    assert not any("Je n'en ai pas besoin" in t for t in emu.texts(ADMIN)[n0:])
    await act(tg, ADMIN, tap(tg, ADMIN, "Compte à rebours"), "compte à rebours")
    await act(tg, ADMIN, lambda: emu.private_message(ADMIN, "15/12"), first(tg, "campaign/ask_offsets"))
    await act(tg, ADMIN, tap(tg, ADMIN, "J-7 et J-1"), first(tg, "campaign/ask_time"))
    await act(tg, ADMIN, tap(tg, ADMIN, "18:00"), "Publier tel quel ?")
    # the preview is the post as it will appear: every word, the bold and the link
    preview = next(m for m in reversed(emu.sent[ADMIN]) if "psychiatrique" in m["text"])
    for words in ("Un suivi psychiatrique, une IVG, un traitement VIH", "02 40 12 34 56", "notre site"):
        assert words in preview["text"]
    assert "<b>Permanence du collectif</b>" in preview["_raw"]
    assert '<a href="https://collectif.example/permanence">notre site</a>' in preview["_raw"]
    question = emu.texts(ADMIN)[-1]
    assert "numéro de téléphone" in question and "santé" in question
    assert [b["text"] for b in emu.buttons(ADMIN)] == ["Oui, publier tel quel", "Modifier le texte", "Annuler"]
    await act(tg, ADMIN, tap(tg, ADMIN, "Oui, publier tel quel"), "Campagne programmée")
    # J-7 at 18:00 in the group: exactly her words, her formatting
    n_group = len(emu.sent[GROUP])
    tg.clock.set(datetime(2026, 12, 8, 18, 0, 30, tzinfo=PARIS))
    await tg.app.tick()
    await emu.wait_for(GROUP, n_group + 1)
    post = emu.sent[GROUP][-1]
    assert TEXT in post["text"] and "J-7" in post["text"]
    assert "<b>Permanence du collectif</b>" in post["_raw"] and "&lt;b&gt;" not in post["_raw"]
    assert tg.steps == 10


async def test_tags_typed_literally_are_formatting_and_edit_from_the_preview_keeps_the_schedule(tg):
    emu = tg.emu
    emu.group(GROUP, "Collectif", admins=[ADMIN], creator=CREATOR)
    emu.add_users([ADMIN])
    await open_menu(tg)
    await act(tg, ADMIN, tap(tg, ADMIN, "Nouvelle campagne"), "Quel message publier")
    await act(tg, ADMIN, tap(tg, ADMIN, "Écrire mon texte"), "Écrivez votre message")
    await act(
        tg,
        ADMIN,
        lambda: emu.private_message(ADMIN, "<b>Réunion</b> jeudi, appelez le 06 12 34 56 78"),
        first(tg, "campaign/ask_kind"),
    )
    await act(tg, ADMIN, tap(tg, ADMIN, "Compte à rebours"), "compte à rebours")
    await act(tg, ADMIN, lambda: emu.private_message(ADMIN, "15/12"), first(tg, "campaign/ask_offsets"))
    await act(tg, ADMIN, tap(tg, ADMIN, "J-3 et J-1"), first(tg, "campaign/ask_time"))
    await act(tg, ADMIN, tap(tg, ADMIN, "10:00"), "Publier tel quel ?")
    preview = next(m for m in reversed(emu.sent[ADMIN]) if "Réunion" in m["text"])
    assert "<b>" not in preview["text"] and "<b>Réunion</b>" in preview["_raw"]
    # she changes her mind about the phone number: new words, same schedule, no question
    await act(tg, ADMIN, tap(tg, ADMIN, "Modifier le texte"), "Écrivez votre message")
    await act(
        tg,
        ADMIN,
        lambda: emu.private_message(ADMIN, "<b>Réunion</b> jeudi à la maison des syndicats"),
        "Je programme cette campagne ?",
    )
    assert "J-3" in emu.texts(ADMIN)[-1]
    await act(tg, ADMIN, tap(tg, ADMIN, "Oui, programmer"), "Campagne programmée")
    coll = tg.app.store.collective_by_chat("telegram", str(GROUP))
    [c] = tg.app.store.list_campaigns(coll["id"])
    assert c["custom_html"] == "<b>Réunion</b> jeudi à la maison des syndicats"
    assert tg.app.store.db["campaigns"].count == 1  # the first draft is gone
    tg.clock.set(datetime(2026, 12, 12, 10, 0, 30, tzinfo=PARIS))
    n_group = len(emu.sent[GROUP])
    await tg.app.tick()
    await emu.wait_for(GROUP, n_group + 1)
    post = emu.sent[GROUP][-1]
    assert "<b>" not in post["text"] and "J-3" in post["text"] and "<b>Réunion</b>" in post["_raw"]


GROUP2 = -1005678


async def test_admin_of_two_groups_chooses_every_time_and_every_screen_names_the_place(tg):
    emu, store = tg.emu, tg.app.store
    emu.group(GROUP, "Collectif Santé Libre", admins=[ADMIN], creator=CREATOR)
    emu.group(GROUP2, "Parents Vigilants", admins=[ADMIN], creator=CREATOR)
    emu.add_users([ADMIN, MEMBER])
    await open_menu(tg)
    assert "« Collectif Santé Libre »" in emu.texts(ADMIN)[-1]
    await act(tg, GROUP2, lambda: emu.command(GROUP2, ADMIN, "campagne"), first(tg, "campaign/group_admin", 12))
    payload = link(emu, GROUP2, "a_")
    await act(tg, ADMIN, lambda: emu.tap_start(ADMIN, payload), "« Parents Vigilants »")
    # /campagne in private: she picks the place, by name
    await act(tg, ADMIN, lambda: emu.private_message(ADMIN, "/campagne"), "Lequel ?")
    assert {b["text"] for b in emu.buttons(ADMIN)} >= {"Collectif Santé Libre", "Parents Vigilants"}
    await act(tg, ADMIN, tap(tg, ADMIN, "Collectif Santé Libre"), "« Collectif Santé Libre »")
    await act(tg, ADMIN, tap(tg, ADMIN, "Nouvelle campagne"), "Quel message publier")
    await act(tg, ADMIN, tap(tg, ADMIN, "L'essentiel"), first(tg, "campaign/ask_kind"))
    await act(tg, ADMIN, tap(tg, ADMIN, "Une fois"), "Quel jour publier")
    await act(tg, ADMIN, lambda: emu.private_message(ADMIN, "24/11/2026"), first(tg, "campaign/ask_time"))
    await act(tg, ADMIN, tap(tg, ADMIN, "18:00"), "Je programme cette campagne ?")
    assert any("publié dans « Collectif Santé Libre »" in t for t in emu.texts(ADMIN)[-3:])
    await act(tg, ADMIN, tap(tg, ADMIN, "Oui, programmer"), "Campagne programmée dans « Collectif Santé Libre »")
    c1 = store.collective_by_chat("telegram", str(GROUP))
    c2 = store.collective_by_chat("telegram", str(GROUP2))
    assert len(store.list_campaigns(c1["id"])) == 1 and store.list_campaigns(c2["id"]) == []
    # the post names the collective; its button says what it is for
    n0 = len(emu.sent[GROUP])
    tg.clock.set(datetime(2026, 11, 24, 18, 0, 30, tzinfo=PARIS))
    await tg.app.tick()
    await emu.wait_for(GROUP, n0 + 1)
    post = emu.sent[GROUP][-1]
    assert "Un message de « Collectif Santé Libre »" in post["text"]
    assert [b["text"] for b in emu.buttons(GROUP, post)] == ["Mes rappels pour refuser"]
    assert "?start=c_" in emu.buttons(GROUP, post)[0]["url"]
    # a member comes through the post's link: counted for this campaign (a count, never who)
    code = emu.buttons(GROUP, post)[0]["url"].split("?start=c_", 1)[1]
    await expect(emu, MEMBER, lambda: emu.tap_start(MEMBER, f"c_{code}"), "")
    await emu.wait_until(lambda: store.campaign_by_code(code)["visits"] == 1, 5, "visit counted")
    await act(tg, ADMIN, tap(tg, ADMIN, "Mes campagnes"), "Terminées récemment")
    assert (
        "Campagne A : l'essentiel et les 6 semaines, une fois.\nTerminée.\nPublications : 1. Venus par son lien : 1."
        in emu.texts(ADMIN)[-1]
    )
    # 30 days idle (the session is dropped): an old menu's button still works, for its own group
    tg.clock.set(datetime(2026, 12, 30, 10, 0, tzinfo=PARIS))
    await tg.app.tick()
    assert store.get_session(f"telegram:{ADMIN}:{ADMIN}") is None
    first_menu = next(
        m
        for m in emu.sent[ADMIN]
        if "« Collectif Santé Libre »" in m["text"] and any(b["text"] == "Mes campagnes" for b in emu.buttons(ADMIN, m))
    )
    got = await act(
        tg,
        ADMIN,
        lambda: emu.press(ADMIN, label="Mes campagnes", message_id=first_menu["message_id"]),
        "dans « Collectif Santé Libre »",
    )
    assert not any("seuls les administrateurs" in t for t in got)
    # an old wizard button, with no place in it and two groups: she is asked which, nothing guessed
    store.delete_session(f"telegram:{ADMIN}:{ADMIN}")
    old_kind = next(m for m in emu.sent[ADMIN] if any(b["text"] == "Une fois" for b in emu.buttons(ADMIN, m)))
    await act(tg, ADMIN, lambda: emu.press(ADMIN, label="Une fois", message_id=old_kind["message_id"]), "Lequel ?")
    # no longer admin of the second group: only the first is offered, and chosen without asking
    emu.set_admins(GROUP2, admins=[], creator=CREATOR)
    tg.backend._admin_cache.clear()
    await act(tg, ADMIN, lambda: emu.private_message(ADMIN, "/campagne"), "« Collectif Santé Libre » : 0 campagne")


async def test_thirty_days_idle_old_buttons_still_work_and_the_name_is_hers(tg):
    emu, store = tg.emu, tg.app.store
    emu.group(GROUP, "Groupe 1234", admins=[ADMIN], creator=CREATOR)
    emu.add_users([ADMIN])
    await open_menu(tg)
    await act(tg, ADMIN, tap(tg, ADMIN, "Nom du collectif"), "Écrivez le nouveau nom")
    await act(tg, ADMIN, lambda: emu.private_message(ADMIN, "Collectif VIH 44"), "« Collectif VIH 44 »")
    assert store.collective_by_chat("telegram", str(GROUP))["name"] == "Collectif VIH 44"
    tg.clock.set(datetime(2026, 12, 22, 10, 0, tzinfo=PARIS))
    await tg.app.tick()
    assert store.get_session(f"telegram:{ADMIN}:{ADMIN}") is None
    before = tg.steps
    await act(tg, ADMIN, lambda: emu.press(ADMIN, label="Nouvelle campagne"), "Quel message publier")
    assert tg.steps - before == 1  # one tap, not "/campagne in the group" again
    # still an admin is checked again: demoted, the same button is refused
    emu.set_admins(GROUP, admins=[], creator=CREATOR)
    tg.backend._admin_cache.clear()
    await act(tg, ADMIN, lambda: emu.press(ADMIN, label="Écrire mon texte"), "seuls les administrateurs")


async def schedule_weekly(env, day_label="Jeudi", time_label="18:00"):
    await act(env, ADMIN, tap(env, ADMIN, "Nouvelle campagne"), "Quel message publier")
    await act(env, ADMIN, tap(env, ADMIN, "L'essentiel"), first(env, "campaign/ask_kind"))
    await act(env, ADMIN, tap(env, ADMIN, "Chaque semaine"), first(env, "campaign/ask_weekday"))
    await act(env, ADMIN, tap(env, ADMIN, day_label), first(env, "campaign/ask_time"))
    await act(env, ADMIN, tap(env, ADMIN, time_label), "Je programme cette campagne ?")
    await act(env, ADMIN, tap(env, ADMIN, "Oui, programmer"), "Campagne programmée")


async def test_bot_added_says_hello_removed_holds_and_tells_admins_back_resumes(tg):
    emu, store = tg.emu, tg.app.store
    emu.group(GROUP, "Collectif Santé Libre", admins=[ADMIN], creator=CREATOR)
    emu.add_users([ADMIN, MEMBER])
    # added to the group: a short public hello that says how admins and members start
    got = await expect(emu, GROUP, lambda: emu.member_update(GROUP, ADMIN, "left", "member"), "/campagne")
    assert "Administrateurs" in got[-1] and "Membres" in got[-1]
    await open_menu(tg)
    await schedule_weekly(tg)  # Thursday 26 November, 18:00
    coll = store.collective_by_chat("telegram", str(GROUP))
    [c] = store.list_campaigns(coll["id"])
    # removed from the group: the campaign waits and the admin is told, in private
    await expect(
        emu, ADMIN, lambda: emu.member_update(GROUP, ADMIN, "member", "left"), "retiré de « Collectif Santé Libre »"
    )
    assert store.get_campaign(c["id"])["status"] == "held"
    assert "1 campagne est en attente" in emu.texts(ADMIN)[-1]
    n_group = len(emu.sent[GROUP])
    tg.clock.set(datetime(2026, 11, 26, 18, 0, 30, tzinfo=PARIS))
    await tg.app.tick()
    assert len(emu.sent[GROUP]) == n_group  # nothing tried while away
    # added back: resumes by itself at the next Thursday, the admin is told
    await expect(emu, ADMIN, lambda: emu.member_update(GROUP, ADMIN, "left", "member"), "de retour dans")
    assert "1 campagne reprend" in emu.texts(ADMIN)[-1]
    row = store.get_campaign(c["id"])
    assert row["status"] == "active" and row["next_at"].startswith("2026-12-03")
    tg.clock.set(datetime(2026, 12, 3, 18, 0, 30, tzinfo=PARIS))
    await tg.app.tick()
    await emu.wait_until(lambda: "Un message de « Collectif Santé Libre »" in emu.texts(GROUP)[-1], 5, "post")


async def test_a_post_that_cannot_go_out_is_reported_to_the_admin(tg):
    emu, store = tg.emu, tg.app.store
    emu.group(GROUP, "Collectif", admins=[ADMIN], creator=CREATOR)
    emu.add_users([ADMIN])
    await open_menu(tg)
    await schedule_weekly(tg)
    # the bot lost its right to write without a membership update reaching us: the send is refused
    emu.chats[GROUP].blocked = True
    tg.clock.set(datetime(2026, 11, 26, 18, 0, 30, tzinfo=PARIS))
    n0 = len(emu.sent[ADMIN])
    await tg.app.tick()
    await emu.wait_until(lambda: any("retiré de « Collectif »" in t for t in emu.texts(ADMIN)[n0:]), 5, "notice")
    coll = store.collective_by_chat("telegram", str(GROUP))
    assert [c["status"] for c in store.list_campaigns(coll["id"])] == ["held"]


def add_followers(env, users, group=GROUP):
    env.emu.add_users(users)
    coll = env.app.store.ensure_collective("telegram", str(group))
    env.app.store.add_followers_bulk(coll["id"], [(f"telegram:{u}", "telegram", str(u), "fr") for u in users])
    return coll


async def request_announcement(env):
    emu = env.emu
    await act(env, ADMIN, tap(env, ADMIN, "Annonce aux abonnés"), "Quel message envoyer")
    await act(env, ADMIN, tap(env, ADMIN, "L'essentiel"), "Annonce de « Collectif »")
    await emu.wait_until(lambda: any(b.get("text") == "Oui, envoyer" for b in emu.buttons(ADMIN)), 5, "send")
    await act(env, ADMIN, tap(env, ADMIN, "Oui, envoyer"), "retirer la demande")


@pytest.fixture
async def tg2(tmp_path):
    env = await start_env(tmp_path, broadcast_approval_threshold=2)
    env.steps = 0
    yield env
    await env.stop()
    await env.emu.stop()
    env.app.store.close()


async def test_approval_refused_then_granted_the_requester_is_told_and_can_withdraw(tg2):
    env, emu = tg2, tg2.emu
    emu.group(GROUP, "Collectif", admins=[ADMIN], creator=CREATOR)
    emu.add_users([ADMIN, CREATOR])
    await open_menu(env)
    followers = [401, 402, 403]
    add_followers(env, followers)
    # 1. refused: the requester is told, in private, nothing is sent
    await request_announcement(env)
    token = link(emu, ADMIN, "v_")
    await expect(emu, CREATOR, lambda: emu.tap_start(CREATOR, token), "Un administrateur de « Collectif »")
    await expect(emu, ADMIN, lambda: emu.press(CREATOR, label="Je refuse"), "a refusé votre annonce")
    await env.app.tick()
    assert all(not emu.sent[u] for u in followers)
    # 2. asked again, then withdrawn by the requester: the approver's link is spent
    await request_announcement(env)
    token = link(emu, ADMIN, "v_")
    await act(env, ADMIN, tap(env, ADMIN, "Retirer la demande"), "Demande retirée")
    await expect(emu, CREATOR, lambda: emu.tap_start(CREATOR, token), first(env, "campaign/approval_gone"))
    # 3. asked again and approved: told, then the wave goes out
    await request_announcement(env)
    token = link(emu, ADMIN, "v_")
    await expect(emu, CREATOR, lambda: emu.tap_start(CREATOR, token), "Vous approuvez")
    await expect(emu, ADMIN, lambda: emu.press(CREATOR, label="J'approuve"), "a approuvé votre annonce")
    await env.app.tick()
    assert [len(emu.sent[u]) for u in followers] == [1, 1, 1]
    assert "Annonce de « Collectif »" in emu.texts(401)[-1]


async def test_stop_a_running_wave_from_its_progress_message_with_confirmation(tg):
    import asyncio

    emu, store = tg.emu, tg.app.store
    emu.group(GROUP, "Collectif", admins=[ADMIN], creator=CREATOR)
    emu.add_users([ADMIN])
    await open_menu(tg)
    users = list(range(6000, 6040))
    add_followers(tg, users)
    await request_announcement_small(tg)
    emu.slow(0.08, method="sendmessage")  # a wave that takes a few seconds of real time
    wave = asyncio.create_task(tg.app.tick())
    await emu.wait_until(lambda: any(b.get("text") == "Arrêter l'envoi" for b in emu.buttons(ADMIN)), 5, "progress")
    progress_id = next(m["message_id"] for m in reversed(emu.sent[ADMIN]) if "Envoi commencé" in m["text"])
    await act(tg, ADMIN, tap(tg, ADMIN, "Arrêter l'envoi"), "Arrêter l'envoi de l'annonce de « Collectif » ?")
    await act(tg, ADMIN, tap(tg, ADMIN, "Oui, arrêter l'envoi"), "C'est arrêté")
    await asyncio.wait_for(wave, 15)
    emu.faults.clear()
    got = sum(len(emu.sent[u]) for u in users)
    assert 0 < got < len(users)
    [b] = store.list_broadcasts(store.collective_by_chat("telegram", str(GROUP))["id"], 1)
    assert b["status"] == "stopped" and b["sent"] == got
    # one progress message, edited in place into the final report (no stop button left)
    progress = emu.messages[(ADMIN, progress_id)]
    assert progress["text"].startswith("Envoi arrêté") and progress.get("_edits", 0) >= 1
    assert not [m for m in emu.sent[ADMIN] if m["text"].startswith("Envoi arrêté") and m["message_id"] != progress_id]


async def request_announcement_small(env):
    emu = env.emu
    await act(env, ADMIN, tap(env, ADMIN, "Annonce aux abonnés"), "Quel message envoyer")
    await act(env, ADMIN, tap(env, ADMIN, "L'essentiel"), "Annonce de « Collectif »")
    await emu.wait_until(lambda: any(b.get("text") == "Oui, envoyer" for b in emu.buttons(ADMIN)), 5, "send")
    await act(env, ADMIN, tap(env, ADMIN, "Oui, envoyer"), "Annonce en file")


async def test_schedules_in_words_a_past_time_keeps_her_place_publish_now_edit_and_stop(tg):
    emu, store = tg.emu, tg.app.store
    emu.group(GROUP, "Collectif", admins=[ADMIN], creator=CREATOR)
    emu.add_users([ADMIN])
    await open_menu(tg)
    coll = store.collective_by_chat("telegram", str(GROUP))
    # weekly, in words, day and time in one message (Sunday 22 November 2026, 10:00)
    tg.steps = 0
    await act(tg, ADMIN, tap(tg, ADMIN, "Nouvelle campagne"), "Quel message publier")
    await act(tg, ADMIN, tap(tg, ADMIN, "L'essentiel"), first(tg, "campaign/ask_kind"))
    await act(tg, ADMIN, tap(tg, ADMIN, "Chaque semaine"), "Quel jour de la semaine")
    await act(tg, ADMIN, lambda: emu.private_message(ADMIN, "jeudi 18h"), "chaque jeudi à 18:00")
    await act(tg, ADMIN, tap(tg, ADMIN, "Oui, programmer"), "jeudi 26 novembre 2026 à 18:00")
    weekly_steps = tg.steps
    # countdown, in words, with its time: "le 15 décembre à 18h"
    tg.steps = 0
    await act(tg, ADMIN, tap(tg, ADMIN, "Nouvelle campagne"), "Quel message publier")
    await act(tg, ADMIN, tap(tg, ADMIN, "Jeunes parents"), first(tg, "campaign/ask_kind"))
    await act(tg, ADMIN, tap(tg, ADMIN, "Compte à rebours"), "le 13 décembre")  # the example is 3 weeks ahead
    await act(tg, ADMIN, lambda: emu.private_message(ADMIN, "le 15 décembre à 18h"), first(tg, "campaign/ask_offsets"))
    await act(
        tg, ADMIN, tap(tg, ADMIN, "J-7 et J-1"), "compte à rebours avant le mardi 15 décembre 2026 (J-7, J-1), à 18:00"
    )
    await act(tg, ADMIN, tap(tg, ADMIN, "Oui, programmer"), "Campagne programmée")
    countdown_steps = tg.steps
    # once, today at 10:00 when it is 10:00: a kind message, and still on the time step
    await act(tg, ADMIN, tap(tg, ADMIN, "Nouvelle campagne"), "Quel message publier")
    await act(tg, ADMIN, tap(tg, ADMIN, "Fermer un espace"), first(tg, "campaign/ask_kind"))
    await act(tg, ADMIN, tap(tg, ADMIN, "Une fois"), "Quel jour publier")
    await act(tg, ADMIN, lambda: emu.private_message(ADMIN, "aujourd'hui"), first(tg, "campaign/ask_time"))
    got = await act(tg, ADMIN, tap(tg, ADMIN, "10:00"), first(tg, "campaign/ask_time"))  # the time step again
    assert "10:00, c'est déjà passé pour le dimanche 22 novembre 2026 (il est 10:00)" in got[0]
    await act(tg, ADMIN, lambda: emu.private_message(ADMIN, "18h30"), "le dimanche 22 novembre 2026 à 18:30")
    await act(tg, ADMIN, tap(tg, ADMIN, "Annuler"), first(tg, "campaign/cancelled"))
    # publish now: straight from the wizard
    tg.steps = 0
    n_group = len(emu.sent[GROUP])
    await act(tg, ADMIN, tap(tg, ADMIN, "Nouvelle campagne"), "Quel message publier")
    await act(tg, ADMIN, tap(tg, ADMIN, "18 ans"), first(tg, "campaign/ask_kind"))
    await act(tg, ADMIN, tap(tg, ADMIN, "Maintenant"), "Je le publie maintenant ?")
    await act(tg, ADMIN, tap(tg, ADMIN, "Oui, publier maintenant"), "C'est publié dans « Collectif »")
    now_steps = tg.steps
    assert len(emu.sent[GROUP]) == n_group + 1 and "18 ans" in emu.sent[GROUP][-1]["text"]
    # the list: one entry per campaign, on its own lines, lettered, with its counts, no code
    await act(tg, ADMIN, lambda: emu.private_message(ADMIN, "/campagne"), "Que voulez-vous faire")
    listing = (await act(tg, ADMIN, tap(tg, ADMIN, "Mes campagnes"), "Campagnes en cours"))[-1]
    assert "\n\nCampagne A : l'essentiel et les 6 semaines, chaque jeudi.\n" in listing
    assert "\n\nCampagne B : jeunes parents, compte à rebours" in listing
    assert "Publications : 0. Venus par son lien : 0." in listing
    weekly, countdown = store.list_campaigns(coll["id"])
    assert weekly["code"] not in listing
    # edit the weekly campaign's time and day: same code (same QR, same links)
    tg.steps = 0
    await act(tg, ADMIN, tap(tg, ADMIN, "Modifier A"), "Que voulez-vous changer")
    await act(tg, ADMIN, tap(tg, ADMIN, "Le jour"), "Quel jour de la semaine")
    await act(tg, ADMIN, lambda: emu.private_message(ADMIN, "mardi 9h"), "Campagne A modifiée")
    edit_steps = tg.steps
    row = store.get_campaign(weekly["id"])
    assert (row["weekday"], row["at_time"], row["code"]) == (1, "09:00", weekly["code"])
    assert row["next_at"].startswith("2026-11-24T08:00")
    # stop, with a confirmation
    tg.steps = 0
    await act(tg, ADMIN, tap(tg, ADMIN, "Arrêter B"), "Arrêter la campagne B")
    assert store.get_campaign(countdown["id"])["status"] == "active"
    await act(tg, ADMIN, tap(tg, ADMIN, "Oui, arrêter"), first(tg, "campaign/stopped"))
    assert store.get_campaign(countdown["id"])["status"] == "stopped"
    stop_steps = tg.steps
    print(
        f"STEPS weekly={weekly_steps} countdown={countdown_steps} now={now_steps} edit={edit_steps} stop={stop_steps}"
    )


async def test_edit_the_words_of_a_scheduled_campaign_keeps_its_link(tg):
    emu, store = tg.emu, tg.app.store
    emu.group(GROUP, "Collectif", admins=[ADMIN], creator=CREATOR)
    emu.add_users([ADMIN])
    await open_menu(tg)
    await act(tg, ADMIN, tap(tg, ADMIN, "Nouvelle campagne"), "Quel message publier")
    await act(tg, ADMIN, tap(tg, ADMIN, "Écrire mon texte"), "Écrivez votre message")
    await act(tg, ADMIN, lambda: emu.private_message(ADMIN, "Réunion jeudi"), first(tg, "campaign/ask_kind"))
    await act(tg, ADMIN, tap(tg, ADMIN, "Chaque semaine"), "Quel jour de la semaine")
    await act(tg, ADMIN, lambda: emu.private_message(ADMIN, "jeudi 18h"), "Je programme")
    await act(tg, ADMIN, tap(tg, ADMIN, "Oui, programmer"), "Campagne programmée")
    coll = store.collective_by_chat("telegram", str(GROUP))
    [c] = store.list_campaigns(coll["id"])
    await act(tg, ADMIN, lambda: emu.private_message(ADMIN, "/campagne"), "Que voulez-vous faire")
    await act(tg, ADMIN, tap(tg, ADMIN, "Mes campagnes"), "Campagnes en cours")
    await act(tg, ADMIN, tap(tg, ADMIN, "Modifier A"), "Que voulez-vous changer")
    await act(tg, ADMIN, tap(tg, ADMIN, "Le texte"), "Écrivez votre message")
    await act(
        tg,
        ADMIN,
        lambda: emu.message(
            ADMIN,
            ADMIN,
            "Réunion mardi, permanence 02 40 12 34 56",
            entities=[{"type": "bold", "offset": 0, "length": 7}],
        ),
        "numéro de téléphone",
    )
    assert any("Campagne A modifiée" in t for t in emu.texts(ADMIN)[-3:])
    assert [b["text"] for b in emu.buttons(ADMIN)] == ["Garder tel quel", "Modifier le texte"]
    row = store.get_campaign(c["id"])
    assert row["code"] == c["code"] and row["custom_text"] == "Réunion mardi, permanence 02 40 12 34 56"
    assert row["custom_html"].startswith("<b>Réunion</b>")
    tg.clock.set(datetime(2026, 11, 26, 18, 0, 30, tzinfo=PARIS))
    n0 = len(emu.sent[GROUP])
    await tg.app.tick()
    await emu.wait_for(GROUP, n0 + 1)
    post = emu.sent[GROUP][-1]
    assert "02 40 12 34 56" in post["text"] and "<b>Réunion</b>" in post["_raw"]
    assert f"start=c_{c['code']}" in emu.buttons(GROUP, post)[0]["url"]


async def test_command_menus_per_scope_and_stats_answered_in_private(tg):
    emu = tg.emu
    emu.group(GROUP, "Collectif", admins=[ADMIN], creator=CREATOR)
    emu.add_users([ADMIN, MEMBER])
    await emu.wait_until(
        lambda: emu.visible_commands(GROUP, ADMIN, "de") == ["campagne", "stats", "aide"], 5, "admin menu"
    )
    # as the Telegram client resolves scopes: admins see /campagne and /stats, members do not,
    # and neither sees private commands like /oubli or /rappels in the group
    assert emu.visible_commands(GROUP, MEMBER, "fr") == ["aide"]
    assert emu.visible_commands(GROUP, ADMIN, "en") == ["campaign", "stats", "help"]
    assert emu.visible_commands(GROUP, ADMIN, "de") == ["campagne", "stats", "aide"]
    private = emu.visible_commands(MEMBER, MEMBER, "fr")
    assert "oubli" in private and "campagne" not in private
    # /stats in the group: the same neutral pointer to private for everyone, never a refusal there
    for user in (MEMBER, ADMIN):
        got = await expect(emu, GROUP, lambda user=user: emu.command(GROUP, user, "stats"), "en privé")
        assert not any("seuls les administrateurs" in t for t in got)
    payload = link(emu, GROUP, "s_")
    await expect(emu, ADMIN, lambda: emu.tap_start(ADMIN, payload), "Chiffres du collectif")
    await expect(emu, MEMBER, lambda: emu.tap_start(MEMBER, payload), "seuls les administrateurs")


async def test_announcement_in_her_words_formatting_kept_warning_then_sent_as_is(tg):
    emu = tg.emu
    emu.group(GROUP, "Collectif Santé Libre", admins=[ADMIN], creator=CREATOR)
    emu.add_users([ADMIN])
    await open_menu(tg)
    add_followers(tg, [501, 502])
    await act(tg, ADMIN, tap(tg, ADMIN, "Annonce aux abonnés"), "abonnés de « Collectif Santé Libre »")
    await act(tg, ADMIN, tap(tg, ADMIN, "Écrire mon texte"), "Écrivez votre message")
    text = "Réunion sur la santé mentale jeudi. Permanence : 02 40 12 34 56"
    await act(
        tg,
        ADMIN,
        lambda: emu.message(ADMIN, ADMIN, text, entities=[{"type": "bold", "offset": 0, "length": 7}]),
        "Envoyer tel quel ?",
    )
    preview = next(m for m in reversed(emu.sent[ADMIN]) if "Réunion" in m["text"])
    assert text in preview["text"] and "<b>Réunion</b>" in preview["_raw"]
    assert "Annonce de « Collectif Santé Libre »" in preview["text"]
    await act(tg, ADMIN, tap(tg, ADMIN, "Oui, envoyer tel quel"), "Annonce en file")
    await tg.app.tick()
    await emu.wait_until(lambda: emu.sent[501] and emu.sent[502], 5, "announcement")
    got = emu.sent[501][-1]
    assert (
        text in got["text"]
        and "<b>Réunion</b>" in got["_raw"]
        and "Annonce de « Collectif Santé Libre »" in got["text"]
    )


async def test_an_at_mention_in_a_group_gets_the_hello_not_silence_and_not_every_time(tg):
    emu = tg.emu
    emu.group(GROUP, "Collectif", admins=[ADMIN], creator=CREATOR)
    emu.add_users([MEMBER])
    got = await expect(emu, GROUP, lambda: emu.group_message(GROUP, MEMBER, f"@{BOT} tu sers à quoi ?"), "/campagne")
    assert "Membres" in got[-1]
    n = len(emu.sent[GROUP])
    emu.group_message(GROUP, MEMBER, f"merci @{BOT}")
    emu.group_message(GROUP, MEMBER, "bonjour tout le monde")
    await emu.wait_until(lambda: emu.pending_updates() == 0, 5, "updates read")
    await expect(emu, GROUP, lambda: emu.command(GROUP, MEMBER, "aide"), "")  # the bot is still answering
    assert not any("Administrateurs" in t for t in emu.texts(GROUP)[n:])  # one hello, not one per mention


async def test_an_old_campaign_button_acts_on_its_own_group_not_the_last_one_opened(tg):
    emu, store = tg.emu, tg.app.store
    emu.group(GROUP, "Collectif Santé Libre", admins=[ADMIN], creator=CREATOR)
    emu.group(GROUP2, "Parents Vigilants", admins=[ADMIN], creator=CREATOR)
    emu.add_users([ADMIN])
    await open_menu(tg)
    await schedule_weekly(tg)
    await act(tg, ADMIN, lambda: emu.private_message(ADMIN, "/campagne"), "Que voulez-vous faire")
    listing = await act(tg, ADMIN, tap(tg, ADMIN, "Mes campagnes"), "Campagne A")
    list_msg = next(m for m in reversed(emu.sent[ADMIN]) if "Campagne A" in m["text"])
    # she opens the second group, then taps "Pause A" on the first group's list
    await act(tg, GROUP2, lambda: emu.command(GROUP2, ADMIN, "campagne"), first(tg, "campaign/group_admin", 12))
    await act(tg, ADMIN, lambda: emu.tap_start(ADMIN, link(emu, GROUP2, "a_")), "« Parents Vigilants »")
    got = await act(
        tg,
        ADMIN,
        lambda: emu.press(ADMIN, label="Pause A", message_id=list_msg["message_id"]),
        "Campagnes en cours dans « Collectif Santé Libre »",
    )
    assert got[0].startswith(first(tg, "campaign/paused"))
    c1 = store.collective_by_chat("telegram", str(GROUP))
    assert [c["status"] for c in store.list_campaigns(c1["id"])] == ["paused"]
    assert "Campagne A" in listing[-1]

"""Collectives through the whole bot and the real python-telegram-bot against the Bot API
emulator (tests/support/telegram_env.py): waves, /campagne in a group, posts, follow/unfollow,
approval, a blocked follower, a crash in the middle of a wave."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.support.telegram_env import start_env

GROUP = -1001234


@pytest.fixture
async def tg(tmp_path):
    env = await start_env(tmp_path)
    yield env
    await env.stop()
    await env.emu.stop()
    env.app.store.close()


def add_followers(env, users, group=GROUP):
    env.emu.add_users(users)
    coll = env.app.store.ensure_collective("telegram", str(group))
    env.app.store.add_followers_bulk(coll["id"], [(f"telegram:{u}", "telegram", str(u), "fr") for u in users])
    return coll


@pytest.mark.parametrize("in_flight,flood_second_to_last", [(1, False), (4, False), (4, True)])
async def test_wave_tail_last_follower_gets_one_copy_and_wave_is_done(tg, in_flight, flood_second_to_last):
    users = list(range(3000, 3030))
    coll = add_followers(tg, users)
    br = tg.app.services.broadcaster
    br.concurrency = in_flight
    if flood_second_to_last:
        tg.emu.flood(1, chat_id=users[-2])  # 429 retry_after=1 near the end of the wave
    bid = tg.app.store.create_broadcast(coll["id"], "basics", custom_text=None, requested_by="t", needs_approval=False)[
        "id"
    ]
    for _ in range(3):  # bounded: a 429 may leave one for the next tick
        await tg.app.tick()
        if tg.app.store.get_broadcast(bid)["status"] == "done":
            break
    got = Counter({u: len(tg.emu.sent[u]) for u in users})
    assert set(got.values()) == {1}, {u: n for u, n in got.items() if n != 1}
    assert got[users[-1]] == 1
    b = tg.app.store.get_broadcast(bid)
    assert (b["status"], b["sent"], b["failed"]) == ("done", len(users), 0)
    assert tg.app.store.db["deliveries"].count == 0
    assert br.stats[bid]["r429"] == (1 if flood_second_to_last else 0)


# -- conversations through the emulator ------------------------------------------------------------
BOT = "mesbot_test_bot"
ADMIN, CREATOR, MEMBER = 201, 200, 202


def first(env, key: str, n: int = 30, **vars) -> str:
    """The beginning of a French template as the user sees it."""
    return env.app.renderer.render(key, "fr", **vars)[:n]


def link(emu, chat: int, prefix: str) -> str:
    """The deep-link payload of the last t.me button starting with ``prefix`` in a chat."""
    for m in reversed(emu.sent[chat]):
        for row in (m.get("reply_markup") or {}).get("inline_keyboard", []):
            for b in row:
                url = b.get("url") or ""
                if f"t.me/{BOT}?start={prefix}" in url:
                    return url.split("?start=", 1)[1]
    raise AssertionError(f"no {prefix} link in chat {chat}: {emu.texts(chat)[-3:]}")


async def expect(emu, chat: int, action, want: str, timeout: float = 5.0) -> list[str]:
    """Do ``action`` and wait for a new message in ``chat`` containing ``want``."""
    n0 = len(emu.sent[chat])
    action()
    await emu.wait_until(lambda: any(want in t for t in emu.texts(chat)[n0:]), timeout, repr(want))
    return emu.texts(chat)[n0:]


def press(emu, chat, label):
    return lambda: emu.press(chat, label=label)


async def open_admin_menu(env, user=ADMIN) -> None:
    emu = env.emu
    await expect(emu, GROUP, lambda: emu.command(GROUP, user, "campagne"), first(env, "campaign/group_admin"))
    payload = link(emu, GROUP, "a_")
    await expect(emu, user, lambda: emu.tap_start(user, payload), "Que voulez-vous faire")


async def test_campagne_admin_non_admin_and_anonymous_admin_in_a_group(tg):
    emu, store = tg.emu, tg.app.store
    emu.group(GROUP, "Collectif", admins=[ADMIN], creator=CREATOR)
    emu.add_users([ADMIN, MEMBER])
    # a member who is not an admin: polite refusal, nothing created
    got = await expect(emu, GROUP, lambda: emu.command(GROUP, MEMBER, "campagne"), first(tg, "campaign/refused"))
    assert len(got) == 1 and not emu.buttons(GROUP)
    assert store.collective_by_chat("telegram", str(GROUP)) is None
    # the admin: a button that continues in private; nothing else in the group
    await open_admin_menu(tg)
    coll = store.collective_by_chat("telegram", str(GROUP))
    assert coll is not None and store.list_campaigns(coll["id"]) == []
    # the member taps the admin's link: refused in private, still nothing changes
    payload = link(emu, GROUP, "a_")
    await expect(emu, MEMBER, lambda: emu.tap_start(MEMBER, payload), first(tg, "campaign/refused"))
    assert "Que voulez-vous faire" not in " ".join(emu.texts(MEMBER))
    # an anonymous admin (GroupAnonymousBot, sender_chat = the group) is accepted
    n0 = len(emu.sent[GROUP])
    await expect(
        emu, GROUP, lambda: emu.anonymous_admin_message(GROUP, f"/campagne@{BOT}"), first(tg, "campaign/group_admin")
    )
    assert link(emu, GROUP, "a_") == payload and len(emu.sent[GROUP]) == n0 + 1


async def test_preview_confirm_schedule_and_post_into_the_group(tg):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    emu, store = tg.emu, tg.app.store
    emu.group(GROUP, "Collectif", admins=[ADMIN], creator=CREATOR)
    emu.add_users([ADMIN, MEMBER])
    await open_admin_menu(tg)
    await expect(emu, ADMIN, press(emu, ADMIN, "Nouvelle campagne"), "Quel message publier")
    await expect(emu, ADMIN, press(emu, ADMIN, "L'essentiel"), first(tg, "campaign/ask_kind"))
    await expect(emu, ADMIN, press(emu, ADMIN, "Une fois"), "Quel jour publier")
    await expect(emu, ADMIN, lambda: emu.private_message(ADMIN, "24/11/2026"), first(tg, "campaign/ask_time"))
    await expect(emu, ADMIN, press(emu, ADMIN, "18:00"), first(tg, "campaign/preview_intro", name=None))
    await emu.wait_until(lambda: any(b.get("text") == "Oui, programmer" for b in emu.buttons(ADMIN)), 5, "confirm")
    preview = "\n".join(emu.texts(ADMIN)[-3:])
    assert "6 semaines" in preview and "3422" in preview and "24 novembre" in preview
    assert emu.sent[GROUP][-1]["text"].startswith(first(tg, "campaign/group_admin"))  # nothing posted yet
    await expect(emu, ADMIN, press(emu, ADMIN, "Oui, programmer"), "Campagne programmée")
    coll = store.collective_by_chat("telegram", str(GROUP))
    [c] = store.list_campaigns(coll["id"])
    assert c["status"] == "active" and c["kind"] == "once"
    # the injected clock: nothing before the time, one post at the time, nothing after
    n0 = len(emu.sent[GROUP])
    tg.clock.set(datetime(2026, 11, 24, 17, 59, tzinfo=ZoneInfo("Europe/Paris")))
    await tg.app.tick()
    assert len(emu.sent[GROUP]) == n0
    tg.clock.set(datetime(2026, 11, 24, 18, 0, 30, tzinfo=ZoneInfo("Europe/Paris")))
    await tg.app.tick()
    await emu.wait_for(GROUP, n0 + 1)
    post = emu.sent[GROUP][-1]
    assert "Mon espace santé" in post["text"] and "Rien de personnel ici" in post["text"]
    code = link(emu, GROUP, "c_")[2:]
    assert code == c["code"]
    tg.clock.set(datetime(2026, 11, 25, 18, 0, 30, tzinfo=ZoneInfo("Europe/Paris")))
    await tg.app.tick()
    assert len(emu.sent[GROUP]) == n0 + 1 and store.get_campaign(c["id"])["status"] == "done"
    # a member taps the post's button: personal reminders in private, nothing in the group
    n_member = len(emu.sent[MEMBER])
    emu.tap_start(MEMBER, f"c_{code}")
    await emu.wait_for(MEMBER, n_member + 1)
    assert len(emu.sent[GROUP]) == n0 + 1


async def test_follow_announce_and_unsubscribe_button(tg):
    emu, store = tg.emu, tg.app.store
    emu.group(GROUP, "Collectif", admins=[ADMIN], creator=CREATOR)
    emu.add_users([ADMIN, MEMBER, 203])
    await open_admin_menu(tg)
    await expect(emu, GROUP, press(emu, ADMIN, "Inviter à suivre"), "Recevez les annonces")
    payload = link(emu, GROUP, "f_")
    for user in (MEMBER, 203):
        await expect(emu, user, lambda user=user: emu.tap_start(user, payload), first(tg, "follow/ask"))
        await expect(emu, user, press(emu, user, "Oui, suivre"), first(tg, "follow/done"))
    coll = store.collective_by_chat("telegram", str(GROUP))
    assert store.follower_count(coll["id"]) == 2
    # /suivis lists it; the unsubscribe button there works too
    await expect(emu, 203, lambda: emu.private_message(203, "/suivis"), "Vous suivez 1 collectif")
    await expect(emu, 203, press(emu, 203, "Me désabonner"), first(tg, "follow/stopped"))
    assert store.follower_count(coll["id"]) == 1
    # the admin announces; the member gets it in private with an unsubscribe button
    await expect(emu, ADMIN, press(emu, ADMIN, "Annonce aux abonnés"), "Quel message envoyer")
    await expect(emu, ADMIN, press(emu, ADMIN, "L'essentiel"), first(tg, "campaign/preview_intro", name=None))
    await emu.wait_until(lambda: any(b.get("text") == "Oui, envoyer" for b in emu.buttons(ADMIN)), 5, "send")
    await expect(emu, ADMIN, press(emu, ADMIN, "Oui, envoyer"), "Annonce en file")
    n203 = len(emu.sent[203])
    await tg.app.tick()
    await emu.wait_until(lambda: "Annonce de « Collectif »" in (emu.texts(MEMBER) or [""])[-1], 5, "announcement")
    assert len(emu.sent[203]) == n203  # unsubscribed: nothing
    assert [b["text"] for b in emu.buttons(MEMBER)] == ["Me désabonner"]
    await expect(emu, MEMBER, press(emu, MEMBER, "Me désabonner"), first(tg, "follow/stopped"))
    assert store.follower_count(coll["id"]) == 0
    assert any("Envoyés : 1 sur 1" in t for t in emu.texts(ADMIN))


async def test_second_admin_approves_above_threshold_and_blocked_follower_is_reported(tmp_path):
    env = await start_env(tmp_path, broadcast_approval_threshold=2)
    emu, store = env.emu, env.app.store
    try:
        emu.group(GROUP, "Collectif", admins=[ADMIN], creator=CREATOR)
        emu.add_users([ADMIN, CREATOR])
        await open_admin_menu(env)
        followers = [401, 402, 403]
        coll = add_followers(env, followers)
        emu.block(402)
        await expect(emu, ADMIN, press(emu, ADMIN, "Annonce aux abonnés"), "Quel message envoyer")
        await expect(emu, ADMIN, press(emu, ADMIN, "L'essentiel"), first(env, "campaign/preview_intro", name=None))
        await emu.wait_until(lambda: any(b.get("text") == "Oui, envoyer" for b in emu.buttons(ADMIN)), 5, "send")
        await expect(emu, ADMIN, press(emu, ADMIN, "Oui, envoyer"), "deuxième administrateur")
        token = link(emu, ADMIN, "v_")
        await env.app.tick()
        assert all(not emu.sent[u] for u in followers)  # waits for the approval
        # the requester cannot approve it
        await expect(emu, ADMIN, lambda: emu.tap_start(ADMIN, token), first(env, "campaign/approve_self"))
        # the second admin (the creator) sees the message and approves
        await expect(emu, CREATOR, lambda: emu.tap_start(CREATOR, token), "Vous approuvez")
        await expect(emu, CREATOR, press(emu, CREATOR, "J'approuve"), first(env, "campaign/approved"))
        await env.app.tick()
        assert [len(emu.sent[u]) for u in followers] == [1, 0, 1]
        assert store.follower_count(coll["id"]) == 2  # the one who blocked is removed
        assert not store.get_user("telegram:402") or not store.get_user("telegram:402")["active"]
        report = [t for t in emu.texts(ADMIN) if "Envoyés" in t][-1]
        assert "Envoyés : 2 sur 3" in report and "bloqué le bot (retirées de la liste) : 1" in report
        # the token is spent
        await expect(emu, CREATOR, lambda: emu.tap_start(CREATOR, token), first(env, "campaign/approval_gone"))
    finally:
        await env.stop()
        await emu.stop()
        env.app.store.close()


class Crash(BaseException):
    """Stands for the process dying (nothing catches it)."""


@pytest.mark.parametrize("in_flight", [1, 4])
async def test_crash_in_the_middle_of_a_wave_resumes_nothing_lost(tmp_path, in_flight):
    from tests.support.telegram_emulator import Emulator

    emu = await Emulator().start()
    env = await start_env(tmp_path, emu=emu)
    users = list(range(5000, 5040))
    try:
        coll = add_followers(env, users)
        bid = env.app.store.create_broadcast(
            coll["id"], "close", custom_text=None, requested_by="t", needs_approval=False
        )["id"]
        env.app.services.broadcaster.concurrency = in_flight
        orig = env.backend.send

        async def dying(chat_id, reply, paid=False):
            mid = await orig(chat_id, reply, paid=paid)
            if sum(len(emu.sent[u]) for u in users) >= 17:
                raise Crash()  # delivered, but never recorded
            return mid

        env.backend.send = dying
        with pytest.raises(Crash):
            await env.app.tick()
        first_run = {u: len(emu.sent[u]) for u in users}
        assert 17 <= sum(first_run.values()) < len(users)
    finally:
        env.backend.send = orig
        await env.stop()
        env.app.store.close()
    # the process restarts on the same database
    env2 = await start_env(tmp_path, emu=emu)
    try:
        env2.app.services.broadcaster.concurrency = in_flight
        await env2.app.tick()
        final = {u: len(emu.sent[u]) for u in users}
        assert min(final.values()) == 1  # nothing lost
        dups = {u: n for u, n in final.items() if n > 1}
        assert len(dups) <= in_flight and set(dups.values()) <= {2}, dups  # at most one per message in flight
        b = env2.app.store.get_broadcast(bid)
        assert (b["status"], b["sent"]) == ("done", len(users))
    finally:
        await env2.stop()
        await emu.stop()
        env2.app.store.close()

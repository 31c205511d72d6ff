"""The collectives' journeys, set up once for every test that needs them (fake backend, real
router, store and templates): an admin's private menu for a group, a campaign scheduled through
the wizard, an announcement requested, followers, and reading the posts."""

from __future__ import annotations

from tests.support.harness import Chat


async def admin_session(app, backend, user: str = "admin1", group: str = "-100") -> Chat:
    """An admin of ``group`` types /campagne there, then opens the private link: her place's menu."""
    backend.admins.add((user, group))
    g = Chat(app, backend, user=user, chat=group, direct=False)
    await g.say("/campagne")
    assert g.keys == ["campaign/group_admin"]
    link = g.last[0].private_start
    assert link and link.startswith("a_")
    p = Chat(app, backend, user=user)
    await p.start(link)
    assert "campaign/menu" in p.keys
    return p


async def schedule_campaign(
    p: Chat,
    template: str = "L'essentiel",
    kind: str = "Une fois",
    *,
    day: str | None = "30/11/2026",
    weekday: str | None = None,
    countdown: str | None = None,
    time: str | None = "10:00",
    yes: str | None = "Oui",
) -> None:
    """The new-campaign wizard from the place's menu: a text (button label), how often, the day
    (typed), the weekday or the countdown days (buttons), the time (button), then her yes.
    A step given as None is skipped ("Maintenant" has no day and no time); ``yes=None`` stops at
    the preview."""
    await p.press("Nouvelle campagne")
    await p.press(template)
    await p.press(kind)
    if weekday:
        await p.press(weekday)
    elif day and kind != "Maintenant":
        await p.say(day)
    if countdown:
        await p.press(countdown)
    if time and kind != "Maintenant":
        await p.press(time)
    assert "campaign/preview_schedule" in p.keys, p.keys
    if yes:
        await p.press(yes)


async def campaign_list(p: Chat) -> None:
    """One campaign (L'essentiel, once on Monday 30 November 10:00), then "Mes campagnes"."""
    await schedule_campaign(p)
    await p.press("Mes campagnes")
    assert "campaign/list" in p.keys


def setup_followers(app, n: int, group: str = "-100") -> dict:
    """``n`` followers of the collective of ``group`` (f0, f1…), straight into the store."""
    coll = app.store.ensure_collective("fake", group)
    app.store.add_followers_bulk(coll["id"], [(f"fake:f{i}", "fake", f"f{i}", "fr") for i in range(n)])
    return coll


async def request_broadcast(p: Chat, custom: str | None = None) -> None:
    """An announcement to the followers from the place's menu: her words or "L'essentiel", then yes."""
    await p.press("Annonce aux abonnés")
    if custom:
        await p.press("Écrire mon texte")
        await p.say(custom)
    else:
        await p.press("L'essentiel")
    assert "campaign/bcast_confirm" in p.keys
    await p.press("Oui, envoyer")


def start_of(post) -> str:
    """The deep-link payload of a post's "Mes rappels pour refuser" link button."""
    [url] = [b.url for b in post.flat_buttons() if b.url]
    return url.split("?start=", 1)[1]


def posts_to(backend, chat: str) -> list:
    return [r for c, r in backend.sent if c == chat]

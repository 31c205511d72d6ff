"""How many messages and taps an organiser needs for each collectives journey (issue 19).

Runs each journey through the real router, store and templates (tests/harness.py, fake
transport) and counts what the organiser does (typed messages, button taps, links opened)
and how many messages the bot sends her.  ``--before`` runs the same journeys written for
the code before issue 19 (numbers only for dates, no edit, no "now"...); run it against that
tree to compare, e.g.:

    python bench/collectives_steps.py                       # this tree
    PYTHONPATH=/path/to/old/tree python bench/collectives_steps.py --before

A journey that the code cannot do prints "impossible" and why.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.harness import Chat, make_app  # noqa: E402 - after the sys.path line above

PARIS = ZoneInfo("Europe/Paris")


class Organiser:
    """The admin, counting her actions and the bot's messages to her."""

    def __init__(self, app, backend, user="admin1"):
        self.app, self.backend = app, backend
        self.private = Chat(app, backend, user=user)
        self.group = {g: Chat(app, backend, user=user, chat=g, direct=False) for g in ("-100", "-200")}
        self.actions = 0
        self.received = 0

    async def _count(self, coro):
        self.actions += 1
        replies = await coro
        self.received += len(replies)
        return replies

    async def say(self, text):
        return await self._count(self.private.say(text))

    async def press(self, label):
        return await self._count(self.private.press(label))

    async def open_from_group(self, group="-100"):
        await self._count(self.group[group].say("/campagne"))
        await self._count(self.private.start(self.group[group].last[0].private_start))

    @property
    def text(self):
        return self.private.text


# -- journeys on this tree ------------------------------------------------------------------------
async def weekly(o, **_):
    await o.open_from_group()
    for label in ("Nouvelle campagne", "L'essentiel", "Chaque semaine"):
        await o.press(label)
    await o.say("jeudi 18h")
    await o.press("Oui")
    assert "Campagne programmée" in o.text


async def countdown(o, **_):
    await o.open_from_group()
    for label in ("Nouvelle campagne", "Jeunes parents", "Compte à rebours"):
        await o.press(label)
    await o.say("le 15 décembre à 18h")
    await o.press("J-7 et J-1")
    await o.press("Oui")
    assert "Campagne programmée" in o.text


async def own_words(o, **_):
    await o.open_from_group()
    for label in ("Nouvelle campagne", "Écrire mon texte"):
        await o.press(label)
    await o.say("Un suivi psychiatrique, une IVG, un traitement VIH... Permanence : 02 40 12 34 56")
    await o.press("Une fois")
    await o.say("le 15 décembre à 18h")
    assert "02 40 12 34 56" in o.text and "psychiatrique, une IVG" in o.text  # kept, with the question
    await o.press("Oui")
    assert "Campagne programmée" in o.text


async def publish_now(o, **_):
    await o.open_from_group()
    for label in ("Nouvelle campagne", "18 ans", "Maintenant", "Oui"):
        await o.press(label)
    assert "C'est publié" in o.text


async def edit_time(o, **_):
    await weekly(o)
    o.actions = o.received = 0
    for label in ("Mes campagnes", "Modifier A", "L'heure", "12:00"):
        await o.press(label)
    assert "modifiée" in o.text


async def stop(o, **_):
    await weekly(o)
    o.actions = o.received = 0
    for label in ("Mes campagnes", "Arrêter A", "Oui, arrêter"):
        await o.press(label)
    assert "arrêtée" in o.text.lower()


async def idle_30_days(o, clock, **_):
    await weekly(o)
    clock.set(datetime(2026, 12, 22, 10, 0, tzinfo=PARIS))
    await o.app.tick()
    o.actions = o.received = 0
    await o.press("Nouvelle campagne")  # an old button of the menu
    assert "Quel message publier" in o.text


async def switch_group(o, **_):
    await o.open_from_group("-100")
    await o.open_from_group("-200")
    o.actions = o.received = 0
    await o.say("/campagne")
    await o.press("-100")  # the fake transport has no titles: the chat id
    assert "campagne(s) en cours" in o.text


async def removed_and_back(o, **_):
    await weekly(o)
    o.actions = o.received = 0
    membership = o.app.services.bot_membership
    await membership("fake", "-100", False)
    await membership("fake", "-100", True, joined=True)
    coll = o.app.store.collective_by_chat("fake", "-100")
    assert [c["status"] for c in o.app.store.list_campaigns(coll["id"])] == ["active"]
    o.received += sum(1 for chat, _ in o.backend.sent if chat == "admin1")


AFTER = {
    "weekly": weekly,
    "countdown": countdown,
    "own_words": own_words,
    "publish_now": publish_now,
    "edit_time": edit_time,
    "stop": stop,
    "idle_30_days": idle_30_days,
    "switch_group": switch_group,
    "removed_and_back": removed_and_back,
}


# -- the same journeys, as they had to be done before issue 19 ----------------------------------------
async def b_weekly(o, **_):
    await o.open_from_group()
    for label in ("Nouvelle campagne", "L'essentiel", "Chaque semaine", "Jeudi", "18:00", "Oui"):
        await o.press(label)
    assert "Campagne programmée" in o.text


async def b_countdown(o, **_):
    await o.open_from_group()
    for label in ("Nouvelle campagne", "Jeunes parents", "Compte à rebours"):
        await o.press(label)
    await o.say("15/12")
    for label in ("J-7 et J-1", "18:00", "Oui"):
        await o.press(label)
    assert "Campagne programmée" in o.text


async def b_own_words(o, **_):
    await o.open_from_group()
    for label in ("Nouvelle campagne", "Écrire mon texte"):
        await o.press(label)
    await o.say("Un suivi psychiatrique, une IVG, un traitement VIH... Permanence : 02 40 12 34 56")
    await o.press("Une fois")
    await o.say("15/12")
    await o.press("18:00")
    cut = "02 40 12 34 56" not in o.text
    await o.press("Oui")
    assert "Campagne programmée" in o.text
    return "her words cut in the preview and the post" if cut else None


async def b_edit_time(o, **_):
    await b_weekly(o)
    o.actions = o.received = 0
    for label in ("Mes campagnes", "Arrêter n°1"):  # no edit: stop, then create it again (a new QR code)
        await o.press(label)
    await o.press("Retour")
    for label in ("Nouvelle campagne", "L'essentiel", "Chaque semaine", "Jeudi", "12:00", "Oui"):
        await o.press(label)
    return "a new code: the printed QR codes and shared links no longer count for it"


async def b_stop(o, **_):
    await b_weekly(o)
    o.actions = o.received = 0
    for label in ("Mes campagnes", "Arrêter n°1"):
        await o.press(label)
    return "no confirmation"


async def b_idle_30_days(o, clock, **_):
    await b_weekly(o)
    clock.set(datetime(2026, 12, 22, 10, 0, tzinfo=PARIS))
    await o.app.tick()
    o.actions = o.received = 0
    await o.press("Nouvelle campagne")  # refused: "seuls les administrateurs..."
    await o.open_from_group()
    await o.press("Nouvelle campagne")
    assert "Quel message publier" in o.text


async def b_switch_group(o, **_):
    await o.open_from_group("-100")
    await o.open_from_group("-200")
    o.actions = o.received = 0
    await o.open_from_group("-100")  # /campagne in private opens the last group opened
    assert "Que voulez-vous faire" in o.text


async def b_removed_and_back(o, clock, **_):
    await b_weekly(o)
    o.backend.blocked.add("-100")  # removed: Thursday's post fails, the campaign pauses
    clock.set(datetime(2026, 11, 26, 18, 0, 30, tzinfo=PARIS))
    await o.app.tick()
    o.backend.blocked.discard("-100")  # added back: nothing happens by itself
    o.actions = o.received = 0
    for label in ("Mes campagnes", "Reprendre n°1"):  # only if she notices: nobody is told
        await o.press(label)
    return "only if she notices (nobody is told), then by hand"


BEFORE = {
    "weekly": b_weekly,
    "countdown": b_countdown,
    "own_words": b_own_words,
    "publish_now": None,
    "edit_time": b_edit_time,
    "stop": b_stop,
    "idle_30_days": b_idle_30_days,
    "switch_group": b_switch_group,
    "removed_and_back": b_removed_and_back,
}


async def run(journeys: dict) -> None:
    print(f"{'journey':<18} {'her actions':>11} {'bot messages':>12}  note")
    for name, fn in journeys.items():
        if fn is None:
            print(f"{name:<18} {'impossible':>11} {'':>12}  the code has no such step")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            app, backend, clock = make_app(Path(tmp))
            for g in ("-100", "-200"):
                backend.admins.add(("admin1", g))
            o = Organiser(app, backend)
            note = await fn(o, clock=clock)
            print(f"{name:<18} {o.actions:>11} {o.received:>12}  {note or ''}")
            app.store.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", action="store_true", help="the journeys as written for the code before issue 19")
    args = p.parse_args()
    asyncio.run(run(BEFORE if args.before else AFTER))


if __name__ == "__main__":
    main()

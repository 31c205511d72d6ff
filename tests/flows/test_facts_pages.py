"""Every page neutral, complete and exact (issue 13): the new answer pages, both ways forward after a
deadline, a fair summary when asked to choose, the facts added to the pages, and the French fixes.
Real router, store and templates (tests/support/harness.py)."""

import re

import pytest

from bot.knowledge import factsheet
from bot.core.render import LOCALES, Renderer
from tests.support.harness import Chat

R = Renderer()
NEW_PAGES = (
    "understand:decide",
    "understand:notice",
    "understand:dmp",
    "children:teen",
    "after:refused_before",
    "others:abroad",
)
#: what a neutral page never says
PUSH = re.compile(
    r"bravo|félicit|ce n'est pas grave|c'est la bonne décision|vous devriez|je vous conseille|"
    r"n'attendez pas|le mieux : agir|well done|that is all right|you should",
    re.I,
)


def _all_texts(locale):
    from tests.unit.test_factsheet import _samples

    samples = _samples()
    for key in sorted(R.template_keys(locale)):
        for vars in samples.get(key, [{}]):
            try:
                yield key, R.render(key, locale, **vars)
            except Exception:
                continue


@pytest.mark.parametrize("target", NEW_PAGES)
async def test_new_pages_live_at_their_targets_with_buttons(app_env, target):
    """The question recogniser routes to these exact "flow:state" targets (a goto button is the same jump)."""
    app, backend, _ = app_env
    flow, state = target.split(":")
    assert app.router.reg.state(flow, state) is not None, target
    for locale, menu, back in (("fr", "Menu", "Retour"), ("en", "Menu", "Back")):
        c = Chat(app, backend, user=f"{target}-{locale}", locale=locale)
        await c.start()
        c.last = await app.handle(c._event(kind="button", choice=f"g:{target}"))
        assert c.keys == [f"{flow}/{state}"], c.keys
        assert menu in c.labels and back in c.labels and len(c.labels) >= 4  # closest pages, back, home
        assert len(c.text) <= 700 and not PUSH.search(c.text)


@pytest.mark.parametrize(
    "text",
    [
        "Je m'oppose ou pas ? dites-moi quoi faire",
        "je suis trans, est-ce que je devrais refuser ?",
        "refuser ou garder, vous me conseillez quoi ?",
    ],
)
async def test_asked_to_choose_gives_both_sides_and_rights(chat, text):
    await chat.start()
    await chat.say(text)
    assert chat.keys[-1] == "understand/decide", chat.keys  # after the line saying which topic was understood
    t = chat.text
    assert "Je ne choisis pas pour vous" in t
    assert "Certains refusent" in t and "D'autres le gardent" in t
    assert "fermer plus tard" in t and "changer d'avis" in t and "médecin traitant" in t
    assert not PUSH.search(t)
    assert "Comment refuser" in chat.labels and "Le garder, mais limiter" in chat.labels  # both ways, side by side


async def test_how_to_refuse_is_not_taken_for_a_request_to_choose(chat):
    await chat.start()
    await chat.say("comment refuser en ligne ?")
    assert chat.keys != ["understand/decide"]


async def test_deadline_result_offers_refuse_keep_and_understand(chat):
    await chat.start()
    await chat.say("reçu le 10 novembre")
    assert chat.keys == ["deadline/result"]
    for label in (
        "Refuser en ligne",
        "Refuser par téléphone",
        "Le garder (et le limiter)",
        "Comprendre avant de choisir",
    ):
        assert label in chat.labels, label
    assert "Si vous le gardez, vous n'avez rien à faire" in chat.text
    assert not PUSH.search(chat.text)
    await chat.press("Le garder")
    assert chat.keys == ["after/restrict"] and "médecin traitant" in chat.text and "2022" in chat.text
    await chat.say("reçu le 10 novembre")
    await chat.press("Comprendre avant de choisir")
    assert chat.keys == ["understand/decide"]


async def test_deadline_today_says_today_not_that_day(app_env):
    from tests.support.harness import make_app  # noqa: F401 (the fixture already built the app at 2026-11-22)

    app, backend, _ = app_env
    c = Chat(app, backend, user="today")
    await c.say("reçu le 11 octobre")  # last day 22 November = today
    assert "Ce jour-là" not in c.text


@pytest.mark.parametrize("locale", LOCALES)
def test_no_template_pushes_or_congratulates(locale):
    for key, text in _all_texts(locale):
        assert not PUSH.search(text), (key, PUSH.search(text).group(0))
    keep = R.render("understand/debate_keep", locale)
    assert "2 %" not in keep and "2%" not in keep  # a figure is not a reason to keep it


def test_medecin_traitant_caveat_wherever_blocking_or_masking_is_explained():
    for key, text in _all_texts("fr"):
        if re.search(r"\b(masqu|bloqu)\w*", text) and not key.startswith(("campaign/bcast", "reminders/")):
            assert "médecin traitant" in text, key
    for key, text in _all_texts("en"):
        if re.search(r"\b(mask|block|hide)\w*", text, re.I) and not key.startswith(("campaign/bcast", "reminders/")):
            assert "regular doctor" in text, key


def test_a_2022_screen_is_said_to_be_from_2022():
    cites = factsheet.citations(R.root, "fr")
    for key, ids in cites.items():
        if any(i.startswith("ui_2022") for i in ids):
            text = (R.root / "fr" / f"{key}.j2").read_text(encoding="utf-8")
            assert "2022" in text and re.search(r"chang|vérifier", text), key


def test_french_a_careful_reader_flagged():
    fr = "\n".join(t for _k, t in _all_texts("fr"))
    for bad in (
        "Je suis le décret",
        "de 1 an",
        "puni de 1",
        "votre Mon espace santé",
        "son propre Mon espace santé",
        "My Mon espace santé",
        "Assurance maladie",
        "Vous êtes sourd ",
        "Vous êtes sourd ?",
        "Vous êtes prévenu",
        "Vous êtes informé",
        "Le mieux : agir aujourd'hui",
    ):
        assert bad not in fr, bad
    en = "\n".join(t for _k, t in _all_texts("en")) + "\n".join(R.labels("en").values())
    assert "Assurance maladie" not in en and not re.search(r"(?i)\b(my|your|their) Mon espace santé", en)


CONSOLE_NUMBERED_OK = {"campaign/flyer_steps", "campaign/list"}  # a printed flyer; a list whose numbers are the choices


@pytest.mark.parametrize("locale", LOCALES)
def test_no_numbered_list_inside_a_chat_message(locale):
    """The console numbers the choices: a "1." inside the text would read as a choice."""
    for key, text in _all_texts(locale):
        if key in CONSOLE_NUMBERED_OK:
            continue
        assert not re.search(r"(?m)^\s*\d+\. ", text), key


async def test_privacy_warning_is_not_followed_by_not_understood(chat):
    await chat.start()
    await chat.say("mon numéro est 1 85 05 78 006 084 36")
    assert chat.keys[0] == "core/privacy_warning"
    assert not set(chat.keys) & {
        "core/not_understood",
        "core/not_understood_first",
        "questions/outside",
        "questions/unsure",
    }, chat.keys
    assert "Je n'ai pas compris" not in chat.text
    assert chat.labels  # the choices are shown again


async def test_not_understood_says_below_only_when_choices_follow(chat):
    await chat.start()
    await chat.say("reçu le 10 novembre")
    await chat.say("zorglub")
    assert chat.keys == ["core/not_understood"]
    assert "ci-dessous" in chat.text and chat.labels  # the result's choices come again below
    await chat.say("/menu")
    await chat.say("zorglub")
    assert "ci-dessous" in chat.text and chat.labels


async def test_forget_and_privacy_say_the_same_about_what_is_kept(chat):
    await chat.start()
    await chat.say("/confidentialite")
    never = "\n".join(r.text for r in chat.last)
    await chat.say("/oubli")
    confirm = chat.text
    kept = R.render("privacy/kept", "fr")
    assert kept in confirm and kept in never
    await chat.press("Oui, tout effacer")
    assert kept in chat.text


async def test_refuse_ready_needs_no_ameli_account_and_lost_card_is_3422(chat):
    await chat.start("refuse")
    await chat.press("en ligne")
    while "refuse/ready" not in chat.keys:
        await chat.press("Suite")
    assert "Pas besoin de compte ameli" in chat.text
    assert "perdue, volée" in chat.text and "3422" in chat.text


async def test_phishing_page_describes_a_genuine_notice(chat):
    await chat.start("refuse")
    await chat.press("en ligne")
    await chat.press("Suite")
    assert chat.keys == ["refuse/phishing"]
    assert "assurance-maladie@info.ameli.fr" in chat.text
    assert "jamais de payer" in chat.text and "SMS qui demande de payer est une arnaque" in chat.text


def test_eighteen_year_olds_campaign_and_conversation_agree():
    conv, camp = R.render("children/adult", "fr"), R.render("campaign/body_adults18", "fr")
    for text in (conv, camp):
        assert "existe" in text and "déjà" in text and "fermer" in text and "refuser" in text
        assert "semaines après l'envoi" in text


async def test_parents_learn_a_childs_space_may_already_exist(chat):
    await chat.start()
    await chat.press("Pour mon enfant")
    assert "existe peut-être déjà" in chat.text
    await chat.press("Un adolescent")
    assert chat.keys == ["children/teen"]
    assert "pas accès lui-même" in chat.text and "soignant" in chat.text
    assert "existe peut-être déjà" in R.render("campaign/body_parents", "fr")


@pytest.mark.parametrize(
    "text,key",
    [
        ("je n'ai pas internet", "others/offline"),
        ("France services", "others/offline"),
        ("je veux aider ma mère âgée", "others/relative"),
    ],
)
async def test_in_person_help_and_an_elderly_parent_are_reachable(chat, text, key):
    await chat.start()
    await chat.say(text)
    assert chat.keys[-1] == key, chat.keys


async def test_new_pages_are_reachable_from_the_menus(chat):
    await chat.start()
    await chat.press("Je veux comprendre")
    await chat.press("Autres sujets")
    for label, key in (
        ("m'aider à décider", "understand/decide"),
        ("pas compris le mail", "understand/notice"),
        ("ancien DMP", "understand/dmp"),
    ):
        await chat.say("/menu")
        await chat.press("Je veux comprendre")
        await chat.press("Autres sujets")
        await chat.press(label)
        assert chat.keys == [key], (label, chat.keys)
    await chat.press("J'ai déjà refusé en 2022")
    assert chat.keys == ["after/refused_before"] and "3422" in chat.text
    await chat.start("others")
    await chat.press("étranger")
    assert chat.keys == ["others/abroad"] and "Nos sources ne le disent pas" in chat.text


def test_a_request_to_choose_is_told_from_a_how_to_question():
    """The recognizer tells "choose for me" (the fair summary) from "how do I refuse" (the steps)."""
    from bot.lang import intents

    for q in (
        "Je m'oppose ou pas ? dites-moi quoi faire",
        "je suis trans, est-ce que je devrais refuser ?",
        "je dois le refuser ?",
        "vous me conseillez quoi",
        "should I opt out?",
        "faut-il refuser",
        "je refuse ou pas",
    ):
        r = intents.classify(q)
        assert (r.kind, r.best) == ("answer", "decide"), (q, r.kind, r.best)
    for q in (
        "comment refuser en ligne",
        "je veux refuser",
        "je m'oppose",
        "je dois garder une preuve ?",
        "mon espace a deja été créé je fais quoi",
    ):
        assert intents.classify(q).best != "decide", q

"""Guidance conversations, as a person who knows nothing lives them; every fact checked
against the project's fact sheet bot/knowledge/facts.toml (numbers come from bot/knowledge/facts.py, which reads it)."""

import pytest

from bot.knowledge import facts
from tests.support.harness import Chat, make_app


async def _read_all(chat, limit=12):
    """Press "Suite" until there is none; return every text seen."""
    seen = [chat.text]
    for _ in range(limit):
        if "Suite" not in chat.labels:
            break
        await chat.press("Suite")
        seen.append(chat.text)
    return "\n".join(seen)


async def test_newcomer_learns_what_it_is_then_refuses_online(chat):
    await chat.start()
    await chat.press("Je veux comprendre")
    assert chat.keys == ["understand/start"]
    assert "sauf si la personne dit non" in chat.text and "pas obligatoire" in chat.text
    text = await _read_all(chat)
    assert chat.keys == ["understand/choice"]
    for must in (
        "remboursements",
        "messages de prévention",
        "équipe de soins",
        "L1111-16",
        "masqués",
        "Samu",
        "refuser cet accès d'urgence",
        "d'un an de prison",
        "15 000 € d'amende",
        "Même si vous êtes d'accord",
        "La Quadrature du Net",
        "6 semaines après son envoi",
        "INS",
        "directives anticipées",
        "personne de confiance",
        "don d'organes",
        "sans vous le demander",
        "motif légitime",
    ):
        assert must in text, must
    assert "moins de 2 %" not in text  # a figure is not a reason to keep it (neutral)
    await chat.press("Refuser en ligne")
    assert chat.keys == ["refuse/online"]
    assert facts.PORTAL in chat.text and "même pour refuser" in chat.text
    text = await _read_all(chat)
    assert chat.keys == ["refuse/proof"]
    for must in (
        "pour demander votre code ? Ne le donnez pas",
        "quand c'est vous qui appelez",
        "code provisoire",
        "numéro de sécurité sociale",
        "à droite de la photo",
        "au dos, en haut à gauche",
        "Je m'oppose à la création de Mon espace santé",
        "datent de 2022",
        "capture",
        "ne le confirment pas",
    ):
        assert must in text, must


async def test_back_buttons_walk_backwards(chat):
    await chat.say("/menu")
    await chat.press("Je veux comprendre")
    await chat.press("Suite")
    assert chat.keys == ["understand/contents"]
    await chat.press("Retour")
    assert chat.keys == ["understand/start"]
    await chat.press("Autres sujets")
    await chat.press("Mon médecin traitant")
    assert chat.keys == ["understand/doctor"]
    assert "à vérifier" in chat.text  # how the app applies L1111-16 is an open question


async def test_lost_code_path(chat):
    await chat.say("/menu")
    await chat.say("je veux refuser")
    assert chat.keys == ["questions/understood", "refuse/start"]
    await chat.press("Refuser en ligne")
    await chat.press("Suite")
    await chat.press("Suite")
    assert chat.keys == ["refuse/ready"]
    await chat.press("perdu mon code")
    assert chat.keys == ["refuse/code"]
    assert "Générer un nouveau code provisoire" in chat.text and "date de naissance" in chat.text


@pytest.mark.parametrize(
    "now, expect",
    [
        ("2026-11-23T10:00:00+01:00", "En ce moment, c'est ouvert"),  # Monday
        ("2026-11-22T10:00:00+01:00", "Prochaine ouverture : demain, à 8 h 30"),  # Sunday
        ("2026-11-23T17:45:00+01:00", "Prochaine ouverture : demain, à 8 h 30"),  # Monday evening
        ("2026-11-23T07:00:00+01:00", "Prochaine ouverture : aujourd'hui, à 8 h 30"),  # Monday early
        ("2026-12-25T10:00:00+01:00", "Prochaine ouverture : lundi 28 décembre 2026, à 8 h 30"),  # Christmas, Friday
        ("2026-07-14T09:00:00+02:00", "Prochaine ouverture : demain, à 8 h 30"),  # Bastille Day, Tuesday
    ],
)
async def test_phone_open_now_and_next_opening(tmp_path, now, expect):
    app, backend, _clock = make_app(tmp_path, now=now)
    c = Chat(app, backend)
    await c.start("refuse")
    await c.press("Par téléphone")
    assert c.keys == ["refuse/phone"]
    assert "du lundi au vendredi, de 8 h 30 à 17 h 30" in c.text
    assert "Les jours fériés, c'est sans doute fermé" in c.text
    assert "service gratuit + prix de l'appel" in c.text
    assert expect in c.text
    assert "fuseau" not in c.text  # a Paris user gets no time-zone note
    await c.press("Suite")
    assert "confirmation écrite" in c.text and "pas garanti" in c.text
    await c.press("Suite")
    assert facts.VIDEO_SERVICE in c.text and "appel vidéo" in c.text
    app.store.close()


async def test_phone_time_zone_note_outside_mainland(tmp_path):
    app, backend, _clock = make_app(tmp_path, now="2026-11-23T10:00:00+01:00")
    c = Chat(app, backend)
    await c.say("/menu")
    app.store.set_user("fake:u1", tz="America/Martinique")
    await c.say("le 3422 c'est ouvert ?")
    assert c.keys == ["questions/understood", "refuse/phone"]
    assert "ne donnent pas de fuseau horaire" in c.text and "heure de Paris" in c.text
    app.store.close()


async def test_after_deadline_close_path(chat):
    await chat.say("/menu")
    await chat.press("existe déjà")
    assert chat.keys == ["after/start"]
    assert "le garder" in chat.text and "le fermer" in chat.text  # both ways, neither pushed
    await chat.press("Le fermer")
    text = await _read_all(chat)
    for must in (
        "Clôture du profil",
        "3422",
        "10 ans",
        "effacées plus tôt",
        "3 mois au plus",
        "à tout moment",
        "Cette case suffit-elle encore ? C'est à vérifier",
        "rouvrir",
        "chaque enfant",
        "Ce n'est pas vérifié",
    ):
        assert must in text, must


async def test_keep_but_restrict_and_the_limit(chat):
    await chat.start("after")
    await chat.press("limiter")
    assert chat.keys == ["after/restrict"]
    for must in ("bloquer", "masquer", "urgence", "Samu", "messages de prévention", "qui a ouvert"):
        assert must in chat.text
    await chat.press("Suite")
    assert chat.keys == ["after/limit"]
    assert "même aux documents masqués" in chat.text and "L1111-16" in chat.text


async def test_children_path(chat):
    await chat.say("/menu")
    await chat.press("Pour mon enfant")
    text = await _read_all(chat)
    for must in (
        "propre espace",
        "parent qui a déclaré",
        "un par un",
        "18 ans",
        "informé de nouveau",
        "existe peut-être déjà",
        "Nos sources ne le disent pas",
        "quel que soit le régime",
        "c'est à vérifier",
    ):
        assert must in text, must


async def test_others_and_offline(chat):
    await chat.start("others")
    assert chat.keys == ["others/start"]
    await chat.press("Sans internet")
    assert "France services" in chat.text and "CPAM" in chat.text and "3422" in chat.text
    await chat.press("Retour")
    await chat.press("proche")
    assert "il doit être d'accord" in chat.text
    await chat.press("Retour")
    await chat.press("protégé")
    assert "à vérifier" in chat.text


async def test_sources_command_pages_links_and_date(chat):
    await chat.say("/sources")
    assert chat.keys == ["sources/list"]
    pages_seen = [chat.text]
    for _ in range(12):
        if "Suite" not in chat.labels:
            break
        await chat.press("Suite")
        pages_seen.append(chat.text)
    assert "30 novembre 2026" in pages_seen[-1] and "docs/facts.md" in pages_seen[-1]
    names = "\n".join(pages_seen)
    for _sid, name, url in facts.SOURCES:  # each source once: what it backs, its name, then its link
        assert names.count(url) == 1 and names.count(name) == 1, name
        assert names.index(name) < names.index(url)
    assert "french-business-law" not in names
    assert all(len(p) <= 700 for p in pages_seen)
    assert not [b for r in chat.last for b in r.flat_buttons() if b.url]  # links are in the text, not a second list
    await chat.say("suite")  # on the last page: not "je n'ai pas compris"
    assert chat.keys == ["sources/last"] and "Retour" in chat.labels
    await chat.press("Retour")
    assert chat.keys == ["sources/list"] and chat.text == pages_seen[-2]


async def test_sources_suite_typed_turns_the_page(chat):
    await chat.say("/sources")
    first = chat.text
    await chat.say("suite")
    assert chat.keys == ["sources/list"] and chat.text != first and "page 2" in chat.text


async def test_sources_described_in_english(app_env):
    app, backend, _ = app_env
    chat = Chat(app, backend, locale="en")
    await chat.say("/sources")
    assert "My official sources" in chat.text
    assert "6-week window" in chat.text
    assert "délai" not in chat.text


async def test_sources_in_a_group(app_env):
    app, backend, _ = app_env
    g = Chat(app, backend, chat="g1", direct=False)
    await g.say("/sources")
    assert g.keys == ["sources/list"]


async def test_entry_points_other_areas_link_to(app_env):
    reg = app_env[0].router.reg
    for target in (
        "understand:start",
        "refuse:online",
        "refuse:phone",
        "after:start",
        "after:close",
        "after:restrict",
        "children:start",
        "others:start",
        "sources:start",
    ):
        flow, state = target.split(":")
        assert reg.state(flow, state) is not None, target


async def test_english_walkthrough(app_env):
    app, backend, _ = app_env
    c = Chat(app, backend, locale="en")
    await c.start("after")
    await c.press("Close it")
    await c.press("Next")
    assert "10 years" in c.text and "3 months at most" in c.text


async def test_window_answer_counts_from_sending_and_flags_wrong_sources(chat):
    await chat.say("/menu")
    await chat.say("combien de temps j'ai pour refuser ?")
    assert chat.keys == ["questions/understood", "questions/window"]
    for must in (
        "6 semaines",
        "à partir de l'envoi",
        "pas du jour où vous le recevez",
        "« après la réception »",
        "« 1 mois »",
        "Ce n'est pas ce que dit le décret",
    ):
        assert must in chat.text, must

"""Held-out questions: written before reading the keyword tables of bot/lang/intents.py.

Each question is typed as the FIRST message of a new conversation and goes through the real
router (privacy screen, commands, interceptors, the dates interceptor), so what is measured is
what a user sees.  Each row gives the outcomes that count as right:

- an intent name: the page of that topic is shown;
- several names: the question is ambiguous, any of them answered is right;
- ``out``: the "my sources do not answer this" page;
- ``date``: the deadline flow takes the message (it states a date);
- ``greeting`` / ``thanks``.

Outcomes: *right* (answered with one of the expected outcomes), *offered* (the "unsure" page
with buttons, one of which is expected; for ``out`` rows any offer counts, since no topic is
answered), *wrong* (anything else: another topic answered, "outside" for an in-scope question,
buttons that do not contain the topic).  A wrong answer is worse than offered buttons.

First pass, before any change to bot/lang/intents.py or flows/questions.py (222 questions):
    right 159 (72%), offered 29 (13%), wrong 34 (15%)
After a first round of general changes (normalisation, stems, sub-topics, off-topic scoring,
synonyms) tuned while looking at the failures of this first set: 200 right (90%), 20 offered, 2 wrong.
So a second set, HELDOUT_2 (109 questions), was written only then; its first pass measures
how those changes generalise:
    right 76 (70%), offered 12 (11%), wrong 21 (19%)
Then a general mechanism, a nearest-neighbour second opinion over labelled examples
(bot/intent_examples.py: the old corpus and HELDOUT, never HELDOUT_2), without new words:
    HELDOUT_2: right 80 (73%), offered 11 (10%), wrong 18 (17%)
(Three rows of HELDOUT_2 turned out identical to old-corpus questions; they were reworded
afterwards so that the set stays unseen by the examples; the figures below are with the new wording.)
Then synonyms added while looking at HELDOUT_2's failures (so from here HELDOUT_2 is no longer
unseen), a stricter rule for the examples overriding the keyword leader, and a named day in a
question about a dateless topic no longer taken as a notice date:
    HELDOUT:   right 206 (93%), offered 15 (7%), wrong 1 (0%)
    HELDOUT_2: right 90 (83%), offered 16 (15%), wrong 3 (3%)
Leave-one-out over the 540 labelled examples (each classified with itself removed from the
neighbours; the keyword table has seen them all): right 492 (91%), offered 38 (7%), wrong 10 (2%).
"""

from __future__ import annotations

import asyncio

from bot.lang import intents
from bot.lang.textnorm import fold
from tests.support.harness import Chat, make_app

FR, EN = "fr", "en"
#: measured on this set (see the README); a drop below fails
RIGHT_AT_LEAST, WRONG_AT_MOST = 0.80, 0.06

#: The first set (222 questions) became training data (locales/<lang>/nlu/examples.toml) and is no
#: longer kept here: a test sentence is never also a training example.

#: A second set, written after the first round of changes and never tuned against before its
#: first pass was recorded (see the module docstring): the honest measure of generalisation.
HELDOUT_2: list[tuple[str, tuple[str, ...], str]] = [
    (
        "bonjour je viens de recevoir un truc de l'assurance maladie sur un espace santé, c'est quoi ?",
        ("what_is", "received"),
        FR,
    ),
    ("c'est un nouveau site de la secu ?", ("what_is",), FR),
    ("explique moi mon espace santé en 2 mots", ("what_is",), FR),
    ("what exactly is mon espace sante", ("what_is",), EN),
    ("on met quoi dans ce dossier ?", ("contents",), FR),
    ("mes comptes rendus d'hospitalisation seront visibles dedans ?", ("contents",), FR),
    ("est-ce que mes ordonnances y sont", ("contents",), FR),
    ("does it include my prescriptions", ("contents",), EN),
    ("les infirmiers à domicile peuvent le consulter ?", ("access",), FR),
    ("un medecin que je connais pas peut lire mes resultats ?", ("access",), FR),
    ("tout le monde à l'hôpital peut regarder mon dossier ??", ("access",), FR),
    ("can any doctor read my file", ("access", "doctor"), EN),
    ("mon médecin de famille a accès à tout même si je cache", ("doctor",), FR),
    ("est-ce que je peux empêcher mon médecin traitant de voir certains documents", ("doctor", "restrict"), FR),
    ("si je fais un malaise dans la rue ils vont regarder mon dossier ?", ("emergency",), FR),
    ("je veux pas que le 15 voie mon dossier", ("emergency",), FR),
    ("can paramedics see my records", ("emergency",), EN),
    ("mon assurance habitation peut consulter ?", ("never",), FR),
    ("un employeur peut me demander de montrer mon espace santé lors d'un entretien d'embauche ?", ("never",), FR),
    ("ma complémentaire santé va voir mes maladies ?", ("never",), FR),
    ("can an insurance company ask for it", ("never",), EN),
    ("franchement ça vaut le coup de le garder ?", ("debate",), FR),
    ("c'est quoi les risques au juste", ("debate",), FR),
    ("pourquoi les assos disent de refuser", ("debate",), FR),
    ("what are the downsides", ("debate",), EN),
    ("j'ai le droit de ne pas l'avoir ?", ("compulsory",), FR),
    ("est-ce que je suis obligée d'avoir ce dossier", ("compulsory",), FR),
    ("do I have to accept", ("compulsory",), EN),
    ("je souhaite m'opposer à la création de mon espace santé", ("refuse",), FR),
    ("comment refuser ce truc", ("refuse",), FR),
    ("i want to refuse it", ("refuse",), EN),
    ("ça se fait en ligne ?", ("online",), FR),
    ("le lien pour refuser svp", ("online",), FR),
    ("je suis sur monespacesante.fr et je vois que activer", ("online",), FR),
    ("le 3422 est ouvert quand", ("phone",), FR),
    ("on peut les appeler le week-end ?", ("phone",), FR),
    ("ça coûte combien d'appeler", ("phone",), FR),
    ("what's the phone number", ("phone",), EN),
    ("j'ai jamais eu de code", ("lost_code",), FR),
    ("mon code provisoire ne fonctionne plus", ("lost_code",), FR),
    ("I can't find my code", ("lost_code",), EN),
    ("il faut quels documents pour s'opposer", ("ready",), FR),
    ("c'est où le numéro de série de la carte vitale", ("ready",), FR),
    ("comment être sûr que mon refus a été pris en compte", ("proof",), FR),
    ("est-ce qu'on reçoit un justificatif", ("proof",), FR),
    ("j'ai reçu un mail avec un lien bizarre pour mon espace santé", ("phishing",), FR),
    ("quelqu'un m'a téléphoné de l'assurance maladie pour mon code", ("phishing",), FR),
    ("is this email a scam", ("phishing",), EN),
    ("ma fille est sourde comment elle peut appeler", ("deaf", "children"), FR),
    ("mon espace santé a été ouvert alors que je voulais refuser", ("missed",), FR),
    ("j'ai dépassé les 6 semaines", ("missed",), FR),
    ("I missed the deadline", ("missed",), EN),
    ("comment je ferme mon espace", ("close",), FR),
    ("je veux résilier mon espace santé", ("close",), FR),
    ("I want to delete my account", ("close",), EN),
    ("mes données sont gardées combien de temps après la fermeture", ("data",), FR),
    ("est-ce que tout est effacé si je supprime", ("data", "close"), FR),
    ("et si je change d'avis après avoir refusé", ("reopen",), FR),
    ("on peut le réactiver après", ("reopen",), FR),
    ("comment masquer mes analyses", ("restrict",), FR),
    ("je veux bloquer un soignant", ("restrict",), FR),
    ("can I block a specific doctor", ("restrict", "doctor"), EN),
    ("mes enfants ont aussi un espace santé ?", ("children",), FR),
    ("comment s'opposer pour mon nourrisson", ("children",), FR),
    ("do my children get one too", ("children",), EN),
    ("ma fille a 17 ans elle pourra refuser elle même ?", ("turning18",), FR),
    ("ça se passe comment à la majorité", ("turning18",), FR),
    ("je suis séparée du père, est-ce qu'il peut refuser pour notre fille", ("two_parents",), FR),
    ("je suis militaire, c'est pareil pour moi ?", ("regimes",), FR),
    ("et pour les gens à la MSA ?", ("regimes",), FR),
    ("je depends pas de la cpam", ("regimes",), FR),
    ("mon fils est sous tutelle", ("protected",), FR),
    ("mon grand-père veut refuser mais il comprend pas", ("relative",), FR),
    ("comment aider ma mère âgée", ("relative",), FR),
    ("j'ai ni ordi ni smartphone", ("offline",), FR),
    ("on peut faire ça au guichet ?", ("offline",), FR),
    ("quel est le délai pour dire non", ("window",), FR),
    ("il reste combien de temps pour s'opposer", ("window", "received"), FR),
    ("6 semaines à partir de quand ?", ("window",), FR),
    ("what is the deadline", ("window", "received"), EN),
    ("le mail date du 5 novembre, je suis encore dans les temps ?", ("date",), FR),
    ("courrier reçu le 12/10/2026", ("date",), FR),
    ("je veux savoir ma date limite", ("received",), FR),
    ("vos infos elles sont fiables ou pas", ("sources",), FR),
    ("combien de personnes l'ont activé", ("figures",), FR),
    ("est-ce que la gendarmerie peut demander mon dossier", ("police",), FR),
    ("est-ce que mes données sont vendues", ("research",), FR),
    ("mes données servent à l'IA ?", ("research",), FR),
    ("c'est sécurisé ?", ("leak", "debate"), FR),
    ("est-ce que ça a déjà été piraté", ("leak",), FR),
    ("les médecins auront des amendes s'ils remplissent pas le dossier ?", ("law",), FR),
    ("comment faire renouveler mon ordonnance", ("out",), FR),
    ("quelle pharmacie est ouverte dimanche", ("out",), FR),
    ("je veux changer de mutuelle", ("out", "never"), FR),
    ("comment faire une demande de CMU", ("out",), FR),
    ("tu t'appelles comment", ("out",), FR),
    ("l'hôpital a perdu mon dossier papier", ("out",), FR),
    ("how do I get a new carte vitale", ("out",), EN),
    ("bonjour bonjour", ("greeting",), FR),
    ("merci pour les infos", ("thanks",), FR),
    ("hey", ("greeting",), EN),
    ("thank you so much", ("thanks",), EN),
    ("c payant ?", ("phone",), FR),
    ("et mes enfants", ("children",), FR),
    ("trop tard pr refuser ?", ("missed", "window"), FR),
    ("jpeux tjrs refuser ?", ("missed", "window", "refuse"), FR),
    ("kel num appeler", ("phone",), FR),
    ("pk refuser", ("debate",), FR),
    ("c sécurisé ?", ("leak", "debate"), FR),
]

DATE_OUTCOME = "date"


def _label_index(app) -> dict[str, dict[str, str]]:
    """Button label -> intent name, per locale (to read which topics were offered)."""
    out = {}
    for loc in (FR, EN):
        table = app.renderer.labels(loc)
        out[loc] = {table[f"questions.t_{n}"]: n for n in intents.INTENTS if f"questions.t_{n}" in table}
    return out


def _targets() -> dict[str, set[str]]:
    by_target: dict[str, set[str]] = {}
    for n, it in intents.INTENTS.items():
        by_target.setdefault(it.target, set()).add(n)
    by_target.setdefault("questions:window", set()).add("window")
    return by_target


async def run_heldout(tmp_path, rows=HELDOUT_2):
    """(question, expected, verdict, what happened) for each row; verdict is right/offered/wrong."""
    app, backend, _clock = make_app(tmp_path, now="2026-11-19T10:00:00+01:00")  # a Thursday
    labels = _label_index(app)
    by_target = _targets()
    results = []
    try:
        for i, (q, expected, loc) in enumerate(rows):
            chat = Chat(app, backend, user=f"h{i}", locale=loc)
            await chat.say(q)
            keys = [k for k in chat.keys if not k.startswith("core/privacy")]
            sess = app.store.get_session(f"{backend.name}:{chat.chat}:{chat.user}")
            where = f"{sess.flow}:{sess.state}" if sess else "?"
            if "questions/unsure" in keys:
                offered = {labels[loc].get(lb) for lb in chat.labels} - {None}
                ok = bool(offered & set(expected)) or expected == ("out",)
                results.append((q, expected, "offered" if ok else "wrong", f"offer {sorted(offered)}"))
                continue
            if "questions/outside" in keys:
                got = {"out"}
            elif "questions/greeting" in keys:
                got = {"greeting"}
            elif "questions/thanks" in keys:
                got = {"thanks"}
            elif any(k.startswith("deadline/") for k in keys):
                got = {DATE_OUTCOME, "received"}
            else:
                got = by_target.get(where, {where})
            verdict = "right" if got & set(expected) else "wrong"
            results.append((q, expected, verdict, f"{sorted(got)} {keys}"))
    finally:
        app.store.close()
    return results


def summary(results) -> dict[str, int]:
    out = {"right": 0, "offered": 0, "wrong": 0}
    for r in results:
        out[r[2]] += 1
    return out


def _report(name, results, capsys):
    s = summary(results)
    n = len(results)
    with capsys.disabled():
        print(
            f"\n{name}: {n} questions, right {s['right']} ({s['right'] / n:.0%}), "
            f"offered {s['offered']} ({s['offered'] / n:.0%}), wrong {s['wrong']} ({s['wrong'] / n:.0%})"
        )
        for q, exp, v, what in results:
            if v == "wrong":
                print(f"  WRONG {q!r} expected {exp}: {what}")
    return s, n


def test_heldout_through_the_router(tmp_path, capsys):
    assert len(HELDOUT_2) >= 100
    seen = {fold(q) for q, _n in intents.examples()}
    assert not [q for q, *_r in HELDOUT_2 if fold(q) in seen]  # never a training example
    s, n = _report("held-out 2", asyncio.run(run_heldout(tmp_path, HELDOUT_2)), capsys)
    assert s["right"] / n >= RIGHT_AT_LEAST
    assert s["wrong"] / n <= WRONG_AT_MOST


def test_cost_per_question(capsys):
    import time

    qs = [q for q, *_r in HELDOUT_2]
    qs = (qs * (1000 // len(qs) + 1))[:1000]
    intents.classify("warm up")
    t0 = time.perf_counter()
    for q in qs:
        intents._score.cache_clear()  # measure the real work, not the cache
        intents.classify(q)
    ms = (time.perf_counter() - t0) * 1000 / len(qs)
    with capsys.disabled():
        print(f"\nintents: {ms:.2f} ms per question (1,000 questions, no cache)")
    assert ms < 25  # generous: a shared 2-core machine; about 1 ms when idle


async def test_named_day_in_a_dateless_question(chat):
    await chat.say("le 3422 est ouvert samedi ?")
    assert chat.keys == ["questions/understood", "refuse/phone"]


async def test_dated_message_the_deadline_flow_leaves_is_still_answered(chat):
    await chat.say("quel temps fera-t-il demain ?")
    assert chat.keys == ["questions/outside"]
    assert "ne répondent pas" in chat.text


async def test_off_topic_is_not_stretched_to_a_topic(chat):
    await chat.say("comment prendre rendez-vous chez le médecin ?")
    assert chat.keys == ["questions/outside"]
    await chat.say("ma mutuelle me rembourse pas mes lunettes")
    assert chat.keys == ["questions/outside"]


async def test_examples_and_keywords_disagree_so_buttons(chat):
    # keywords alone rescue nothing here; the examples recognise the question and offer it
    r = intents.classify("tout le monde à l'hôpital peut regarder mon dossier ??")
    assert r.kind in ("answer", "offer") and "access" in ([r.best] if r.kind == "answer" else r.top)

"""Intent recognition: normalisation, typo tolerance, and behaviour inside conversations."""

from bot.lang import intents
from tests.support.harness import Chat


def test_normalise_expands_sms_and_folds():
    assert intents.normalise("C payant d'appeler ?") == ["c", "est", "payant", "d", "appeler"]
    assert intents.normalise("Qu'est-ce que c'est") == ["qu", "est", "ce", "que", "c", "est"]
    assert "mail" in intents.normalise("un e-mail")


def test_a_j_glued_to_any_verb_is_the_pronoun():
    # SMS writes "je" glued to the verb; no French word starts with "j" and a consonant
    assert intents.normalise("jprepare koi") == ["je", "prepare", "quoi"]
    assert intents.normalise("jcomprends rien") == ["je", "comprends", "rien"]
    assert intents.normalise("jamais jhabite") == ["jamais", "je", "habite"]  # a vowel after the j: a word


def test_typos_match_but_real_words_do_not():
    assert intents.classify("medcin traitent voit tout").best == "doctor"
    assert intents.classify("urgense").best == "emergency"
    # "internet" is a real word: it is never read as a typo of "interet"
    assert intents.classify("refuser via internet").best == "online"
    assert intents.classify("quelles sont vos sources").best == "sources"


def test_every_target_exists(app_env):
    app, _b, _c = app_env
    reg = app.router.reg
    for it in intents.INTENTS.values():
        flow, state = it.target.split(":")
        assert reg.state(flow, state) is not None, it.target


async def test_first_message_question_is_answered(chat):
    await chat.say("mon médecin voit tout ?")
    assert chat.keys == ["questions/understood", "understand/doctor"]
    assert "L1111-16" in chat.text and "masqués" in chat.text


async def test_phone_cost_question(chat):
    await chat.say("c payant d'appeler")
    assert chat.keys == ["questions/understood", "refuse/phone"]
    assert "service gratuit + prix de l'appel" in chat.text


async def test_missed_and_msa(chat):
    await chat.say("j'ai raté la date")
    assert chat.keys == ["questions/understood", "after/start"]
    await chat.say("je suis à la MSA")
    assert chat.keys == ["questions/understood", "children/regimes"]
    assert "à vérifier" in chat.text


async def test_greeting_then_menu(chat):
    await chat.say("coucou")  # a first message: the welcome once
    assert chat.keys == ["questions/greeting", "menu/main"] and "Je vous aide" in chat.text
    await chat.say("bonjour")  # later: a short hello, not the welcome again
    assert chat.keys == ["questions/greeting", "menu/main"] and chat.last[0].text == "Bonjour !"
    assert "Je vous aide" not in chat.text


async def test_bonjour_after_start_is_not_the_welcome_twice(chat):
    await chat.start()
    assert chat.keys == ["core/welcome", "menu/main"]
    await chat.say("bonjour")
    assert chat.keys == ["questions/greeting", "menu/main"] and chat.last[0].text == "Bonjour !"


async def test_unsure_offers_two_or_three_topics(chat):
    q = "fermer ou masquer ?"  # closing the space, or keeping it and hiding documents: two pages
    assert intents.classify(q).kind == "offer"
    await chat.say(q)
    assert chat.keys == ["questions/unsure"]
    assert 3 <= len(chat.labels) <= 4  # two or three topics, and the menu (never the whole menu)
    await chat.press("Masquer, bloquer")
    assert chat.keys == ["after/restrict"]


def test_close_votes_offer_and_a_clear_one_answers():
    toks = ["x"]
    close = intents.decide(
        toks, [([("doctor", 4.0), ("access", 3.8)], 0.5, 5.0), ([("access", 0.5), ("doctor", 0.45)], 0.5, 0.0)]
    )
    assert close.kind == "offer" and set(close.top) == {"doctor", "access"}
    clear = intents.decide(toks, [([("doctor", 6.0)], 0.5, 5.0), ([("doctor", 0.9), ("access", 0.1)], 0.5, 0.0)])
    assert (clear.kind, clear.best) == ("answer", "doctor")
    out = intents.decide(toks, [([("outside", 4.0), ("phone", 1.0)], 0.5, 5.0), ([("outside", 0.8)], 0.5, 0.0)])
    assert out.kind == "outside"


async def test_answer_names_the_topic_understood_and_the_closest_others(chat):
    await chat.say("mon médecin peut voir mes documents masqués ?")
    assert chat.keys == ["questions/understood", "understand/doctor"]
    assert "« Mon médecin traitant »" in chat.last[0].text and "voyez aussi" in chat.last[0].text
    others = [b.payload for b in chat.last[0].flat_buttons()]
    assert 1 <= len(others) <= 2 and "g:after:restrict" in others  # masking documents: the next closest
    assert "g:understand:doctor" not in others
    await chat.say("/menu")
    await chat.say("mon médecin traitant voit tout ce que je cache ?")  # nothing else comes close
    assert chat.keys == ["questions/understood", "understand/doctor"]
    assert not chat.last[0].flat_buttons() and "voyez aussi" not in chat.last[0].text


async def test_outside_gives_what_the_sources_say_nearby(chat):
    await chat.say("comment je fais pour changer de médecin traitant ?")
    assert chat.keys == ["questions/outside"]
    topics = [b.payload for b in chat.last[0].flat_buttons() if b.payload != "g:menu:main"]
    assert "g:understand:doctor" in topics and len(topics) <= 3


async def test_out_of_scope_says_sources_do_not_answer(chat):
    await chat.say("la police peut accéder à mon dossier ?")
    assert chat.keys == ["questions/understood", "questions/police"]
    assert "ne disent rien" in chat.text
    assert "employeur ne peut jamais" in chat.text
    await chat.say("mes données vont au Health Data Hub ?")
    assert chat.keys == ["questions/understood", "questions/research"]
    assert "aucun texte officiel" in chat.text and "2029" in chat.text


async def test_unknown_question_is_not_guessed(chat):
    await chat.say("/menu")
    await chat.say("quelle est la couleur du ciel en hiver ?")
    assert chat.keys == ["questions/outside"]
    assert "ne répondent pas" in chat.text


async def test_a_stated_date_is_left_to_the_deadline_flow(chat):
    await chat.say("j'ai reçu le mail le 3 novembre")
    assert not any(k.startswith("questions/") for k in chat.keys)
    assert any(k.startswith("deadline/") for k in chat.keys), chat.keys


async def test_english_questions(app_env):
    app, backend, _ = app_env
    c = Chat(app, backend, locale="en")
    await c.say("can my insurer see it")
    assert c.keys == ["questions/understood", "understand/never"]
    assert "€15,000" in c.text


async def test_inside_the_deadline_flow_its_own_step_reads_the_text(chat):
    await chat.say("/menu")
    await chat.press("mail ou le courrier")
    if not any(k.startswith("deadline/") for k in chat.keys):
        return  # the deadline area is not installed
    await chat.say("je l'ai reçu par mail")
    assert not any(k.startswith("questions/") for k in chat.keys)
    # a question about something else is still answered from there
    await chat.say("mon médecin voit tout ?")
    assert chat.keys == ["questions/understood", "understand/doctor"]

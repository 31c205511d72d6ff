"""Each message in its own language: an English question gets an English answer (and the reverse)
without changing the language the person chose."""

from bot.lang import language
from tests.support.harness import Chat


def test_detects_short_messages_from_the_locales_vocabulary():
    assert language.detect("who can see my records?") == "en"
    assert language.detect("is it compulsory") == "en"
    assert language.detect("qui peut voir mon dossier ?") == "fr"
    assert language.detect("c koi ce truc") == "fr"
    assert language.detect("ok") is None  # too short to tell: the person's language stays
    assert language.detect("DMP 3422") is None


async def test_english_question_answered_in_english_without_changing_the_chosen_language(app_env):
    app, backend, _clock = app_env
    chat = Chat(app, backend, locale="fr")
    await chat.say("/menu")
    assert "Que voulez-vous faire" in chat.text or chat.keys == ["menu/main"]
    await chat.say("can my employer see my health record?")
    assert chat.keys == ["questions/understood", "understand/never"]
    assert "employer" in chat.text.lower() and "employeur" not in chat.text.lower()
    assert app.store.get_user("fake:u1").locale in (None, "fr")
    await chat.say("/menu")
    assert chat.keys == ["menu/main"]
    menu_fr = chat.text
    await chat.say("et mon médecin traitant, il voit tout ?")
    assert chat.keys == ["questions/understood", "understand/doctor"]
    assert "médecin traitant" in chat.text
    await chat.say("/menu")
    assert chat.text == menu_fr  # still in French


async def test_french_question_answered_in_french_for_an_english_speaker(app_env):
    app, backend, _clock = app_env
    chat = Chat(app, backend, locale="en")
    await chat.say("est-ce que mon assureur peut voir mon dossier ?")
    assert chat.keys == ["questions/understood", "understand/never"]
    assert "assureur" in chat.text.lower()


def test_names_written_alike_in_every_language_do_not_tell_the_language():
    from bot.lang import language

    # "Mon espace santé", "carte Vitale", "médecin traitant" are French words an English writer uses as names
    assert language.detect("what's mon espace sante") == "en"
    assert language.detect("where is the number on my carte vitale") == "en"
    assert language.detect("Mon espace santé ?") is None
    assert language.detect("et mon médecin traitant, il voit tout ?") == "fr"

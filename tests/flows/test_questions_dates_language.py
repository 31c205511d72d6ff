"""A question that holds a date, and a date told in another language, through the real router."""

from tests.support.harness import Chat, make_app


async def _first(tmp_path, text, locale="fr"):
    app, backend, _clock = make_app(tmp_path)
    chat = Chat(app, backend, user="dated", locale=locale)
    await chat.say(text)
    return chat


async def test_a_question_about_living_abroad_with_a_duration_is_answered_not_read_as_the_notice(tmp_path):
    chat = await _first(tmp_path, "Je vis au Canada depuis 3 ans, est-ce que j'ai quand même un espace santé ?")
    assert "others/abroad" in chat.keys
    assert not any(k.startswith("deadline/") for k in chat.keys)


async def test_the_notice_told_with_a_date_still_gets_its_deadline(tmp_path):
    chat = await _first(tmp_path, "le mail de l'assurance maladie est arrivé le 10 novembre")
    assert chat.keys == ["deadline/result"]


async def test_a_notice_date_in_english_is_answered_in_english_without_changing_the_chosen_language(tmp_path):
    app, backend, _clock = make_app(tmp_path)
    chat = Chat(app, backend, user="en-date", locale="fr")
    await chat.say("I got the email on 10 November, when is the last day?")
    assert chat.keys == ["deadline/result"]
    assert "November" in chat.text and "novembre" not in chat.text
    await chat.say("/menu")
    assert "Je veux comprendre" in chat.labels  # the person's language is still French

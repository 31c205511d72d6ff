"""A question about another page told with a date of the notice ("got the email in March. How do I
close it?"): the page asked about is answered and the deadline computation offered as a button; a
question about the time limit, or a date in the question itself, still gets the deadline computed."""

import pytest

from bot.core.flowlib import Choice
from tests.support.harness import Chat, make_app, session_data


@pytest.fixture
def chat(tmp_path):
    app, backend, _clock = make_app(tmp_path, now="2026-11-22T10:00:00+01:00")
    yield app, Chat(app, backend)
    app.store.close()


def _deadline_label(app) -> str:
    return app.renderer.label(Choice("questions.t_received", goto="deadline:start").label, "fr")


@pytest.mark.parametrize(
    "text,page",
    [
        ("J'ai eu le courrier le 14 mars 2023 et mon espace s'est ouvert. Comment on le supprime ?", "after/close"),
        (
            "Le mail est arrivé le 2 octobre, j'ai refusé en ligne. Comment je peux être sûr que c'est enregistré ?",
            "refuse/proof",
        ),
    ],
)
async def test_a_question_about_another_page_is_answered_with_the_deadline_offered(chat, text, page):
    app, c = chat
    await c.say(text)
    assert page in c.keys, (c.keys, c.text)
    assert not session_data(app, c).get("deadline"), "the date was read as the notice's"
    assert _deadline_label(app) in c.labels


@pytest.mark.parametrize(
    "text",
    [
        "J'ai reçu le mail le 2 novembre. Il me reste combien de jours pour refuser ?",
        "Le courrier est arrivé le 10 novembre. Je suis encore dans les temps ?",
    ],
)
async def test_a_question_about_the_time_limit_still_gets_the_deadline(chat, text):
    app, c = chat
    await c.say(text)
    assert session_data(app, c).get("deadline"), (c.keys, c.text)


@pytest.mark.parametrize(
    "text,about_notice",
    [
        ("j'ai mon espace santé depuis 4 ans", False),
        ("mon espace santé est ouvert depuis l'an dernier", False),
        ("le mail de l'assurance maladie est arrivé hier", True),
        ("la cpam m'a écrit le 3", True),
    ],
)
def test_the_space_itself_is_not_the_notice(text, about_notice):
    """ "Mon espace santé" names the space, not the email or letter about it: a date near it is not the
    notice's date."""
    from bot.lang import dates, notice

    assert notice.mentions_notice(dates.normalise(text)) is about_notice

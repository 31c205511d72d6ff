"""The vote's calibration (issue 14, second round): outside questions, short messages, dated questions."""

from bot.lang import intents


def test_a_lone_recognizer_must_lead_its_own_runner_up():
    # one source ranks "doctor" first but barely ahead of "access": not answered; clearly ahead: answered
    close = [("doctor", 1.0), ("access", 0.8)]
    clear = [("doctor", 1.0), ("access", 0.3)]
    other = [("phone", 1.0), ("doctor", 0.1)]

    def vote(first):
        return intents.decide(["x"], [(first, 0.8, 0.0, 1.3), (other, 0.2, 0.0, 9.0)])

    assert vote(close).kind != "answer"
    assert vote(clear).kind == "answer" and vote(clear).best == "doctor"


def test_outside_holding_most_of_the_vote_is_said_outside():
    topic = [("phone", 1.0), ("outside", 0.9)]
    res = intents.decide(["x"], [(topic, 0.5, 0.0), ([("outside", 1.0), ("phone", 0.2)], 0.5, 0.0)])
    assert res.kind == "outside"


async def test_short_keyword_outweighed_when_both_learned_recognizers_say_outside(chat):
    await chat.say("horaires CPAM de Marseille ?")
    assert "refuse/phone" not in chat.keys, chat.keys
    assert "questions/outside" in chat.keys, chat.keys


async def test_the_3422_hours_are_still_answered(chat):
    await chat.say("horaires du 3422 ?")
    assert "refuse/phone" in chat.keys, chat.keys


async def test_a_dated_question_outside_the_sources_is_not_a_notice_date(chat):
    await chat.say("mon remboursement de lunettes n'est pas arrivé depuis lundi, que faire ?")
    assert not any(k.startswith("deadline/") for k in chat.keys), chat.keys
    assert "questions/outside" in chat.keys, chat.keys


async def test_a_doubtful_question_led_by_a_dateless_topic_is_offered_not_a_notice_date(chat):
    await chat.say("on habite à Dakar depuis 2018, pourquoi je reçois encore des mails de la sécu ?")
    assert not any(k.startswith("deadline/") for k in chat.keys), chat.keys


async def test_a_stated_notice_date_still_goes_to_the_deadline(chat):
    await chat.say("j'ai eu le mail le 2 octobre, c'est trop tard ?")
    assert any(k.startswith("deadline/") for k in chat.keys), chat.keys


async def test_a_question_with_a_health_detail_still_gets_its_topics_after_the_warning(chat):
    await chat.say("mon oncle a une dépression, est-ce que je peux refuser à sa place ou fermer son espace ?")
    assert chat.keys[0] == "core/privacy_warning", chat.keys
    assert "questions/unsure" in chat.keys, chat.keys  # two or three topics, not only the menu
    assert "dépression" not in chat.text

"""The vote's third round (issue 14): without all three recognizers, the classifier must rank the topic first."""

from bot.lang import intents

KEYWORDS = [("doctor", 5.0), ("access", 1.0)]
RETRIEVAL = [("doctor", 30.0), ("access", 10.0)]


def _vote(classifier):
    return intents.decide(
        ["x"], [(KEYWORDS, 0.3, 5.0, 2.0), (classifier, 0.4, 0.0, 2.0), (RETRIEVAL, 0.3, 25.0, 1.15)], anchor=1
    )


def test_keywords_and_retrieval_without_the_classifier_offer_instead_of_answering():
    res = _vote([("access", 0.5), ("doctor", 0.45), ("phone", 0.05)])
    assert res.best == "doctor" and res.kind == "offer"
    assert "doctor" in res.top and "access" in res.top
    # the same vote without the rule answers
    free = intents.decide(
        ["x"],
        [(KEYWORDS, 0.3, 5.0, 2.0), ([("access", 0.5), ("doctor", 0.45)], 0.4, 0.0, 2.0), (RETRIEVAL, 0.3, 25.0, 1.15)],
    )
    assert free.kind == "answer" and free.best == "doctor"


def test_all_three_agreeing_is_answered_even_with_a_close_classifier():
    res = _vote([("doctor", 0.5), ("access", 0.45)])
    assert res.kind == "answer" and res.best == "doctor"


def test_two_agreeing_need_the_classifier_clearly_ahead():
    retrieval_elsewhere = [("phone", 30.0), ("doctor", 29.0)]
    close = intents.decide(
        ["x"],
        [
            (KEYWORDS, 0.3, 5.0, 2.0),
            ([("doctor", 0.5), ("access", 0.47)], 0.4, 0.0, 2.0),
            (retrieval_elsewhere, 0.3, 25.0, 1.15),
        ],
        anchor=1,
    )
    clear = intents.decide(
        ["x"],
        [
            (KEYWORDS, 0.3, 5.0, 2.0),
            ([("doctor", 0.6), ("access", 0.2)], 0.4, 0.0, 2.0),
            (retrieval_elsewhere, 0.3, 25.0, 1.15),
        ],
        anchor=1,
    )
    assert close.kind != "answer"
    assert clear.kind == "answer" and clear.best == "doctor"


def test_outside_close_behind_a_clear_topic_is_not_answered_as_that_topic():
    # all three rank "doctor" first, but "outside" holds more than OUTSIDE_SHARE of its vote
    sources = [
        ([("doctor", 5.0), ("outside", 4.5)], 0.3, 5.0, 2.0),
        ([("doctor", 0.5), ("outside", 0.4)], 0.4, 0.0, 2.0),
        ([("doctor", 30.0), ("outside", 28.0)], 0.3, 25.0, 1.15),
    ]
    assert intents.decide(["x"], sources, anchor=1).kind == "outside"
    sources[1] = ([("doctor", 0.5), ("outside", 0.1)], 0.4, 0.0, 2.0)
    sources[2] = ([("doctor", 30.0), ("outside", 5.0)], 0.3, 25.0, 1.15)
    assert intents.decide(["x"], sources, anchor=1).kind == "answer"

"""The labelled examples (locales/<lang>/nlu/examples.toml) are read from the data files, never copied here.

They are the recognizer's training data: these tests check that the data is sound (every topic has
examples in French and English, every label is a topic) and that the recognizer fits it.  How well it
generalises is measured on sentences it never saw: tests/corpus/test_intents_heldout.py (checked to be
distinct from the examples) and bench/heldout_questions.py."""

from bot.lang import intents
from bot.lang.textnorm import fold

# Messages that are not questions for this bot: nothing should be answered.
NOISE = [
    "xqzw ?? ##",
    "ok",
    "3",
    "asdfgh",
    "lol",
    "...",
    "?",
]

THANKS = ["merci", "merci beaucoup", "Merci !", "thanks", "mercii"]

GREETINGS = ["bonjour", "Bonjour !", "salut", "hello", "coucou", "bjr", "slt", "bonsoir", "Salut le bot", "hello there"]


def _examples_by_topic() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for q, name in intents.examples():
        out.setdefault(name, []).append(q)
    return out


def test_every_topic_has_examples_and_every_label_is_a_topic():
    by = _examples_by_topic()
    assert set(by) <= set(intents.INTENTS) | {"outside"}
    thin = {n: len(by.get(n, ())) for n in intents.INTENTS if len(by.get(n, ())) < 4}
    assert not thin, thin
    assert len(by["outside"]) >= 20


def test_every_topic_has_keywords_in_the_data_files():
    for name, it in intents.INTENTS.items():
        assert it.keys, name


def test_the_recognizer_fits_its_examples(capsys):
    """Resubstitution: a sanity check of the data (two topics fighting over the same sentences),
    not a measure of generalisation."""
    right = wrong = 0
    for q, name in intents.examples():
        r = intents.classify(q)
        got = "outside" if r.kind == "outside" else r.best if r.kind == "answer" else None
        if got == name:
            right += 1
        elif got is not None:
            wrong += 1
    n = len(intents.examples())
    with capsys.disabled():
        print(f"\nexamples: {n}, answered as labelled {right} ({right / n:.0%}), another topic {wrong}")
    assert right / n >= 0.8 and wrong / n <= 0.03


def test_noise_is_not_answered():
    assert not {fold(q) for q in NOISE} & {fold(q) for q, _n in intents.examples()}
    for q in NOISE:
        assert intents.classify(q).kind == "none", q


def test_greetings_and_thanks():
    for q in GREETINGS:
        assert intents.classify(q).kind == "greeting", q
    for q in THANKS:
        assert intents.classify(q).kind == "thanks", q
    # a greeting followed by a question answers the question
    r = intents.classify("bonjour, mon médecin voit tout ?")
    assert (r.kind, r.best) == ("answer", "doctor")

"""Plain language, measured: every French message of 15 words or more scores at least 60 on
the French reading-ease formula (textstat, lang "fr"), the median at least 75, and no message
is longer than about 700 characters (longer text is cut into pages).  Every template of every
area is rendered, with the samples of tests/samples/samples_*.py; button labels are not counted."""

import importlib
import re
import statistics
from pathlib import Path

import pytest

textstat = pytest.importorskip("textstat")

from bot.core.render import Renderer  # noqa: E402 - after the importorskip above

ROOT = Path(__file__).resolve().parents[2]
MIN_SCORE, MIN_MEDIAN, MIN_WORDS = 60, 75, 15
MAX_CHARS = 760  # "about 700"
# Documents meant to be printed or posted elsewhere, not chat messages.
NOT_CHAT = {"campaign/flyer", "campaign/flyer_footer"}


def _messages():
    R = Renderer()
    samples = {}
    for f in sorted((ROOT / "tests" / "samples").glob("samples_*.py")):
        samples.update(importlib.import_module(f"tests.samples.{f.stem}").SAMPLES)
    out = []
    for key in sorted(R.template_keys("fr")):
        for vars in samples.get(key, [{}]):
            try:
                text = R.render(key, "fr", **vars)
            except Exception:  # a template without samples: test_templates reports it
                continue
            out.append((key, text))
    return out


def _score(text: str) -> tuple[int, float]:
    """Words and reading ease of the prose: a web address is a link to follow, not a sentence to read."""
    text = re.sub(r"https?://\S+", "", text)
    textstat.set_lang("fr")
    return textstat.lexicon_count(text), textstat.flesch_reading_ease(text)


def test_reading_ease(capsys):
    rows = []
    for key, text in _messages():
        n, s = _score(text)
        if n >= MIN_WORDS:
            rows.append((s, key))
    scores = [s for s, _k in rows]
    median = statistics.median(scores)
    low = sorted(r for r in rows if r[0] < MIN_SCORE)
    with capsys.disabled():
        print(
            f"\nreadability (fr): {len(rows)} messages of {MIN_WORDS}+ words, median {median:.1f}, "
            f"min {min(scores):.1f} ({min(rows)[1]}), below {MIN_SCORE}: {len(low)}"
        )
        for s, k in low:
            print(f"  {s:5.1f}  {k}")
    assert median >= MIN_MEDIAN
    assert not low, low


def test_messages_are_short_pages(capsys):
    long = sorted({(len(t), k) for k, t in _messages() if len(t) > MAX_CHARS and k not in NOT_CHAT}, reverse=True)
    with capsys.disabled():
        if long:
            print("\nmessages longer than about 700 characters:", long)
    assert not long, long


def test_guidance_pages_stay_under_700():
    mine = ("understand/", "refuse/", "after/", "children/", "others/", "sources/", "questions/")
    for key, text in _messages():
        if key.startswith(mine):
            assert len(text) <= 700, (key, len(text))


def test_the_formula_tells_plain_from_legal():
    plain = (
        "Vous pouvez refuser. C'est simple. Allez sur le site, ou appelez le numéro. "
        "Ce n'est pas obligatoire. Vous pouvez changer d'avis plus tard."
    )
    legal = (
        "Le médecin traitant dispose d'un droit d'accès au dossier médical partagé lui permettant "
        "d'accéder, par dérogation au dernier alinéa de l'article précité, à l'ensemble des informations "
        "contenues dans ce dossier."
    )
    assert _score(plain)[1] >= 75 > 60 > _score(legal)[1]


async def test_the_real_sources_pages_read_easily(chat):
    """/sources is built from the fact sheet, not from a sample: score the pages a person reads."""
    await chat.say("/sources")
    for _ in range(12):
        n, s = _score(chat.text)
        assert s >= MIN_SCORE, (s, chat.text)
        if "Suite" not in chat.labels:
            break
        await chat.press("Suite")

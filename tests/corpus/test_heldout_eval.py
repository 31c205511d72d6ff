"""bench/heldout_questions.py grades what a user sees: a small question set through the real app."""

import asyncio
import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# loaded by path: putting bench/ on sys.path would shadow packages (bench/telegram.py is not python-telegram-bot)
_spec = importlib.util.spec_from_file_location("heldout_questions", ROOT / "bench" / "heldout_questions.py")
hq = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hq)

ROWS = [
    {"id": "a", "text": "mon médecin traitant voit tout ce que je cache ?", "lang": "fr", "expect": "doctor"},
    {"id": "b", "text": "can my employer see my health record?", "lang": "en", "expect": "never"},
    {"id": "c", "text": "quelle est la couleur du ciel en hiver ?", "lang": "fr", "expect": "outside"},
    {"id": "d", "text": "quelle est la couleur du ciel en hiver ?", "lang": "fr", "expect": "doctor"},
    {"id": "e", "text": "fermer ou masquer ?", "lang": "fr", "expect": "restrict"},
    {"id": "f", "text": "mon médecin traitant voit tout ce que je cache ?", "lang": "fr", "expect": "phone"},
    {"id": "g", "text": "zzz", "lang": "fr", "expect": "phone"},
]


def test_grades_right_offered_honest_wrong_other(capsys):
    counts = asyncio.run(hq.run(ROWS, "fr", verbose=False))
    assert dict(counts) == {"right": 3, "honest": 1, "offered": 1, "wrong": 1, "other": 1}


def test_the_wrong_language_is_wrong():
    class R:
        def __init__(self, key, text):
            self.key, self.text = key, text

        def flat_buttons(self):
            return []

    fr_page = [R("understand/never", "Votre employeur ne peut jamais voir votre dossier, et la loi le punit.")]
    row = {"text": "can my employer see it?", "lang": "en", "expect": "never"}
    assert hq.grade(row, "understand:never", fr_page) == "wrong"
    assert hq.grade(dict(row, lang="fr"), "understand:never", fr_page) == "right"


def test_reads_json_lines(tmp_path, capsys):
    f = tmp_path / "set.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in ROWS[:2]) + "\n", encoding="utf-8")
    assert hq.main(["--set", str(f)]) == 0
    assert "right       2" in capsys.readouterr().out

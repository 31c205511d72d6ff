"""The example backend of docs/dev-guide.md (bot/backends/jsonl/) works through the real runner, and
adding it touched only its own package plus one registration line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_jsonl(tmp_path, lines: list[str]) -> list[dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "jsonl", "--data-dir", str(tmp_path)],
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_a_choice_and_its_typed_number_get_the_same_answer(tmp_path):
    out = run_jsonl(
        tmp_path,
        [
            json.dumps({"user": "7", "text": "/menu"}),
            "this line is not JSON",
            json.dumps({"user": "8", "text": "/menu"}),
        ],
    )
    assert [o["chat"] for o in out] == ["7", "8"]
    menu = out[0]
    assert menu["choices"] and "1. " in menu["text"]  # no real buttons: the choices are numbered
    third = menu["choices"][2]
    out2 = run_jsonl(tmp_path, [json.dumps({"user": "7", "choice": third}), json.dumps({"user": "8", "text": "3"})])
    by_chat = {o["chat"]: o["text"] for o in out2}
    assert by_chat["7"] == by_chat["8"] and by_chat["7"] != menu["text"]


def test_adding_the_backend_touched_its_package_and_one_line():
    mentions = []
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "flows").rglob("*.py")]:
        if (ROOT / "bot" / "backends" / "jsonl") in path.parents:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "jsonl" in line:
                mentions.append(f"{path.relative_to(ROOT)}:{n}")
    assert mentions == [next(m for m in mentions if m.startswith("bot/infra/config.py:"))], mentions

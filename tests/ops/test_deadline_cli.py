"""`mes-bot deadline` through a real subprocess: JSON shape, exit codes, JSON Lines."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEYS = ["sent", "deadline", "recommended", "days_left", "status", "approximate", "understood"]


def run(*args, stdin=None):
    p = subprocess.run(
        [sys.executable, "-m", "bot", "deadline", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    return p.returncode, p.stdout, p.stderr


def test_json_object_and_exit_0():
    code, out, _ = run("j'ai reçu le mail le 3 novembre", "--today", "2026-11-22", "--json")
    assert code == 0
    obj = json.loads(out)
    assert list(obj) == KEYS
    assert obj == {
        "sent": "2026-11-03",
        "deadline": "2026-12-15",
        "recommended": "2026-12-10",
        "days_left": 23,
        "status": "open",
        "approximate": False,
        "understood": "mardi 3 novembre 2026",
    }


def test_letter_arrived_flag_shifts():
    code, out, _ = run("le 7 novembre", "--today", "2026-11-22", "--letter-arrived", "--json")
    obj = json.loads(out)
    assert code == 0 and obj["sent"] == "2026-11-03" and obj["approximate"] is True
    assert obj["understood"] == "samedi 7 novembre 2026"


def test_errors_exit_2():
    for text, err in (("31/11", "impossible"), ("demain", "future"), ("bonjour", "no_date"), ("3/11/2019", "too_old")):
        code, out, _ = run(text, "--today", "2026-11-22", "--json")
        obj = json.loads(out)
        assert code == 2, text
        assert set(obj) == {"error", "message"} and obj["error"] == err
        assert obj["message"].strip()


def test_plain_text_output():
    code, out, _ = run("hier", "--today", "2026-11-22")
    assert code == 0 and "samedi 21 novembre 2026" in out and "samedi 2 janvier 2027" in out
    code, out, _ = run("31/11", "--today", "2026-11-22")
    assert code == 2 and "n'existe pas" in out


def test_json_lines_from_stdin():
    lines = "hier\n31/11\nmi-octobre\n\nle 3 septembre\n"
    code, out, _ = run("-", "--today", "2026-11-22", stdin=lines)
    assert code == 0
    objs = [json.loads(x) for x in out.splitlines()]
    assert len(objs) == 5
    assert objs[0]["sent"] == "2026-11-21" and objs[0]["status"] == "open"
    assert objs[1]["error"] == "impossible"
    assert objs[2]["approximate"] is True and objs[2]["understood"] == "samedi 10 octobre 2026"
    assert objs[3]["error"] == "no_date"
    assert objs[4]["status"] == "passed" and objs[4]["days_left"] < 0


def test_bad_today_is_a_usage_error():
    code, _, err = run("hier", "--today", "22/11/2026")
    assert code == 2 and "YYYY-MM-DD" in err

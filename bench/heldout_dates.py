"""Held-out notice dates through the REAL conversation: right / wrong / asked back, and lates.

Run: .venv/bin/python bench/heldout_dates.py --set FILE [--json] [--verbose]

Each line of FILE is a JSON object:
  {"id", "text", "today": "YYYY-MM-DD", "context": "first" | "asked_date" | "asked_letter_arrival",
   "expect": {"kind": "sent" | "arrived" | "ask", "date": "YYYY-MM-DD", "approx": bool}}

Every line gets a fresh conversation (its own user) on the real router, store and templates
(tests/harness.py).  The context is reached by the real buttons first:
  first                 -> the text is the very first message;
  asked_date            -> main menu, "I received the email or letter", "An email", then the text;
  asked_letter_arrival  -> main menu, "...", "A letter", "I only know when it arrived", then the text.

Grading (the bot's outcome is the deadline it stored in the session, if it gave one):
  sent     right = a deadline from exactly the expected sending day (approximate if expected so);
  arrived  right = a sending day strictly before the arrival day, marked approximate;
  ask      right = no deadline, and the bot asked back (buttons or a question);
  a deadline from a sending day later than the true one is "wrong (late)", counted apart;
  no deadline where one was expected is "asked back".

Only tests/harness.py (make_app, Chat, session_data), reply keys, texts and buttons are used,
so the script runs unchanged on older commits of the project.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULT_KEYS = ("deadline/result", "deadline/passed")


def _buttons(chat) -> list:
    return [b for r in chat.last for b in r.flat_buttons() if b.payload]


async def _press_payload(chat, *suffixes: str) -> bool:
    """Press the shown button whose payload ends with one of ``suffixes``."""
    for b in _buttons(chat):
        if any(b.payload.endswith(s) for s in suffixes):
            await chat.send_event(kind="button", choice=b.payload)
            return True
    return False


async def _reach(chat, context: str) -> None:
    if context == "first":
        return
    await chat.say("/menu")
    assert await _press_payload(chat, "deadline:start"), "no 'I received' button in the menu"
    if context == "asked_date":
        assert await _press_payload(chat, ":email"), "no 'An email' button"
    elif context == "asked_letter_arrival":
        assert await _press_payload(chat, ":letter"), "no 'A letter' button"
        assert await _press_payload(chat, ":arrival"), "no 'only when it arrived' button"
    else:
        raise ValueError(f"unknown context {context!r}")


def _outcome(app, chat) -> dict | None:
    try:
        from tests.support.harness import session_data
    except ImportError:  # older commits
        from tests.harness import session_data

    if not any(r.key in RESULT_KEYS for r in chat.last):
        return None
    d = session_data(app, chat).get("deadline")
    if not d:
        return None
    return {"sent": d["sent"], "approximate": bool(d.get("approximate"))}


def _asked(chat) -> bool:
    return bool(_buttons(chat)) or any("?" in r.text for r in chat.last)


def grade(line: dict, out: dict | None, asked: bool) -> tuple[str, bool]:
    """-> (verdict, late): verdict in right | wrong | asked."""
    exp = line["expect"]
    kind = exp["kind"]
    want = date.fromisoformat(exp["date"]) if exp.get("date") else None
    if out is None:
        if kind == "ask":
            return ("right" if asked else "wrong"), False
        return "asked", False
    sent = date.fromisoformat(out["sent"])
    if kind == "sent":
        late = want is not None and sent > want
        ok = sent == want and (out["approximate"] or not exp.get("approx"))
        return ("right" if ok else "wrong"), late
    if kind == "arrived":
        late = want is not None and sent >= want
        ok = want is not None and sent < want and out["approximate"]
        return ("right" if ok else "wrong"), late
    late = want is not None and sent > want
    return "wrong", late


async def run(lines: list[dict], tmp: Path) -> list[dict]:
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    try:
        from tests.support.harness import Chat, make_app
    except ImportError:  # older commits
        from tests.harness import Chat, make_app

    app, backend, clock = make_app(tmp)
    results = []
    try:
        for i, line in enumerate(lines):
            today = date.fromisoformat(line["today"])
            clock.set(datetime.combine(today, time(10, 0), ZoneInfo("Europe/Paris")))
            chat = Chat(app, backend, user=f"h{i}", locale=line.get("locale", "fr"))
            await _reach(chat, line.get("context", "first"))
            await chat.say(line["text"])
            out = _outcome(app, chat)
            asked = _asked(chat)
            verdict, late = grade(line, out, asked)
            results.append(
                {
                    "id": line.get("id", i),
                    "verdict": verdict,
                    "late": late,
                    "outcome": out,
                    "keys": [r.key for r in chat.last],
                    "line": line,
                    "reply": chat.text[:300],
                }
            )
    finally:
        app.store.close()
    return results


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--set", required=True, help="JSON Lines file of held-out phrases")
    p.add_argument("--json", action="store_true", help="print the counts as one JSON object")
    p.add_argument("--verbose", action="store_true", help="also print every line that is not right")
    args = p.parse_args(argv)
    lines = [json.loads(x) for x in Path(args.set).read_text(encoding="utf-8").splitlines() if x.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        results = asyncio.run(run(lines, Path(tmp)))
    counts = {"total": len(results)}
    for v in ("right", "wrong", "asked"):
        counts[v] = sum(r["verdict"] == v for r in results)
    counts["late"] = sum(r["late"] for r in results)
    by_kind = {}
    for r in results:
        k = r["line"]["expect"]["kind"]
        by_kind.setdefault(k, {"right": 0, "wrong": 0, "asked": 0, "late": 0})
        by_kind[k][r["verdict"]] += 1
        by_kind[k]["late"] += int(r["late"])
    counts["by_kind"] = by_kind
    if args.json:
        print(json.dumps(counts, ensure_ascii=False))
    else:
        print(
            f"{counts['total']} phrases: right {counts['right']}, wrong {counts['wrong']} "
            f"(late {counts['late']}), asked back {counts['asked']}"
        )
        for k, c in sorted(by_kind.items()):
            print(f"  {k}: right {c['right']}, wrong {c['wrong']} (late {c['late']}), asked back {c['asked']}")
    if args.verbose:
        for r in results:
            if r["verdict"] != "right":
                ln = r["line"]
                print(
                    f"--- {r['id']} [{r['verdict']}{' LATE' if r['late'] else ''}] ({ln.get('context')}, "
                    f"today {ln['today']}) {ln['text']!r}",
                    file=sys.stderr,
                )
                print(f"    expect {ln['expect']}  got {r['outcome']}  keys {r['keys']}", file=sys.stderr)
                print("    " + r["reply"].replace("\n", " ")[:240], file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # `... | head`
        sys.exit(0)

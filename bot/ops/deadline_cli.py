"""``mes-bot deadline TEXT [--today YYYY-MM-DD] [--letter-arrived] [--json]``.

TEXT is the date of the email (or the date printed on a letter), in everyday French; with
``--letter-arrived`` it is the day a letter arrived.  ``-`` reads one phrase per line from
standard input and prints JSON Lines.  Exit codes: 0 when a deadline was computed (and always
for ``-``), 2 when no valid date was found.  The top level stays light: heavy modules are
imported inside ``main`` so the command starts fast."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date


def _iso_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "text",
        help="the date as people write it, in French ('3/11', examples in the README); '-' reads lines from stdin",
    )
    parser.add_argument("--today", type=_iso_day, default=None, help="count from this day (YYYY-MM-DD; default: today)")
    parser.add_argument(
        "--letter-arrived", action="store_true", help="TEXT is the day a letter arrived, not its printed date"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--tz", default=None, help="time zone for 'today' (IANA name; default Europe/Paris)")
    parser.add_argument("--margin", type=int, default=None, help="days of margin before the last day (default 5)")
    parser.add_argument(
        "--letter-shift", type=int, default=None, help="days between sending and arrival of a letter (default 4)"
    )
    parser.add_argument("--locale", default="fr", choices=("fr", "en"), help="language of messages")


def evaluate(
    text: str,
    today: date,
    *,
    letter_arrived: bool = False,
    margin_days: int = 5,
    letter_shift_days: int = 4,
    locale: str = "fr",
    renderer=None,
) -> tuple[dict, int, object]:
    """One phrase -> (JSON object, exit code, the DateResult)."""
    from ..lang import dates
    from ..domain.deadline import compute

    r = dates.parse(text, today, letter_arrived=letter_arrived, letter_shift_days=letter_shift_days, expect_date=True)
    if not r.ok or r.date is None:
        code = r.error if r.error in dates.ERRORS else "no_date"
        return {"error": code, "message": _reason(code, r, locale, renderer)}, 2, r
    dl = compute(r.date, today, margin_days=margin_days, approximate=r.approximate, understood_date=r.understood)
    return dl.to_json(locale), 0, r


def _reason(code: str, r, locale: str, renderer) -> str:
    from ..lang import dates

    renderer = renderer or _renderer()
    vars = {}
    if code == "impossible":
        d = r.detail
        month = d.get("month") or 0
        vars = {
            "day": d.get("day") or 0,
            "month_name": dates.month_name(month, locale) if 1 <= month <= 12 else "",
            "max_day": d.get("max_day") or 0,
            "year": d.get("year") or 0,
            "leap": bool(d.get("leap")),
        }
    text = renderer.render(f"deadline/reason_{code}", locale, **vars)
    return " ".join(text.split())


_R = None


def _renderer():
    global _R
    if _R is None:
        from ..core.render import Renderer

        _R = Renderer()
    return _R


def _today(args) -> date:
    if args.today:
        return args.today
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(args.tz or "Europe/Paris")).date()


def _settings_defaults(args) -> tuple[int, int]:
    margin, shift = args.margin, args.letter_shift
    if margin is None or shift is None:
        from ..infra.config import Settings

        s = Settings()
        margin = s.margin_days if margin is None else margin
        shift = s.letter_shift_days if shift is None else shift
    return margin, shift


def _human(obj: dict, r, code: int, locale: str, today: date, margin_days: int) -> str:
    if code != 0:
        return obj["message"]
    from ..domain.deadline import compute, page_vars

    dl = compute(r.date, today, margin_days=margin_days, approximate=r.approximate, understood_date=r.understood)
    vars = page_vars(dl, r)
    key = "deadline/passed" if dl.passed else "deadline/result"
    text = _renderer().render(key, locale, **vars)
    # the chat's closing question makes no sense on a command line
    from ..lang import nlu_data

    keep = nlu_data.words("words", "cli_keep")  # a question kept: a heading ("Why...?"), not a prompt
    return "\n".join(ln for ln in text.splitlines() if not ln.rstrip().endswith("?") or any(k in ln for k in keep))


def main(args) -> int:
    today = _today(args)
    margin, shift = _settings_defaults(args)
    if args.text == "-":
        out = sys.stdout
        for line in sys.stdin:
            obj, _code, _res = evaluate(
                line.rstrip("\r\n"),
                today,
                letter_arrived=args.letter_arrived,
                margin_days=margin,
                letter_shift_days=shift,
                locale=args.locale,
            )
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        out.flush()
        return 0
    obj, code, res = evaluate(
        args.text,
        today,
        letter_arrived=args.letter_arrived,
        margin_days=margin,
        letter_shift_days=shift,
        locale=args.locale,
    )
    try:
        if args.json:
            print(json.dumps(obj, ensure_ascii=False))
        else:
            print(_human(obj, res, code, args.locale, today, margin))
    except BrokenPipeError:  # `mes-bot deadline ... | head`
        from ..infra.pipes import silence_stdout

        silence_stdout()
    return code

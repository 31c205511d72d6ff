"""Structured logs: one JSON line per event, fields parsed, identifiers pseudonymised, content
never written."""

import io
import json
import logging

from bot.infra import log as botlog


def capture(fn) -> list[dict]:
    buf = io.StringIO()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        botlog.setup("DEBUG", stream=buf, hash_key="test-key")
        fn(logging.getLogger("mes_bot.test"))
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    return [json.loads(line) for line in buf.getvalue().splitlines()]


def test_event_and_fields_one_json_line_each():
    lines = capture(
        lambda log: (
            log.info("reminder_sent id=%s backend=%s", 42, "telegram"),
            log.warning("ticker_failed name=%s", "broadcast"),
        )
    )
    assert len(lines) == 2
    assert lines[0]["event"] == "reminder_sent" and lines[0]["id"] == "42" and lines[0]["backend"] == "telegram"
    assert lines[0]["level"] == "INFO" and lines[0]["logger"] == "mes_bot.test"
    assert lines[1]["level"] == "WARNING" and lines[1]["name"] == "broadcast"


def test_identifiers_are_hashed_and_content_dropped():
    lines = capture(
        lambda log: (
            log.info("message_in user=%s chat_id=%s text=%s", "123456789", "-100999", "j'ai un cancer"),
            log.info("extra_fields", extra={"fields": {"user_key": "telegram:123456789", "body": "secret", "n": 3}}),
            log.info("free_text %s", "mon numéro est 0612345678"),
        )
    )
    raw = json.dumps(lines, ensure_ascii=False)
    for leaked in ("123456789", "-100999", "cancer", "secret", "0612345678"):
        assert leaked not in raw
    assert lines[0]["user"] == botlog.pseudo("123456789") and len(lines[0]["user"]) == 12
    assert lines[0]["chat_id"] == botlog.pseudo("-100999")
    assert "text" not in lines[0]
    assert lines[1]["user_key"] == botlog.pseudo("telegram:123456789") and lines[1]["n"] == 3
    assert lines[2]["event"] == "free_text" and "detail_chars" in lines[2]
    # the same key gives the same pseudonym (correlation), another key another one
    first = botlog.pseudo("123456789")
    botlog.set_hash_key("other-key")
    assert botlog.pseudo("123456789") != first


def test_exceptions_say_where_not_what():
    def boom(log):
        try:
            raise ValueError("user wrote: je suis enceinte")
        except ValueError:
            log.exception("handler_failed backend=%s", "matrix")

    [line] = capture(boom)
    assert line["exc"] == "ValueError" and "test_ops_log.py" in line["where"]
    assert "enceinte" not in json.dumps(line, ensure_ascii=False)


def test_operator_guides_cover_the_operations():
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs"
    for lang, words in {
        "en": (
            "BotFather",
            "Matrix account",
            "bak-v",
            "mes-bot backup",
            "Erasing everything",
            "mes-bot check",
            "/healthz",
            "Upgrades",
            "Restore",
        ),
        "fr": (
            "BotFather",
            "compte Matrix",
            "bak-v",
            "mes-bot backup",
            "Tout effacer",
            "mes-bot check",
            "/healthz",
            "Mises à jour",
            "Restaurer",
        ),
    }.items():
        text = (docs / f"operator-guide.{lang}.md").read_text(encoding="utf-8")
        for w in words:
            assert w in text, (lang, w)

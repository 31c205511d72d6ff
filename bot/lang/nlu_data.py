"""The language data of the recognizers, read from ``locales/<lang>/nlu/*.toml``.

Python keeps the mechanisms (bot/lang/intents.py, bot/lang/recognizer.py, bot/core/router.py, bot/lang/health_terms.py);
every word people type (keywords, labelled examples, SMS spellings, yes/no, command spellings,
health terms) lives in these files, one folder per language."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

#: the languages with an nlu folder (the same as bot.core.render.LOCALES, without importing the templates engine)
LOCALES = ("fr", "en")


def locales_root() -> Path:
    import locales

    return Path(locales.__file__).resolve().parent


@lru_cache(maxsize=64)
def load(name: str, lang: str) -> dict:
    """``locales/<lang>/nlu/<name>.toml`` ({} when the file does not exist)."""
    path = locales_root() / lang / "nlu" / f"{name}.toml"
    if not path.is_file():
        return {}
    return tomllib.loads(path.read_text(encoding="utf-8"))


def merged(name: str) -> dict[str, dict]:
    """The file ``name`` of every language, by language."""
    return {lang: load(name, lang) for lang in LOCALES}


def words(name: str, key: str) -> set[str]:
    """The union over languages of a list of words (``words.toml`` ``greetings``...)."""
    out: set[str] = set()
    for data in merged(name).values():
        out.update(data.get(key, ()))
    return out


def table(name: str, key: str | None = None) -> dict[str, str]:
    """The union over languages of a table of strings (a key's table, or the whole file)."""
    out: dict[str, str] = {}
    for data in merged(name).values():
        part = data.get(key, {}) if key else data
        out.update({k: v for k, v in part.items() if isinstance(v, str)})
    return out

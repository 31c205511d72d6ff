"""Jinja2 templates per locale.

Messages: ``locales/<lang>/<area>/<name>.j2`` addressed by the key ``"<area>/<name>"``.
Button labels: ``locales/<lang>/buttons/<area>.toml`` addressed by ``"<area>.<name>"``.
French is complete and is the fallback; English must have the same keys (a test checks).
Variables are strict: a missing variable is an error, never an empty string.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jinja2

from ..knowledge import facts

LOCALES = ("fr", "en")
FALLBACK = "fr"


def locales_root() -> Path:
    return Path(str(resources.files("locales")))


def long_date(d: date | datetime | str, locale: str = "fr") -> str:
    """'mardi 3 novembre 2026', '1er' for the first day in French; babel does the names."""
    from babel.dates import format_date

    if isinstance(d, jinja2.Undefined):
        d._fail_with_undefined_error()  # a missing variable is an error, even through a filter
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    if isinstance(d, datetime):
        d = d.date()
    if locale == "fr":
        text = format_date(d, "EEEE d MMMM y", locale="fr_FR")
        if d.day == 1:
            text = text.replace(" 1 ", " 1er ", 1)
        return text
    return format_date(d, "EEEE d MMMM y", locale="en_GB")


def short_date(d: date | str, locale: str = "fr") -> str:
    from babel.dates import format_date

    if isinstance(d, jinja2.Undefined):
        d._fail_with_undefined_error()
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    return format_date(d, "d MMMM", locale="fr_FR" if locale == "fr" else "en_GB")


def hour_minute(dt: datetime, locale: str = "fr") -> str:
    return dt.strftime("%H:%M") if locale == "fr" else dt.strftime("%H:%M")


def hour_text(t, locale: str = "fr") -> str:
    """A time of day as people write it: '8 h 30' in French, '8:30' in English.
    Takes a ``datetime.time`` (or datetime) or an 'HH:MM' string."""
    if isinstance(t, str):
        from datetime import time as _time

        t = _time.fromisoformat(t)
    if locale == "fr":
        return f"{t.hour} h {t.minute:02d}" if t.minute else f"{t.hour} h"
    return f"{t.hour}:{t.minute:02d}"


def plural(n: int, one: str, many: str) -> str:
    return one if abs(int(n)) <= 1 else many


class Renderer:
    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root else locales_root()
        self._envs: dict[str, jinja2.Environment] = {}

    def env(self, locale: str) -> jinja2.Environment:
        locale = locale if locale in LOCALES else FALLBACK
        if locale not in self._envs:
            loaders = [jinja2.FileSystemLoader(str(self.root / locale))]
            if locale != FALLBACK:
                loaders.append(jinja2.FileSystemLoader(str(self.root / FALLBACK)))
            env = jinja2.Environment(
                loader=jinja2.ChoiceLoader(loaders),
                undefined=jinja2.StrictUndefined,
                autoescape=False,  # plain text; backends escape for their markup
                keep_trailing_newline=False,
                trim_blocks=True,
                lstrip_blocks=True,
            )
            env.filters["longdate"] = lambda d: long_date(d, locale)
            env.filters["shortdate"] = lambda d: short_date(d, locale)
            env.filters["hm"] = lambda t: hour_text(t, locale)
            env.globals["plural"] = plural
            env.globals["facts"] = facts
            env.globals["locale"] = locale
            self._envs[locale] = env
        return self._envs[locale]

    def has(self, key: str, locale: str) -> bool:
        return (self.root / locale / f"{key}.j2").is_file()

    def render(self, key: str, locale: str = "fr", **vars) -> str:
        tpl = self.env(locale).get_template(f"{key}.j2")
        text = tpl.render(**vars)
        # collapse 3+ blank lines left by conditionals, strip trailing spaces
        lines = [ln.rstrip() for ln in text.strip().splitlines()]
        out, blank = [], 0
        for ln in lines:
            blank = blank + 1 if not ln else 0
            if blank <= 1:
                out.append(ln)
        return "\n".join(out)

    # -- button labels ------------------------------------------------------------
    def labels(self, locale: str) -> dict[str, str]:
        return _load_labels(str(self.root), locale if locale in LOCALES else FALLBACK)

    def label(self, key: str, locale: str = "fr", **vars) -> str:
        table = self.labels(locale)
        if key not in table:
            table = self.labels(FALLBACK)
        if key not in table:
            raise KeyError(f"no button label {key!r}")
        raw = table[key]
        if "{" in raw:
            return self.env(locale).from_string(raw).render(**vars)
        return raw

    def template_keys(self, locale: str) -> set[str]:
        base = self.root / locale
        return {str(p.relative_to(base).with_suffix("")).replace("\\", "/") for p in base.rglob("*.j2")}


@lru_cache(maxsize=8)
def _load_labels(root: str, locale: str) -> dict[str, str]:
    out: dict[str, str] = {}
    folder = Path(root) / locale / "buttons"
    if folder.is_dir():
        for f in sorted(folder.glob("*.toml")):
            data = tomllib.loads(f.read_text(encoding="utf-8"))
            for k, v in data.items():
                out[f"{f.stem}.{k}"] = str(v)
    return out

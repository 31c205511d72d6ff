"""Every template renders in every locale with strict variables; fr and en have the same keys;
flows hold no transport import and no user-facing French."""

import ast
import re
from pathlib import Path

import jinja2
import pytest

from bot.core.render import LOCALES, Renderer

ROOT = Path(__file__).resolve().parents[2]
R = Renderer()


def test_same_template_keys_in_every_locale():
    keys = {loc: R.template_keys(loc) for loc in LOCALES}
    assert keys["fr"], "no templates found"
    assert keys["fr"] == keys["en"], keys["fr"] ^ keys["en"]


def test_same_button_keys_in_every_locale():
    assert set(R.labels("fr")) == set(R.labels("en"))
    assert all(v.strip() for v in R.labels("fr").values())


def _sample_vars(source: str) -> set[str]:
    env = R.env("fr")
    from jinja2 import meta

    return meta.find_undeclared_variables(env.parse(source))


@pytest.mark.parametrize("locale", LOCALES)
def test_every_template_parses_and_declares_its_variables(locale):
    for key in sorted(R.template_keys(locale)):
        src = (R.root / locale / f"{key}.j2").read_text(encoding="utf-8")
        R.env(locale).parse(src)  # syntax
        needed = _sample_vars(src) - {"facts", "plural", "locale"}
        # rendering without the variables must fail loudly, never print an empty string
        if needed:
            with pytest.raises(jinja2.UndefinedError):
                R.render(key, locale)
        else:
            assert R.render(key, locale).strip(), key


def test_template_samples_render_strictly():
    """Templates that need variables ship a sample in a tests/samples/samples_*.py module (SAMPLES dict)."""
    import importlib

    SAMPLES = {}
    for f in sorted((ROOT / "tests" / "samples").glob("samples_*.py")):
        SAMPLES.update(importlib.import_module(f"tests.samples.{f.stem}").SAMPLES)

    for locale in LOCALES:
        for key in R.template_keys(locale):
            src = (R.root / locale / f"{key}.j2").read_text(encoding="utf-8")
            needed = _sample_vars(src) - {"facts", "plural", "locale"}
            if not needed:
                continue
            assert key in SAMPLES, f"add a sample for {key} in a tests/samples/samples_<area>.py"
            for vars in SAMPLES[key]:
                assert R.render(key, locale, **vars).strip()


TRANSPORTS = {"telegram", "nio", "aiohttp", "httpx", "bot.backends"}


def _flow_files():
    return sorted((ROOT / "flows").glob("*.py"))


def test_flows_import_no_transport():
    for f in _flow_files():
        tree = ast.parse(f.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for n in names:
                assert not any(n == t or n.startswith(t + ".") for t in TRANSPORTS), f"{f.name} imports {n}"


FRENCH_HINT = re.compile(r"\b(vous|votre|le|la|les|des|est|pour|avec|une|je|nous)\b", re.I)


def test_flows_hold_no_user_facing_french():
    for f in _flow_files():
        tree = ast.parse(f.read_text(encoding="utf-8"))
        docstrings = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                d = ast.get_docstring(node, clean=False)
                if d:
                    docstrings.add(d)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value not in docstrings:
                s = node.value
                if " " in s.strip() and len(FRENCH_HINT.findall(s)) >= 2:
                    pytest.fail(f"{f.name}: user-facing text in Python: {s[:60]!r}")

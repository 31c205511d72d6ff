"""Language data lives in locales/<lang>/nlu/*.toml; bot/ and flows/ keep only mechanisms.

The test collects every word of those data files and fails when a string literal of bot/ or flows/
(docstrings aside) holds one of them, except identifiers ("refuse", "outside": topic, flow and state
names), keys and log formats.  bot/lang/dates.py is exempt for now (it is being rewritten elsewhere)."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

from bot.lang import intents, language, nlu_data
from bot.core import router
from bot.lang.textnorm import fold

ROOT = Path(__file__).resolve().parents[2]
EXEMPT = {
    "bot/lang/dates.py",  # being rewritten in another branch this week
    "bot/knowledge/facts.py",  # sourced quotations (a price wording, source titles) shown by the templates
    "bot/infra/config.py",  # operator settings accept "oui"/"non" like "yes"/"no"
}
_WORD = re.compile(r"[a-z]{3,}")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_STRUCTURED = re.compile(r"[:/=%{}]|^[a-z_.]+$")


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        mapping = sum(isinstance(v, str) for v in value.values()) >= 3
        for k, v in value.items():
            if mapping and isinstance(v, str):
                yield k  # a mapping entry ("jai" = "j ai"), not a field name
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def data_words(lang: str, examples: bool = True) -> set[str]:
    """Every word of one language's data files (``examples=False``: without the example questions, where
    people mix languages: "how to refuse l'espace santé, is there a formulaire?")."""
    words: set[str] = set()
    for path in (nlu_data.locales_root() / lang / "nlu").glob("*.toml"):
        if not examples and path.stem == "examples":
            continue
        for s in _strings(tomllib.loads(path.read_text(encoding="utf-8"))):
            words.update(_WORD.findall(fold(s)))
    return words


def lexicon(files=("keywords", "spelling", "words", "answers", "commands", "health", "privacy")) -> set[str]:
    """The entries of the word lists (keywords, spellings, yes/no, commands...), folded, every language."""
    out: set[str] = set()
    for path in nlu_data.locales_root().glob("*/nlu/*.toml"):
        if path.stem not in files:
            continue  # examples are sentences, not entries
        for s in _strings(tomllib.loads(path.read_text(encoding="utf-8"))):
            entry = fold(s).split(":")[0].strip("=*")
            if entry:
                out.add(entry)
    return out


def _literals(tree: ast.AST):
    """String constants that are not docstrings."""
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docs.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            yield node.lineno, node.value


def _identifiers() -> set[str]:
    """Names the code itself uses: a literal made of them is an identifier, not language."""
    names: set[str] = set(intents.INTENTS) | {"outside"}
    for path in list((ROOT / "bot").rglob("*.py")) + list((ROOT / "flows").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Name):
                names.add(node.id.lower())
            elif isinstance(node, ast.Attribute):
                names.add(node.attr.lower())
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name.lower())
            elif isinstance(node, ast.arg):
                names.add(node.arg.lower())
    return names


#: the product's and the project's own names are not language data
NAMES = ("mon espace sante", "mes-bot", "mes_bot")


def language_in_python() -> list[str]:
    """Literals holding a French word of the data files, or equal to an entry of the word lists."""
    # French words: those of the French data that the locales use far more in French than in English
    # (English examples mix in French words: "how to refuse l'espace santé, is there a formulaire?")
    fr_only = (data_words("fr") - data_words("en", examples=False)) & language._vocabularies()["fr"]
    entries = lexicon()
    said = lexicon(("spelling", "words", "answers", "commands"))  # what people type as a whole word
    multi = [e for e in entries if " " in e and all(w in fr_only for w in e.split())]
    names = (
        _identifiers()
        | {c for c in router.BUILTIN}
        | set(router.Router.__init__.__globals__["load_registry"]().commands)
    )
    hits = []
    for path in sorted(list((ROOT / "bot").rglob("*.py")) + list((ROOT / "flows").glob("*.py"))):
        rel = path.relative_to(ROOT).as_posix()
        if rel in EXEMPT:
            continue
        for line, value in _literals(ast.parse(path.read_text(encoding="utf-8"))):
            text = fold(value)
            for name in NAMES:
                text = text.replace(name, " ")
            if _IDENT.match(value.strip()):
                word = text.strip()
                if word in said and word in fr_only and word not in names:
                    hits.append(f"{rel}:{line}: {value!r} (a word-list entry)")
                continue  # an identifier
            if _STRUCTURED.search(value) and " " not in value.strip():
                continue  # a key ("area/name", "flow:state")
            found = sorted({w for w in _WORD.findall(text) if w in fr_only and w not in names})
            phrases = [e for e in multi if f" {e} " in f" {' '.join(_WORD.findall(text))} "]
            if len(found) >= 2 or phrases:
                hits.append(f"{rel}:{line}: {value[:60]!r} ({', '.join((found + phrases)[:5])})")
    return hits


def test_no_user_language_in_python():
    hits = language_in_python()
    assert not hits, "\n".join(hits)


def test_the_check_finds_language_in_python(tmp_path, monkeypatch):
    """The check is not blind: a French phrase written into a flow is found."""
    sample = ROOT / "flows" / "zz_language_probe.py"
    sample.write_text('REPLY = "je veux refuser mon dossier"\n', encoding="utf-8")
    try:
        assert any("zz_language_probe" in h for h in language_in_python())
    finally:
        sample.unlink()


def test_mechanisms_read_the_data_files():
    assert "oui" in router.YES and "yes" in router.YES and "non" in router.NO
    assert router.BUILTIN_ALIASES["help"] == "aide"
    assert intents.SMS["jai"] == "j ai"
    assert intents.keywords("doctor") and any("traitant" in k for k in intents.keywords("doctor"))

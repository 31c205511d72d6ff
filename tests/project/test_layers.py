"""The layout is the architecture: each package of ``bot/`` sits on a layer and imports only from
its own layer or the layers below (README, "Architecture").  Every import counts, including the
ones inside functions; only the plugin discoveries listed in ALLOWED_UP reach upwards."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: lowest first; a module may import its own layer and any lower one
LAYERS = {
    "bot.infra": 0,  # config, log, metrics, clock, lock, health state
    "bot.store": 1,
    "bot.knowledge": 1,  # the database; the fact sheet
    "bot.lang": 2,  # text, dates, recognizer, privacy screen
    "bot.core": 3,  # types, App, router, flow library, render, delivery
    "bot.domain": 4,  # deadline, phone, calendar file, flyer
    "bot.jobs": 5,  # reminders, broadcasts, pacing
    "flows": 6,  # the conversations
    "bot.ops": 7,
    "bot.backends": 7,  # commands, process runner; the messaging backends
}
#: (importer package, imported package): the router discovers the flows, nothing else reaches up
ALLOWED_UP = {("bot.core", "flows")}
#: a backend is a room of its own: it never imports another backend
BACKENDS = ("console", "telegram", "matrix", "web")


def layer_of(module: str) -> str | None:
    for pkg in sorted(LAYERS, key=len, reverse=True):
        if module == pkg or module.startswith(pkg + "."):
            return pkg
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, mod: str | None = None) -> list[tuple[int, str]]:
    """Every module imported by ``path`` (absolute names; ``from x import y`` counts x.y too)."""
    mod = mod or module_name(path)
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((node.lineno, target))
            out += [(node.lineno, f"{target}.{a.name}") for a in node.names]
    return out


def sources() -> list[Path]:
    return sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "flows").rglob("*.py")])


def test_every_module_has_a_layer():
    loose = [
        module_name(p)
        for p in sources()
        if layer_of(module_name(p)) is None and module_name(p) not in ("bot", "bot.__main__", "bot.backends")
    ]
    assert not loose, f"modules outside any layer (put them in a layer package): {loose}"


def test_no_module_imports_from_a_layer_above_it():
    bad = []
    for path in sources():
        mine = layer_of(module_name(path))
        if mine is None:
            continue
        for line, target in imports(path):
            theirs = layer_of(target)
            if theirs is None or LAYERS[theirs] <= LAYERS[mine] or (mine, theirs) in ALLOWED_UP:
                continue
            bad.append(f"{path.relative_to(ROOT)}:{line} ({mine}) imports {target} ({theirs})")
    assert not bad, "imports from a higher layer:\n" + "\n".join(bad)


def test_a_backend_imports_no_other_backend():
    bad = []
    for path in (ROOT / "bot" / "backends").rglob("*.py"):
        rel = path.relative_to(ROOT / "bot" / "backends").parts
        own = rel[0].removesuffix(".py")
        for line, target in imports(path):
            for other in BACKENDS:
                if other != own and (target == f"bot.backends.{other}" or target.startswith(f"bot.backends.{other}.")):
                    bad.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert not bad, "\n".join(bad)


def test_the_check_sees_a_violation(tmp_path):
    """The rule can fail: a ground module importing the core, even inside a function, is found."""
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from ..core.app import App\n")
    found = [t for _l, t in imports(probe, "bot.infra.probe")]
    assert "bot.core.app" in found
    assert LAYERS[layer_of("bot.core.app")] > LAYERS[layer_of("bot.infra.probe")]


def test_the_ground_loads_no_module_by_name():
    """No hidden upward import either: the ground never loads a module from a string
    (the configuration once asked the Matrix backend this way, an import cycle)."""
    bad = [
        f"{p.relative_to(ROOT)}"
        for p in (ROOT / "bot" / "infra").rglob("*.py")
        if "import_module" in p.read_text(encoding="utf-8") or "__import__" in p.read_text(encoding="utf-8")
    ]
    assert not bad, bad

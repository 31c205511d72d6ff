"""Draw every flow of the registry as a Mermaid diagram, one Markdown file per flow in docs/flows/.

    .venv/bin/python scripts/flow_diagrams.py          # write docs/flows/*.md
    .venv/bin/python scripts/flow_diagrams.py --check  # exit 1 when a diagram is stale

Solid arrows are declared transitions (a button's ``goto``, an ``on_choice`` table entry, a
``Choices`` entry naming its target); dotted arrows are targets named inside a step's code (read
from its source, so they show where the code *may* go). Buttons back to the main menu are left
out: every page has one. A state with a guard says so under its name; names of older releases
still accepted (``RENAMED``) are listed under the diagram.
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.flowlib import Choice, Choices, Flow, Go, Say, State  # noqa: E402 - after the sys.path line above
from bot.core.router import Registry, load_registry  # noqa: E402 - after the sys.path line above

OUT = ROOT / "docs" / "flows"
HOME = "menu:main"
# "flow:state" anywhere in a step; a bare "state" only where it is a target (a word like "date"
# is more often a data key than a state)
_LITERAL = re.compile(r"""["']([a-z_]+:[a-z_0-9]+)["']|(?:goto=|\.to\(|Go\()\s*["']([a-z_0-9]+)["']""")


def _says(prompt) -> list[Say]:
    if isinstance(prompt, Say):
        return [prompt]
    if isinstance(prompt, list):
        return [s for s in prompt if isinstance(s, Say)]
    return []


def _full(target: str, flow: str) -> str:
    return target if ":" in target else f"{flow}:{target}"


def _table(on_choice) -> dict:
    """An on_choice table's entries as targets: "flow:state" for a declared transition."""
    if isinstance(on_choice, Choices):
        return {k: (v.target if isinstance(v, Go) else v) for k, v in on_choice.table.items()}
    return on_choice if isinstance(on_choice, dict) else {}


def _steps(on_choice) -> list:
    """The callables of an on_choice (the table's steps, or the handler itself)."""
    if isinstance(on_choice, Choices):
        return [v.step if isinstance(v, Go) else v for v in on_choice.table.values() if not isinstance(v, str)]
    return [] if isinstance(on_choice, dict) else [on_choice]


def _declared(flow: Flow, name: str, state: State) -> list[tuple[str, str]]:
    """(label, target) pairs for transitions written as data."""
    edges: list[tuple[str, str]] = []
    table = _table(state.declared.on_choice)
    for say in _says(state.declared.prompt):
        for row in say.buttons:
            for choice in row:
                if not isinstance(choice, Choice):
                    continue
                if choice.goto:
                    edges.append((choice.label, _full(choice.goto, flow.name)))
                elif choice.payload and isinstance(table.get(choice.payload), str):
                    edges.append((choice.label, _full(table[choice.payload], flow.name)))
    drawn = {t for _, t in edges}
    by_target: dict[str, list[str]] = {}
    for payload, value in table.items():
        if isinstance(value, str) and _full(value, flow.name) not in drawn:
            by_target.setdefault(_full(value, flow.name), []).append(payload)
    return edges + [(", ".join(payloads), target) for target, payloads in by_target.items()]


def _sources(fn, depth: int = 0) -> list[str]:
    """The source of a step and of the functions it wraps (decorators keep them in their closure)."""
    if not callable(fn) or isinstance(fn, (Say, dict)) or depth > 3:
        return []
    try:
        out = [inspect.getsource(fn)]
    except (OSError, TypeError):
        out = []
    for cell in getattr(fn, "__closure__", None) or ():
        out += _sources(cell.cell_contents, depth + 1) if inspect.isfunction(cell.cell_contents) else []
    return out


def _choices(value, depth: int = 0):
    """Choices inside a (nested) list of button rows."""
    if isinstance(value, Choice):
        yield value
    elif isinstance(value, (list, tuple)) and depth < 3:
        for item in value:
            yield from _choices(item, depth + 1)


def _buttons_named(fn) -> set[str]:
    """Targets of module-level button rows a step refers to by name (``MAIN_BUTTONS``)."""
    code, names = getattr(fn, "__code__", None), getattr(fn, "__globals__", {})
    if code is None:
        return set()
    return {c.goto for name in code.co_names for c in _choices(names.get(name)) if c.goto}


def _in_code(flow: Flow, state: State, known: set[str]) -> set[str]:
    """Targets named as string literals in the state's callables, or in the button rows they use."""
    found: set[str] = set()
    steps = [state.declared.prompt, *_steps(state.declared.on_choice), state.declared.on_text]
    for fn in steps:
        if callable(fn) and not isinstance(fn, (Say, dict)):
            found |= {_full(t, flow.name) for t in _buttons_named(fn)} & known
        for full, bare in _LITERAL.findall("\n".join(_sources(fn))):
            target = _full(full or bare, flow.name)
            if target in known:
                found.add(target)
    return found


def _node(target: str) -> str:
    return target.replace(":", "__")


def diagram(flow: Flow, reg: Registry) -> str:
    known = {f"{f.name}:{s}" for f in reg.flows.values() for s in f.states}
    lines = ["flowchart TD"]
    outside: set[str] = set()
    for name, state in flow.states.items():
        me = f"{flow.name}:{name}"
        text = f"{name}<br/><i>guard: {state.guard.name}</i>" if state.guard else name
        shape = f'{_node(me)}(["{text}"])' if name == flow.start else f'{_node(me)}["{text}"]'
        lines.append(f"    {shape}")
    for name, state in flow.states.items():
        me = f"{flow.name}:{name}"
        declared = [(label, t) for label, t in _declared(flow, name, state) if t != HOME]
        for label, target in declared:
            lines.append(f'    {_node(me)} -->|"{label}"| {_node(target)}')
            if not target.startswith(f"{flow.name}:"):
                outside.add(target)
        for target in sorted(_in_code(flow, state, known) - {t for _, t in declared} - {HOME, me}):
            lines.append(f"    {_node(me)} -.-> {_node(target)}")
            if not target.startswith(f"{flow.name}:"):
                outside.add(target)
    for target in sorted(outside):
        lines.append(f'    {_node(target)}[["{target}"]]')
    return "\n".join(lines) + "\n"


GUARD_NOTE = (
    "*guard*: a condition declared on the state (`State(guard=...)`), checked by the flow library "
    "before its prompt, its buttons and its text.\n\n"
)


def _renamed(flow: Flow, reg: Registry) -> str:
    old = sorted((o, n) for o, n in reg.renamed.items() if n.startswith(f"{flow.name}:"))
    if not old:
        return ""
    rows = "".join(f"| `{o}` | `{n}` |\n" for o, n in old)
    return (
        "\nNames of older releases, still accepted (buttons already sent, stored conversations):\n\n"
        f"| older name | today |\n|---|---|\n{rows}"
    )


def page(flow: Flow, reg: Registry) -> str:
    flags = [w for w, on in (("admin only", flow.admin_only), ("personal", flow.personal)) if on]
    return (
        f"# Flow `{flow.name}`\n\n"
        f"Generated by `scripts/flow_diagrams.py` from the flow registry; do not edit by hand.\n"
        f"Start state: `{flow.start}`; {', '.join(flags) or 'group-safe'}. Solid arrows: declared buttons "
        f"and choices (label keys); dotted: targets named in the step's code; double-bordered boxes: other flows. "
        f"Links back to the main menu are left out.\n\n"
        f"{GUARD_NOTE if any(st.guard for st in flow.states.values()) else ''}"
        f"```mermaid\n{diagram(flow, reg)}```\n{_renamed(flow, reg)}"
    )


def render_all(reg: Registry | None = None) -> dict[str, str]:
    reg = reg or load_registry()
    files = {f"{name}.md": page(flow, reg) for name, flow in sorted(reg.flows.items())}
    index = [
        "# Flow diagrams",
        "",
        "One diagram per flow, generated from the registry "
        "(`scripts/flow_diagrams.py`; a test fails when one is stale).",
        "",
    ]
    index += [f"- [`{name[:-3]}`]({name})" for name in files]
    files["README.md"] = "\n".join(index) + "\n"
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/flows/ is not up to date")
    args = parser.parse_args(argv)
    files = render_all()
    stale = sorted(n for n, text in files.items() if not (OUT / n).exists() or (OUT / n).read_text() != text)
    extra = sorted(p.name for p in OUT.glob("*.md") if p.name not in files) if OUT.exists() else []
    if args.check:
        for name in stale + extra:
            print(f"stale: docs/flows/{name}")
        return 1 if stale or extra else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name in extra:
        (OUT / name).unlink()
    for name in stale:
        (OUT / name).write_text(files[name])
    print(f"docs/flows: {len(stale)} written, {len(extra)} removed, {len(files) - len(stale)} unchanged")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

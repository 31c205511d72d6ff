"""docs/flows/ holds one Mermaid diagram per flow, generated from the registry and never stale."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _tool():
    spec = importlib.util.spec_from_file_location("flow_diagrams", ROOT / "scripts" / "flow_diagrams.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_diagrams_are_up_to_date():
    tool = _tool()
    stale = [
        name
        for name, text in tool.render_all().items()
        if not (tool.OUT / name).exists() or (tool.OUT / name).read_text() != text
    ]
    assert not stale, f"run scripts/flow_diagrams.py: stale {stale}"
    assert tool.main(["--check"]) == 0


def test_every_flow_has_a_diagram_with_its_transitions():
    from bot.core.router import load_registry

    tool = _tool()
    reg = load_registry()
    files = tool.render_all(reg)
    assert set(files) == {f"{name}.md" for name in reg.flows} | {"README.md"}
    refuse = files["refuse.md"]
    assert 'refuse__start -->|"refuse.how_online"| refuse__online' in refuse
    menu = files["menu.md"]
    assert "menu__main -.-> deadline__start" in menu  # rows a prompt function refers to by name

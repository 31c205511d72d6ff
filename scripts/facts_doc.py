#!/usr/bin/env python3
"""Regenerate docs/facts.md from bot/knowledge/facts.toml and the citations in locales/fr
(``--check``: fail if stale)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.knowledge import factsheet  # noqa: E402 - after the sys.path line above

TARGET = ROOT / "docs" / "facts.md"


def main() -> int:
    text = factsheet.render_markdown(factsheet.citations(ROOT / "locales"))
    if "--check" in sys.argv[1:]:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print("docs/facts.md is stale: run scripts/facts_doc.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

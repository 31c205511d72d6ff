"""All SQL lives in ``bot/store/`` (README, "Architecture"): no other module of the bot or of the
flows holds an SQL statement, imports a database driver or reaches for ``store.db``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA|ALTER|DROP|REPLACE|BEGIN|ROLLBACK)\b")
DRIVERS = {"sqlite3", "sqlite_utils", "apsw"}
#: the only exceptions, each for a reason that is not the bot's database
ALLOWED = {
    "bot/infra/health_state.py": {"imports sqlite3"},  # recognises sqlite3's errors (disk full, damaged)
    "bot/ops/check.py": {"imports sqlite3"},  # reports a sqlite3 error of the probe
    "bot/lang/recognizer.py": {"imports sqlite3", "SQL"},  # an in-memory FTS5 index of the example questions
}


def findings(source: str) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value):
            out.append(f"{node.lineno}: SQL {node.value.strip()[:40]!r}")
        elif isinstance(node, ast.Import):
            out += [f"{node.lineno}: imports {a.name}" for a in node.names if a.name.split(".")[0] in DRIVERS]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in DRIVERS and not node.level:
            out.append(f"{node.lineno}: imports {node.module}")
        elif isinstance(node, ast.Attribute) and node.attr == "db":
            owner = node.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if name == "store":
                out.append(f"{node.lineno}: uses store.db")
    return out


def test_no_sql_outside_the_store():
    bad = []
    for path in sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "flows").rglob("*.py")]):
        if (ROOT / "bot" / "store") in path.parents:
            continue
        rel = path.relative_to(ROOT).as_posix()
        allowed = ALLOWED.get(rel, set())
        bad += [
            f"{rel}:{f}"
            for f in findings(path.read_text(encoding="utf-8"))
            if not any(f.split(": ", 1)[1].startswith(a) for a in allowed)
        ]
    assert not bad, "SQL outside bot/store/ (add a store method):\n" + "\n".join(bad)


def test_the_check_finds_each_kind():
    src = (
        "import sqlite3\n"
        "def f(ctx):\n"
        '    ctx.store.db.execute("DELETE FROM campaigns WHERE id = ?", [1])\n'
        '    return f"SELECT {1} FROM users"\n'
    )
    kinds = " ".join(findings(src))
    assert "imports sqlite3" in kinds and "uses store.db" in kinds and "SQL 'DELETE FROM" in kinds
    assert "SQL 'SELECT" in kinds or "SQL 'SELECT " in kinds


def test_the_store_itself_is_where_sql_is():
    assert findings((ROOT / "bot" / "store" / "core.py").read_text(encoding="utf-8"))

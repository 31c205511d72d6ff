"""The documentation says what the code does: the migrations the developer guide lists exist, and every
dependency in pyproject.toml has a line in the README's table saying why."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_dev_guide_lists_the_migrations_that_exist():
    guide = (ROOT / "docs" / "dev-guide.md").read_text(encoding="utf-8")
    [line] = [ln for ln in guide.splitlines() if ln.startswith("Numbers:")]
    listed = set(re.findall(r"\b(\d{4}) [a-z]", line))
    files = {p.name[:4] for p in (ROOT / "bot" / "store" / "migrations").glob("[0-9][0-9][0-9][0-9]_*.sql")}
    assert listed == files


def _name(req: str) -> str:
    return re.split(r"[\[<>=!~ ;]", req.strip(), maxsplit=1)[0].lower()


def test_every_dependency_has_a_line_in_the_readme_table():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    wanted |= {_name(r) for r in project["optional-dependencies"]["dev"]} - {"setuptools", "wheel"}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Dependencies, and why each is there", 1)[1].split("\n## ", 1)[0]
    named = set()
    for row in table.splitlines():
        if row.startswith("|") and not row.startswith("|---"):
            first = row.split("|")[1]
            named |= {_name(w) for w in re.split(r"[,:]", first.replace("*dev*", "").replace("*test only*", ""))}
    missing = sorted(wanted - named)
    assert not missing, f"add a line to the README's dependency table for: {missing}"

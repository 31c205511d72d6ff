"""`pip install .` must ship the templates and migrations inside the wheel."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_contains_templates_and_migrations(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
    )
    wheel = next(tmp_path.glob("mes_bot-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "locales/fr/menu/main.j2" in names
    assert "locales/en/menu/main.j2" in names
    assert "locales/fr/buttons/menu.toml" in names
    assert "bot/store/migrations/0001_core.sql" in names
    assert "bot/knowledge/facts.toml" in names  # the fact sheet bot/knowledge/facts.py reads its rules from
    assert "flows/menu.py" in names
    assert any(n.startswith("bot/backends/") for n in names)
    # only these three generic names are installed, nothing else (README, "Installing")
    top = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert top == {"bot", "flows", "locales"}, top
    entry = [n for n in names if n.endswith("entry_points.txt")]
    assert entry and "mes-bot = bot.ops.cli:main" in zipfile.ZipFile(wheel).read(entry[0]).decode()

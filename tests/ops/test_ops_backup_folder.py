"""`mes-bot backup` into a folder: a trailing slash, ``--dir`` or a name without a database suffix is a
folder (created if missing), copies are timestamped, ``--keep N`` rotates, and the operator guide's
``/var/backups/mes-bot`` example works two days running."""

import sqlite3

from bot.ops.cli import main as cli
from bot.ops.backup import STAMPED, rotate
from bot.store import Store


def _data(tmp_path):
    data = tmp_path / "data"
    Store(data / "mes-bot.db").close()
    return data


def _copies(folder):
    return sorted(p.name for p in folder.iterdir())


def test_guide_example_folder_without_slash_is_created_and_rotated(tmp_path, capsys):
    data = _data(tmp_path)
    dest = tmp_path / "var" / "backups" / "mes-bot"  # does not exist yet, no trailing slash
    for _day in range(3):
        assert cli(["backup", str(dest), "--data-dir", str(data), "--keep", "2"]) == 0
    assert dest.is_dir() and oct(dest.stat().st_mode & 0o777) == "0o700"
    names = _copies(dest)
    assert len(names) == 2 and all(STAMPED.fullmatch(n) for n in names), names
    for n in names:
        conn = sqlite3.connect(dest / n)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
    out = capsys.readouterr().out
    assert out.count("backup: ") == 3 and out.count("removed old backup") == 1


def test_trailing_slash_and_dir_option_make_folders(tmp_path):
    data = _data(tmp_path)
    slash = tmp_path / "a" / "b"
    assert cli(["backup", f"{slash}/", "--data-dir", str(data)]) == 0
    assert slash.is_dir() and len(_copies(slash)) == 1
    d = tmp_path / "c.db.d" / "x.db"  # even a name that looks like a file, with --dir
    assert cli(["backup", "--dir", str(d), "--data-dir", str(data)]) == 0
    assert d.is_dir() and STAMPED.fullmatch(_copies(d)[0])
    # two copies within the same second do not overwrite each other
    assert cli(["backup", "--dir", str(d), "--data-dir", str(data)]) == 0
    assert len(_copies(d)) == 2


def test_file_destinations_and_clear_refusals(tmp_path, capsys):
    data = _data(tmp_path)
    assert cli(["backup", str(tmp_path / "one.db"), "--data-dir", str(data)]) == 0
    assert (tmp_path / "one.db").is_file()
    # a file left by an older version where a folder is meant: said plainly, nothing written
    old = tmp_path / "mes-bot"
    old.write_bytes(b"old copy")
    assert cli(["backup", str(old), "--data-dir", str(data)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert old.read_bytes() == b"old copy"
    assert cli(["backup", str(tmp_path / "two.db"), "--data-dir", str(data), "--keep", "3"]) == 2
    assert "--keep applies to a folder" in capsys.readouterr().err
    assert cli(["backup", "--data-dir", str(data)]) == 2
    assert cli(["backup", str(tmp_path / "x"), "--dir", str(tmp_path / "y"), "--data-dir", str(data)]) == 2
    assert "either DEST or --dir" in capsys.readouterr().err


def test_rotation_keeps_the_newest_and_touches_nothing_else(tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    names = [
        "mes-bot-20260101-000000.db",
        "mes-bot-20260102-000000.db",
        "mes-bot-20260102-000000-2.db",
        "mes-bot-20260102-000000-10.db",
        "mes-bot-notes.db",
        "other.db",
    ]
    for n in names:
        (folder / n).write_bytes(b"x")
    removed = rotate(folder, 2)
    assert sorted(p.rsplit("/", 1)[1] for p in removed) == ["mes-bot-20260101-000000.db", "mes-bot-20260102-000000.db"]
    assert _copies(folder) == [
        "mes-bot-20260102-000000-10.db",
        "mes-bot-20260102-000000-2.db",
        "mes-bot-notes.db",
        "other.db",
    ]

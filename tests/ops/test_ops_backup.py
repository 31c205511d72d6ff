"""`mes-bot backup`: a consistent online copy while another connection keeps writing; the
restored copy opens with mes-bot's Store and has the rows."""

import os
import shutil
import sqlite3
import threading
import time

from bot.ops.cli import main as cli
from bot.store import Store


def test_backup_of_a_live_database_and_restore(tmp_path, capsys):
    data = tmp_path / "data"
    store = Store(data / "mes-bot.db")  # the "running bot"
    stop = threading.Event()
    written = {"pairs": 0}

    def writer():
        # The bot's own connection keeps writing: each transaction inserts a pair of rows,
        # so a consistent snapshot always holds as many "a:" as "b:" rows.
        i = 0
        while not stop.is_set() and i < 200_000:
            with store.transaction() as db:
                db.execute("INSERT INTO kv (key, value) VALUES (?, ?)", [f"a:{i}", "x" * 200])
                db.execute("INSERT INTO kv (key, value) VALUES (?, ?)", [f"b:{i}", "y" * 200])
            i += 1
            written["pairs"] = i

    t = threading.Thread(target=writer)
    t.start()
    try:
        while written["pairs"] < 200:
            time.sleep(0.005)
        dests = []
        for n in range(3):  # several copies, each while writes go on
            dest = tmp_path / "backups" / f"copy{n}.db"
            assert cli(["backup", str(dest), "--data-dir", str(data)]) == 0
            dests.append(dest)
            assert written["pairs"] > 0
    finally:
        stop.set()
        t.join(10)
    out = capsys.readouterr().out
    assert "backup:" in out and "kv " in out
    total = written["pairs"]
    previous = 0
    for dest in dests:
        assert oct(dest.stat().st_mode & 0o777) == "0o600"
        conn = sqlite3.connect(dest)
        a = conn.execute("SELECT COUNT(*) FROM kv WHERE key LIKE 'a:%'").fetchone()[0]
        b = conn.execute("SELECT COUNT(*) FROM kv WHERE key LIKE 'b:%'").fetchone()[0]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
        assert a == b > 0  # never half a transaction
        assert previous <= a <= total
        previous = a
    # writes did go on around the backups: the copies are older than the live database
    assert previous < total
    live = sqlite3.connect(data / "mes-bot.db").execute("SELECT COUNT(*) FROM kv").fetchone()[0]
    assert live == 2 * total
    store.close()

    # restore: stop the bot, copy over, drop WAL files, start -> the rows are there
    restored = tmp_path / "restored"
    restored.mkdir()
    shutil.copy(dests[-1], restored / "mes-bot.db")
    s2 = Store(restored / "mes-bot.db")
    try:
        assert s2.db.execute("SELECT COUNT(*) FROM kv").fetchone()[0] == 2 * previous
        assert s2.schema_version == Store(":memory:").schema_version
        s2.db.execute("INSERT INTO kv (key, value) VALUES ('after-restore', '1')")  # writable
    finally:
        s2.close()


def test_backup_into_a_folder_with_rotation_and_config(tmp_path, capsys):
    data = tmp_path / "data"
    Store(data / "mes-bot.db").close()
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'data_dir = "{data}"\n')
    folder = tmp_path / "b"
    folder.mkdir()
    for i in range(3):
        (folder / f"mes-bot-2020010{i}-000000.db").write_bytes(b"old")
    assert cli(["backup", str(folder), "--config", str(cfg), "--keep", "2"]) == 0
    kept = sorted(p.name for p in folder.glob("mes-bot-*.db"))
    assert len(kept) == 2 and kept[0] == "mes-bot-20200102-000000.db"
    assert not kept[1].startswith("mes-bot-2020")
    assert not list(folder.glob("*.part"))


def test_backup_errors(tmp_path, capsys):
    assert cli(["backup", str(tmp_path / "x.db"), "--data-dir", str(tmp_path / "empty")]) == 1
    assert "no database" in capsys.readouterr().err
    Store(tmp_path / "d" / "mes-bot.db").close()
    assert cli(["backup", str(tmp_path / "d" / "mes-bot.db"), "--data-dir", str(tmp_path / "d")]) == 2
    # a backup never migrates nor touches the original
    before = os.stat(tmp_path / "d" / "mes-bot.db").st_mtime_ns
    assert cli(["backup", str(tmp_path / "copy.db"), "--data-dir", str(tmp_path / "d")]) == 0
    assert os.stat(tmp_path / "d" / "mes-bot.db").st_mtime_ns == before

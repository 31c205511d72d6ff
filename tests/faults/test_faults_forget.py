"""Issue 16, point 6: after /oubli nothing derived from the person is left in the live data folder
(database, WAL, shared memory, files): a byte search for every form of their id and its hashes.
Telegram through the emulator; the console's calendar files."""

from __future__ import annotations

import hashlib
import io
import os
import stat
from pathlib import Path

from bot.core.app import App
from bot.backends.console import ConsoleBackend, run_console
from bot.jobs.broadcast import stable_hash
from bot.infra.clock import FakeClock
from bot.infra.config import Settings
from tests.support.telegram_env import close_env, settle, start_env

U = 918273645
GROUP = -1005551234


def forms(uid: int, user_key: str, salt: str | None) -> dict[str, bytes]:
    s = str(uid)
    out = {
        "id": s.encode(),
        "id-utf16": s.encode("utf-16-le"),
        "key": user_key.encode(),
        "int32-be": uid.to_bytes(4, "big"),
        "int64-be": uid.to_bytes(8, "big"),
        "int32-le": uid.to_bytes(4, "little"),
        "sha256(key)": hashlib.sha256(user_key.encode()).hexdigest().encode(),
        "sha256(id)": hashlib.sha256(s.encode()).hexdigest().encode(),
    }
    if salt:
        h = hashlib.sha256(f"{salt}:{user_key}".encode()).hexdigest()
        out["admin-hash"] = h[:16].encode()
        out["admin-hash-full"] = h.encode()
    return out


def leftovers(folder: Path, needles: dict[str, bytes]) -> list[tuple[str, str]]:
    hits = []
    for p in folder.rglob("*"):
        if p.is_file():
            blob = p.read_bytes()
            hits += [(p.name, name) for name, b in needles.items() if b in blob]
    return hits


async def test_forget_leaves_no_byte_of_the_person_in_the_data_folder(tmp_path):
    env = await start_env(tmp_path)
    emu, app = env.emu, env.app
    store = app.store
    key = f"telegram:{U}"
    try:
        emu.tap_start(U)
        n = len(await settle(emu, U, 2))
        emu.private_message(U, "reçu le 3 novembre")
        n = len(await emu.wait_for(U, n + 1))
        # they block the bot, then come back (the "gone" mark of their chat)
        emu.member_update(U, U, "member", "kicked")
        await emu.wait_until(lambda: not store.get_user(key).active, 5, "deactivated")
        emu.member_update(U, U, "kicked", "member")
        await emu.wait_until(lambda: store.get_user(key).active, 5, "reactivated")
        store.kv_set(f"tggone:{U}", None)  # a row left by an earlier version
        # they follow a collective and, as its admin, asked for a broadcast awaiting approval
        coll = store.ensure_collective("telegram", str(GROUP))
        store.add_followers_bulk(coll["id"], [(key, "telegram", str(U), "fr")])
        pending = store.create_broadcast(
            coll["id"], "basics", custom_text=None, requested_by=stable_hash(store, key), needs_approval=True
        )
        salt = store.kv_get("collectives_salt")
        needles = forms(U, key, salt)
        data = Path(app.settings.data_dir)
        assert leftovers(data, needles), "the search finds nothing even before /oubli: it is not looking"

        emu.private_message(U, "/oubli")
        n = len(await emu.wait_for(U, n + 1))
        emu.press(U, label=app.renderer.label("menu.forget_yes", "fr"))
        await emu.wait_until(lambda: any(t.startswith("C'est fait") for t in emu.texts(U)), 5, "forgotten")

        assert leftovers(data, needles) == []  # live folder: db, -wal, -shm, lock, files
        assert store.get_broadcast(pending["id"])["status"] == "approval"  # the request itself stays
    finally:
        await close_env(env)
    assert leftovers(data, needles) == []


async def test_console_calendar_file_is_private_and_erased_by_forget(tmp_path):
    data = tmp_path / "data"

    async def console(lines: list[str]) -> str:
        app = App(Settings(data_dir=data), clock=FakeClock("2026-11-22T11:00:00+01:00"))
        out = io.StringIO()
        assert await run_console(app, ConsoleBackend(app, stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out)) == 0
        app.store.close()
        return out.getvalue()

    await console(["j'ai reçu le mail le 4 novembre", "/calendrier"])
    files = list((data / "exports").glob("*.ics"))
    assert files, "no calendar file written"
    assert all(stat.S_IMODE(os.stat(f).st_mode) == 0o600 for f in files)
    assert stat.S_IMODE(os.stat(data / "exports").st_mode) == 0o700
    out = await console(["/oubli", "oui"])
    assert "C'est fait" in out
    assert list((data / "exports").glob("*")) == []

"""The web backend over real HTTP on 127.0.0.1: the real App, router, store and templates behind
aiohttp, driven by an aiohttp client.  The clock is injected (expiry without sleeping)."""

from __future__ import annotations

import base64
import logging

import aiohttp
import pytest

from bot.core.types import Blocked, Reply
from tests.support.web_env import make_web, serving

DATE_A = "reçu le 20 novembre"  # last day: Friday 1 January 2027
DATE_B = "reçu le 10 novembre"  # last day: Tuesday 22 December 2026


class Visitor:
    def __init__(self, http: aiohttp.ClientSession, base: str, origin: str | None = None, headers=None):
        self.http, self.base = http, base
        self.origin = base if origin is None else origin
        self.headers = dict(headers or {})
        self.token = None
        self.last: dict = {}

    async def post(self, path: str, body, status: int | None = 200, raw: bytes | None = None):
        headers = {"Content-Type": "application/json", **self.headers}
        if self.origin:
            headers["Origin"] = self.origin
        async with self.http.post(
            self.base + path, json=None if raw is not None else body, data=raw, headers=headers
        ) as r:
            data = await r.json() if r.content_type == "application/json" else {}
            if status is not None:
                assert r.status == status, (r.status, data)
            assert "Set-Cookie" not in r.headers
            self.status, self.last = r.status, data
            return data

    async def start(self, **body):
        data = await self.post("/api/start", {"lang": "fr", **body})
        self.token = data["token"]
        return data

    async def say(self, text: str, status: int = 200):
        return await self.post("/api/message", {"token": self.token, "text": text}, status)

    async def press(self, label: str, status: int = 200):
        buttons = [b for r in self.last["replies"] for row in r["buttons"] for b in row if "payload" in b]
        match = [b for b in buttons if label.lower() in b["label"].lower()]
        assert match, (label, [b["label"] for b in buttons])
        return await self.post("/api/message", {"token": self.token, "choice": match[0]["payload"]}, status)

    @property
    def text(self) -> str:
        return "\n\n".join(r["text"] for r in self.last["replies"])


def web_rows(app) -> int:
    db = app.store.db
    return sum(
        next(iter(db.query(f"SELECT COUNT(*) AS n FROM [{t}] WHERE user_key LIKE 'web:%'")))["n"]
        for t in app.store.tables_with_column("user_key")
    )


@pytest.fixture
async def site(tmp_path):
    app, web, clock = make_web(tmp_path / "data")
    async with serving(app, web) as base, aiohttp.ClientSession() as http:
        yield app, web, clock, base, http
    app.store.close()


async def test_conversation_buttons_and_calendar_file(site):
    app, web, clock, base, http = site
    v = Visitor(http, base)
    await v.start()
    assert [r["key"] for r in v.last["replies"]] == ["core/welcome", "menu/main"]
    assert v.last["lang"] == "fr" and all(r["lang"] == "fr" for r in v.last["replies"])
    await v.press("J'ai reçu")
    await v.say(DATE_A)
    assert "vendredi 1er janvier 2027" in v.text
    await v.press("Recevoir des rappels")
    offer = v.last["replies"][-1]
    assert offer["key"] == "reminders/offer_no_chat"
    assert "je ne peux pas vous écrire plus tard" in offer["text"]
    labels = [b["label"] for row in offer["buttons"] for b in row]
    assert "Télécharger pour mon agenda" in labels and "Oui, me le rappeler" not in labels
    await v.press("Menu")
    await v.say(DATE_A)
    download = [b for row in v.last["replies"][-1]["buttons"] for b in row if b.get("download")]
    assert [b["label"] for b in download] == ["Télécharger pour mon agenda"]
    await v.press("Télécharger pour mon agenda")
    files = [r["file"] for r in v.last["replies"] if "file" in r]
    assert len(files) == 1 and files[0]["mime"] == "text/calendar"
    ics = base64.b64decode(files[0]["data"]).decode()
    assert ics.startswith("BEGIN:VCALENDAR") and "DTSTART;VALUE=DATE:20270101" in ics
    # a forged "yes, remind me" cannot create reminders nobody could receive
    await v.post("/api/message", {"token": v.token, "choice": "reminders:offer:yes"})
    assert v.last["replies"][-1]["key"] == "reminders/offer_no_chat"
    assert next(iter(app.store.db.query("SELECT COUNT(*) AS n FROM deadlines")))["n"] == 0
    # and the scheduler can never push to a web page
    with pytest.raises(Blocked):
        await web.send("x", Reply(key="k", text="t"))


async def test_english_switch_and_lang_per_message(site):
    app, web, clock, base, http = site
    v = Visitor(http, base)
    await v.start()
    await v.say("/langue en")
    assert v.last["lang"] == "en" and all(r["lang"] == "en" for r in v.last["replies"])
    assert "What would you like to do?" in v.text or "What do you want to do?" in v.text
    v2 = Visitor(http, base)
    await v2.start(lang="en")
    assert v2.last["lang"] == "en" and "Hello" in v2.text


async def test_two_visitors_never_see_each_others_replies(site):
    import asyncio

    app, web, clock, base, http = site
    a, b = Visitor(http, base), Visitor(http, base)
    await asyncio.gather(a.start(), b.start())
    assert a.token != b.token
    await asyncio.gather(a.press("J'ai reçu"), b.press("J'ai reçu"))
    await asyncio.gather(a.say(DATE_A), b.say(DATE_B))
    assert "1er janvier 2027" in a.text and "22 décembre 2026" not in a.text
    assert "22 décembre 2026" in b.text and "1er janvier 2027" not in b.text
    await b.say("/oubli")
    await b.press("Oui, tout effacer")
    assert b.last["ended"] is True
    await a.press("Télécharger")
    assert any("file" in r for r in a.last["replies"])  # A's conversation is untouched


async def test_page_headers_static_files_and_no_cookie(site):
    app, web, clock, base, http = site
    async with http.get(base + "/") as r:
        html = await r.text()
        assert r.status == 200 and "Set-Cookie" not in r.headers
        csp = r.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
        assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert '<html lang="fr">' in html and 'role="log"' in html and 'aria-live="polite"' in html
    assert "<script>" not in html and "style=" not in html and "http://" not in html.replace(base, "")
    async with http.get(base + "/?lang=en") as r:
        assert '<html lang="en">' in await r.text()
    for name, ctype in (("app.js", "text/javascript"), ("style.css", "text/css"), ("icon.svg", "image/svg+xml")):
        async with http.get(f"{base}/static/{name}") as r:
            assert r.status == 200 and r.headers["Content-Type"].startswith(ctype)
    async with http.get(base + "/static/page.html") as r:
        assert r.status == 404
    async with http.get(base + "/static/..%2Fserver.py") as r:
        assert r.status == 404


async def test_origin_check(site):
    app, web, clock, base, http = site
    await Visitor(http, base, origin="https://evil.example").post("/api/start", {"lang": "fr"}, 403)
    await Visitor(http, base, origin="").post("/api/start", {"lang": "fr"}, 403)
    # a form post (not JSON) is refused too
    async with http.post(base + "/api/start", data={"lang": "fr"}, headers={"Origin": base}) as r:
        assert r.status == 400


async def test_message_size_and_rate_limits(tmp_path):
    app, web, clock = make_web(
        tmp_path / "d", web_rate_conversation_per_min=3, web_rate_address_per_min=1000, web_max_body_bytes=4096
    )
    async with serving(app, web) as base, aiohttp.ClientSession() as http:
        v = Visitor(http, base)
        await v.start()
        await v.post("/api/message", {"token": v.token, "text": "x" * 5000}, 413)
        assert "très long" in v.last["text"]
        for _ in range(3):
            await v.say("bonjour")
        await v.say("bonjour", status=429)
        assert "Attendez un peu" in v.last["text"]
        clock.advance(seconds=20)  # one message per 20 s comes back
        await v.say("bonjour")
        await v.say("bonjour", status=429)
    app.store.close()


async def test_address_limit_is_proxy_aware(tmp_path):
    app, web, clock = make_web(tmp_path / "d", web_rate_address_per_min=3, web_trusted_proxies=("127.0.0.1",))
    async with serving(app, web) as base, aiohttp.ClientSession() as http:
        one = Visitor(http, base, headers={"X-Forwarded-For": "198.51.100.7"})
        other = Visitor(http, base, headers={"X-Forwarded-For": "203.0.113.9, 198.51.100.8"})
        for _ in range(3):
            await one.post("/api/start", {"lang": "fr"})
        await one.post("/api/start", {"lang": "fr"}, 429)
        await other.post("/api/start", {"lang": "fr"})  # another client behind the same proxy
    app.store.close()
    # without trusting the proxy, X-Forwarded-For is ignored: changing it does not escape the limit
    app, web, clock = make_web(tmp_path / "e", web_rate_address_per_min=2)
    async with serving(app, web) as base, aiohttp.ClientSession() as http:
        for i in range(2):
            await Visitor(http, base, headers={"X-Forwarded-For": f"192.0.2.{i}"}).post("/api/start", {})
        await Visitor(http, base, headers={"X-Forwarded-For": "192.0.2.99"}).post("/api/start", {}, 429)
    app.store.close()


async def test_bounded_conversations_and_busy_page(tmp_path):
    app, web, clock = make_web(tmp_path / "d", web_max_conversations=2)
    async with serving(app, web) as base, aiohttp.ClientSession() as http:
        a, b = Visitor(http, base), Visitor(http, base)
        await a.start()
        await b.start()
        await Visitor(http, base).post("/api/start", {"lang": "fr"}, 503)
        async with http.get(base + "/") as r:
            html = await r.text()
            assert r.status == 503 and r.headers["Retry-After"] == "60"
            assert "Trop de personnes" in html and "app.js" not in html
        await a.post("/api/end", {"token": a.token}, None)
        async with http.get(base + "/") as r:
            assert r.status == 200
        await Visitor(http, base).start()
    app.store.close()


async def test_idle_conversation_expires_and_leaves_no_row(site):
    app, web, clock, base, http = site
    v, w = Visitor(http, base), Visitor(http, base)
    await v.start()
    await v.press("J'ai reçu")
    await v.say(DATE_A)
    await w.start()
    assert web_rows(app) > 0
    clock.advance(minutes=29)
    await app.tick()
    await v.say("bonjour")  # still alive: its idle clock restarts
    clock.advance(minutes=29)
    await app.tick()
    assert len(web.conversations) == 1
    assert web_rows(app) > 0
    clock.advance(minutes=2)
    await app.tick()
    assert len(web.conversations) == 0 and web_rows(app) == 0
    await v.say("bonjour", status=410)
    assert v.last["expired"] is True and "effacée" in v.last["text"]


async def test_forget_and_tab_close_erase_everything(site):
    app, web, clock, base, http = site
    v = Visitor(http, base)
    await v.start()
    await v.press("J'ai reçu")
    await v.say(DATE_A)
    await v.say("/oubli")
    await v.press("Oui, tout effacer")
    assert v.last["ended"] is True and web_rows(app) == 0 and len(web.conversations) == 0
    await v.say("bonjour", status=410)
    w = Visitor(http, base)
    await w.start()
    await w.say("bonjour")
    assert web_rows(app) > 0
    await w.post("/api/end", {"token": w.token}, None)
    assert w.status == 204 and web_rows(app) == 0
    await w.say("bonjour", status=410)


async def test_rows_of_a_previous_run_are_erased_at_start(tmp_path):
    app, web, clock = make_web(tmp_path / "d")
    async with serving(app, web) as base, aiohttp.ClientSession() as http:
        v = Visitor(http, base)
        await v.start()
        await v.say("bonjour")
    app.store.close()
    # a crash leaves rows behind; simulate it by writing one as the router would
    app, web, clock = make_web(tmp_path / "d")
    app.store.touch_user("web:" + "0" * 32, "web", "0" * 32, clock.now())
    assert web_rows(app) == 1
    async with serving(app, web):
        assert web_rows(app) == 0
    app.store.close()


async def test_logs_hold_no_text_and_no_address(site, caplog):
    app, web, clock, base, http = site
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="aiohttp")  # bot.log quiets aiohttp to WARNING when a test set it up
    v = Visitor(http, base, headers={"X-Forwarded-For": "198.51.100.77"})
    await v.start()
    await v.say("mon secret très personnel")
    # a broken request makes aiohttp log an error "from <address>": the address must not get through
    import asyncio

    host, port = base[len("http://") :].split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"GARBAGE \x00\x01 NOT HTTP\r\n\r\n")
    await writer.drain()
    await reader.read()
    writer.close()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "web_turn" in logged and "web_server_error" in logged
    assert "secret" not in logged and "127.0.0.1" not in logged and "198.51.100.77" not in logged
    assert v.token not in logged


async def test_hostile_text_comes_back_as_plain_text(site):
    app, web, clock, base, http = site
    v = Visitor(http, base)
    await v.start()
    await v.say('<img src=x onerror="alert(1)"><script>alert(2)</script>')
    assert v.last["replies"] and all(isinstance(r["text"], str) for r in v.last["replies"])


def test_flyer_qr_points_to_the_web_page(tmp_path):
    from bot.domain.flyer import deep_link, flyer_link

    app, web, clock = make_web(tmp_path / "d", web_public_url="https://bot.example.org/")
    assert flyer_link(app, "telegram", "c_ABC") == "https://bot.example.org/?start=c_ABC"
    assert deep_link(app, "web", "c_ABC") == "https://bot.example.org/?start=c_ABC"
    app.store.close()


async def test_campaign_link_starts_on_the_web_page(site):
    app, web, clock, base, http = site
    v = Visitor(http, base)
    await v.start(start="c_NOPE")
    assert v.last["replies"][0]["key"] == "core/bad_link"


async def test_web_runs_under_mes_bot_run_with_one_app(tmp_path):
    """``mes-bot run`` with backends = ["web"]: built by create(), served, stopped cleanly; the
    conversation's rows are gone after the stop."""
    import asyncio

    from bot.infra.config import load_settings
    from bot.ops.run import Runner
    from tests.support.web_env import free_port

    port = free_port()
    settings = load_settings(None, env={}, data_dir=str(tmp_path / "d"), backends="web", web_listen=f"127.0.0.1:{port}")
    runner = Runner(settings)
    task = asyncio.create_task(runner.serve(install_signals=False))
    for _ in range(200):  # bounded: the runner sets `ready` once every backend runs
        if runner.ready is not None:
            break
        await asyncio.sleep(0)
    await asyncio.wait_for(runner.ready.wait(), 10)
    web = runner.app.backends["web"]
    await asyncio.wait_for(web.ready.wait(), 10)
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http:
        v = Visitor(http, base)
        await v.start()
        await v.say("bonjour")
        assert web_rows(runner.app) > 0
    runner.request_stop("test")
    assert await asyncio.wait_for(task, 15) == 0
    from bot.store import Store

    store = Store(settings.db_path)
    assert not list(store.db.query("SELECT user_key FROM users WHERE backend = 'web'"))
    store.close()


def test_cli_knows_the_web_command():
    from bot.ops.cli import build_parser

    args = build_parser().parse_args(["web", "--host", "127.0.0.1", "--port", "8099"])
    assert args._module == "bot.ops.run" and args._backend == "web" and args.port == 8099  # the runner, with web


def test_wheel_ships_the_page(tmp_path):
    """``pip install .`` must carry the page, its script, style sheet and icon, and its strings."""
    import subprocess
    import sys
    import zipfile
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
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
            str(root),
        ],
        check=True,
    )
    names = set(zipfile.ZipFile(next(tmp_path.glob("mes_bot-*.whl"))).namelist())
    for name in ("page.html", "app.js", "style.css", "icon.svg"):
        assert f"bot/backends/web/static/{name}" in names
    assert "locales/fr/buttons/web.toml" in names and "locales/en/web/busy.j2" in names


async def test_sensitive_strings_typed_in_the_page_never_reach_disk_or_logs(tmp_path, caplog):
    """The privacy screen is the same for the page: NIR, code provisoire, diagnoses typed there are
    found in no file of the data folder (database, WAL) and no log line."""
    from tests.flows.test_privacy_e2e import CONVERSATION, _hits

    caplog.set_level(logging.DEBUG)
    app, web, clock = make_web(tmp_path / "d")
    async with serving(app, web) as base, aiohttp.ClientSession() as http:
        v = Visitor(http, base)
        await v.start()
        for line in CONVERSATION:
            await v.say(line)
        assert v.last["replies"][0]["key"] == "core/privacy_warning"
        blobs = b"".join(f.read_bytes() for f in (tmp_path / "d").rglob("*") if f.is_file())
        assert web_rows(app) > 0
        assert not _hits(blobs)
    logged = "\n".join(r.getMessage() for r in caplog.records).encode()
    assert not _hits(logged)
    app.store.close()


async def test_unknown_paths_and_methods_get_the_same_headers(site):
    app, web, clock, base, http = site
    async with http.get(base + "/nothing-here") as r:
        assert r.status == 404 and "default-src 'none'" in r.headers["Content-Security-Policy"]
    async with http.get(base + "/api/message") as r:
        assert r.status == 405 and "Content-Security-Policy" in r.headers


async def test_stop_erases_every_open_conversation_at_once(tmp_path):
    import asyncio

    app, web, clock = make_web(tmp_path / "d", web_rate_address_per_min=10_000)
    async with serving(app, web) as base, aiohttp.ClientSession() as http:
        visitors = [Visitor(http, base) for _ in range(60)]
        await asyncio.gather(*(v.start() for v in visitors))
        await asyncio.gather(*(v.say("reçu le 20 novembre") for v in visitors))
        assert web_rows(app) >= 120
    assert web_rows(app) == 0 and len(web.conversations) == 0
    app.store.close()

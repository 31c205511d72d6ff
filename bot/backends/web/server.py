"""The web backend's HTTP server (aiohttp): one page, its static files and a JSON endpoint.

Routes (every byte served by the bot, nothing from elsewhere):

* ``GET /`` the page (``?lang=en`` for English, ``?start=<payload>`` for a collective's link); a
  kind "busy" page with 503 when ``web_max_conversations`` are open;
* ``GET /static/<file>`` the script, style sheet and icon shipped in the package;
* ``POST /api/start`` opens a conversation: ``{"lang", "start"}`` -> ``{"token", "replies"}``;
* ``POST /api/message`` ``{"token", "text"}`` or ``{"token", "choice"}`` -> ``{"replies", "ended"}``;
* ``POST /api/end`` ``{"token"}``: the tab was closed; the conversation's rows are erased.

Why plain HTTP requests and not a WebSocket: the bot only ever answers what the visitor sent
(a web visitor cannot be written to later), so request/response is the whole protocol; a phone
that sleeps or switches to the mail app to find the date keeps its conversation (a WebSocket
would be cut); any reverse proxy passes it without upgrade settings; and an idle conversation
costs no open connection, only a few hundred bytes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from ...infra import metrics
from ...core.types import BackendBase, Blocked, Event, Reply
from ...core.render import LOCALES
from . import limits
from .replies import reply_json
from .conversations import Conversations

if TYPE_CHECKING:
    from ...core.app import App
    from ...infra.config import Settings

log = logging.getLogger("mes_bot.web")

NAME = "web"
STATIC = Path(__file__).resolve().parent / "static"
STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
CHOICE_RE = re.compile(r"[^\x00-\x1f\x7f]{1,200}")
START_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")


class _NoAddresses(logging.Filter):
    """aiohttp logs "Error handling request from <address>": keep the event, drop its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg, record.args = "web_server_error", ()
        return True


for _name in ("aiohttp.server", "aiohttp.web", "aiohttp.access", "aiohttp.internal"):
    logging.getLogger(_name).addFilter(_NoAddresses())


def _json(data: dict, status: int = 200, headers: dict | None = None):
    return web.json_response(data, status=status, headers=headers, dumps=lambda d: json.dumps(d, ensure_ascii=False))


class WebBackend(BackendBase):
    name = NAME
    can_write_later = False  # flows offer the calendar file and other messengers instead of reminders

    def link(self, payload: str) -> str | None:
        """The page's public address carrying ``payload`` (``?start=``)."""
        from ...domain.flyer import with_start

        return with_start(self.app.settings.web_public_url, payload)

    def __init__(self, app: App, settings: Settings | None = None) -> None:
        from ...infra.config import parse_hostport

        self.app = app
        self.settings = settings or app.settings
        s = self.settings
        self.host, self.port = parse_hostport("web_listen", s.web_listen)
        self.conversations = Conversations(
            s.web_max_conversations, s.web_idle_minutes * 60.0, s.web_rate_conversation_per_min
        )
        self.addresses = limits.AddressLimiter(s.web_rate_address_per_min)
        self.trusted = limits.TrustedProxies(s.web_trusted_proxies)
        self._stop = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.bound_port: int | None = None
        self.ready = asyncio.Event()
        self._pages: dict[tuple[str, bool], bytes] = {}
        self._static = {p.name: p.read_bytes() for p in STATIC.iterdir() if p.suffix in STATIC_TYPES and p.is_file()}
        app.add_ticker("web_expiry", self.sweep)
        metrics.add_collector("web", self._collect)

    # -- Backend protocol -----------------------------------------------------------------
    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """A web visitor only gets answers to their own requests: nothing can be pushed later."""
        raise Blocked("a web page cannot be written to later")

    async def is_admin(self, user_id: str, chat_id: str) -> bool:
        return False

    async def stop(self) -> None:
        self._stop.set()

    async def receive(self, handler) -> None:
        """Serve until :meth:`stop`.  ``handler`` is unused: replies go back in the HTTP response."""
        self.sweep_rows()  # rows left by a previous run: their tokens died with it
        server = web.Application(client_max_size=self.settings.web_max_body_bytes, middlewares=[self._headers_mw])
        server.router.add_get("/", self.page)
        server.router.add_get("/favicon.ico", self.favicon)
        server.router.add_get("/static/{name}", self.static)
        server.router.add_post("/api/start", self.api_start)
        server.router.add_post("/api/message", self.api_message)
        server.router.add_post("/api/end", self.api_end)
        runner = self._runner = web.AppRunner(server, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_address=True)
        await site.start()
        addresses = runner.addresses
        self.bound_port = addresses[0][1] if addresses else self.port
        log.info("web_listening port=%s", self.bound_port)
        self.ready.set()
        try:
            await self._stop.wait()
        finally:
            await runner.cleanup()
            for conv in self.conversations.all():  # their tokens die with the process
                self.conversations.end(conv.cid)
            self.sweep_rows()

    # -- expiry ------------------------------------------------------------------------------
    def _now(self) -> float:
        return self.app.clock.now().timestamp()

    def _erase(self, cid: str) -> None:
        self.conversations.end(cid)
        self.app.store.forget_user(f"web:{cid}")

    def _erase_many(self, keys: list[str]) -> None:
        """Like ``store.forget_user`` for many web conversations at once: one transaction and one
        WAL checkpoint (so ending hundreds at shutdown or expiry stays quick)."""
        self.app.store.forget_users(keys)

    def sweep_rows(self) -> int:
        """Erase every web row whose conversation is not open (ended, expired, or a previous run)."""
        keys = self.app.store.user_keys_of(NAME)
        stale = sorted(k for k in keys if not self.conversations.is_open(k[4:]))
        self._erase_many(stale)
        return len(stale)

    async def sweep(self, now) -> int:
        """Ticker: end conversations idle longer than ``web_idle_minutes`` and erase their rows."""
        ts = now.timestamp()
        gone = self.conversations.expired(ts)
        n = self.sweep_rows()
        self.addresses.prune(ts)
        if gone or n:
            log.info("web_expired conversations=%d rows_users=%d", len(gone), n)
        return 0

    def _collect(self) -> None:
        metrics.set_gauge("web_conversations", len(self.conversations))

    # -- helpers ------------------------------------------------------------------------------
    def _lang(self, value) -> str:
        return value if value in LOCALES else self.settings.default_locale

    def _text(self, key: str, lang: str, **kw) -> str:
        return self.app.renderer.render(key, lang, **kw)

    def _address(self, request) -> str:
        return limits.client_address(request.remote, request.headers.get("X-Forwarded-For"), self.trusted)

    def _origins(self, request) -> set[str]:
        scheme, host = request.scheme, request.host
        if request.remote in self.trusted:
            scheme = request.headers.get("X-Forwarded-Proto", scheme).split(",")[0].strip()
            host = request.headers.get("X-Forwarded-Host", host).split(",")[0].strip()
        out = {f"{scheme}://{host}", *self.settings.web_allowed_origins}
        if self.settings.web_public_url:
            m = re.match(r"^(https?://[^/?#]+)", self.settings.web_public_url)
            if m:
                out.add(m.group(1))
        return out

    def csp(self) -> str:
        ancestors = " ".join(self.settings.web_frame_ancestors) or "'none'"
        return (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            "connect-src 'self'; form-action 'none'; base-uri 'none'; "
            f"frame-ancestors {ancestors}"
        )

    @web.middleware
    async def _headers_mw(self, request, handler):
        if request.method == "POST":
            origin = request.headers.get("Origin")
            if origin not in self._origins(request):
                metrics.inc("web_rejected", reason="origin")
                return _json({"error": "origin"}, status=403)
            if not self.addresses.allow(self._address(request), self._now()):
                metrics.inc("web_rejected", reason="address_rate")
                return _json(
                    {"error": "rate", "text": self._text("web/slow_down", self._lang(None))},
                    status=429,
                    headers={"Retry-After": "60"},
                )
        try:
            resp = await handler(request)
        except web.HTTPRequestEntityTooLarge:
            metrics.inc("web_rejected", reason="too_large")
            resp = _json(
                {"error": "too_large", "text": self._text("core/too_long", self._lang(None), limit=2000)}, status=413
            )
        except web.HTTPException as e:  # 404, 405: plain, with the same headers
            resp = web.Response(status=e.status, text=e.reason)
        h = resp.headers
        h["Content-Security-Policy"] = self.csp()
        h["X-Content-Type-Options"] = "nosniff"
        h["Referrer-Policy"] = "same-origin"
        h["Cross-Origin-Resource-Policy"] = "same-origin"
        h.setdefault("Cache-Control", "no-store")
        return resp

    # -- pages ----------------------------------------------------------------------------------
    def render_page(self, lang: str, busy: bool) -> bytes:
        key = (lang, busy)
        if key not in self._pages:
            from .page import render_page

            self._pages[key] = render_page(self.app.renderer, lang, busy, self.settings)
        return self._pages[key]

    async def page(self, request):
        lang = self._lang(request.query.get("lang"))
        busy = self.conversations.full()
        if busy:
            metrics.inc("web_busy")
        return web.Response(
            body=self.render_page(lang, busy),
            status=503 if busy else 200,
            content_type="text/html",
            charset="utf-8",
            headers={"Retry-After": "60"} if busy else None,
        )

    async def static(self, request):
        name = request.match_info["name"]
        body = self._static.get(name)
        if body is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=body, headers={"Content-Type": STATIC_TYPES[Path(name).suffix], "Cache-Control": "public, max-age=300"}
        )

    async def favicon(self, request):
        return web.Response(
            body=self._static.get("icon.svg", b""),
            headers={"Content-Type": STATIC_TYPES[".svg"], "Cache-Control": "public, max-age=3600"},
        )

    # -- API --------------------------------------------------------------------------------------
    async def _body(self, request) -> dict | None:
        if request.content_type != "application/json":
            return None
        try:
            data = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            return None
        return data if isinstance(data, dict) else None

    async def api_start(self, request):
        body = await self._body(request)
        if body is None:
            return _json({"error": "bad_request"}, status=400)
        lang = self._lang(body.get("lang"))
        opened = self.conversations.open(self._now(), lang)
        if opened is None:
            metrics.inc("web_busy")
            return _json(
                {"busy": True, "text": self._text("web/busy", lang)}, status=503, headers={"Retry-After": "60"}
            )
        token, conv = opened
        start = body.get("start")
        payload = start if isinstance(start, str) and START_RE.fullmatch(start) else None
        out = await self._turn(conv, kind="start", payload=payload)
        out["token"] = token
        metrics.inc("web_conversations_opened")
        return _json(out)

    async def api_message(self, request):
        body = await self._body(request)
        if body is None:
            return _json({"error": "bad_request"}, status=400)
        now = self._now()
        conv = self.conversations.get(body.get("token"), now)
        if conv is None:
            lang = self._lang(body.get("lang"))
            return _json({"expired": True, "text": self._text("web/expired", lang)}, status=410)
        if not limits.allow(conv.bucket, now):
            metrics.inc("web_rejected", reason="conversation_rate")
            return _json(
                {"error": "rate", "text": self._text("web/slow_down", conv.lang)},
                status=429,
                headers={"Retry-After": "10"},
            )
        text, choice = body.get("text"), body.get("choice")
        if isinstance(choice, str) and CHOICE_RE.fullmatch(choice):
            out = await self._turn(conv, kind="button", choice=choice)
        elif isinstance(text, str):
            out = await self._turn(conv, kind="text", text=text)
        else:
            return _json({"error": "bad_request"}, status=400)
        return _json(out)

    async def api_end(self, request):
        body = await self._body(request)
        conv = self.conversations.get((body or {}).get("token"), self._now())
        if conv is not None:
            self._erase(conv.cid)
            metrics.inc("web_conversations_closed")
        return web.Response(status=204)

    async def _turn(self, conv, **kw) -> dict:
        event = Event(backend=NAME, chat_id=conv.cid, user_id=conv.cid, locale=conv.lang, is_direct=True, **kw)
        replies = await self.app.handle(event)
        metrics.inc("messages_out", len(replies), backend=NAME)
        user = self.app.store.get_user(event.user_key)
        ended = user is None  # /oubli erased everything: this conversation is over
        if user is None:
            self.conversations.end(conv.cid)
            lang = conv.lang
        else:
            lang = user.locale if user.locale in LOCALES else conv.lang
            conv.lang = lang
        log.info("web_turn kind=%s replies=%d", event.kind, len(replies))
        download = self.app.renderer.label("web.download", lang)
        return {"lang": lang, "ended": ended, "replies": [reply_json(r, lang, download) for r in replies]}

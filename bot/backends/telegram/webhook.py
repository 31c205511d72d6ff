"""Webhook mode: a small aiohttp server that checks Telegram's secret token on every call and
hands each update to the same dispatch as polling."""

from __future__ import annotations

import re
from typing import Any

from .state import TelegramState


class WebhookMixin(TelegramState):
    """The webhook server."""

    async def _start_webhook(self) -> None:
        import secrets
        from urllib.parse import urlparse

        from aiohttp import web
        from telegram import Update

        url = self.settings.telegram_webhook_url
        secret = self.settings.telegram_webhook_secret or secrets.token_urlsafe(32)
        secret = re.sub(r"[^A-Za-z0-9_-]", "", secret)[:256]
        path = urlparse(url).path or "/"
        host, _, port = self.settings.telegram_webhook_listen.rpartition(":")

        async def on_post(request: web.Request) -> web.Response:
            if not secrets.compare_digest(request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""), secret):
                return web.Response(status=403)
            try:
                raw = await request.json()
                int(raw["update_id"])
            except Exception:
                return web.Response(status=400)
            self.dispatch(raw)
            return web.Response(text="ok")

        webapp = web.Application(client_max_size=1024 * 1024)
        webapp.router.add_post(path, on_post)
        runner = web.AppRunner(webapp, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, host or "127.0.0.1", int(port or 8443))
        await site.start()
        self._webhook_runner = runner
        server: Any = site._server  # aiohttp keeps the listening socket there
        self.webhook_port = server.sockets[0].getsockname()[1] if server else None
        await self.application.bot.set_webhook(url=url, secret_token=secret, allowed_updates=list(Update.ALL_TYPES))

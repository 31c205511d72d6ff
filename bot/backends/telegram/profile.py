"""The bot's profile, set in the background at start (best-effort): the command menu in French
and English, descriptions, and per-scope menus for groups and their administrators."""

from __future__ import annotations

import asyncio
import logging

from .state import TelegramState

log = logging.getLogger("mes_bot.telegram")

# Commands shown in Telegram's menu: (command, label key); English uses the English alias.
MENU_COMMANDS = [
    ("menu", "telegram.cmd_menu"),
    ("aide", "telegram.cmd_aide"),
    ("rappels", "telegram.cmd_rappels"),
    ("langue", "telegram.cmd_langue"),
    ("annuler", "telegram.cmd_annuler"),
    ("oubli", "telegram.cmd_oubli"),
]
EN_NAMES = {
    "aide": "help",
    "langue": "language",
    "annuler": "cancel",
    "oubli": "forget",
    "rappels": "reminders",
    "campagne": "campaign",
}
# command menus per scope (collectives): members of a group, then its administrators
GROUP_MENU = [("aide", "telegram.cmd_aide")]
ADMIN_MENU = [("campagne", "telegram.cmd_campagne"), ("stats", "telegram.cmd_stats"), ("aide", "telegram.cmd_aide")]


class ProfileMixin(TelegramState):
    """Command menus and descriptions."""

    async def _profile(self) -> None:
        try:
            await self.setup_profile()
        except asyncio.CancelledError:
            raise
        except Exception as e:
            log.warning("startup_profile_failed error=%s", type(e).__name__)

    async def setup_profile(self) -> None:
        from telegram import BotCommand

        bot = self.application.bot
        renderer = self.app.renderer
        registry = getattr(self.app.router, "reg", None)
        known = set(getattr(registry, "commands", {}) or {}) | {"menu", "aide", "langue", "annuler", "oubli"}

        def menu(entries, locale):
            cmds = []
            for name, key in entries:
                if name not in known:
                    continue
                try:
                    label = renderer.label(key, locale)
                except KeyError:
                    continue
                cmd = EN_NAMES.get(name, name) if locale == "en" else name
                cmds.append(BotCommand(cmd, label[:256]))
            return cmds

        menus_ok = True
        for locale in ("fr", "en"):
            cmds = menu(MENU_COMMANDS, locale)
            steps = [
                ("setMyCommands", bot.set_my_commands, dict(commands=cmds, language_code=locale)),
                (
                    "setMyDescription",
                    bot.set_my_description,
                    dict(description=renderer.render("telegram/description", locale)[:512], language_code=locale),
                ),
                (
                    "setMyShortDescription",
                    bot.set_my_short_description,
                    dict(
                        short_description=renderer.render("telegram/short_description", locale)[:120],
                        language_code=locale,
                    ),
                ),
            ]
            if locale == self.settings.default_locale:
                steps.append(("setMyCommands", bot.set_my_commands, dict(commands=cmds)))
            for what, fn, kw in steps:
                if self._stop.is_set():
                    return
                ok = await self._extra(
                    what, fn(**kw, read_timeout=self.startup_timeout, connect_timeout=self.startup_timeout)
                )
                menus_ok = menus_ok and (ok or what != "setMyCommands")
        if menus_ok and "campagne" in known:
            await self._scoped_menus(menu)

    async def _scoped_menus(self, menu) -> None:
        """Groups: members see member commands, administrators see /campagne and /stats (only
        when the server took the default menu: a server without the method is not asked again)."""
        from telegram import BotCommandScopeAllChatAdministrators, BotCommandScopeAllGroupChats

        bot = self.application.bot
        for scope, entries in (
            (BotCommandScopeAllGroupChats(), GROUP_MENU),
            (BotCommandScopeAllChatAdministrators(), ADMIN_MENU),
        ):
            for locale in ("fr", "en", None):
                if self._stop.is_set():
                    return
                kw = {"language_code": locale} if locale else {}
                await self._extra(
                    "setMyCommands",
                    bot.set_my_commands(
                        commands=menu(entries, locale or self.settings.default_locale),
                        scope=scope,
                        **kw,
                        read_timeout=self.startup_timeout,
                        connect_timeout=self.startup_timeout,
                    ),
                )

"""/confidentialite: what the bot keeps, in plain words (same content as docs/privacy.md)."""

from __future__ import annotations

from bot.core.flowlib import Choice, Ctx, Flow, Say, State


def show(ctx: Ctx):
    vars = {"purge_days": ctx.settings.purge_after_days}
    if not ctx.event.is_direct:  # never offer to erase from a group
        return [Say("privacy/show"), Say("privacy/never", vars)]
    return [
        Say("privacy/show"),
        Say(
            "privacy/never",
            vars,
            buttons=[
                [Choice("privacy.list", goto="reminders:list")],
                [Choice("privacy.forget", goto="menu:forget")],
                [Choice("privacy.menu", goto="menu:main")],
            ],
        ),
    ]


FLOWS = [Flow("privacy", {"show": State(prompt=show)}, start="show", personal=False)]
COMMANDS = {"confidentialite": "privacy:show"}
GROUP_COMMANDS = {"confidentialite"}

"""Collectives: telling admins what happened, and following the bot in and out of a place.

``tell_admins(app, coll, key, vars)`` writes to the private chat of every admin who opened
the place (``collective_admins``).  ``app.services.bot_membership(backend, chat_id,
present, joined=..., title=...)`` is called by a backend when the bot is added to or
removed from a group, channel or room: removed, the place's campaigns are held and its
admins told; back, the held campaigns resume at their next time and the admins are told;
newly added, a short hello says how admins start (``/campagne``) and how members start.
"""

from __future__ import annotations

import logging


from ..core.delivery import BLOCKED, Policy
from ..core.types import Address
from ..core.flowlib import Say

log = logging.getLogger("mes_bot.collectives")

#: a notice is tried once (the chat followed if it moved); a failure is logged, not queued
NOTICE = Policy()


async def tell_admins(app, coll: dict, key: str, vars: dict | None = None) -> int:
    """Send template ``key`` to each admin of ``coll`` in private; -> how many were told."""
    if coll["backend"] not in app.backends:
        return 0
    told = 0
    for a in app.store.admin_chats(coll["id"]):
        say = Say(key, dict(vars or {}, name=coll.get("name")))
        out = await app.deliver(
            app.render_reply(say, a["locale"] or coll["locale"]),
            Address(coll["backend"], str(a["chat_id"])),
            policy=NOTICE,
        )
        if out.sent:
            told += 1
        elif out.status == BLOCKED:  # she blocked the bot: no more notices kept for her there
            app.store.forget_admin_chat(coll["id"], a["chat_id"])
        else:
            log.warning("admin_notice_failed kind=%s error=%s", key, out.kind)
    log.info("admin_notice kind=%s told=%d", key, told)
    return told


async def on_membership(
    app, backend: str, chat_id: str, present: bool, joined: bool = False, title: str | None = None
) -> None:
    from .broadcast import next_post_of

    store = app.store
    coll = store.collective_by_chat(backend, chat_id)
    if coll is not None and not coll.get("name") and title:
        store.set_collective_name(coll["id"], str(title)[:120])
        coll = store.get_collective(coll["id"])
    if not present:
        if coll is None:
            return
        held = store.hold_campaigns(coll["id"])
        log.info("collective_removed held=%d", held)
        await tell_admins(app, coll, "campaign/notice_removed", {"held": held})
        return
    if coll is not None:
        now = app.clock.now()
        resumed = 0
        for c in store.held_campaigns(coll["id"]):
            nxt = next_post_of(c, coll["tz"], now)
            if nxt is None:
                store.set_campaign_status(c["id"], "done")
            else:
                store.set_campaign_status(c["id"], "active", nxt.isoformat(timespec="seconds"))
                resumed += 1
        if resumed or joined:
            await tell_admins(app, coll, "campaign/notice_back", {"resumed": resumed})
    if joined:
        await hello(app, backend, chat_id, coll, title)


async def hello(app, backend: str, chat_id: str, coll: dict | None, title: str | None = None) -> None:
    """A short hello in the place the bot was just added to (public: nothing personal)."""
    app.store.kv_set(f"hello:{backend}:{chat_id}", str(int(app.clock.now().timestamp())))
    locale = (coll or {}).get("locale") or app.settings.default_locale
    name = (coll or {}).get("name") or title
    out = await app.deliver(
        app.render_reply(Say("campaign/hello", {"name": name}), locale), Address(backend, str(chat_id)), policy=NOTICE
    )
    if not out.sent:
        log.info("hello_failed error=%s", out.kind)


HELLO_EVERY = 6 * 3600  # an @mention answered with the hello at most this often per group (seconds)


async def on_mention(app, backend: str, chat_id: str, title: str | None = None) -> None:
    """Someone @mentioned the bot in a group: the short hello, not silence (not every time)."""
    key = f"hello:{backend}:{chat_id}"
    now = app.clock.now().timestamp()
    last = app.store.kv_get(key)
    if last and now - float(last) < HELLO_EVERY:
        return
    await hello(app, backend, chat_id, app.store.collective_by_chat(backend, chat_id), title)


def install(app) -> None:
    async def membership(backend, chat_id, present, joined=False, title=None):
        try:
            await on_membership(app, backend, str(chat_id), present, joined=joined, title=title)
        except Exception:
            log.exception("bot_membership_failed")

    async def mentioned(backend, chat_id, title=None):
        try:
            await on_mention(app, backend, str(chat_id), title=title)
        except Exception:
            log.exception("bot_mentioned_failed")

    async def notice(coll: dict, key: str, vars: dict | None = None) -> int:
        return await tell_admins(app, coll, key, vars)

    app.services.bot_membership = membership
    app.services.bot_mentioned = mentioned
    app.services.collective_notice = notice

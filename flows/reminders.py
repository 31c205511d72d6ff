"""Reminders for a person: offer, who it is for, schedule, list/cancel, calendar file, and
the answers to a reminder message ("C'est fait", "Me le rappeler demain").

Contract with the deadline flow: ``ctx.data["deadline"] = {"sent", "deadline", "recommended",
"approximate"}`` (ISO dates), then ``goto "reminders:offer"``.  Labels are chosen from buttons
(never a name).  Stored: see docs/privacy.md.
"""

from __future__ import annotations

import inspect
import logging
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain import phone
from bot.core.types import Attachment
from bot.core.flowlib import END, Choice, Ctx, Flow, Say, State, Turn
from bot.jobs.scheduler import end_of_last_day, local_at, next_allowed, plan_reminders, schedule_offsets, summary_say
from bot.store.reminders import LABELS

log = logging.getLogger("mes_bot.flows.reminders")

MENU = [Choice("reminders.menu", goto="menu:main")]


def _deadline(ctx: Ctx) -> dict | None:
    dl = ctx.data.get("deadline")
    if not isinstance(dl, dict) or not dl.get("deadline"):
        return None
    try:
        date.fromisoformat(dl["deadline"])
    except (TypeError, ValueError):
        return None
    return dl


def _who(ctx: Ctx, label: str) -> str:
    return ctx.label(f"reminders.label_{label}")


async def _campaign_event(ctx: Ctx, code: str | None, kind: str) -> None:
    fn = ctx.app.services.campaign_event
    if not code or fn is None:
        return
    try:
        res = fn(code, kind)
        if inspect.isawaitable(res):
            await res
    except Exception:  # statistics must never break a person's conversation
        log.exception("campaign_event_failed kind=%s", kind)


def _can_write_later(ctx: Ctx) -> bool:
    """False where the bot cannot write to the person later (the web page)."""
    backend = ctx.app.backends.get(ctx.event.backend)
    return backend.can_write_later if backend is not None else True


def _offer_no_chat(ctx: Ctx, dl: dict, days_left: int, last: date) -> Say:
    """No reminders here: the calendar file, and the messengers the operator publishes."""
    tg, mx = ctx.settings.telegram_public_link, ctx.settings.matrix_public_link
    rows = [[Choice("reminders.ics_download", goto="reminders:ics")]]
    rows += [[Choice(f"reminders.open_{name}", url=url)] for name, url in (("telegram", tg), ("matrix", mx)) if url]
    return Say(
        "reminders/offer_no_chat",
        {
            "deadline": dl["deadline"],
            "days_left": days_left,
            "approximate": bool(dl.get("approximate")),
            "last_day_closed": not phone.is_working_day(last),
            "telegram": bool(tg),
            "matrix": bool(mx),
        },
        buttons=rows + [MENU],
    )


# ------------------------------------------------------------------------------- offer
def offer_prompt(ctx: Ctx):
    dl = _deadline(ctx)
    if dl is None:
        return Say("reminders/no_deadline", buttons=[[Choice("reminders.give_date", goto="deadline:start")], MENU])
    last = date.fromisoformat(dl["deadline"])
    days_left = (last - ctx.today).days
    if days_left < 0:
        return Say(
            "reminders/passed",
            {"deadline": dl["deadline"]},
            buttons=[[Choice("reminders.after", goto="after:start")], MENU],
        )
    if not _can_write_later(ctx):
        return _offer_no_chat(ctx, dl, days_left, last)
    return Say(
        "reminders/offer",
        {
            "deadline": dl["deadline"],
            "days_left": days_left,
            "approximate": bool(dl.get("approximate")),
            "last_day_closed": not phone.is_working_day(last),
        },
        buttons=[
            [Choice("reminders.yes", "yes", words=("__yes__",))],
            [Choice("reminders.ics", goto="reminders:ics")],
            [Choice("reminders.no", "no", words=("__no__",))],
        ],
    )


def who_prompt(ctx: Ctx):
    if _deadline(ctx) is None or not _can_write_later(ctx):
        return Turn(goto="reminders:offer")
    rows = [[Choice(f"reminders.label_{lab}", lab)] for lab in LABELS]
    return Say("reminders/who", buttons=rows)


def who_choice(ctx: Ctx, payload: str):
    if payload not in LABELS:
        return None
    return Turn(goto="reminders:schedule", data={"reminder_label": payload})


def schedule_prompt(ctx: Ctx):
    std = ", ".join(str(o) for o in ctx.settings.reminder_offsets)
    return Say(
        "reminders/schedule",
        {"standard": std, "hour": ctx.settings.reminder_hour},
        buttons=[
            [Choice("reminders.sched_standard", "standard", vars={"offsets": std})],
            [Choice("reminders.sched_few", "few")],
            [Choice("reminders.sched_last_days", "last_days")],
        ],
    )


async def schedule_choice(ctx: Ctx, payload: str):
    if payload not in ("standard", "few", "last_days"):
        return None
    dl = _deadline(ctx)
    label = ctx.data.get("reminder_label")
    if dl is None or label not in LABELS or not _can_write_later(ctx):
        return Turn(goto="reminders:offer")
    last = date.fromisoformat(dl["deadline"])
    offsets = schedule_offsets(payload, ctx.settings)
    plan = plan_reminders(last, ctx.tz, offsets, ctx.settings, ctx.now)
    if not plan:
        return Turn(
            [
                Say(
                    "reminders/too_late",
                    {"deadline": dl["deadline"]},
                    buttons=[
                        [Choice("reminders.refuse_online", goto="refuse:online")],
                        [Choice("reminders.refuse_phone", goto="refuse:phone")],
                    ],
                )
            ],
            goto=END,
        )
    user = ctx.store.get_user(ctx.user_key)
    if user is not None and user.locale is None:
        ctx.store.set_user(ctx.user_key, locale=ctx.locale)  # reminders in the language of this conversation
    campaign = ctx.data.get("campaign")
    campaign = str(campaign)[:64] if campaign else None
    ctx.store.create_deadline(
        ctx.user_key,
        label=label,
        deadline=dl["deadline"],
        recommended=dl.get("recommended"),
        tz=ctx.tz,
        until_at=int(end_of_last_day(last, ctx.tz).timestamp()),
        schedule=",".join(map(str, offsets)),
        plan=[(p.ts, p.offset, p.kind) for p in plan],
        campaign=campaign,
        now=ctx.now,
    )
    await _campaign_event(ctx, campaign, "reminder_started")
    log.info("deadline_created reminders=%d", len(plan))
    moved = [p for p in plan if p.kind == "act_now"]
    dates = [p.at.astimezone(ctx.local_now.tzinfo).date().isoformat() for p in plan]
    ctx.data.pop("reminder_label", None)
    return Turn(
        [
            Say(
                "reminders/created",
                {
                    "who": _who(ctx, label),
                    "deadline": dl["deadline"],
                    "dates": dates,
                    "hour": ctx.settings.reminder_hour,
                    "last_day_closed": not phone.is_working_day(last),
                    "moved_to": moved[0].at.astimezone(ctx.local_now.tzinfo).date().isoformat() if moved else None,
                },
                buttons=[
                    [Choice("reminders.add_other", goto="deadline:start")],
                    [Choice("reminders.show_list", goto="reminders:list")],
                    [Choice("reminders.ics", goto="reminders:ics")],
                    MENU,
                ],
            )
        ],
        goto=END,
    )


# --------------------------------------------------------------------------------- ics
def _ics_events(ctx: Ctx) -> list[dict]:
    items = []
    dl = _deadline(ctx)
    if dl is not None:
        items.append((dl["deadline"], None, dl.get("recommended")))
    for d in ctx.store.active_deadlines(ctx.user_key):
        if all(d["deadline"] != i[0] for i in items):
            items.append((d["deadline"], d["label"], d["recommended"]))
    events = []
    for iso, label, advised in items:
        last = date.fromisoformat(iso)
        if last < ctx.today:
            continue
        plan = plan_reminders(last, ctx.tz, ctx.settings.reminder_offsets, ctx.settings, ctx.now)
        alarms = []
        for p in plan:
            local = p.at.astimezone(ctx.local_now.tzinfo)
            alarms.append(
                (local.date(), local.hour, ctx.t("reminders/ics_alarm", days_left=(last - local.date()).days))
            )
        who = _who(ctx, label) if label else None
        events.append(
            {
                "deadline": last,
                "alarms": alarms,
                "summary": ctx.t("reminders/ics_summary", who=who),
                "description": ctx.t(
                    "reminders/ics_description", deadline=iso, last_day_closed=not phone.is_working_day(last)
                ),
            }
        )
        advised_event = _ics_advised(ctx, last, advised, who)
        if advised_event:
            events.append(advised_event)
    return events


def _ics_advised(ctx: Ctx, last: date, advised: str | None, who: str | None) -> dict | None:
    """The advised day as its own all-day event, with an alarm at the reminder hour (if still ahead)."""
    try:
        day = date.fromisoformat(advised) if advised else None
    except ValueError:
        return None
    if day is None or not ctx.today <= day < last:
        return None
    ring = datetime.combine(day, time(ctx.settings.reminder_hour), tzinfo=ctx.local_now.tzinfo)
    alarms = (
        [(day, ctx.settings.reminder_hour, ctx.t("reminders/ics_advised_alarm", deadline=last.isoformat()))]
        if ring > ctx.local_now
        else []
    )
    return {
        "deadline": day,
        "advised": True,
        "alarms": alarms,
        "summary": ctx.t("reminders/ics_advised_summary", who=who),
        "description": ctx.t(
            "reminders/ics_advised_description",
            deadline=last.isoformat(),
            recommended=advised,
            phone_open=phone.is_working_day(day),
        ),
    }


def ics_prompt(ctx: Ctx):
    from bot.domain.ics import build_ics

    events = _ics_events(ctx)
    if not events:
        return Say("reminders/ics_none", buttons=[[Choice("reminders.give_date", goto="deadline:start")], MENU])
    data = build_ics(events, ctx.now)
    last_days = [e["deadline"] for e in events if not e.get("advised")]
    first = min(last_days).isoformat()  # the file is named with the (first) last day
    return Say(
        "reminders/ics",
        {"count": len(last_days)},
        attachment=Attachment(f"mon-espace-sante-{first}.ics", data, "text/calendar"),
        buttons=[[Choice("reminders.forget_all", goto="menu:forget")], MENU],
    )


# -------------------------------------------------------------------------------- list
def list_prompt(ctx: Ctx):
    ds = ctx.store.active_deadlines(ctx.user_key)
    if not ds:
        return Say(
            "reminders/list_empty",
            buttons=[
                [Choice("reminders.give_date", goto="deadline:start")],
                [Choice("reminders.forget_all", goto="menu:forget")],
                MENU,
            ],
        )
    summary = summary_say(ds, lambda label: _who(ctx, label))  # a Say: ds is not empty
    items = summary.vars["items"] if summary is not None else []
    rows = [
        [
            Choice(
                "reminders.cancel_one", f"cancel:{d['id']}", vars={"who": _who(ctx, d["label"]), "date": d["deadline"]}
            )
        ]
        for d in ds
    ]
    rows += [
        [Choice("reminders.cancel_all", "cancel_all")],
        [Choice("reminders.ics", goto="reminders:ics")],
        [Choice("reminders.forget_all", goto="menu:forget")],
        MENU,
    ]
    return Say("reminders/list", {"items": items, "hour": ctx.settings.reminder_hour}, buttons=rows)


def list_choice(ctx: Ctx, payload: str):
    if payload == "cancel_all":
        n = ctx.store.cancel_all_deadlines(ctx.user_key, now=ctx.now)
        return Turn([Say("reminders/cancelled_all", {"count": n})], goto="reminders:list")
    if re.fullmatch(r"cancel:[0-9]{1,18}", payload):
        row = ctx.store.finish_deadline(ctx.user_key, int(payload[7:]), "cancelled", now=ctx.now)
        if row is None:
            return Turn([Say("reminders/already_stopped")], goto="reminders:list")
        return Turn(
            [Say("reminders/cancelled_one", {"who": _who(ctx, row["label"]), "deadline": row["deadline"]})],
            goto="reminders:list",
        )
    return None


# --------------------------------------------------------------------------------- due
async def due_choice(ctx: Ctx, payload: str):
    kind, _, ident = payload.partition(":")
    if not re.fullmatch(r"[0-9]{1,18}", ident) or kind not in ("done", "tomorrow"):
        return None
    did = int(ident)
    if kind == "done":
        row = ctx.store.finish_deadline(ctx.user_key, did, "done", now=ctx.now)
        if row is None:
            return Turn([Say("reminders/already_stopped")], goto=END)
        await _campaign_event(ctx, row.get("campaign"), "done")
        log.info("deadline_done")
        return Turn(
            [
                Say(
                    "reminders/done_ack",
                    {"who": _who(ctx, row["label"])},
                    buttons=[
                        [Choice("reminders.forget_all", goto="menu:forget")],
                        [Choice("reminders.show_list", goto="reminders:list")],
                        MENU,
                    ],
                )
            ],
            goto=END,
        )
    row = ctx.store.get_deadline(did)
    if row is None or row["user_key"] != ctx.user_key or row["status"] != "active":
        return Turn([Say("reminders/already_stopped")], goto=END)
    tz = row["tz"]
    last = date.fromisoformat(row["deadline"])
    today = ctx.now.astimezone(ZoneInfo(tz)).date()
    tomorrow = today + timedelta(days=1)
    if tomorrow > last:
        return Turn(
            [
                Say(
                    "reminders/tomorrow_too_late",
                    {"deadline": row["deadline"]},
                    buttons=[
                        [Choice("reminders.refuse_online", goto="refuse:online")],
                        [Choice("reminders.refuse_phone", goto="refuse:phone")],
                    ],
                )
            ],
            goto=END,
        )
    at = next_allowed(local_at(tomorrow, ctx.settings.reminder_hour, tz), tz, ctx.settings)
    day_start, day_end = (
        local_at(tomorrow, 0, tz).timestamp(),
        local_at(tomorrow + timedelta(days=1), 0, tz).timestamp(),
    )
    if not any(day_start <= r["due_at"] < day_end for r in ctx.store.live_reminders(did)):
        ctx.store.add_reminder(did, ctx.user_key, int(at.timestamp()), (last - tomorrow).days, "snooze")
    return Turn(
        [Say("reminders/tomorrow_ok", {"date": tomorrow.isoformat(), "hour": ctx.settings.reminder_hour})], goto=END
    )


FLOWS = [
    Flow(
        "reminders",
        {
            "offer": State(
                prompt=offer_prompt,
                on_choice={
                    "yes": "reminders:who",
                    "no": lambda ctx: Turn(
                        [Say("reminders/declined", buttons=[[Choice("reminders.ics", goto="reminders:ics")], MENU])],
                        goto=END,
                    ),
                },
            ),
            # free_text: a sentence typed here ("c'est pour ma fille...") must not leave the setup
            "who": State(prompt=who_prompt, on_choice=who_choice, free_text=True),
            "schedule": State(prompt=schedule_prompt, on_choice=schedule_choice, free_text=True),
            "ics": State(prompt=ics_prompt),
            "list": State(prompt=list_prompt, on_choice=list_choice),
            "due": State(on_choice=due_choice),
        },
        start="offer",
    ),
]

COMMANDS = {"rappels": "reminders:list", "calendrier": "reminders:ics"}

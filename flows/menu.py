"""Main menu, language choice and "erase me"."""

from __future__ import annotations

from bot.core.flowlib import END, Choice, Ctx, Flow, Say, State, Turn

MAIN_BUTTONS = [
    [Choice("menu.received", goto="deadline:start")],
    [Choice("menu.exists", goto="after:start")],
    [Choice("menu.understand", goto="understand:start")],
    [Choice("menu.child", goto="children:start")],
    [Choice("menu.collective", goto="campaign:start")],
]


def main_prompt(ctx: Ctx):
    if not ctx.event.is_direct:
        return Say("menu/group", private_start="menu")
    return Say("menu/main", buttons=MAIN_BUTTONS)


def set_language(locale: str):
    def step(ctx: Ctx) -> Turn:
        ctx.store.set_user(ctx.user_key, locale=locale)
        ctx.locale = locale
        return Turn([Say("core/language_set")], goto="menu:main")

    return step


def forget(ctx: Ctx) -> Turn:
    try:
        ctx.app.forget(ctx.user_key)
    except Exception as e:  # disk full, read-only or corrupt database: say it did not happen
        from bot.infra import health_state

        health_state.storage_failed(e, "forget")
        return Turn([Say("menu/forget_failed")], goto=END)
    ctx.data.clear()
    ctx.data["_forgotten"] = True
    return Turn([Say("menu/forgotten")], goto=END)


FLOWS = [
    Flow(
        "menu",
        {
            "main": State(prompt=main_prompt),
            "language": State(
                prompt=Say("menu/language", buttons=[[Choice("menu.lang_fr", "fr"), Choice("menu.lang_en", "en")]]),
                on_choice={"fr": set_language("fr"), "en": set_language("en")},
            ),
            "forget": State(
                prompt=Say(
                    "menu/forget_confirm",
                    buttons=[
                        [Choice("menu.forget_yes", "yes", words=("__yes__",))],
                        [Choice("menu.forget_no", "no", words=("__no__",))],
                    ],
                ),
                on_choice={"yes": forget, "no": lambda ctx: Turn([Say("menu/forget_kept")], goto="menu:main")},
            ),
        },
        start="main",
        personal=False,
    )
]
